"""API throttling: DRF's per-client budgets and stricter ones for the token and introduction
endpoints, answered with 429 and Retry-After (docs/api.md). Rates are lowered here per test: the
configured ones are generous, and each test starts from an empty cache (tests/conftest.py)."""

import pytest
from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(monkeypatch):
    """Set the rates the throttles read (bound at import, so override_settings cannot)."""

    def set_rates(**overrides):
        merged = {**api_settings.DEFAULT_THROTTLE_RATES, **overrides}
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", merged)

    return set_rates


def assert_throttled(response):
    assert response.status_code == 429, (response.status_code, response.content[:200])
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert int(response["Retry-After"]) > 0


def test_configured_rates_are_generous_and_parse():
    classes = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
    # DRF's, counting in the `ratelimit` cache (portal/cache.py, tests/portal/test_ratelimit_cache.py).
    assert "portal.api.throttling.AnonRateThrottle" in classes
    assert "portal.api.throttling.UserRateThrottle" in classes
    assert "portal.api.throttling.EndpointRateThrottle" in classes
    parse = SimpleRateThrottle.parse_rate
    configured = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    per_minute = {scope: (lambda n, s: n * 60 / s)(*parse(None, rate)) for scope, rate in configured.items()}
    assert per_minute["anon"] >= 100 and per_minute["user"] >= 500
    assert per_minute["token"] < per_minute["anon"]
    assert per_minute["introductions"] < per_minute["user"]
    # Introductions are counted by their service, for the pages and the API together.
    assert settings.API_ENDPOINT_THROTTLES == {}


def test_anonymous_clients_are_throttled(rates):
    rates(anon="3/minute")
    api = APIClient()
    for _ in range(3):
        assert api.get("/api/v1/sectors/?level=2").status_code == 200
    assert_throttled(api.get("/api/v1/products/"))
    # Another address has its own budget.
    assert api.get("/api/v1/sectors/?level=2", REMOTE_ADDR="198.51.100.4").status_code == 200


def test_signed_in_users_are_throttled_per_user(rates, make_user):
    rates(user="3/minute")
    first, second = APIClient(), APIClient()
    first.force_authenticate(make_user("producer"))
    second.force_authenticate(make_user("producer"))
    for _ in range(3):
        assert first.get("/api/v1/products/").status_code == 200
    assert_throttled(first.get("/api/v1/products/"))
    assert second.get("/api/v1/products/").status_code == 200


def test_the_token_endpoint_has_its_own_tighter_budget(rates, make_user):
    rates(token="2/minute")
    user = make_user("producer", email="integration@tabriz-works.example")
    api = APIClient()
    for _ in range(2):
        assert (
            api.post("/api/v1/auth/token/", {"email": user.email, "password": DEFAULT_PASSWORD}).status_code
            == 200
        )
    assert_throttled(api.post("/api/v1/auth/token/", {"email": user.email, "password": DEFAULT_PASSWORD}))
    # The rest of the API is not spent by it.
    assert api.get("/api/v1/sectors/?level=2").status_code == 200


def test_introductions_have_their_own_budget_per_buyer(rates):
    from tests.matchmaking.conftest import make_buyer, make_producer

    rates(introductions="2/minute")
    buyer, other = make_buyer().owner, make_buyer().owner
    producers = [make_producer() for _ in range(3)]
    api, other_api = APIClient(), APIClient()
    api.force_authenticate(buyer)
    other_api.force_authenticate(other)
    for producer in producers[:2]:
        response = api.post("/api/v1/introductions/", {"producer": producer.pk})
        assert response.status_code == 201, response.content
    assert_throttled(api.post("/api/v1/introductions/", {"producer": producers[2].pk}))
    # Reads and other buyers are not affected.
    assert api.get("/api/v1/matches/").status_code == 200
    assert other_api.post("/api/v1/introductions/", {"producer": producers[2].pk}).status_code == 201


def test_the_default_rates_leave_a_busy_test_alone(make_user):
    """The suite's own traffic stays far below the configured budgets."""
    api = APIClient()
    api.force_authenticate(make_user("counsellor"))
    assert all(api.get("/api/v1/matches/").status_code == 200 for _ in range(40))
