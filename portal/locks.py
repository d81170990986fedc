"""A lock shared by every process that shares the cache (Redis in production).

Two beat processes, or a slow run overlapping the next tick, must not run the
same periodic task twice at once. With the cache down the lock cannot be taken: the run is
skipped with a warning (a periodic task runs again at its next tick), since two runs at once
are what the lock is for. The matching sweep has a lease of its own (matchmaking/sweeps.py).
"""

import functools
import logging
import uuid
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


@contextmanager
def cache_lock(name: str, timeout: int | None = None):
    """Yield True when this process holds the lock `name`, False when another does."""
    key = f"lock:{name}"
    token = uuid.uuid4().hex
    acquired = cache.add(key, token, timeout or settings.PERIODIC_TASK_LOCK_SECONDS)
    if acquired is None:  # django-redis: the cache failed (logged), not "taken by another"
        logger.warning("the cache is unavailable: the lock %s cannot be taken", name)
    try:
        yield acquired
    finally:
        # Release only our own lock, never one taken over after ours expired.
        if acquired and cache.get(key) == token:
            cache.delete(key)


def single_instance(func: Callable) -> Callable:
    """Skip a run of `func` while another run holds its lock; return None then."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with cache_lock(f"{func.__module__}.{func.__qualname__}") as acquired:
            if not acquired:
                logger.info("%s is already running; this run is skipped.", func.__qualname__)
                return None
            return func(*args, **kwargs)

    return wrapper
