"""Error reports (docs/operations.md, "Error reports"): a 500 is mailed to ADMINS and, when
SENTRY_DSN is set, sent to Sentry, never with a contact, a credential or a cookie in it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.http import HttpRequest
from django.urls import path

import portal.urls
from portal.scrubbing import FILTERED, scrub_data, scrub_text
from portal.sentry import scrub_event
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "golnar.contact@example.ir"
PHONE = "+98 912 345 6789"
LOCAL_PHONE = "09121112233"
PASSWORD = "Tulip-Garden-4417"
TOKEN = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
SESSION_COOKIE = "f7s9d8f7sd98f7sd9f8s7df98s7df9s8"


def boom(request: HttpRequest):
    """A view that fails with contacts in its variables, its message and its request."""
    email = request.POST.get("contact_email")
    phone = request.POST.get("phone")
    note = f"reach {email} or {phone} / {LOCAL_PHONE}"  # noqa: F841 - a local the report shows
    profile = {"email": email, "phone": phone, "name": "Golnar Trading"}  # noqa: F841
    raise RuntimeError(f"could not send to {email} ({phone})")


urlpatterns = [path("boom/", boom), *portal.urls.urlpatterns]
handler500 = portal.urls.handler500


@pytest.fixture
def failing_site(settings, client):
    settings.ROOT_URLCONF = __name__
    settings.ADMINS = [("Ops desk", "ops@example.org"), ("Reza", "reza@example.org")]
    settings.DEBUG = False
    client.raise_request_exception = False
    return client


@pytest.mark.django_db
def test_a_500_mails_admins_once_without_contacts_or_credentials(failing_site):
    user = UserFactory(email="owner.person@example.ir")
    failing_site.force_login(user)
    failing_site.cookies["csrftoken"] = "CsRf1234TokenValue5678abcdEFGH"
    response = failing_site.post(
        "/boom/?token=" + TOKEN,
        {
            "contact_email": EMAIL,
            "phone": PHONE,
            "password": PASSWORD,
            "api_token": TOKEN,
            "company": "Golnar",
        },
        HTTP_AUTHORIZATION=f"Token {TOKEN}",
        HTTP_X_CONTACT=EMAIL,
    )
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    report = mail.outbox[0]
    assert sorted(report.to) == ["ops@example.org", "reza@example.org"]
    assert "/boom/" in report.subject
    body = report.body + report.subject + "".join(str(a) for a in report.alternatives)
    session = failing_site.cookies["sessionid"].value
    for secret in (
        EMAIL,
        "owner.person@example.ir",
        PHONE,
        LOCAL_PHONE,
        PASSWORD,
        TOKEN,
        session,
        "CsRf1234Token",
    ):
        assert secret not in body, secret
    # Still a useful report: the error, where, who (by id), what was not secret.
    assert "RuntimeError" in body
    assert "test_error_reports.py" in body
    assert f"user #{user.pk}" in body
    assert "Golnar" in body
    assert FILTERED in body and FILTERED + "]" not in body


@pytest.mark.django_db
def test_no_admins_no_mail(failing_site, settings):
    settings.ADMINS = []
    assert failing_site.post("/boom/", {"contact_email": EMAIL}).status_code == 500
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_laptop_with_debug_on_mails_no_one(failing_site, settings):
    settings.DEBUG = True
    failing_site.post("/boom/", {"contact_email": EMAIL})
    assert mail.outbox == []


# --- The rule itself, on text and on a Sentry event ----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"mail {EMAIL} now",
        f"call {PHONE}",
        f"call {LOCAL_PHONE}",
        "call (021) 8888-1234",
        f"Authorization: Token {TOKEN}",
        f"Bearer {TOKEN}",
        f"/digests/unsubscribe/?token={TOKEN}&x=1",
        f"password='{PASSWORD}'",
        f"sessionid={SESSION_COOKIE}; csrftoken=abc",
        "/accounts/confirm-email/MQ:1tKzz9:AbCdEfGh1234IjKlMn5678OpQr/",
    ],
)
def test_scrub_text_removes_contacts_and_credentials(text):
    scrubbed = scrub_text(text)
    assert FILTERED in scrubbed
    assert scrub_text(scrubbed) == scrubbed  # twice (report, then mail) changes nothing more
    for secret in (EMAIL, PHONE, LOCAL_PHONE, "8888-1234", TOKEN, PASSWORD, SESSION_COOKIE, "AbCdEfGh1234"):
        assert secret not in scrubbed, (text, scrubbed)


@pytest.mark.parametrize(
    "text",
    [
        'File "/app/matchmaking/services.py", line 214, in forward_match',
        "Server time: Tue, 08 Dec 2026 02:04:11 +0330",
        "Django Version: 5.2.19",
        "IntegrityError: duplicate key value violates unique constraint",
        "test_redis_down_live_200_ready_503_naming_broker_and_cache",
    ],
)
def test_scrub_text_keeps_what_a_traceback_needs(text):
    assert scrub_text(text) == text


def test_before_send_scrubs_a_synthetic_event():
    event = {
        "event_id": "abc",
        "level": "error",
        "message": f"could not send to {EMAIL}",
        "exception": {
            "values": [
                {
                    "type": "RuntimeError",
                    "value": f"could not send to {EMAIL} ({PHONE})",
                    "stacktrace": {
                        "frames": [
                            {
                                "filename": "deals/notices.py",
                                "function": "send_notice",
                                "lineno": 42,
                                "vars": {
                                    "email": f"'{EMAIL}'",
                                    "password": f"'{PASSWORD}'",
                                    "note": f"'call {LOCAL_PHONE}'",
                                    "count": "3",
                                },
                            }
                        ]
                    },
                }
            ]
        },
        "request": {
            "url": f"https://portal.example/digests/unsubscribe/?token={TOKEN}",
            "method": "POST",
            "query_string": f"token={TOKEN}&email={EMAIL}",
            "headers": {
                "Authorization": f"Token {TOKEN}",
                "Cookie": f"sessionid={SESSION_COOKIE}",
                "X-Csrftoken": "abc",
                "User-Agent": "Mozilla/5.0",
            },
            "cookies": {"sessionid": SESSION_COOKIE, "csrftoken": "abc"},
            "data": {"contact_name": "Golnar", "phone": PHONE, "company": "Golnar Trading"},
        },
        "user": {"id": 7, "email": EMAIL, "username": EMAIL, "ip_address": "10.0.0.9"},
        "breadcrumbs": {"values": [{"category": "query", "message": f"SELECT ... WHERE email = '{EMAIL}'"}]},
        "extra": {"phone_number": PHONE},
    }
    scrubbed = scrub_event(event, {})
    dumped = json.dumps(scrubbed)
    for secret in (EMAIL, PHONE, LOCAL_PHONE, PASSWORD, TOKEN, SESSION_COOKIE, "10.0.0.9"):
        assert secret not in dumped, secret
    assert scrubbed["user"] == {"id": "7"}
    frame = scrubbed["exception"]["values"][0]["stacktrace"]["frames"][0]
    assert frame["vars"]["email"] == FILTERED and frame["vars"]["password"] == FILTERED
    assert frame["vars"]["count"] == "3" and frame["lineno"] == 42
    assert scrubbed["request"]["headers"]["Authorization"] == FILTERED
    assert scrubbed["request"]["headers"]["User-Agent"] == "Mozilla/5.0"
    assert scrubbed["request"]["cookies"] == FILTERED
    assert scrubbed["request"]["data"]["company"] == "Golnar Trading"
    assert scrubbed["exception"]["values"][0]["type"] == "RuntimeError"
    # The caller's event is left as it was.
    assert event["user"]["email"] == EMAIL


def test_one_rule_for_both():
    """The mail filter and Sentry's before_send name the same keys sensitive."""
    from portal.error_reports import ScrubbingExceptionReporterFilter
    from portal.scrubbing import SENSITIVE_KEY

    assert ScrubbingExceptionReporterFilter.hidden_settings is SENSITIVE_KEY
    for key in ("email", "phone", "contact_name", "password", "api_token", "HTTP_AUTHORIZATION", "sessionid"):
        assert scrub_data({key: "x"}) == {key: FILTERED}, key
        assert ScrubbingExceptionReporterFilter().cleanse_setting(key, "x") == FILTERED, key


