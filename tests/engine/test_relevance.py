"""Issue 14: relevance first. Candidates only under what the buyer seeks, at its own level;
parts only when asked; capacity and minimum order per matching product; export experience."""

import math

import numpy as np
import pytest

from matchmaking.engine import (
    MatchingConfig,
    explain,
    prepare_producers,
    replace_producers,
    score_all,
    score_candidates,
    score_pairs,
)
from matchmaking.engine.config import RELATED
from matchmaking.engine.reference import reference_candidates
from matchmaking.engine.related import default_related_headings
from tests.engine.builders import REGIONS, SECTIONS, buyer, buyers, producer, producers

EVERYTHING = MatchingConfig(min_score=0, top_k_per_buyer=50, top_k_per_producer=50, min_per_buyer=0)


def candidates(p, b) -> dict[tuple[int, int], tuple[int, float, float]]:
    """(producer, buyer) → (level, sector, capacity), from the engine, checked against the reference."""
    got = score_candidates(p, b, SECTIONS, EVERYTHING, regions=REGIONS)
    engine = {
        (int(got.producer_id[i]), int(got.buyer_id[i])): (
            int(got.sector_level[i]),
            float(got.sector[i]),
            float(got.capacity[i]),
        )
        for i in range(len(got.producer_id))
    }
    reference = {
        (x.producer_id, x.buyer_id): (x.sector_level, x.sector, x.capacity)
        for x in reference_candidates(p, b, SECTIONS, EVERYTHING, REGIONS)
    }
    assert engine == reference
    return engine


# A small world: pumps, compressors, fridges, washing machines, lathes; trucks and brakes.
WORLD = producers(
    producer(1, ["841370"]),  # centrifugal pumps
    producer(2, ["841391"]),  # pump parts
    producer(3, ["841480"]),  # air compressors
    producer(4, ["841821"]),  # household refrigerators
    producer(5, ["845011"]),  # washing machines
    producer(6, ["845811"]),  # lathes
    producer(7, ["850152"]),  # electric motors (chapter 85, same section XVI)
    producer(8, ["870422"]),  # trucks
    producer(9, ["870830"]),  # brakes (parts of 8701-8705)
)


def proposed_to(code, **fields) -> set[int]:
    found = candidates(WORLD, buyers(buyer(100, [code], **fields)))
    return {p for p, _ in found}


def test_a_shared_chapter_or_section_alone_proposes_nothing():
    assert proposed_to("841370") == {1}  # not the compressors, fridges, lathes or motors
    assert proposed_to("847130") == set()  # laptops: nobody here makes them, nothing proposed
    assert proposed_to("851629") == set()  # heaters: the motors share chapter 85 only


def test_a_heading_buyer_gets_the_products_of_the_heading():
    assert proposed_to("8413") == {1, 2}
    assert proposed_to("8414") == {3}


def test_a_chapter_buyer_gets_the_chapter_and_a_section_buyer_the_section():
    assert proposed_to("84") == {1, 2, 3, 4, 5, 6}
    assert proposed_to("XVI") == {1, 2, 3, 4, 5, 6, 7}


def test_the_sector_score_follows_the_buyer_level():
    b = buyers(buyer(100, ["841370"]), buyer(101, ["8413"]), buyer(102, ["84"]), buyer(103, ["XVI"]))
    found = candidates(producers(producer(1, ["841370"])), b)
    assert [found[(1, b)][1] for b in (100, 101, 102, 103)] == [1.0, 0.85, 0.5, 0.2]


def test_parts_and_components_only_when_the_buyer_asks():
    assert proposed_to("8704") == {8}
    assert proposed_to("870422", seeks_parts=True) == {8, 9}
    found = candidates(WORLD, buyers(buyer(100, ["8704"], seeks_parts=True)))
    assert found[(9, 100)][:2] == (RELATED, 0.6)
    assert found[(8, 100)][:2] == (2, 0.85)  # the vehicles themselves rank above their parts
    # A chapter or section buyer already has the parts under its code: nothing related is added.
    assert proposed_to("87", seeks_parts=True) == {8, 9}
    assert proposed_to("8413", seeks_parts=True) == {1, 2}  # 8413 has no related heading


def test_the_related_headings_table_is_shipped_as_data():
    related = default_related_headings()
    assert all(related[h] == ("8708",) for h in ("8701", "8702", "8703", "8704", "8705"))
    assert related["8407"] == related["8408"] == ("8409",)
    assert related["8471"] == ("8473",) and related["8501"] == ("8503",) and related["8537"] == ("8538",)


# --- capacity per matching product -----------------------------------------------------------

# One company, two lines a hundredfold apart: 200,000 mixers and 2,000 hair dryers a year.
HOMA = producer(
    1,
    [],
    products=[("850940", "units", 200_000, 1000), ("851631", "units", 2_000, 50)],
    target_markets={"IQ"},
)
NARGES = producer(2, [], products=[("851631", "units", 40_000, 200)], target_markets={"IQ"})


