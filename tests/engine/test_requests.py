"""Buying requests in the engine (engine.requests): products against request lines, by the
same rules as producer–buyer pairs, plus the deadline factor (engine.deadline)."""

import math

import numpy as np
import pytest

from matchmaking.engine import (
    LineArrays,
    LineRecord,
    MatchingConfig,
    OfferArrays,
    OfferRecord,
    Responsiveness,
    score_offer_pairs,
    score_request_lines,
)
from matchmaking.engine.config import DEADLINE_NEUTRAL
from matchmaking.engine.deadline import deadline_entry, deadline_scores
from matchmaking.engine.reference import reference_candidates
from matchmaking.engine.requests import best_per_request
from tests.engine.builders import REGIONS, SECTIONS

NAN = math.nan


def offer(id, producer=None, hs="841370", **fields) -> OfferRecord:
    fields.setdefault("unit", "units")
    fields.setdefault("capacity", 10000)
    fields.setdefault("target_markets", {"IQ"})
    return OfferRecord(id=id, producer_id=producer if producer is not None else id, hs_code=hs, **fields)


def line(id=100, request=1, hs="841370", **fields) -> LineRecord:
    fields.setdefault("quantity", 2000)
    fields.setdefault("unit", "units")
    fields.setdefault("country", "IQ")
    fields.setdefault("days_left", 90)
    return LineRecord(id=id, request_id=request, hs_code=hs, **fields)


def offers(*records) -> OfferArrays:
    return OfferArrays.from_records(list(records))


def lines(*records) -> LineArrays:
    return LineArrays.from_records(list(records))


def kept(o, l_, config=None) -> dict:
    """(producer id, request id) → (line id, product id, score) of the kept pairs."""
    r = score_request_lines(o, l_, SECTIONS, config or MatchingConfig(), regions=REGIONS)
    return {
        (int(r.producer_id[i]), int(r.request_id[i])): (
            int(r.line_id[i]),
            int(r.product_id[i]),
            float(r.score[i]),
        )
        for i in range(len(r))
    }


def pair(o: OfferRecord, l_: LineRecord, config=None):
    """The one pair of this product and line, scored with its inputs (no threshold)."""
    r = score_offer_pairs(
        offers(o), lines(l_), SECTIONS, [o.id], [l_.id], config or MatchingConfig(), regions=REGIONS
    )
    assert len(r) == 1
    return r


# --- Candidates: a product under the line's code, at the line's level -------------------------


def test_a_pumps_line_gets_pumps_not_coolers_compressors_or_lathes():
    found = kept(
        offers(
            offer(1, hs="841370"),  # centrifugal pumps
            offer(2, hs="847960"),  # evaporative coolers (a pump inside, chapter 84)
            offer(3, hs="841480"),  # air compressors
            offer(4, hs="845811"),  # lathes
            offer(5, hs="841391"),  # pump parts: another subheading of the heading
        ),
        lines(line(hs="841370")),
    )
    assert set(found) == {(1, 1)}


def test_a_heading_line_takes_the_heading_and_a_chapter_line_the_chapter():
    o = offers(offer(1, hs="841370"), offer(2, hs="841391"), offer(3, hs="845811"), offer(4, hs="851629"))
    assert set(kept(o, lines(line(hs="8413")))) == {(1, 1), (2, 1)}
    assert set(kept(o, lines(line(hs="84")))) == {(1, 1), (2, 1), (3, 1)}


def test_sector_scores_as_for_a_buyer():
    assert pair(offer(1, hs="841370"), line(hs="841370")).sector[0] == 1.0
    assert pair(offer(1, hs="841370"), line(hs="8413")).sector[0] == 0.85
    assert pair(offer(1, hs="841370"), line(hs="84")).sector[0] == 0.5


def test_a_product_under_no_line_code_is_scored_only_on_request_with_sector_zero():
    r = pair(offer(1, hs="847960"), line(hs="841370"))
    assert r.sector_level[0] == -1 and r.sector[0] == 0.0
    assert r.explain(0)["sector"] == {
        "code": "none",
        "producer_hs": "847960",
        "buyer_hs": "841370",
        "score": 0.0,
    }


# --- The same scoring functions as producer–buyer pairs -------------------------------------