# --- Settings: ADMINS from the environment, Sentry only with a DSN --------------------------

PROBE = """
import json, django
from django.conf import settings
django.setup()
import sentry_sdk
client = sentry_sdk.get_client()
options = client.options if client.is_active() else {}
print(json.dumps({
    "admins": settings.ADMINS,
    "enabled": settings.SENTRY_ENABLED,
    "active": client.is_active(),
    "dsn": options.get("dsn"),
    "pii": options.get("send_default_pii"),
    "environment": options.get("environment"),
    "release": options.get("release"),
    "before_send": getattr(options.get("before_send"), "__qualname__", None),
    "integrations": sorted(client.integrations) if client.is_active() else [],
}))
"""


def probe(**variables: str) -> dict:
    if (ROOT / ".env").exists():
        pytest.skip("a local .env file would leak into the settings under test")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "DJANGO_ADMINS"))}
    env.update(variables)
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_dsn_sentry_is_not_started_and_no_admins():
    found = probe()
    assert found["enabled"] is False and found["active"] is False
    assert found["admins"] == []


def test_with_a_dsn_sentry_starts_with_django_celery_and_the_scrubber():
    # A GlitchTip DSN has the same form; port 9 answers nothing, and nothing is sent here.
    dsn = "http://0123456789abcdef@127.0.0.1:9/1"
    found = probe(SENTRY_DSN=dsn, SENTRY_ENVIRONMENT="staging", SENTRY_RELEASE="eb-2026.12")
    assert found["enabled"] is True and found["active"] is True
    assert found["dsn"] == dsn
    assert found["pii"] is False
    assert found["environment"] == "staging" and found["release"] == "eb-2026.12"
    assert found["before_send"] == "scrub_event"
    assert {"django", "celery"} <= set(found["integrations"])


def test_admins_come_from_the_environment():
    found = probe(DJANGO_ADMINS="Ops desk <ops@example.org>, reza@example.org")
    assert found["admins"] == [["Ops desk", "ops@example.org"], ["reza@example.org", "reza@example.org"]]


def test_an_admin_without_an_address_is_refused():
    if (ROOT / ".env").exists():
        pytest.skip("a local .env file would leak into the settings under test")
    env = {**os.environ, "DJANGO_ADMINS": "Ops desk <not-an-address>"}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "DJANGO_ADMINS" in result.stderr
