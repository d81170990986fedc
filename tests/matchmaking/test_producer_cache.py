"""The producers kept prepared per process: a buyer rematch with them writes exactly what one
without them writes, after every kind of change to the producers' data."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.db import transaction

from accounts.models import ProducerProfile
from catalogue.models import Product
from matchmaking import producer_cache, services
from matchmaking.loading import load_producers, load_sections
from matchmaking.models import Match
from taxonomy.models import Sector
from tests.engine.test_splice import same_arrays

from .conftest import make_buyer, make_producer

pytestmark = pytest.mark.django_db

MATCH_COLUMNS = (
    "producer_id",
    "status",
    "source",
    "score",
    "sector_score",
    "capacity_score",
    "market_score",
    "certifications_score",
    "producer_fingerprint",
    "buyer_fingerprint",
    "breakdown",
)


@pytest.fixture(autouse=True)
def fresh_cache():
    producer_cache.clear()
    yield
    producer_cache.clear()


@pytest.fixture
def market():
    """Fridge and furniture makers around two buyers; more than a buyer's top 20."""
    producers = [
        make_producer(
            ("841810",) if i % 3 else ("841850", "9403"),
            capacity=str(100 + 150 * i),
            markets=["IQ"] if i % 2 else ["TR", "AM"],
            certifications=["CE"] if i % 4 == 0 else [],
            open_to_any_market=i % 5 == 0,
        )
        for i in range(26)
    ]
    iraq = make_buyer(("8418",), country="IQ", demand="2000", certifications=["CE"])
    furniture = make_buyer(("940360", "841810"), country="TR", demand="300", order="50")
    return {"producers": producers, "iraq": iraq, "furniture": furniture}


def buyer_rows(buyer) -> list[tuple]:
    return sorted(Match.objects.filter(buyer=buyer).values_list(*MATCH_COLUMNS))


class _Undo(Exception):
    pass


def rematch_both_ways(buyer, settings) -> list[tuple]:
    """The buyer rematched without the cache (then undone), and with it, from the same
    matches: both must write the same rows and count the same."""
    settings.MATCHING_PRODUCER_CACHE = False
    try:
        with transaction.atomic():
            plain = services.rematch_buyer(buyer.pk)
            without_cache = buyer_rows(buyer)
            raise _Undo
    except _Undo:
        pass
    settings.MATCHING_PRODUCER_CACHE = True
    cached = services.rematch_buyer(buyer.pk)
    assert buyer_rows(buyer) == without_cache
    assert cached.as_dict() == plain.as_dict()
    # The cache holds exactly what loading every ready producer reads.
    same_arrays(producer_cache.prepared_producers(load_sections()).arrays, load_producers())
    return without_cache


def assert_patched_not_rebuilt(monkeypatch):
    def no_rebuild(sections):
        raise AssertionError("the cache was built again where a patch would do")

    monkeypatch.setattr(producer_cache, "_build", no_rebuild)


def test_the_first_rematch_matches_as_loading_under_the_buyers_sectors(market, settings):
    rows = rematch_both_ways(market["iraq"], settings)
    assert len(rows) == 20  # top_k_per_buyer of the 26 fridge makers
    rematch_both_ways(market["furniture"], settings)


def test_a_product_edited_is_patched_in(market, settings, monkeypatch):
    before = rematch_both_ways(market["iraq"], settings)
    assert_patched_not_rebuilt(monkeypatch)
    weakest = min(before, key=lambda row: row[3])[0]
    product = Product.objects.filter(producer_id=weakest).first()
    product.annual_capacity = product.available_capacity = Decimal("90000")
    product.save()

    after = rematch_both_ways(market["iraq"], settings)
    assert after != before
    assert producer_cache.stats()["patched"] >= 1


def test_markets_and_certifications_edited_are_patched_in(market, settings, monkeypatch):
    before = rematch_both_ways(market["furniture"], settings)
    assert_patched_not_rebuilt(monkeypatch)
    for producer in market["producers"][:6]:
        profile = ProducerProfile.objects.get(pk=producer.pk)
        profile.target_markets = ["TR"]
        profile.certifications = ["ISO 9001"]
        profile.save()
    assert rematch_both_ways(market["furniture"], settings) != before


def test_a_product_deleted_is_seen_without_a_stamp(market, settings, monkeypatch):
    rematch_both_ways(market["furniture"], settings)
    assert_patched_not_rebuilt(monkeypatch)
    two_products = next(p for p in market["producers"] if p.products.count() == 2)
    Product.objects.filter(producer=two_products, hs_code_id="9403").delete()

    rematch_both_ways(market["furniture"], settings)
    arrays = producer_cache.prepared_producers(load_sections()).arrays
    at = int(np.flatnonzero(arrays.ids == two_products.pk)[0])
    assert arrays.hs_codes[at] == ["841850"]


