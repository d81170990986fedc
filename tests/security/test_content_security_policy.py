"""The Content-Security-Policy header (issue 12): on every page, the API docs, the API's answers
and the error pages (403, 404, 500, the database outage's 503), with nothing from another host
allowed and no inline script. The browser side (each kind of page works under it) is
tests/e2e/test_content_security_policy.py; every e2e page is also checked for violations."""

import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import ROLES
from tests.portal.test_pages import PAGES

pytestmark = pytest.mark.django_db

REQUIRED = {
    "default-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, (response.status_code, dict(response.headers))
    policy = {}
    for part in header.split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


def assert_strict(response, *, inline_styles: bool = False) -> dict[str, list[str]]:
    """The portal's policy: the required directives, scripts from the portal only (never
    'unsafe-inline' or 'unsafe-eval'), and no source on another host in any directive."""
    policy = directives(response)
    for name, source in REQUIRED.items():
        assert policy.get(name) == [source], (name, policy)
    scripts = policy["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, scripts
    assert ("'unsafe-inline'" in policy["style-src"]) is inline_styles, policy["style-src"]
    for name, sources in policy.items():
        for source in sources:
            assert re.fullmatch(r"'[a-z-]+'|'nonce-[A-Za-z0-9+/=]+'|data:|blob:", source), (name, source)
    return policy


@pytest.mark.parametrize("name", PAGES)
def test_every_page_has_the_policy_anonymous(client, name):
    response = client.get(reverse(name))
    assert_strict(response, inline_styles=name == "api-redoc")


@pytest.mark.parametrize("role", ROLES)
def test_every_page_has_the_policy_for_every_role(client, make_user, role):
    client.force_login(make_user(role))
    for name in PAGES:
        assert_strict(client.get(reverse(name)), inline_styles=name == "api-redoc")


@pytest.mark.parametrize(
    "path", ["/api/v1/products/", "/api/v1/schema/", "/api/v1/docs/?script=", "/api/v1/no-such-thing/"]
)
def test_api_answers_have_it_too(client, path):
    assert_strict(client.get(path))


def test_swagger_ui_runs_no_inline_script_and_asks_no_validator(client):
    page = client.get(reverse("api-docs"))
    html = page.content.decode()
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == [], "an inline script"
    assert "<style" not in html and "style=" not in html
    script = client.get(reverse("api-docs") + "?script=")
    assert script["Content-Type"].startswith("application/javascript")
    # Swagger UI would otherwise load a badge from validator.swagger.io on a public host.
    assert re.search(r'"validatorUrl":\s*null', script.content.decode())


def test_redoc_loads_nothing_from_another_host_and_runs_no_inline_script(client):
    html = client.get(reverse("api-redoc")).content.decode()
    assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html
    assert re.findall(r"""(?:src|href)=["']?(?:https?:)?//""", html) == []
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == [], "an inline script"
    policy = directives(client.get(reverse("api-redoc")))
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]  # no nonce: it would disable this
    assert policy["worker-src"] == ["'self'", "blob:"]


@override_settings(DEBUG=False)
def test_refused_and_missing_pages_have_it(client, make_user):
    client.force_login(make_user("producer"))
    refused = client.get("/counsellor/queue/")
    assert refused.status_code == 403
    assert_strict(refused)
    missing = client.get("/matches/999999/")
    assert missing.status_code == 404
    assert_strict(missing)


@override_settings(DEBUG=False)
def test_a_server_error_has_it():
    client = Client(raise_request_exception=False)
    with mock.patch("portal.middleware.language_for_request", side_effect=RuntimeError("bug")):
        response = client.get("/")
    assert response.status_code == 500
    assert_strict(response)


@pytest.mark.parametrize("path", ["/catalogue/", "/api/v1/products/"])
def test_the_outage_page_has_it_and_its_style_has_the_nonce(path):
    client = Client(raise_request_exception=False)
    with mock.patch(
        "django.db.backends.utils.CursorWrapper._execute", side_effect=OperationalError("server closed")
    ):
        response = client.get(path)
    assert response.status_code == 503
    policy = assert_strict(response)
    if path.startswith("/api/"):
        return
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in policy["style-src"]


def test_no_page_template_has_an_inline_script_or_style_attribute():
    """The class the policy refuses, in the templates the pages are made of (emails aside: they
    are not pages, and the digest preview allows their style attributes)."""
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for template in Path(settings.BASE_DIR).glob("*/templates/**/*.html"):
        if "/email/" in template.as_posix():
            continue
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\s(?:src=|type=\"application/json\"))[^>]*>", text):
            offenders.append(f"{template}: {match.group(0)}")
        for match in re.finditer(r"\s(style|on[a-z]+)=[\"']", text):
            offenders.append(f"{template}: {match.group(0).strip()}")
        for match in re.finditer(r"<style(?![^>]*nonce=)[^>]*>", text):
            offenders.append(f"{template}: {match.group(0)}")
    assert offenders == []


def test_the_digest_preview_allows_only_style_attributes_beyond_the_policy(client, make_user):
    client.force_login(make_user("producer"))
    policy = assert_strict(client.get(reverse("digests:preview")))
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
