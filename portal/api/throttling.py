"""The API's throttles: DRF's, counting in the `ratelimit` cache (portal/cache.py: with Redis
down they count per process instead of stopping), and stricter budgets per endpoint."""

from django.conf import settings
from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from portal.cache import ratelimit_cache


class AnonRateThrottle(throttling.AnonRateThrottle):
    cache = ratelimit_cache


class UserRateThrottle(throttling.UserRateThrottle):
    cache = ratelimit_cache


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    cache = ratelimit_cache


class EndpointRateThrottle(SimpleRateThrottle):
    """A stricter budget for writes to the endpoints named in `settings.API_ENDPOINT_THROTTLES`
    (URL name -> scope of `DEFAULT_THROTTLE_RATES`), counted per user, or per address when
    anonymous. Reads and every other endpoint pass; the views need not know of it."""

    cache = ratelimit_cache

    def __init__(self):
        # The rate depends on the view: it is read in allow_request.
        pass

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        match = getattr(request, "resolver_match", None)
        scope = settings.API_ENDPOINT_THROTTLES.get(match.url_name if match else None)
        if not scope:
            return True
        self.scope = scope
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        user = request.user
        ident = user.pk if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