def test_a_producer_deleted_or_incomplete_leaves_the_cache(market, settings, monkeypatch):
    before = rematch_both_ways(market["iraq"], settings)
    assert_patched_not_rebuilt(monkeypatch)
    best = max(before, key=lambda row: row[3])[0]
    ProducerProfile.objects.get(pk=best).owner.delete()
    second = ProducerProfile.objects.get(pk=sorted(before, key=lambda row: row[3])[-2][0])
    second.target_markets, second.open_to_any_market = [], False  # no market: not ready
    second.save()
    third = sorted(before, key=lambda row: row[3])[-3][0]
    Product.objects.filter(producer_id=third).update(is_active=False)  # no listed product
    Product.objects.filter(producer_id=third).first().save()  # (the service saves each)

    after = rematch_both_ways(market["iraq"], settings)
    ids = set(producer_cache.prepared_producers(load_sections()).arrays.ids.tolist())
    assert not {best, second.pk, third} & ids
    assert {row[0] for row in after if row[1] == "proposed"}.isdisjoint({best, second.pk, third})


def test_new_producers_and_declared_sectors_set_without_saving_are_seen(market, settings, monkeypatch):
    quiet = make_producer(("020130",), capacity="9000", markets=["TR"])  # meat: no shared sector
    before = rematch_both_ways(market["furniture"], settings)
    assert_patched_not_rebuilt(monkeypatch)
    newcomer = make_producer(("940360",), capacity="5000", markets=["TR"])
    quiet.declared_sectors.set(Sector.objects.filter(code__in=["940360"]))  # no save, no stamp

    after = rematch_both_ways(market["furniture"], settings)
    assert {newcomer.pk, quiet.pk} <= {row[0] for row in after}
    assert after != before


def test_a_write_committed_late_within_the_margin_is_still_seen(market, settings, monkeypatch):
    rematch_both_ways(market["iraq"], settings)
    assert_patched_not_rebuilt(monkeypatch)
    # Stamped before the last check (its transaction was still open then), committed after.
    stamp = producer_cache._state.checked_at - producer_cache.MARGIN / 2
    producer = market["producers"][4]
    Product.objects.filter(producer=producer).update(
        annual_capacity=Decimal("77777"), available_capacity=Decimal("77777"), updated_at=stamp
    )
    rematch_both_ways(market["iraq"], settings)
    arrays = producer_cache.prepared_producers(load_sections()).arrays
    at = int(np.flatnonzero(arrays.ids == producer.pk)[0])
    assert [line.capacity for line in arrays.products[at]] == [77777]  # per product line (issue 14)


def test_many_changes_at_once_load_everything_again(market, settings, monkeypatch):
    rematch_both_ways(market["iraq"], settings)
    monkeypatch.setattr(producer_cache, "RELOAD_FLOOR", 3)
    monkeypatch.setattr(producer_cache, "RELOAD_SHARE", 0.0)
    built = []
    original = producer_cache._build
    monkeypatch.setattr(producer_cache, "_build", lambda sections: built.append(1) or original(sections))
    Product.objects.filter(producer__in=market["producers"][:10]).update(
        available_capacity=Decimal("1"), updated_at=producer_cache._state.checked_at + timedelta(seconds=1)
    )
    rematch_both_ways(market["iraq"], settings)
    assert built == [1]


def test_a_buyer_without_shared_sectors_or_not_ready_gets_nothing(market, settings):
    lonely = make_buyer(("020130",), country="IQ")
    assert rematch_both_ways(lonely, settings) == []
    counts = services.rematch_buyer(10**9)
    assert counts.producers == 0 and counts.created == 0


def test_stamps_read_as_microseconds_in_the_database_equal_those_read_in_python():
    producer = make_producer(("841810", "9403"))
    Product.objects.filter(producer=producer).update(
        updated_at=datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    )
    Product.objects.filter(producer=producer, hs_code_id="9403").update(
        updated_at=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    )
    rows = list(
        Product.objects.filter(producer=producer).values_list(
            "updated_at", producer_cache._Micros("updated_at")
        )
    )
    assert len(rows) == 2
    assert all(micros == producer_cache._micros(stamp) for stamp, micros in rows)
    assert {micros % 1_000_000 for _, micros in rows} == {0, 123456}


def test_a_patch_that_fails_leaves_no_half_updated_cache(market, settings, monkeypatch):
    rematch_both_ways(market["iraq"], settings)
    producer = ProducerProfile.objects.get(pk=market["producers"][3].pk)
    producer.target_markets = ["DE"]
    producer.save()

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    with monkeypatch.context() as patched:
        patched.setattr(producer_cache.engine, "replace_producers", broken)
        with pytest.raises(RuntimeError):
            services.rematch_buyer(market["iraq"].pk)
    rematch_both_ways(market["iraq"], settings)  # the change is not lost


def test_a_worker_process_prepares_the_producers_when_it_starts(market):
    from matchmaking import tasks

    tasks.warm_producer_cache()
    assert producer_cache.stats()["producers"] == len(load_producers())


def test_warming_that_fails_leaves_the_worker_running(market, monkeypatch):
    from matchmaking import tasks

    def database_gone(sections):
        raise RuntimeError("no database yet")

    monkeypatch.setattr(producer_cache, "prepared_producers", database_gone)
    tasks.warm_producer_cache()  # logged, not raised
    assert producer_cache.stats()["producers"] == 0
