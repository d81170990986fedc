"""The dashboards' deal figures (home.deal_figures): the buying-request funnel and the value won
by market and HS chapter, on a small world built here; each role's scope; confirmed outcomes
only, each currency apart, the unconfirmed beside them; a bounded number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from deals.models import Quote
from home.deal_figures import deal_figures, request_funnel, requests_in_scope, won_values
from matchmaking.models import MatchStatus
from sourcing.models import BuyingRequest, RequestLine, RequestStatus
from tests.factories import ProductFactory, UserFactory, hs_sector
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db

W = MatchStatus.WON


def make_request(buyer, status=RequestStatus.PUBLISHED, *, published=True, code="841810"):
    request = BuyingRequest.objects.create(
        buyer=buyer,
        title="Centrifugal pumps",
        destination_country=buyer.country,
        deadline=datetime.date.today() + datetime.timedelta(days=90),
        status=status,
        published_at=timezone.now() if published else None,
    )
    line = RequestLine.objects.create(
        request=request, sector=hs_sector(code), quantity=Decimal("2000"), unit="units"
    )
    return request, line


def quote_on(match, request, line):
    return Quote.objects.create(
        match=match,
        request=request,
        line=line,
        author=match.producer.owner,
        unit_price=Decimal("120"),
        currency="USD",
        quantity=Decimal("2000"),
        unit="units",
        incoterm="CIF",
        lead_time_days=45,
        valid_until=datetime.date.today() + datetime.timedelta(days=30),
    )


def won(producer, buyer, counsellor, value, currency, *, confirmed=True, legacy=False, **fields):
    """A won match: confirmed (by the other company), declared and unconfirmed, or recorded before
    declarations (`legacy`: no declaration date)."""
    now = timezone.now()
    outcome = {"outcome_value": None if value is None else Decimal(value), "outcome_currency": currency}
    if not legacy:
        outcome.update(outcome_declared_by=buyer.owner, outcome_declared_at=now)
        if confirmed:
            outcome.update(outcome_confirmed_by=producer.owner, outcome_confirmed_at=now)
    return make_match(producer, buyer, status=W, counsellor=counsellor, **outcome, **fields)


@pytest.fixture
def world():
    iraq, turkey = make_counsellor("IQ"), make_counsellor("TR")
    b_iq, b_iq2, b_tr = make_buyer(country="IQ"), make_buyer(country="IQ"), make_buyer(country="TR")
    p1, p2 = make_producer(markets=("IQ", "TR")), make_producer(("940360",), markets=("IQ",))
    staff = UserFactory(role="staff")

    r1, _ = make_request(b_iq, RequestStatus.PENDING, published=False)
    r2, l2 = make_request(b_iq)
    r3, l3 = make_request(b_iq2, RequestStatus.AWARDED)
    make_request(b_tr)  # published, never quoted
    make_request(b_tr, RequestStatus.CLOSED, published=False)  # closed before it was published
    quote_on(make_match(p2, b_iq, status=MatchStatus.FORWARDED, counsellor=iraq, request=r2), r2, l2)

    matches = {
        # The awarded request's deal, recorded by the counsellor: chapter 84 from its line.
        "recorded": won(p1, b_iq2, iraq, "1000", "USD", request=r3, request_line=l3),
        # Declared by the buyer, confirmed by the producer: chapter 94 from the requested product.
        "confirmed": won(
            p2, b_iq, iraq, "500", "EUR", requested_product=ProductFactory(producer=p2, hs_code="940360")
        ),
        # Declared, awaiting confirmation: chapter 84 from the engine's breakdown.
        "unconfirmed": won(
            p1, b_tr, turkey, "2000", "USD", confirmed=False, breakdown={"sector": {"hs": "841810"}}
        ),
        # Recorded before declarations were kept: confirmed; no chapter known.
        "legacy": won(p2, b_iq2, iraq, "300", "USD", legacy=True),
        # Won without a value (recorded before a value was required): not summed.
        "no_value": won(p1, b_iq, iraq, None, "", legacy=True),
    }
    make_match(p2, b_tr, status=MatchStatus.LOST, counsellor=turkey, outcome_note="Price")
    quote_on(matches["recorded"], r3, l3)
    return {
        "staff": staff,
        "iraq": iraq,
        "turkey": turkey,
        "b_iq": b_iq,
        "b_tr": b_tr,
        "p1": p1,
        "matches": matches,
    }


def rows(table) -> dict:
    return {
        (row.key, row.currency): (
            row.confirmed_total,
            row.confirmed_deals,
            row.unconfirmed_total,
            row.unconfirmed_deals,
        )
        for row in table
    }


# --- The funnel ---------------------------------------------------------------------------------


def test_the_funnel_per_role(world):
    funnel = lambda user: request_funnel(requests_in_scope(user))  # noqa: E731
    assert funnel(world["staff"]) == {"posted": 5, "published": 3, "quoted": 2, "awarded": 1}
    assert funnel(world["iraq"]) == {"posted": 3, "published": 2, "quoted": 2, "awarded": 1}
    assert funnel(world["turkey"]) == {"posted": 2, "published": 1, "quoted": 0, "awarded": 0}
    assert funnel(world["b_iq"].owner) == {"posted": 2, "published": 1, "quoted": 1, "awarded": 0}
    assert funnel(world["b_tr"].owner) == {"posted": 2, "published": 1, "quoted": 0, "awarded": 0}
    assert requests_in_scope(world["p1"].owner) is None  # producers see no funnel
    assert request_funnel(requests_in_scope(make_counsellor("DE"))) == dict.fromkeys(
        ("posted", "published", "quoted", "awarded"), 0
    )


def test_the_funnel_steps_give_the_shares(world):
    steps = deal_figures(world["staff"])["steps"]
    assert [(s["key"], s["count"], s["of_previous"], s["of_first"]) for s in steps] == [
        ("posted", 5, None, 100),
        ("published", 3, 60, 60),
        ("quoted", 2, 67, 40),
        ("awarded", 1, 50, 20),
    ]


# --- Won value ------------------------------------------------------------------------------------


def test_staff_see_every_deal_by_market_and_chapter_each_currency_apart(world):
    figures = won_values(world["staff"])
    assert rows(figures.by_market) == {
        ("IQ", "USD"): (Decimal("1300.00"), 2, Decimal(0), 0),
        ("IQ", "EUR"): (Decimal("500.00"), 1, Decimal(0), 0),
        ("TR", "USD"): (Decimal(0), 0, Decimal("2000.00"), 1),
    }
    assert rows(figures.by_chapter) == {
        ("84", "USD"): (Decimal("1000.00"), 1, Decimal("2000.00"), 1),
        ("94", "EUR"): (Decimal("500.00"), 1, Decimal(0), 0),
        ("", "USD"): (Decimal("300.00"), 1, Decimal(0), 0),
    }
    assert figures.confirmed and figures.unconfirmed


def test_a_counsellor_sees_the_deals_of_their_matches(world):
    iraq = won_values(world["iraq"])
    assert rows(iraq.by_market) == {
        ("IQ", "USD"): (Decimal("1300.00"), 2, Decimal(0), 0),
        ("IQ", "EUR"): (Decimal("500.00"), 1, Decimal(0), 0),
    }
    turkey = won_values(world["turkey"])
    assert rows(turkey.by_market) == {("TR", "USD"): (Decimal(0), 0, Decimal("2000.00"), 1)}
    assert not turkey.confirmed and turkey.unconfirmed
    assert not won_values(make_counsellor("DE")).any


def test_a_buyer_and_a_producer_see_their_own_deals(world):
    buyer = won_values(world["b_iq"].owner)
    assert buyer.by_market is None  # all in its own market
    assert rows(buyer.by_chapter) == {("94", "EUR"): (Decimal("500.00"), 1, Decimal(0), 0)}
    producer = won_values(world["p1"].owner)
    assert rows(producer.by_market) == {
        ("IQ", "USD"): (Decimal("1000.00"), 1, Decimal(0), 0),
        ("TR", "USD"): (Decimal(0), 0, Decimal("2000.00"), 1),
    }


def test_chapters_are_named_in_the_readers_language(world):
    with translation.override("fa"):
        labels = {row.key: row.label for row in won_values(world["staff"]).by_chapter}
    assert labels["84"].startswith("۸۴ — ") and labels[""] == ""


# --- The page --------------------------------------------------------------------------------------


def dashboard(client, user, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_staff_dashboard_shows_the_funnel_and_the_won_value(client, world):
    page = dashboard(client, world["staff"])
    assert 'data-testid="table-request-funnel"' in page
    assert 'data-testid="funnel-posted">5<' in page and 'data-testid="funnel-awarded">1<' in page
    assert 'data-chart="chart-request-funnel"' in page and "chart.umd.min.js" in page
    assert 'data-testid="table-won-market"' in page and 'data-testid="table-won-chapter"' in page
    assert 'data-testid="table-won-market-IQ-USD"' in page
    assert "1,300" in page and "2,000" in page and "EUR" in page


def test_the_buyer_dashboard_shows_its_own(client, world):
    page = dashboard(client, world["b_iq"].owner)
    assert 'data-testid="funnel-posted">2<' in page
    assert 'data-testid="table-won-market"' not in page
    assert 'data-testid="table-won-chapter-94-EUR"' in page
    assert 'data-testid="table-won-chapter-84-USD"' not in page


def test_the_producer_dashboard_shows_no_funnel(client, world):
    page = dashboard(client, world["p1"].owner, "fa")
    assert 'data-testid="request-funnel"' not in page
    assert 'data-testid="table-won-market-TR-USD"' in page and "۲٬۰۰۰" in page


def test_empty_states_say_what_will_appear(client, db):
    page = dashboard(client, UserFactory(role="staff"))
    assert 'data-testid="request-funnel-empty"' in page and "No buying requests yet." in page
    assert 'data-testid="won-value-empty"' in page and "No deals won yet." in page
    assert "chart.umd.min.js" not in page
    buyer = make_buyer()
    assert "You have not posted a buying request yet." in dashboard(client, buyer.owner)


# --- Queries -----------------------------------------------------------------------------------------


def queries_for(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("dashboard")).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["staff", "iraq", "b_iq", "p1"])
def test_the_dashboard_reads_a_bounded_number_of_queries(client, world, role, django_assert_max_num_queries):
    user = world[role].owner if role in ("b_iq", "p1") else world[role]
    before = queries_for(client, user)
    # More of everything: the page asks no more.
    b_iq, p1, iraq = world["b_iq"], world["p1"], world["iraq"]
    for index in range(4):
        request, line = make_request(b_iq, code="940360")
        match = make_match(
            make_producer(), b_iq, status=MatchStatus.FORWARDED, counsellor=iraq, request=request
        )
        quote_on(match, request, line)
        won(
            make_producer(),
            b_iq,
            iraq,
            str(100 + index),
            ("USD", "AED")[index % 2],
            request=request,
            request_line=line,
        )
        won(p1, make_buyer(country="AM"), iraq, "50", "GBP", confirmed=bool(index % 2))
    assert queries_for(client, user) == before
    client.force_login(user)
    with django_assert_max_num_queries(30):
        client.get(reverse("dashboard"))


def test_the_counsellors_dashboards_count_confirmed_deals_only(world):
    from counsellors.selectors import won_values as pipeline_won_values
    from matchmaking.models import Match

    assert pipeline_won_values(Match.objects.all()) == [
        {"currency": "", "total": Decimal(0), "deals": 1},  # won without a value (not shown)
        {"currency": "EUR", "total": Decimal("500.00"), "deals": 1},
        {"currency": "USD", "total": Decimal("1300.00"), "deals": 2},
    ]
