"""Sign-in brute force: django-axes counts failures per email and address, on the sign-in
page and the API token endpoint alike, and refuses the pair for the cool-off period."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def user(make_user):
    return make_user("producer", email="owner@tabriz-works.example", preferred_language="en")


def sign_in(client, email, password, **extra):
    return client.post(LOGIN, {"login": email, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_web(client, email, times, **extra):
    return [sign_in(client, email, "wrong-password", **extra).status_code for _ in range(times)]


def test_settings_lock_the_email_and_address_pair():
    assert settings.AXES_ENABLED is True
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_fifth_failure_locks_out_the_sign_in_page_with_the_portal_page(client, user):
    client.cookies["django_language"] = "en"
    codes = fail_web(client, user.email, 4)
    assert codes == [200] * 4  # the form again, with its error
    response = sign_in(client, user.email, "wrong-password")
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    html = response.content.decode()
    assert "Too many failed sign-in attempts" in html
    assert "15 minutes" in html
    assert reverse("account_reset_password") in html
    assert 'class="navbar' in html or "<nav" in html  # the portal's shell (base.html)
    assert any(t.name == "account/lockout.html" for t in response.templates)


def test_a_locked_out_pair_is_refused_even_with_the_right_password(client, user):
    fail_web(client, user.email, 5)
    response = sign_in(client, user.email, DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_lock_is_per_email_and_address(client, user, make_user):
    other = make_user("buyer", email="buyer@baghdad.example")
    fail_web(client, user.email, 5)
    # Same address, another account: not locked.
    assert sign_in(client, other.email, DEFAULT_PASSWORD).status_code == 302
    client.logout()
    # Same account from another address: not locked.
    response = sign_in(client, user.email, DEFAULT_PASSWORD, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302 and signed_in(client)


def test_email_case_and_spaces_do_not_dodge_the_count(client, user):
    for variant in [
        "OWNER@tabriz-works.example",
        " owner@tabriz-works.example",
        "Owner@Tabriz-Works.example",
    ]:
        sign_in(client, variant, "wrong-password")
    fail_web(client, user.email, 2)
    assert sign_in(client, user.email, DEFAULT_PASSWORD).status_code == 429


def test_success_before_the_limit_resets_the_count(client, user):
    fail_web(client, user.email, 4)
    assert sign_in(client, user.email, DEFAULT_PASSWORD).status_code == 302
    client.logout()
    assert fail_web(client, user.email, 4) == [200] * 4
    assert sign_in(client, user.email, DEFAULT_PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, user):
    fail_web(client, user.email, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client, user.email, DEFAULT_PASSWORD).status_code == 302


def test_staff_unlock_with_the_axes_command(client, user):
    fail_web(client, user.email, 5)
    call_command("axes_reset_username", user.email, stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert sign_in(client, user.email, DEFAULT_PASSWORD).status_code == 302


def test_the_api_token_endpoint_locks_out_with_a_json_429(user):
    api = APIClient()
    api.cookies["django_language"] = "en"
    codes = [api.post(TOKEN, {"email": user.email, "password": "wrong"}).status_code for _ in range(4)]
    assert codes == [400] * 4
    fifth = api.post(TOKEN, {"email": user.email, "password": "wrong"})
    assert fifth.status_code == 429
    right = api.post(TOKEN, {"email": user.email, "password": DEFAULT_PASSWORD})
    assert right.status_code == 429
    assert right["Content-Type"].startswith("application/json")
    assert "Too many failed sign-in attempts" in right.json()["detail"]
    assert int(right["Retry-After"]) == 15 * 60
    assert "token" not in right.json()


def test_failures_on_the_page_and_the_api_add_up(client, user):
    fail_web(client, user.email, 3)
    api = APIClient()
    for _ in range(2):
        api.post(TOKEN, {"email": user.email, "password": "wrong"})
    assert api.post(TOKEN, {"email": user.email, "password": DEFAULT_PASSWORD}).status_code == 429
    assert sign_in(client, user.email, DEFAULT_PASSWORD).status_code == 429


def test_the_api_token_still_works_for_others(user, make_user):
    other = make_user("buyer", email="buyer@baghdad.example")
    api = APIClient()
    for _ in range(5):
        api.post(TOKEN, {"email": user.email, "password": "wrong"})
    response = api.post(TOKEN, {"email": other.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200 and response.json()["token"]


def test_the_address_behind_our_proxy_is_the_one_it_saw(rf, settings):
    from accounts.lockout import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    settings.AXES_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.AXES_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # a client-chosen left-most value is ignored


PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({"enabled": settings.AXES_ENABLED, "limit": settings.AXES_FAILURE_LIMIT,
    "cooloff": settings.AXES_COOLOFF_TIME.total_seconds(), "proxies": settings.AXES_TRUSTED_PROXY_COUNT}))
"""


def test_lockout_knobs_come_from_the_environment():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AXES_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        # With DEBUG off the settings want a secret: the suite's own (pyproject.toml).
        DJANGO_SECRET_KEY=os.environ["DJANGO_SECRET_KEY"],
        AXES_ENABLED="False",
        AXES_FAILURE_LIMIT="8",
        AXES_COOLOFF_MINUTES="30",
        DJANGO_BEHIND_PROXY="True",
    )
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"enabled": False, "limit": 8, "cooloff": 1800.0, "proxies": 1}
