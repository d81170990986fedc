"""Budgets that a service enforces, whichever door the request came in by (a page, the API).

Counted like DRF's throttles (a sliding window in the `ratelimit` cache, which keeps counting
per process while Redis is down: portal/cache.py; the rates of
`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`), per user. A spent budget raises `RateLimited`,
a domain error (portal.exceptions): the API answers it 429 with Retry-After
(portal.api.exceptions), a page says when to try again.
"""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from portal.cache import ratelimit_cache
from portal.exceptions import RateLimited


class UserRateLimit(SimpleRateThrottle):
    """One scope's budget per user (the scope's rate in DEFAULT_THROTTLE_RATES)."""

    cache = ratelimit_cache

    def __init__(self, scope: str):
        self.scope = scope
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self._user_id = None

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self._user_id}

    def hit(self, user) -> None:
        """Count one use by `user`, or raise RateLimited when the budget is spent."""
        self._user_id = user.pk
        if not self.allow_request(None, None):
            raise RateLimited(self.wait())
