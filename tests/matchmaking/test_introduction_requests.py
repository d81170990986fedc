"""A buyer's own introduction requests (/my/introductions/) and asking again for a declined pair.

- the page lists the requests of the buyer's company only (not another buyer's, not the
  engine's proposals), each with its producer, product, date and a status the buyer may know
  (pending, forwarded, connected, declined, expired: never "rejected" nor a reason);
- a declined pair may be asked for again once INTRODUCTION_REQUEST_AGAIN_DAYS have passed
  since the decline: before, a refusal that says from which date; after, a new round.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from matchmaking import lifecycle
from matchmaking.models import Match, MatchEvent, MatchSource, MatchStatus, PartyResponse
from portal.exceptions import StateConflict
from portal.formatting import format_date
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db

PAGE = "/my/introductions/"
REASON = "Zq-internal: audit failed"


@pytest.fixture
def desk():
    return make_counsellor("IQ", preferred_language="en")


@pytest.fixture
def buyer():
    return make_buyer(company_name="Tigris Trading")


def _page(user, language="en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _declined(producer, buyer, desk, *, days_ago: int) -> Match:
    """The buyer's request, forwarded, then declined by the producer `days_ago` days ago."""
    match = lifecycle.request_introduction(actor=buyer.owner, producer=producer, message="300 units")
    match = lifecycle.match_forward(match=Match.objects.get(pk=match.pk), actor=desk)
    lifecycle.match_respond(match=match, actor=producer.owner, decision="decline")
    when = timezone.now() - timedelta(days=days_ago)
    MatchEvent.objects.filter(match=match, to_status=MatchStatus.DECLINED).update(at=when)
    Match.objects.filter(pk=match.pk).update(updated_at=when)
    return Match.objects.get(pk=match.pk)


def _statuses(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('data-status="')[1:]]


def test_the_page_lists_the_buyers_own_requests_with_their_statuses(buyer, desk):
    pending, forwarded, declined, expired = (make_producer(name=f"Producer {n}") for n in range(4))
    lifecycle.request_introduction(actor=buyer.owner, producer=pending)
    match = lifecycle.request_introduction(actor=buyer.owner, producer=forwarded)
    lifecycle.match_forward(match=Match.objects.get(pk=match.pk), actor=desk)
    _declined(declined, buyer, desk, days_ago=10)
    match = lifecycle.request_introduction(actor=buyer.owner, producer=expired)
    lifecycle.match_reject(match=Match.objects.get(pk=match.pk), actor=desk, reason=REASON)
    # Not the buyer's requests: an engine proposal, another buyer's request.
    make_match(make_producer(name="Engine pick"), buyer, counsellor=desk)
    other = make_buyer(company_name="Basra Imports")
    lifecycle.request_introduction(actor=other.owner, producer=make_producer(name="Someone else's"))

    html = _page(buyer.owner).get(PAGE).content.decode()
    assert sorted(_statuses(html)) == ["declined", "expired", "forwarded", "pending"]
    for name in ("Producer 0", "Producer 1", "Producer 2", "Producer 3"):
        assert name in html
    assert "Engine pick" not in html and "Someone else" not in html
    # What a party may know: no rejection, no reason.
    assert REASON not in html and "rejected" not in html.lower()
    declined_on = timezone.now() - timedelta(days=10)
    again = format_date(declined_on + timedelta(days=365), "en")
    assert f"You can ask for this introduction again from {again}." in html


def test_dates_are_in_the_readers_calendar(buyer, desk):
    lifecycle.request_introduction(actor=buyer.owner, producer=make_producer())
    html = _page(buyer.owner, "fa").get(PAGE).content.decode()
    assert format_date(timezone.now(), "fa") in html  # Jalali, Persian digits
    assert "Pending" not in html and "Requested on" not in html  # in Persian


def test_an_empty_page_says_what_to_do(buyer):
    html = _page(buyer.owner).get(PAGE).content.decode()
    assert 'data-testid="empty-state"' in html and "Request an introduction" in html
    assert 'href="/catalogue/"' in html


@pytest.mark.parametrize("role", ["producer", "counsellor", "staff"])
def test_other_roles_are_sent_to_their_dashboard(role, desk):
    from tests.factories import UserFactory

    user = desk if role == "counsellor" else UserFactory(role=role)
    response = _page(user).get(PAGE)
    assert response.status_code == 302 and response["Location"] == "/dashboard/"


def test_anonymous_visitors_are_asked_to_sign_in():
    response = Client().get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_dashboard_and_the_introductions_page_link_to_it(buyer):
    client = _page(buyer.owner)
    assert f'href="{PAGE}"' in client.get("/introductions/").content.decode()
    assert f'href="{PAGE}"' in client.get("/dashboard/").content.decode()


# --- Asking again for a declined pair --------------------------------------------------------


def test_a_declined_pair_is_refused_before_a_year_with_the_date(buyer, desk):
    producer = make_producer()
    match = _declined(producer, buyer, desk, days_ago=200)
    declined_on = MatchEvent.objects.get(match=match, to_status=MatchStatus.DECLINED).at
    with pytest.raises(StateConflict) as refused:
        lifecycle.request_introduction(actor=buyer.owner, producer=producer)
    assert format_date(declined_on + timedelta(days=365)) in str(refused.value.message)
    assert Match.objects.get(pk=match.pk).status == MatchStatus.DECLINED
    # The page says the same, in the reader's calendar.
    client = _page(buyer.owner)
    html = client.post("/introductions/request/", {"producer": producer.pk}, follow=True).content.decode()
    assert f"You can ask for it again from {format_date(declined_on + timedelta(days=365), 'en')}." in html
    html = client.get(f"/catalogue/producers/{producer.pk}/").content.decode()
    assert 'data-testid="ask-again-date"' in html


def test_a_declined_pair_may_be_asked_for_again_after_a_year(buyer, desk):
    producer = make_producer()
    match = _declined(producer, buyer, desk, days_ago=366)
    assert (
        'data-testid="ask-again-date"'
        not in _page(buyer.owner).get(f"/catalogue/producers/{producer.pk}/").content.decode()
    )
    again = lifecycle.request_introduction(actor=buyer.owner, producer=producer, message="Again, a year on")
    assert again.pk == match.pk and again.request_kind == lifecycle.REOPENED
    match.refresh_from_db()
    assert (match.status, match.source, match.request_message) == (
        MatchStatus.PROPOSED,
        MatchSource.BUYER_REQUEST,
        "Again, a year on",
    )
    assert match.producer_response == match.buyer_response == PartyResponse.PENDING
    assert match.forwarded_at is None and match.counsellor == desk  # routed again to the desk
    assert timezone.now() - match.created_at < timedelta(minutes=1)
    # The buyer's page shows it pending; the old decline is not a status any more.
    assert _statuses(_page(buyer.owner).get(PAGE).content.decode()) == ["pending"]


@override_settings(INTRODUCTION_REQUEST_AGAIN_DAYS=30)
def test_the_wait_is_a_setting(buyer, desk):
    producer = make_producer()
    _declined(producer, buyer, desk, days_ago=31)
    assert lifecycle.request_introduction(actor=buyer.owner, producer=producer).status == MatchStatus.PROPOSED
