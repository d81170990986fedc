"""No contact field (email, phone, contact_name, website) reaches a role that may not see it,
in pages, the API or emails (docs/design.md, "Roles and what each may see"):

- producer contacts: the owner, counsellors in scope (the producer targets their desk's
  markets or is in one of their matches), staff; the buyer once a match between them is
  forwarded;
- buyer contacts: the owner, counsellors in scope, staff; the producer once forwarded;
- a counsellor posted elsewhere with no match of theirs sees neither;
- never an anonymous visitor, another producer or another buyer.

A cross-cutting sweep over every page and endpoint that shows profiles; the per-endpoint
rules are tested beside each API and view."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from digests import delivery
from matchmaking import lifecycle
from matchmaking.models import MatchStatus
from tests.security.support import BUYER_CONTACTS, PRODUCER_CONTACTS, make_world, needles

pytestmark = pytest.mark.django_db

VIEWERS = [
    "anonymous",
    "producer (owner)",
    "buyer (owner)",
    "another producer",
    "another buyer",
    "counsellor",
    "counsellor elsewhere",
    "staff",
]


def may_see(viewer: str, side: str, forwarded: bool) -> bool:
    if viewer in ("counsellor", "staff"):
        return True
    if side == "producer":
        return viewer == "producer (owner)" or (forwarded and viewer == "buyer (owner)")
    return viewer == "buyer (owner)" or (forwarded and viewer == "producer (owner)")


def pages(world) -> list[str]:
    return [
        reverse("home"),
        reverse("dashboard"),
        reverse("catalogue:product-list"),
        reverse("catalogue:product-list") + "?search=Sahand",
        reverse("catalogue:product-detail", args=[world.product.pk]),
        reverse("catalogue:producer-detail", args=[world.producer.pk]),
        reverse("matchmaking:match_detail", args=[world.match.pk]),
        reverse("matchmaking:leads"),
        reverse("matchmaking:introductions"),
        reverse("counsellors:queue"),
        reverse("counsellors:dashboard"),
        reverse("counsellors:province"),
        reverse("accounts:profile"),
        reverse("digests:preview"),
    ]


def endpoints(world) -> list[str]:
    return [
        "/api/v1/producers/",
        f"/api/v1/producers/{world.producer.pk}/",
        "/api/v1/products/",
        f"/api/v1/products/{world.product.pk}/",
        f"/api/v1/products/?producer={world.producer.pk}",
        "/api/v1/buyers/",
        f"/api/v1/buyers/{world.buyer.pk}/",
        "/api/v1/matches/",
        f"/api/v1/matches/{world.match.pk}/",
        "/api/v1/counsellors/",
    ]


def leaks(text: str, contacts: dict[str, str]) -> list[str]:
    return [field for field, fragments in needles(contacts).items() if any(f in text for f in fragments)]


def _clients(world, viewer):
    page, api = Client(), APIClient()
    page.cookies["django_language"] = api.cookies["django_language"] = "en"
    if viewer != "anonymous":
        user = world.users()[viewer]
        page.force_login(user)
        api.force_authenticate(user)
    return page, api


def sweep(world, viewer) -> dict[str, str]:
    """Everything the viewer is shown, by where it was shown."""
    page, api = _clients(world, viewer)
    seen = {}
    for path in pages(world):
        seen[path] = page.get(path).content.decode()
    for path in endpoints(world):
        response = api.get(path)
        assert response.status_code < 500, path
        seen[path] = json.dumps(response.json(), ensure_ascii=False) if response.content else ""
    if viewer != "anonymous":
        preview = delivery.preview(user=world.users()[viewer])
        if preview.rendered:
            seen["digest email"] = preview.rendered.text + preview.rendered.html + preview.rendered.subject
    return seen


def check(world, viewer, forwarded):
    seen = sweep(world, viewer)
    for side, contacts in (("producer", PRODUCER_CONTACTS), ("buyer", BUYER_CONTACTS)):
        found = {where: leaks(text, contacts) for where, text in seen.items()}
        found = {where: fields for where, fields in found.items() if fields}
        if may_see(viewer, side, forwarded):
            # Shown somewhere (else this sweep could pass by looking at nothing).
            assert found, f"{viewer} never sees the {side}'s contacts"
        else:
            assert not found, f"{viewer} sees the {side}'s contacts: {found}"


@pytest.mark.parametrize("viewer", VIEWERS)
def test_before_forwarding(viewer):
    world = make_world(status=MatchStatus.PROPOSED)
    check(world, viewer, forwarded=False)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_once_forwarded(viewer, django_capture_on_commit_callbacks):
    world = make_world(status=MatchStatus.PROPOSED)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.match_forward(match=world.match, actor=world.counsellor, note="Worth a call.")
    world.match.refresh_from_db()
    assert world.match.status == MatchStatus.FORWARDED
    check(world, viewer, forwarded=True)


@pytest.mark.parametrize("decision_by", ["producer (owner)", "buyer (owner)"])
def test_a_declined_match_hides_them_again(decision_by, django_capture_on_commit_callbacks):
    world = make_world(status=MatchStatus.PROPOSED)
    lifecycle.match_forward(match=world.match, actor=world.counsellor)
    lifecycle.match_respond(match=world.match, actor=world.users()[decision_by], decision="decline")
    for viewer in ("producer (owner)", "buyer (owner)"):
        page, api = _clients(world, viewer)
        other = BUYER_CONTACTS if viewer == "producer (owner)" else PRODUCER_CONTACTS
        for path in endpoints(world):
            assert not leaks(json.dumps(api.get(path).json(), ensure_ascii=False), other), (viewer, path)
        for path in pages(world):
            assert not leaks(page.get(path).content.decode(), other), (viewer, path)


def test_emails_go_only_to_who_may_read_them(django_capture_on_commit_callbacks):
    """The introduction request, the forward and the responses: each message's recipients
    may see every contact it carries."""
    world = make_world(status=MatchStatus.PROPOSED)
    world.match.delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        match = lifecycle.request_introduction(actor=world.buyer_user, product=world.product)
    before = list(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.match_forward(match=match, actor=world.counsellor, note="Worth a call.")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.match_respond(match=match, actor=world.producer_user, decision="accept")
    by_address = {user.email: name for name, user in world.users().items()}
    by_address[world.producer.email] = "producer (owner)"
    by_address[world.buyer.email] = "buyer (owner)"
    assert mail.outbox, "no notification was sent"
    for message in mail.outbox:
        body = (
            message.subject + message.body + "".join(str(c) for c, _t in getattr(message, "alternatives", []))
        )
        forwarded = message not in before
        for address in message.to + message.cc + message.bcc:
            viewer = by_address.get(address, "anonymous")
            for side, contacts in (("producer", PRODUCER_CONTACTS), ("buyer", BUYER_CONTACTS)):
                if not may_see(viewer, side, forwarded):
                    assert not leaks(body, contacts), (message.subject, address, side)


@pytest.mark.parametrize("viewer", ["producer (owner)", "buyer (owner)", "counsellor"])
def test_admin_is_for_staff_only(viewer):
    world = make_world()
    page, _api = _clients(world, viewer)
    for path in [
        "/admin/",
        "/admin/accounts/producerprofile/",
        f"/admin/accounts/producerprofile/{world.producer.pk}/change/",
        "/admin/accounts/buyerprofile/",
        f"/admin/accounts/buyerprofile/{world.buyer.pk}/change/",
        "/admin/accounts/user/",
        "/admin/matchmaking/match/",
        "/admin/axes/accessattempt/",
    ]:
        response = page.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), (
            path,
            response.status_code,
        )
    # A changelist action (an "export" through admin) is refused too.
    response = page.post(
        "/admin/accounts/buyerprofile/", {"action": "delete_selected", "_selected_action": [world.buyer.pk]}
    )
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_staff_reach_the_admin_and_its_contacts():
    world = make_world()
    page, _api = _clients(world, "staff")
    for path in [
        "/admin/accounts/producerprofile/",
        f"/admin/accounts/buyerprofile/{world.buyer.pk}/change/",
    ]:
        assert page.get(path).status_code == 200, path
    assert leaks(
        page.get(f"/admin/accounts/buyerprofile/{world.buyer.pk}/change/").content.decode(), BUYER_CONTACTS
    )
    assert page.get("/admin/axes/accessattempt/").status_code == 200


# --- A counsellor's scope, by each of its ways in ---------------------------------------------


@pytest.mark.parametrize(
    ("desk", "markets", "match", "sees"),
    [
        (("IQ", ()), ("IQ",), None, True),  # targets the country the desk is posted in
        (("DE", ("IQ",)), ("IQ",), None, True),  # targets a country the desk covers
        (("DE", ()), ("IQ",), None, False),  # targets other markets, no match
        (("DE", ()), ("TR",), "routed", True),  # in a match routed to the counsellor
        (("DE", ()), ("TR",), "pool", True),  # in a match of the shared pool they may take
        (("DE", ()), ("TR",), "colleague", False),  # in a colleague's match only
        (("DE", ()), (), None, False),  # open to any market is not targeting the desk's
    ],
)
def test_a_counsellor_sees_producer_contacts_in_scope_only(desk, markets, match, sees):
    from accounts.policies import can_view_producer_contacts
    from tests.matchmaking.conftest import make_producer
    from tests.matchmaking.lifecycle_support import make_counsellor, make_match

    counsellor, colleague = make_counsellor(desk[0], desk[1]), make_counsellor("TR")
    producer = make_producer(markets=markets, open_to_any_market=not markets, **PRODUCER_CONTACTS)
    if match is not None:
        holder = {"routed": counsellor, "pool": None, "colleague": colleague}[match]
        make_match(producer, counsellor=holder)
    assert can_view_producer_contacts(counsellor, producer) is sees
    api = APIClient()
    api.force_authenticate(counsellor)
    payload = api.get(f"/api/v1/producers/{producer.pk}/").json()
    assert (payload["email"] == PRODUCER_CONTACTS["email"]) is sees
    page = Client()
    page.force_login(counsellor)
    html = page.get(reverse("catalogue:producer-detail", args=[producer.pk])).content.decode()
    assert bool(leaks(html, PRODUCER_CONTACTS)) is sees