CASES = [
    (offer(1, hs="841370", capacity=300, moq=50), line(quantity=2000)),
    (offer(1, hs="841370", capacity=5000, moq=500), line(quantity=200)),
    (offer(1, hs="841370", capacity=NAN), line()),
    (offer(1, hs="040120", unit="kg", capacity=500000), line(hs="0401", unit="tonnes", quantity=1000)),
    (offer(1, target_markets={"TR"}), line(country="IQ")),
    (offer(1, target_markets=set(), export_experience={"IQ"}), line(country="IQ")),
    (offer(1, target_markets=set(), open_to_any_market=True), line(country="BR")),
    (offer(1, certifications={"ISO 9001"}), line(required_certifications={"iso 9001", "CE"})),
]


@pytest.mark.parametrize(("o", "l_"), CASES)
def test_the_four_factors_are_the_buyer_rules_on_the_product_and_the_line(o, l_):
    """A product is read as a producer with that one product, a line as a buyer seeking its
    code: the reference implementation of producer–buyer pairs gives the same four factors."""
    r = pair(o, l_)
    (reference,) = reference_candidates(
        offers(o).as_producers(), lines(l_).as_buyers(), SECTIONS, MatchingConfig(), REGIONS
    )
    for name in ("sector", "capacity", "market", "certifications"):
        assert getattr(r, name)[0] == round(getattr(reference, name), 3), name


def test_capacity_is_the_product_s_own_against_the_line_s_quantity():
    assert pair(offer(1, capacity=12000), line(quantity=2000)).capacity[0] == 1.0
    assert pair(offer(1, capacity=500), line(quantity=2000)).capacity[0] == 0.25
    # A minimum order above the quantity lowers it.
    assert pair(offer(1, capacity=12000, moq=4000), line(quantity=2000)).capacity[0] == 0.5
    # Unknown (no capacity, another unit): neutral.
    assert pair(offer(1, capacity=NAN), line()).capacity[0] == 0.5
    assert pair(offer(1, unit="kg", capacity=99), line(unit="units")).capacity[0] == 0.5


def test_certifications_count_the_product_s_and_the_producer_s():
    r = pair(
        offer(1, certifications={"CE", "ISO 9001"}), line(required_certifications={"CE", "ISO 9001", "EAC"})
    )
    assert r.certifications[0] == pytest.approx(0.667, abs=1e-3)
    assert r.explain(0)["certifications"]["code"] == "missing"


# --- The deadline factor ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lead", "left", "expected", "code"),
    [
        (30, 90, 1.0, "fits"),
        (90, 90, 1.0, "fits"),
        (0, 0, 1.0, "fits"),
        (120, 60, 0.5, "late"),
        (90, 30, 1 / 3, "late"),
        (30, 0, 0.0, "late"),
        (NAN, 60, DEADLINE_NEUTRAL, "unknown"),
        (30, NAN, DEADLINE_NEUTRAL, "unknown"),
        (NAN, NAN, DEADLINE_NEUTRAL, "unknown"),
        (10, -3, 0.0, "passed"),
        (NAN, -3, 0.0, "passed"),
    ],
)
def test_deadline_factor(lead, left, expected, code):
    assert deadline_scores(np.array([lead]), np.array([left]))[0] == pytest.approx(expected)
    assert deadline_entry(lead, left)["code"] == code


def test_deadline_explanations_carry_their_numbers():
    assert deadline_entry(120, 60) == {"code": "late", "lead_time": 120, "days_left": 60, "late_by": 60}
    assert deadline_entry(30, 90) == {"code": "fits", "lead_time": 30, "days_left": 90}
    assert deadline_entry(NAN, 60) == {"code": "unknown", "reason": "no_lead_time", "days_left": 60}
    assert deadline_entry(30, NAN) == {"code": "unknown", "reason": "no_deadline"}


def test_a_lead_time_beyond_the_deadline_ranks_lower():
    o = offers(offer(1, lead_time=30), offer(2, lead_time=150), offer(3))  # 3: no lead time given
    r = score_request_lines(o, lines(line(days_left=60)), SECTIONS, regions=REGIONS)
    assert r.producer_id.tolist() == [1, 3, 2]
    assert r.deadline.tolist() == [1.0, 0.5, 0.4]


def test_the_score_is_the_weighted_mean_of_the_five_factors():
    config = MatchingConfig(
        weight_sector=0.4,
        weight_capacity=0.2,
        weight_market=0.2,
        weight_certifications=0.1,
        weight_deadline=0.1,
    )
    r = pair(offer(1, capacity=500, lead_time=120), line(quantity=2000, days_left=60), config)
    expected = (0.4 * 1.0 + 0.2 * 0.25 + 0.2 * 1.0 + 0.1 * 1.0 + 0.1 * 0.5) / 1.0
    assert r.score[0] == pytest.approx(round(expected, 3))
    assert r.weights == pytest.approx(
        {"sector": 0.4, "capacity": 0.2, "market": 0.2, "certifications": 0.1, "deadline": 0.1}
    )


