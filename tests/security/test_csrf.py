"""CSRF: every form that posts carries Django's token, for every role; a post without it is
refused. The one exemption is the digests' one-click unsubscribe (RFC 8058: mail clients post
it with no session), which takes no other input than its signed link."""

import contextlib

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from digests.services import unsubscribe_token
from matchmaking.models import MatchStatus
from tests.conftest import ROLES
from tests.factories import DEFAULT_PASSWORD
from tests.portal.test_pages import named_pages
from tests.security.support import forms_of, make_match, make_world

pytestmark = pytest.mark.django_db

CSRF_EXEMPT = {"digests:unsubscribe"}


def _patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name or ''}", str(pattern.pattern), pattern.callback


def test_no_page_view_is_csrf_exempt_but_the_one_click_unsubscribe():
    """DRF's views are exempt at Django's level and enforce CSRF themselves for session
    auth (checked below); every other view goes through CsrfViewMiddleware."""
    exempt = set()
    for name, route, callback in _patterns():
        if getattr(callback, "csrf_exempt", False) and not hasattr(callback, "cls"):
            exempt.add(name or route)
    assert exempt == CSRF_EXEMPT


def _object_pages(world, role):
    pages = [
        reverse("catalogue:product-detail", args=[world.product.pk]),
        reverse("catalogue:producer-detail", args=[world.producer.pk]),
        reverse("counsellors:brief_detail", args=[world.brief.pk]),
        reverse("matchmaking:match_detail", args=[world.match.pk]),
        reverse("matchmaking:match_detail", args=[world.forwarded.pk]),
    ]
    if role in ("producer", "staff"):
        pages += [
            reverse("my_products:edit", args=[world.product.pk]),
            reverse("my_products:delete", args=[world.product.pk]),
        ]
    if role in ("counsellor", "staff"):
        pages += [
            reverse("counsellors:brief_edit", args=[world.brief.pk]),
            reverse("counsellors:brief_delete", args=[world.brief.pk]),
        ]
    for step in ("company", "products", "markets", "demand"):
        with contextlib.suppress(NoReverseMatch):
            pages.append(reverse("accounts:onboarding_step", args=[step]))
    return pages


@pytest.fixture
def world():
    world = make_world()
    # A second, forwarded match of the same producer: its page offers the respond form.
    from tests.security.support import make_buyer

    other = make_buyer(company_name="Mosul Retail")
    world.forwarded = make_match(
        world.producer, other, status=MatchStatus.FORWARDED, counsellor=world.counsellor
    )
    world.other_party = other.owner
    return world


def _user(world, role):
    return {
        "producer": world.producer_user,
        "buyer": world.buyer_user,
        "counsellor": world.counsellor,
        "staff": world.staff,
    }[role]


def _post_forms(client, paths):
    checked, missing = [], []
    for path in paths:
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_of(response.content.decode()):
            if form.method != "post":
                continue
            checked.append((path, form.action))
            if "csrfmiddlewaretoken" not in form.fields:
                missing.append((path, form.action))
    return checked, missing


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_every_posting_form_carries_the_token(world, role):
    client = Client()
    client.cookies["django_language"] = "en"
    if role != "anonymous":
        client.force_login(_user(world, role))
    paths = [reverse(name) for name in named_pages()]
    paths += _object_pages(world, role)
    checked, missing = _post_forms(client, paths)
    assert not missing, missing
    # The sweep saw the forms that matter for this role (not a vacuous pass).
    actions = {action for _path, action in checked}
    expected = {
        "anonymous": [reverse("account_login"), reverse("account_signup")],
        "producer": [reverse("my_products:delete", args=[world.product.pk])],
        "buyer": [reverse("matchmaking:request_introduction")],
        "counsellor": [reverse("matchmaking:match_forward", args=[world.match.pk])],
        "staff": [reverse("counsellors:brief_delete", args=[world.brief.pk])],
    }[role]
    for action in expected:
        assert any(action in seen for seen in actions) or any(
            path == action for path, seen in checked if seen == ""
        ), (action, sorted(actions))
    assert len(checked) >= 3


def test_the_one_click_unsubscribe_page_is_the_exemption(world):
    token = unsubscribe_token(world.producer_user)
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("digests:unsubscribe", args=[token]), {"List-Unsubscribe": "One-Click"})
    assert response.status_code in (200, 302)


# --- A post without the token is refused ---------------------------------------------------


def test_sign_in_without_the_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("account_login"), {"login": world.producer_user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("role", "name", "args", "data"),
    [
        ("producer", "accounts:profile", [], {"name": "Renamed"}),
        ("producer", "my_products:delete", ["product"], {}),
        ("buyer", "matchmaking:request_introduction", [], {"product": "product"}),
        ("counsellor", "counsellors:brief_create", [], {"country": "IQ", "title": "x", "body": "y"}),
        ("counsellor", "matchmaking:match_forward", ["match"], {"note": "ok"}),
        ("producer", "digests:preferences", [], {"frequency": "off"}),
        ("producer", "set_language", [], {"language": "en"}),
    ],
)
def test_a_post_without_the_token_is_refused(world, role, name, args, data):
    objects = {"product": world.product.pk, "match": world.match.pk}
    client = Client(enforce_csrf_checks=True)
    client.force_login(_user(world, role))
    path = reverse(name, args=[objects[a] for a in args])
    data = {key: objects.get(value, value) for key, value in data.items()}
    before = (world.producer.name, world.product.__class__.objects.filter(pk=world.product.pk).exists())
    response = client.post(path, data)
    assert response.status_code == 403, (name, response.status_code)
    world.producer.refresh_from_db()
    after = (world.producer.name, world.product.__class__.objects.filter(pk=world.product.pk).exists())
    assert before == after
    world.match.refresh_from_db()
    assert world.match.status == MatchStatus.PROPOSED


def test_the_same_post_with_the_token_goes_through(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.producer_user)
    page = client.get(reverse("digests:preferences"))
    token = (
        page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    )
    response = client.post(reverse("set_language"), {"language": "en", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_the_api_enforces_csrf_on_session_auth(world):
    """A browser session must not let another site post to the API (token auth needs none)."""
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(world.buyer_user)
    response = api.post("/api/v1/introductions/", {"product": world.product.pk})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