def test_capacity_counts_only_the_products_that_match_the_buyer():
    b = buyers(
        buyer(100, ["851631"], country="IQ", annual_demand=20_000, demand_unit="units", typical_order=2000),
        buyer(101, ["850940"], country="IQ", annual_demand=10_000, demand_unit="units", typical_order=2000),
        buyer(102, ["85"], country="IQ", annual_demand=300_000, demand_unit="units", typical_order=2000),
    )
    found = candidates(producers(HOMA, NARGES), b)
    assert found[(1, 100)][2] == pytest.approx(0.1)  # 2,000 hair dryers of 20,000, not 202,000
    assert found[(2, 100)][2] == 1.0
    assert found[(1, 101)][2] == 1.0  # the mixers cover the mixer buyer
    assert found[(1, 102)][2] == pytest.approx(202_000 / 300_000)  # a chapter buyer: both lines
    # The hair-dryer buyer's best is the maker whose hair-dryer line covers it.
    result = score_all(producers(HOMA, NARGES), b.take([0]), SECTIONS, EVERYTHING, regions=REGIONS)
    assert result.producer_id.tolist() == [2, 1]
    capacity = explain(result, 1)["capacity"]
    assert (capacity["code"], capacity["capacity"], capacity["demand"]) == ("partial", 2000, 20000)


def test_the_minimum_order_is_the_smallest_among_the_matching_products():
    # The mixers' minimum order (1,000) is above the order of 500; the hair dryers' 50 does not count.
    b = buyers(buyer(100, ["850940"], annual_demand=10_000, demand_unit="units", typical_order=500))
    found = candidates(producers(HOMA), b)
    assert found[(1, 100)][2] == pytest.approx(0.5)


def test_units_convert_per_line_and_a_line_without_capacity_is_neutral():
    p = producers(
        producer(1, ["0402"], products=[("040221", "kg", 3_000_000, math.nan), ("040120", "tonnes", 10, 1)])
    )
    found = candidates(p, buyers(buyer(100, ["0402"], annual_demand=6000, demand_unit="tonnes")))
    assert found[(1, 100)][2] == 0.5  # 3,000 t of milk powder of 6,000 t; the milk not counted
    # A declared code without a product line: capacity unknown, neutral.
    found = candidates(p, buyers(buyer(100, ["04"], annual_demand=6000, demand_unit="units")))
    assert found[(1, 100)][2] == 0.5


def test_score_pairs_and_the_splice_count_the_same_lines():
    b = buyers(
        buyer(100, ["851631"], country="IQ", annual_demand=20_000, demand_unit="units"),
        buyer(101, ["850940"], country="IQ", annual_demand=10_000, demand_unit="units"),
    )
    p = producers(HOMA, NARGES)
    full = score_all(p, b, SECTIONS, EVERYTHING, regions=REGIONS)
    again = score_pairs(p, b, SECTIONS, full.producer_id, full.buyer_id, EVERYTHING, regions=REGIONS)
    assert np.array_equal(full.score, again.score) and np.array_equal(full.capacity, again.capacity)

    # Homa grows its hair-dryer line tenfold: patched in, as prepared from scratch.
    grown = producer(
        1,
        [],
        products=[("850940", "units", 200_000, 1000), ("851631", "units", 20_000, 50)],
        target_markets={"IQ"},
    )
    prepared = prepare_producers(p, SECTIONS, REGIONS)
    patched = replace_producers(prepared, producers(grown))
    fresh = prepare_producers(producers(grown, NARGES), SECTIONS, REGIONS)
    a = score_all(patched, b, SECTIONS, EVERYTHING, regions=REGIONS)
    c = score_all(fresh, b, SECTIONS, EVERYTHING, regions=REGIONS)
    assert a.producer_id.tolist() == c.producer_id.tolist() and np.array_equal(a.score, c.score)
    assert a.capacity[(a.producer_id == 1) & (a.buyer_id == 100)].tolist() == [1.0]
    # Removed: its lines go with it.
    gone = replace_producers(prepared, producers(), removed_ids=[1])
    assert score_all(gone, b, SECTIONS, EVERYTHING, regions=REGIONS).producer_id.tolist() == [2]


# --- export experience -----------------------------------------------------------------------


def test_export_experience_in_the_buyer_country_or_region_counts_as_evidence():
    p = producers(
        producer(1, target_markets={"AF"}),  # Southern Asia: another region than Georgia
        producer(2, target_markets={"AF"}, export_experience={"GE"}),  # has exported to Georgia
        producer(3, target_markets={"AF"}, export_experience={"AM"}),  # to Armenia, Georgia's region
    )
    found = score_candidates(p, buyers(buyer(100, country="GE")), SECTIONS, EVERYTHING, regions=REGIONS)
    assert dict(zip(found.producer_id.tolist(), found.market.tolist(), strict=True)) == {
        1: 0.2,
        2: 1.0,
        3: 0.6,
    }
    result = score_all(p, buyers(buyer(100, country="GE")), SECTIONS, EVERYTHING, regions=REGIONS)
    assert result.producer_id.tolist() == [2, 3, 1]
    assert explain(result, 0)["market"]["code"] == "exported_to"
    assert explain(result, 1)["market"]["code"] == "exported_to_region"
    reference = {
        x.producer_id: x.market
        for x in reference_candidates(p, buyers(buyer(100, country="GE")), SECTIONS, EVERYTHING, REGIONS)
    }
    assert reference == {1: 0.2, 2: 1.0, 3: 0.6}
