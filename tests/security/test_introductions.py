"""A buyer's introduction request (issue 12), by either door (the catalogue page's form and
POST /api/v1/introductions/):

- the answer is the same whatever the pair's past (new, proposed by the engine, rejected by
  a counsellor, withdrawn, or the buyer's own request still waiting): it is no oracle of a
  rejection, and never carries its reason, the log, or who reviews it;
- a rejected pair comes back only as a new request that the counsellor sees as asked again
  after a rejection (queue badge, email with the earlier reason), with its own review clock;
- asking again while the request waits adds nothing: no event, no email;
- one budget per buyer for both doors, enforced by the service: 429 on the API, a message on
  the page;
- a party never sees a rejection reason: not in the API, on the pages or in the log once the
  match is forwarded.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from matchmaking import lifecycle
from matchmaking.models import Match, MatchEvent, MatchSource, MatchStatus
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db

REASON = "Zq-internal: producer failed our audit last spring"
API = "/api/v1/introductions/"
PAGE = "/introductions/request/"
PAGE_SUCCESS = "Your request went to the trade counsellor for Iraq."
PASTS = ["new", "engine proposal", "rejected", "withdrawn", "still waiting"]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a service leaves for after its commit (the emails) once the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def desk():
    return make_counsellor("IQ", preferred_language="en", email="desk@mfa.example")


@pytest.fixture
def pair(desk):
    producer = make_producer(name="Sahand Cooling")
    buyer = make_buyer(company_name="Tigris Trading")
    buyer.owner.preferred_language = "en"
    buyer.owner.save(update_fields=["preferred_language"])
    return producer, buyer


def _past(name: str, producer, buyer, desk) -> Match | None:
    """The pair's history before the buyer asks (as the buyer's own earlier request, or not)."""
    if name == "new":
        return None
    if name == "still waiting":
        return lifecycle.request_introduction(actor=buyer.owner, producer=producer, message="first ask")
    if name == "rejected":
        match = make_match(producer, buyer, counsellor=desk)
        lifecycle.match_reject(match=match, actor=desk, reason=REASON)
        Match.objects.filter(pk=match.pk).update(created_at=timezone.now() - timedelta(days=40))
        return match
    status = MatchStatus.WITHDRAWN if name == "withdrawn" else MatchStatus.PROPOSED
    match = make_match(producer, buyer, status=status, counsellor=desk)
    Match.objects.filter(pk=match.pk).update(created_at=timezone.now() - timedelta(days=40))
    return match


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


NEUTRAL_FIELDS = (
    "status",
    "source",
    "counsellor",
    "producer_response",
    "buyer_response",
    "outcome",
    "counsellor_note",
    "request_message",
    "requested_product",
    "events",
    "score",
    "breakdown",
)


@pytest.mark.parametrize("past", PASTS)
def test_the_api_answers_the_same_whatever_the_pairs_past(past, pair, desk):
    producer, buyer = pair
    _past(past, producer, buyer, desk)
    before = timezone.now()
    response = _api(buyer.owner).post(API, {"producer": producer.pk, "message": "300 units"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    expected = {
        "status": "proposed",
        "source": "buyer_request",
        "counsellor": None,
        "producer_response": "pending",
        "buyer_response": "pending",
        "outcome": None,
        "counsellor_note": "",
        "request_message": "300 units",
        "requested_product": None,
        "events": [],
    }
    assert {key: body[key] for key in expected} == expected
    # No date of an earlier round: the request's own.
    for key in ("created_at", "updated_at"):
        assert abs(timezone.datetime.fromisoformat(body[key]) - before) < timedelta(seconds=30)
    text = response.content.decode()
    assert REASON not in text and "rejected" not in text and "withdrawn" not in text
    # The score is today's score of the pair, as for a new pair.
    assert body["score"] == _fresh_answer_score(producer, buyer)


def _fresh_answer_score(producer, buyer):
    scored = lifecycle._scored_pair(producer, buyer)
    return float(scored["score"])


@pytest.mark.parametrize("past", PASTS)
def test_the_page_says_the_same_whatever_the_pairs_past(past, pair, desk):
    producer, buyer = pair
    _past(past, producer, buyer, desk)
    response = _page(buyer.owner).post(PAGE, {"producer": producer.pk, "message": "300 units"}, follow=True)
    html = response.content.decode()
    assert PAGE_SUCCESS in html
    assert REASON not in html and "rejected" not in html.lower()


def test_a_rejected_pair_comes_back_as_a_new_request_the_counsellor_sees_as_such(pair, desk, committed):
    producer, buyer = pair
    match = _past("rejected", producer, buyer, desk)
    mail.outbox.clear()
    with committed():
        _api(buyer.owner).post(API, {"producer": producer.pk, "message": "Please reconsider"}, format="json")

    match.refresh_from_db()
    assert (match.status, match.source, match.counsellor) == (
        MatchStatus.PROPOSED,
        MatchSource.BUYER_REQUEST,
        desk,
    )
    assert timezone.now() - match.created_at < timedelta(minutes=1)  # its own review clock
    assert match.escalated_at is None
    last = match.events.order_by("-at", "-id").first()
    assert (last.from_status, last.to_status, last.actor) == ("rejected", "proposed", buyer.owner)
    # The counsellor is told, with the earlier reason; nobody else is mailed.
    assert [message.to for message in mail.outbox] == [[desk.email]]
    assert REASON in mail.outbox[0].body and "rejected before" in mail.outbox[0].body
    queue = _page(desk).get("/counsellor/queue/").content.decode()
    assert 'data-testid="badge-asked-again"' in queue and "Asked again after a rejection" in queue


def test_a_new_request_or_an_engine_proposal_is_not_flagged_as_asked_again(pair, desk):
    producer, buyer = pair
    _api(buyer.owner).post(API, {"producer": producer.pk}, format="json")
    other = make_producer(name="Aras Freezers")
    make_match(other, buyer, counsellor=desk)
    _api(buyer.owner).post(API, {"producer": other.pk}, format="json")
    queue = _page(desk).get("/counsellor/queue/").content.decode()
    assert queue.count('data-testid="badge-request"') == 2
    assert 'data-testid="badge-asked-again"' not in queue


@pytest.mark.parametrize("door", ["api", "page"])
def test_asking_again_while_the_request_waits_adds_nothing(door, pair, desk, committed):
    producer, buyer = pair
    with committed():
        match = lifecycle.request_introduction(actor=buyer.owner, producer=producer, message="first ask")
    events, sent = MatchEvent.objects.filter(match=match).count(), len(mail.outbox)
    assert sent == 1  # the counsellor heard of the first ask
    for _ in range(3):
        with committed():
            if door == "api":
                response = _api(buyer.owner).post(API, {"producer": producer.pk, "message": "again?"})
                assert response.status_code == 201
            else:
                html = _page(buyer.owner).post(PAGE, {"producer": producer.pk}, follow=True).content.decode()
                assert PAGE_SUCCESS in html
    assert MatchEvent.objects.filter(match=match).count() == events
    assert len(mail.outbox) == sent
    assert Match.objects.get(pk=match.pk).request_message == "first ask"


def test_a_party_never_sees_the_rejection_reason_even_once_forwarded(pair, desk, committed):
    producer, buyer = pair
    match = _past("rejected", producer, buyer, desk)
    with committed():
        _api(buyer.owner).post(API, {"producer": producer.pk}, format="json")
        lifecycle.match_forward(match=Match.objects.get(pk=match.pk), actor=desk, note="Good fit now")
    assert {address for message in mail.outbox for address in message.to} >= {buyer.owner.email}
    for user in (buyer.owner, producer.owner):
        detail = _api(user).get(f"/api/v1/matches/{match.pk}/")
        assert detail.status_code == 200
        assert REASON not in detail.content.decode()
        assert all(event["to_status"] != "rejected" for event in detail.json()["events"])
        listing = _api(user).get("/api/v1/matches/")
        assert REASON not in listing.content.decode()
        for path in (f"/matches/{match.pk}/", "/introductions/", "/leads/", "/digests/preview/"):
            assert REASON not in _page(user).get(path, follow=True).content.decode(), path
    assert all(REASON not in message.body for message in mail.outbox if desk.email not in message.to)
    # The counsellor still reads the whole log.
    assert REASON in _page(desk).get(f"/matches/{match.pk}/").content.decode()


def test_a_proposed_match_shows_a_party_no_log():
    """The events policy, before any forward: a party sees none of the log."""
    from matchmaking.policies import events_visible_to

    desk = make_counsellor("IQ")
    match = make_match(counsellor=desk)
    lifecycle.match_reject(match=match, actor=desk, reason=REASON)
    match.refresh_from_db()
    events = match.events.all()
    assert events_visible_to(match.buyer.owner, match, events) == []
    assert events_visible_to(match.producer.owner, match, events) == []
    assert len(events_visible_to(desk, match, events)) == 1


# --- One budget for both doors ----------------------------------------------------------------


@pytest.fixture
def budget(monkeypatch):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "introductions": "3/hour"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


@pytest.mark.parametrize("order", ["page first", "api first"])
def test_the_page_and_the_api_share_one_budget(order, budget, desk):
    buyer = make_buyer()
    producers = [make_producer() for _ in range(5)]
    api, page = _api(buyer.owner), _page(buyer.owner)
    doors = ["page", "api", "page"] if order == "page first" else ["api", "page", "api"]
    for door, producer in zip(doors, producers, strict=False):
        if door == "api":
            assert api.post(API, {"producer": producer.pk}).status_code == 201
        else:
            assert PAGE_SUCCESS in page.post(PAGE, {"producer": producer.pk}, follow=True).content.decode()
    requested, sent = Match.objects.filter(buyer=buyer).count(), len(mail.outbox)
    assert requested == 3

    refused = api.post(API, {"producer": producers[3].pk})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    html = page.post(PAGE, {"producer": producers[4].pk}, follow=True).content.decode()
    assert "You have asked for many introductions in a short time. Please try again in" in html
    assert PAGE_SUCCESS not in html
    # Refused requests wrote and sent nothing.
    assert Match.objects.filter(buyer=buyer).count() == requested
    assert len(mail.outbox) == sent


def test_the_budget_is_per_buyer(budget, desk):
    first, second = make_buyer(), make_buyer()
    producers = [make_producer() for _ in range(4)]
    for producer in producers[:3]:
        _page(first.owner).post(PAGE, {"producer": producer.pk})
    assert _api(first.owner).post(API, {"producer": producers[3].pk}).status_code == 429
    assert _api(second.owner).post(API, {"producer": producers[3].pk}).status_code == 201
