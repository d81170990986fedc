"""Issue 14 through the services: capacity per matching product (a company whose two lines
differ a hundredfold), the same in the sweep, a buyer's rematch (kept producers) and a
producer's; parts only when the buyer asks; export experience in the explanation."""

from decimal import Decimal

import pytest
from django.utils import translation

from accounts import services as accounts_services
from catalogue.models import Product
from matchmaking import producer_cache, services
from matchmaking.models import Match
from matchmaking.reasons import render_reason
from tests.factories import ProductFactory

from .conftest import make_buyer, make_producer

pytestmark = pytest.mark.django_db


@pytest.fixture
def hundredfold():
    """Homa: 200,000 mixers and 2,000 hair dryers a year; Narges: 40,000 hair dryers."""
    homa = make_producer(("850940",), capacity="200000", markets=["IQ"])
    ProductFactory(
        producer=homa,
        hs_code="851631",
        annual_capacity=Decimal(2000),
        available_capacity=Decimal(2000),
        capacity_unit="units",
    )
    narges = make_producer(("851631",), capacity="40000", markets=["IQ"])
    dryers = make_buyer(("851631",), country="IQ", demand="20000")
    return homa, narges, dryers


def capacity_scores(buyer) -> dict[int, Decimal]:
    return dict(Match.objects.filter(buyer=buyer).values_list("producer_id", "capacity_score"))


def test_capacity_is_counted_on_the_matching_products_in_every_path(hundredfold, settings):
    homa, narges, dryers = hundredfold
    services.rematch_all()
    swept = capacity_scores(dryers)
    assert swept == {homa.pk: Decimal("0.100"), narges.pk: Decimal("1.000")}
    ranked = list(Match.objects.filter(buyer=dryers).order_by("-score").values_list("producer_id", flat=True))
    assert ranked == [narges.pk, homa.pk]
    breakdown = Match.objects.get(producer=homa, buyer=dryers).breakdown["capacity"]
    assert (breakdown["code"], breakdown["capacity"]) == ("partial", 2000)

    Match.objects.all().delete()
    settings.MATCHING_PRODUCER_CACHE = True
    producer_cache.clear()
    services.rematch_buyer(dryers.pk)  # the producers kept prepared by the process
    assert capacity_scores(dryers) == swept
    # Homa's hair-dryer line grows: the kept producers are patched, and count it alone.
    Product.objects.filter(producer=homa, hs_code="851631").update(
        annual_capacity=Decimal(10000), available_capacity=Decimal(10000)
    )
    Product.objects.get(producer=homa, hs_code="851631").save()
    services.rematch_buyer(dryers.pk)
    assert capacity_scores(dryers)[homa.pk] == Decimal("0.500")
    Match.objects.all().delete()
    services.rematch_producer(homa.pk)
    assert capacity_scores(dryers)[homa.pk] == Decimal("0.500")


def test_a_buyer_gets_parts_makers_only_when_it_asks(settings):
    trucks = make_producer(("870422",), markets=["IQ"])
    brakes = make_producer(("870830",), markets=["IQ"])
    buyer = make_buyer(("8704",), country="IQ")
    services.rematch_all()
    assert set(Match.objects.filter(buyer=buyer).values_list("producer_id", flat=True)) == {trucks.pk}

    accounts_services.buyer_profile_update(profile=buyer, actor=buyer.owner, data={"seeks_parts": True})
    services.rematch_all()
    proposed = dict(Match.objects.filter(buyer=buyer).values_list("producer_id", "sector_score"))
    assert proposed == {trucks.pk: Decimal("0.850"), brakes.pk: Decimal("0.600")}
    sector = Match.objects.get(producer=brakes, buyer=buyer).breakdown["sector"]
    assert (sector["code"], sector["hs"]) == ("related_heading", "8708")


def test_export_experience_is_evidence_and_the_explanation_says_so():
    make_producer(("841370",), markets=["AF"], export_experience=["GE"])
    buyer = make_buyer(("841370",), country="GE")
    services.rematch_all()
    match = Match.objects.get(buyer=buyer)
    assert match.market_score == Decimal("1.000")
    entry = match.breakdown["market"]
    assert entry["code"] == "exported_to"
    with translation.override("en"):
        assert render_reason("market", entry) == "has already exported to Georgia"
    with translation.override("fa"):
        assert "صادرات" in render_reason("market", entry)
