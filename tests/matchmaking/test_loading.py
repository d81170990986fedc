"""Profiles → engine arrays: what is read, who is left out, and a constant number of queries."""

import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import BuyerProfile, ProducerProfile
from accounts.onboarding import (
    buyer_completeness,
    buyers_ready_to_match,
    producer_completeness,
    producers_ready_to_match,
)
from matchmaking.loading import (
    SectorRoots,
    buyer_fingerprint,
    load_buyers,
    load_producers,
    load_sections,
    producer_fingerprint,
)
from taxonomy.models import Sector
from tests.factories import BuyerProfileFactory, ProducerProfileFactory, ProductFactory

from .conftest import make_buyer, make_producer

pytestmark = pytest.mark.django_db


def test_a_producer_is_read_from_its_profile_and_its_listed_products():
    producer = make_producer(
        ("841810",),
        capacity="3000",
        moq="20",
        certifications=["ISO9001"],
        declared=["8450"],
        markets=["IQ", "AM"],
    )
    ProductFactory(
        producer=producer,
        hs_code="841850",
        annual_capacity=2000,
        capacity_unit="units",
        moq=5,
        certifications=["CE"],
    )
    ProductFactory(producer=producer, hs_code="851660", annual_capacity=90, capacity_unit="tonnes")
    ProductFactory(
        producer=producer, hs_code="940360", annual_capacity=700, capacity_unit="units", is_active=False
    )

    arrays = load_producers()

    assert list(arrays.ids) == [producer.pk]
    assert arrays.hs_codes[0] == ["841810", "841850", "8450", "851660"]  # not the unlisted 940360
    # Issue 14: capacity and minimum order per product line (the engine counts only the lines
    # under a buyer's codes), no company-wide sum; not the unlisted 940360.
    lines = [
        (code, unit, capacity, None if math.isnan(moq) else moq)
        for code, unit, capacity, moq in arrays.products[0]
    ]
    assert lines == [
        ("841810", "units", 3000, 20),
        ("841850", "units", 2000, 5),
        ("851660", "tonnes", 90, None),
    ]
    assert arrays.capacity_by_unit == {} and arrays.moq_by_unit == {}
    assert arrays.target_markets[0] == {"IQ", "AM"}
    # Issue 17: only verified certificates count; the product's CE has none behind it.
    assert arrays.certifications[0] == {"ISO9001"}
    assert not arrays.open_to_any_market[0]


def test_a_buyer_is_read_with_its_sought_sectors_and_demand():
    buyer = make_buyer(("8418", "845811"), country="AM", demand="5000", order="250", certifications=["CE"])
    arrays = load_buyers()
    assert list(arrays.ids) == [buyer.pk]
    assert arrays.hs_codes[0] == ["8418", "845811"]
    assert arrays.country == ["AM"]
    assert arrays.annual_demand[0] == 5000 and arrays.typical_order[0] == 250
    assert arrays.demand_unit == ["units"]
    assert arrays.required_certifications[0] == {"CE"}


def test_unknown_demand_stays_unknown():
    make_buyer(demand=None)
    arrays = load_buyers()
    assert math.isnan(arrays.annual_demand[0]) and arrays.demand_unit == [""]


def test_only_profiles_ready_to_match_are_loaded():
    ready = make_producer()
    make_producer(markets=())  # no target market and not open to any
    open_one = make_producer(markets=(), open_to_any_market=True)
    ProducerProfileFactory()  # no product
    no_capacity = ProducerProfileFactory()
    ProductFactory(producer=no_capacity, annual_capacity=100, available_capacity=0)
    buyer = make_buyer()
    BuyerProfileFactory()  # no sought sector

    assert sorted(load_producers().ids) == sorted([ready.pk, open_one.pk])
    assert list(load_buyers().ids) == [buyer.pk]


def test_the_queryset_rules_agree_with_the_per_profile_completeness():
    make_producer()
    make_producer(markets=())
    make_producer(markets=(), open_to_any_market=True)
    make_producer(name="   ")
    ProducerProfileFactory()
    unlisted = ProducerProfileFactory()
    ProductFactory(producer=unlisted, is_active=False)
    empty = ProducerProfileFactory()
    ProductFactory(producer=empty, annual_capacity=100, available_capacity=0)
    make_buyer()
    make_buyer(company_name="")
    BuyerProfileFactory()

    ready_producers = set(producers_ready_to_match().values_list("pk", flat=True))
    for producer in ProducerProfile.objects.all():
        assert (producer.pk in ready_producers) == producer_completeness(producer).ready_to_match, producer
    ready_buyers = set(buyers_ready_to_match().values_list("pk", flat=True))
    for buyer in BuyerProfile.objects.all():
        assert (buyer.pk in ready_buyers) == buyer_completeness(buyer).ready_to_match, buyer


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


def test_loading_takes_the_same_number_of_queries_for_2_or_20_profiles():
    for _ in range(2):
        make_producer(("841810", "845811"), declared=["8450"], product_certifications=["CE"])
        make_buyer(("8418", "8450"))
    few = _queries(load_producers), _queries(load_buyers)
    for _ in range(18):
        make_producer(("841810", "845811"), declared=["8450"], product_certifications=["CE"])
        make_buyer(("8418", "8450"))
    assert (_queries(load_producers), _queries(load_buyers)) == few
    assert few == (4, 2)  # the producers: profiles, declared sectors, products, verified certificates


def test_sections_come_from_the_taxonomy():
    sections = load_sections()
    assert sections["84"] == "XVI" and sections["02"] == "I"
    assert "99" not in sections  # a chapter in no section


def test_roots_keep_only_profiles_that_can_share_a_section():
    sections = load_sections()
    machines = make_producer(("841810",))
    make_producer(("020110",))  # meat: section I
    roots = SectorRoots.of(["8450"], sections)
    assert roots.sections == {"XVI"}
    assert list(load_producers(roots=roots).ids) == [machines.pk]
    near = make_buyer(("8501",))  # chapter 85, also section XVI
    make_buyer(("0201",))
    assert list(load_buyers(roots=SectorRoots.of(["841810"], sections)).ids) == [near.pk]


def test_fingerprints_change_with_what_the_engine_reads_only():
    producer = make_producer()
    buyer = make_buyer()
    before = producer_fingerprint(load_producers(), 0), buyer_fingerprint(load_buyers(), 0)

    ProducerProfile.objects.filter(pk=producer.pk).update(description="New words", phone="+98 41 1")
    BuyerProfile.objects.filter(pk=buyer.pk).update(city="Erbil")
    assert (producer_fingerprint(load_producers(), 0), buyer_fingerprint(load_buyers(), 0)) == before

    producer.products.update(available_capacity=10)
    buyer.sought_sectors.add(Sector.objects.get(code="8450"))
    after = producer_fingerprint(load_producers(), 0), buyer_fingerprint(load_buyers(), 0)
    assert after[0] != before[0] and after[1] != before[1]
