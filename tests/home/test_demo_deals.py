"""The demo's buying requests and their deals (`seed_demo`, home/demo_deals.py): every status a
request, a quote and an outcome can take, written by the demo's own people through the
services; a second seed writes nothing; the dashboards show the request funnel."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from counsellors.models import CounsellorProfile
from deals.conversation_selectors import unread_total
from deals.models import Message, Quote, QuoteStatus
from home import demo_deals
from matchmaking.models import Match, MatchEvent, MatchSource, MatchStatus
from matchmaking.outcomes import declaring_side, is_confirmed
from sourcing.models import BuyingRequest, RequestEvent, RequestLine, RequestStatus
from tests.factories import enrol_two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    return capsys.readouterr().out


def totals() -> dict[str, int]:
    return {
        "requests": BuyingRequest.objects.count(),
        "lines": RequestLine.objects.count(),
        "request events": RequestEvent.objects.count(),
        "matches": Match.objects.count(),
        "match events": MatchEvent.objects.count(),
        "quotes": Quote.objects.count(),
        "messages": Message.objects.count(),
    }


def test_the_requests_take_every_status_through_their_buyers_and_counsellors(seeded):
    requests = demo_deals.demo_requests()
    assert all(requests.values())
    statuses = [request.status for request in requests.values()]
    assert set(statuses) == set(RequestStatus.values)
    assert statuses.count(RequestStatus.PUBLISHED) >= 2
    assert len({request.buyer.country.code for request in requests.values()}) >= 4
    for request in requests.values():
        first = request.events.order_by("at", "id").first()
        assert first.actor == request.buyer.owner and first.to_status == RequestStatus.PENDING
        assert request.lines.exists()
        if request.status != RequestStatus.PENDING:
            desk = CounsellorProfile.objects.get(user=request.reviewed_by)
            assert desk.posted_country == request.buyer.country
    iraq = requests["iq-appliances"]
    assert iraq.original_language == "ar" and iraq.title_en.startswith("Refrigerators")
    assert requests["ru-seeders"].review_note
    assert requests["iq-cookers"].status == RequestStatus.PENDING
    assert "Buying requests and their deals (8 requests made this run)" in seeded
    assert "quotes: accepted 1, declined 1, expired 1, open 2" in seeded


def test_matches_quotes_conversations_and_outcomes(seeded):
    requests = demo_deals.demo_requests()
    matches = Match.objects.filter(request__in=requests.values())
    # The engine's matches and producers' interests, some forwarded by the counsellor.
    assert matches.filter(source=MatchSource.ENGINE).exists()
    interests = matches.filter(source=MatchSource.PRODUCER_INTEREST)
    assert interests.filter(status=MatchStatus.PROPOSED).exists()  # in the queue
    assert interests.filter(status=MatchStatus.FORWARDED).exists()
    forwarded = MatchEvent.objects.filter(
        match__in=matches, from_status=MatchStatus.PROPOSED, to_status=MatchStatus.FORWARDED
    )
    assert forwarded.count() >= 4
    assert all(event.actor == event.match.counsellor for event in forwarded)

    # Quotes: every status; two producers' open quotes to compare on one published request.
    assert set(Quote.objects.values_list("status", flat=True)) >= {
        QuoteStatus.OPEN,
        QuoteStatus.ACCEPTED,
        QuoteStatus.DECLINED,
        QuoteStatus.EXPIRED,
    }
    basra = Quote.objects.filter(request=requests["iq-basra"], status=QuoteStatus.OPEN)
    assert basra.values("match__producer").distinct().count() == 2
    awarded = requests["iq-appliances"]
    assert awarded.status == RequestStatus.AWARDED
    assert awarded.quotes.filter(status=QuoteStatus.ACCEPTED).count() == 1
    assert awarded.quotes.values("match__producer").distinct().count() == 2

    # Conversations among the three, in Persian, Arabic and English; some unread.
    messages = Message.objects.filter(match__in=matches)
    assert {"fa", "ar", "en"} <= set(messages.values_list("language", flat=True))
    thread = messages.filter(match__request=awarded, match__producer__owner__email=demo_deals.APPLIANCES)
    authors = set(thread.values_list("author__email", flat=True))
    assert {demo_deals.APPLIANCES, demo_deals.IRAQ_BUYER, "counsellor.iraq@demo.exportbridge.ir"} <= authors
    pumps = matches.get(request=requests["iq-basra"], producer__owner__email=demo_deals.PUMPS)
    assert unread_total(pumps.producer.owner) > 0

    # Outcomes: won, declared by the buyer and confirmed by the producer; lost, recorded.
    won = matches.get(status=MatchStatus.WON)
    assert won.outcome_value > 0 and won.outcome_currency == "USD"
    assert declaring_side(won) == "buyer" and won.outcome_confirmed_by == won.producer.owner
    assert is_confirmed(won)
    lost = matches.get(status=MatchStatus.LOST)
    assert lost.outcome_note and lost.outcome_declared_by == lost.counsellor and is_confirmed(lost)


def test_a_second_seed_writes_nothing(seeded, capsys):
    before = totals()
    call_command("seed_demo")
    assert totals() == before
    assert "(0 requests made this run)" in capsys.readouterr().out


def test_the_dashboards_show_the_request_funnel(seeded, client, django_user_model):
    for email in (
        "staff@demo.exportbridge.ir",
        "counsellor.iraq@demo.exportbridge.ir",
        demo_deals.IRAQ_BUYER,
    ):
        user = django_user_model.objects.get(email=email)
        client.force_login(user)
        if user.is_portal_staff:  # demo staff set up two-factor sign-in at their first sign-in
            assert client.get(reverse("dashboard"))["Location"] == reverse("mfa_activate_totp")
            enrol_two_factor(user)
        response = client.get(reverse("dashboard"))
        assert response.status_code == 200
        funnel = response.context["deals"]["funnel"]
        assert all(funnel[stage] > 0 for stage in ("posted", "published", "quoted", "awarded")), (
            email,
            funnel,
        )
        assert b'data-testid="request-funnel"' in response.content
    # The buyer's comparison of the two open quotes on its Basra request.
    basra = demo_deals.demo_requests()["iq-basra"]
    compare = client.get(reverse("deals:request-quotes", args=[basra.pk]))
    assert compare.status_code == 200
    assert compare.context["open_count"] == 2 and len(compare.context["rows"]) == 2
