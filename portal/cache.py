"""Rate limits that keep counting when Redis is down: the `ratelimit` cache.

Every counter whose answer is a refusal (allauth's sign-in, sign-up and password-reset
limits, the API's throttles) reads and writes the `ratelimit` cache, not `default`. Backed by
Redis, that cache is `FallbackRedisCache`: each call goes to Redis, and when Redis fails (down,
refusing, timing out) the call is answered from a local-memory cache of this process instead,
with a warning in the log (`portal.cache`, at most once a minute). For `RETRY_SECONDS` after a
failure Redis is not tried at all, so a request pays the connection timeout at most once in
that time, not once per counter.

So, with Redis down: sign-in, sign-up and password reset work, and every limit still holds,
counted per process (a site served by N processes lets through up to N times the budget);
counts made in local memory are forgotten when Redis is back. django-axes' lockouts (5 failed
sign-ins of one email from one address) are kept in the database and do not change at all.

Without Redis (a laptop, the unit tests) `ratelimit` is the same local-memory store as
`default`.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from allauth.core.internal import ratelimit
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.utils.connection import ConnectionProxy
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger("portal.cache")

RETRY_SECONDS = 5.0
WARN_EVERY_SECONDS = 60.0
_FAILURES = (ConnectionInterrupted, RedisError, OSError)

# The cache the rate limits count in; a proxy, so each thread gets its own connection.
ratelimit_cache = ConnectionProxy(caches, "ratelimit")

_METHODS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "set_many",
    "delete_many",
    "has_key",
    "incr",
    "decr",
    "ttl",
)


class FallbackRedisCache(RedisCache):
    """django-redis, answered from this process's memory while Redis fails (see the module)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = {**params, "OPTIONS": {**params.get("OPTIONS", {}), "IGNORE_EXCEPTIONS": False}}
        super().__init__(server, params)
        self._ignore_exceptions = False
        self._local = LocMemCache(f"fallback:{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._down_until = 0.0
        self._warned_at = -WARN_EVERY_SECONDS
        self._lock = threading.Lock()

    @property
    def redis_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _failed(self, name: str, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self._down_until = now + RETRY_SECONDS
            warn = now - self._warned_at >= WARN_EVERY_SECONDS
            if warn:
                self._warned_at = now
        if warn:
            logger.warning(
                "Redis failed (%s: %s) on %s: rate limits count in this process's memory for now",
                type(error).__name__,
                error,
                name,
            )

    def _call(self, name: str, *args, **kwargs):
        if not self.redis_down:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except _FAILURES as error:
                self._failed(name, error)
        return getattr(self._local, name)(*args, **kwargs) if name != "ttl" else None

    def clear(self) -> None:
        self._local.clear()
        if not self.redis_down:
            try:
                super().clear()
            except _FAILURES as error:
                self._failed("clear", error)


def _delegate(name: str):
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


for _name in _METHODS:
    setattr(FallbackRedisCache, _name, _delegate(_name))


def use_for_allauth() -> None:
    """Point allauth's rate limits (sign-in, sign-up, password reset...) at `ratelimit`:
    allauth counts in the default cache and reads a failed write there as "limit reached"."""
    ratelimit.cache = ratelimit_cache