def test_weight_deadline_must_be_finite_and_non_negative():
    for bad in (-0.1, math.inf, math.nan):
        with pytest.raises(ValueError, match="weight_deadline"):
            MatchingConfig(weight_deadline=bad)
    assert MatchingConfig(weight_deadline=0).request_weights[-1] == 0


# --- One match per producer and request; the request's best producers ----------------------


def test_one_pair_per_producer_and_request_its_best_line_and_product():
    o = offers(
        offer(1, producer=7, hs="841370", capacity=100),  # too small
        offer(2, producer=7, hs="841370", capacity=9000),  # the producer's best
        offer(3, producer=8, hs="841370", capacity=9000),
    )
    l_ = lines(
        line(100, request=1, hs="8413"), line(101, request=1, hs="841370"), line(102, request=2, hs="841370")
    )
    found = kept(o, l_)
    assert set(found) == {(7, 1), (8, 1), (7, 2), (8, 2)}
    assert found[(7, 1)][:2] == (101, 2)  # the subheading line, the big product
    assert found[(8, 1)][:2] == (101, 3)


def test_each_request_keeps_its_best_k_producers_above_the_threshold():
    config = MatchingConfig(top_k_per_buyer=2)
    o = offers(
        offer(1, capacity=100),
        offer(2, capacity=2000, lead_time=10),
        offer(3, capacity=1000),
        offer(4, target_markets=set()),
    )
    r = score_request_lines(o, lines(line()), SECTIONS, config, regions=REGIONS)
    assert r.producer_id.tolist() == [2, 3]
    strict = MatchingConfig(min_score=0.99)
    assert score_request_lines(o, lines(line()), SECTIONS, strict, regions=REGIONS).producer_id.tolist() == [
        2
    ]


def test_ties_go_to_the_smaller_ids():
    ids = best_per_request(
        producer_id=np.array([5, 5, 4, 4]),
        request_id=np.array([1, 1, 1, 1]),
        line_id=np.array([11, 10, 10, 10]),
        product_id=np.array([1, 2, 4, 3]),
        milli=np.array([800, 800, 800, 800]),
        k=5,
    )
    assert ids.tolist() == [3, 1]  # producer 4 (product 3), then producer 5 (line 10)


def test_an_unanswering_producer_is_penalised_on_each_product():
    o = offers(offer(1, producer=7), offer(2, producer=8))
    penalty = Responsiveness(ids=[7], introduced=[5], unanswered=[5])
    r = score_request_lines(o, lines(line()), SECTIONS, regions=REGIONS, responsiveness=penalty)
    assert r.producer_id.tolist() == [8, 7]
    assert r.explain(1)["responsiveness"]["code"] == "unanswered"


def test_the_explanation_has_the_five_factors_with_their_scores():
    r = pair(offer(1, capacity=500, moq=10, lead_time=100), line(quantity=2000, days_left=60))
    explanation = r.explain(0)
    assert set(explanation) == {"sector", "capacity", "market", "certifications", "deadline"}
    assert explanation["capacity"] == {
        "code": "partial",
        "unit": "units",
        "capacity": 500,
        "demand": 2000,
        "basis": "line",
        "score": 0.25,
    }
    assert explanation["deadline"] == {
        "code": "late",
        "lead_time": 100,
        "days_left": 60,
        "late_by": 40,
        "score": 0.6,
    }


def test_nothing_to_score():
    assert len(score_request_lines(offers(), lines(line()), SECTIONS)) == 0
    assert len(score_request_lines(offers(offer(1)), lines(), SECTIONS)) == 0
    assert len(score_offer_pairs(offers(offer(1)), lines(line()), SECTIONS, [2], [100])) == 0


def test_inputs_are_checked():
    with pytest.raises(ValueError, match="unique"):
        lines(line(100), line(100))
    with pytest.raises(ValueError, match="expected"):
        OfferArrays(
            ids=[1, 2],
            producer_id=[1],
            hs_code=["841370", "841370"],
            unit=["units"] * 2,
            capacity=[1, 2],
            moq=[NAN, NAN],
            lead_time=[NAN, NAN],
            target_markets=[set(), set()],
            open_to_any_market=[False, False],
            certifications=[set(), set()],
            export_experience=[set(), set()],
        )
