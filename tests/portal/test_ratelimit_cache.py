"""Rate limits with Redis down (issue 12): allauth's limits and the API's throttles count in
the `ratelimit` cache, which answers from this process's memory while Redis fails, so sign-in,
sign-up and password reset work and every limit still holds, per process. The same with a
real Redis cut: tests/integration/test_faults.py."""

import logging
import time

import pytest
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.core.cache import caches
from django.urls import get_resolver, reverse
from django_redis.cache import RedisCache
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from portal.cache import FallbackRedisCache, ratelimit_cache
from tests.factories import DEFAULT_PASSWORD

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def dead_redis_cache(backend=FallbackRedisCache, **options):
    return backend(
        DEAD_REDIS,
        {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5, **options}},
    )


@pytest.fixture
def redis_down(monkeypatch):
    """This thread's caches as with Redis down: `default` drops every call (django-redis,
    IGNORE_EXCEPTIONS, as configured), `ratelimit` falls back to local memory."""
    default = dead_redis_cache(RedisCache, IGNORE_EXCEPTIONS=True)
    limits = dead_redis_cache()
    monkeypatch.setattr(caches._connections, "default", default, raising=False)
    monkeypatch.setattr(caches._connections, "ratelimit", limits, raising=False)
    assert caches["default"] is default and caches["ratelimit"] is limits
    assert default.add("probe", 1) is None  # the default cache fails, as Redis down makes it
    return limits


def test_the_fallback_answers_from_memory_warns_once_and_stops_trying_redis(caplog):
    cache = dead_redis_cache()
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        assert cache.add("k", [1.0], 60) is True
        started = time.monotonic()
        assert cache.add("k", [2.0], 60) is False  # really there: "taken", not "failed"
        assert cache.get("k") == [1.0]
        cache.set("k", [3.0], 60)
        assert cache.get("k") == [3.0] and cache.get("missing", "d") == "d"
        cache.delete("k")
        assert cache.get("k") is None
        assert time.monotonic() - started < 0.2  # Redis not tried again meanwhile
    warnings = [r for r in caplog.records if r.name == "portal.cache"]
    assert len(warnings) == 1 and "memory" in warnings[0].getMessage()


@pytest.mark.skipif(
    not settings.CACHES["default"]["BACKEND"].startswith("django_redis"), reason="needs CACHE_URL=redis://"
)
def test_with_redis_up_the_fallback_cache_is_redis():
    limits = caches["ratelimit"]
    assert isinstance(limits, FallbackRedisCache)
    limits.set("shared-counter", 7, 30)
    assert caches["default"].get("shared-counter") == 7  # the one Redis every process shares
    assert not limits.redis_down


def test_every_rate_limit_counts_in_the_ratelimit_cache():
    """allauth's limits, DRF's default throttles and every view's own."""
    assert allauth_ratelimit.cache is ratelimit_cache
    throttles = set(api_settings.DEFAULT_THROTTLE_CLASSES)

    def views(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from views(pattern.url_patterns)
            else:
                callback = pattern.callback
                yield getattr(callback, "cls", None) or getattr(callback, "view_class", None)

    for view in views(get_resolver().url_patterns):
        throttles.update(getattr(view, "throttle_classes", ()) or ())
    assert len(throttles) >= 4
    for throttle in throttles:
        assert issubclass(throttle, BaseThrottle)
        if issubclass(throttle, SimpleRateThrottle):
            assert throttle.cache is ratelimit_cache, throttle


@pytest.mark.django_db
def test_with_redis_down_sign_in_works_and_its_limits_still_hold(redis_down, client, make_user, settings):
    user = make_user("producer", email="down@tabriz-works.example")
    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.content[:300]
    assert client.get(reverse("dashboard")).status_code == 200
    client.logout()

    # allauth's per-address limit on failed sign-ins still counts (here in memory): the
    # fourth failure from this address is refused before any password is checked.
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}
    client.cookies["django_language"] = "en"
    pages = [
        client.post("/accounts/login/", {"login": f"nobody{i}@x.example", "password": "wrong"})
        for i in range(4)
    ]
    assert [page.status_code for page in pages] == [200] * 4
    refused = ["Too many failed login attempts" in page.content.decode() for page in pages]
    assert refused == [False, False, False, True]


@pytest.mark.django_db
def test_with_redis_down_sign_up_and_password_reset_work_and_are_limited(redis_down, client, make_user):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@tabriz-works.example",
            "full_name": "New Producer",
            "role": "producer",
            "preferred_language": "en",
            "password1": "a-long-unusual-pass-1405",
            "password2": "a-long-unusual-pass-1405",
        },
    )
    assert response.status_code == 302, response.content[:500]
    user = make_user("producer", email="reset@tabriz-works.example")
    codes = [client.post("/accounts/password/reset/", {"email": user.email}).status_code for _ in range(6)]
    assert codes[:5] == [302] * 5 and codes[5] == 429  # allauth's 5 a minute per address


@pytest.mark.django_db
def test_with_redis_down_the_api_throttles_still_count(redis_down, monkeypatch):
    merged = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/minute"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", merged)
    api = APIClient()
    codes = [api.get("/api/v1/sectors/?level=2").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_with_redis_down_a_periodic_tasks_lock_skips_the_run_with_a_warning(redis_down, caplog):
    """Locks are the other way round: two runs at once are what they prevent, so with the
    cache down the run is skipped (logged) and the next tick runs it."""
    from portal.locks import single_instance

    calls = []

    @single_instance
    def nightly():
        calls.append(1)

    with caplog.at_level(logging.WARNING, logger="portal.locks"):
        assert nightly() is None
    assert calls == [] and "cannot be taken" in caplog.text
