"""Structured, language-neutral explanations, built on demand for kept pairs only."""

import json

import pytest

import matchmaking.engine.explanations as explain_module
from matchmaking.engine import MatchingConfig, explain, score_all
from tests.engine.builders import NAN, SECTIONS, buyer, buyers, producer, producers

LOOSE = MatchingConfig(min_score=0, top_k_per_buyer=50, top_k_per_producer=50)


def explanation(p, b, config=LOOSE) -> dict:
    result = score_all(producers(p), buyers(b), SECTIONS, config)
    assert len(result) == 1
    return explain(result, 0)


def test_a_full_explanation():
    got = explanation(
        producer(
            1,
            ["841810", "8450"],
            capacity={"units": 45000},
            moq={"units": 100},
            target_markets={"IQ", "TR"},
            certifications={"CE", "ISO 9001"},
        ),
        buyer(
            100,
            ["841810"],
            country="IQ",
            annual_demand=5000,
            demand_unit="units",
            typical_order=500,
            required_certifications={"ce"},
        ),
    )
    assert got == {
        "sector": {
            "code": "same_subheading",
            "hs": "841810",
            "producer_hs": "841810",
            "buyer_hs": "841810",
            "score": 1.0,
        },
        "capacity": {"code": "covers", "unit": "units", "capacity": 45000, "demand": 5000, "score": 1.0},
        "market": {"code": "target_market", "country": "IQ", "score": 1.0},
        "certifications": {"code": "holds", "held": ["ce"], "required": ["ce"], "score": 1.0},
    }


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        # Issue 14: the key is the buyer's code the product lies under (the pairs here were
        # a producer's broad code against a buyer's finer one, no candidates any more).
        (
            ["841830"],
            ["8418"],
            {"code": "same_heading", "hs": "8418", "producer_hs": "841830", "buyer_hs": "8418"},
        ),
        (["845011"], ["84"], {"code": "same_chapter", "hs": "84", "producer_hs": "845011", "buyer_hs": "84"}),
        (
            ["8703", "8418"],
            ["XVI"],
            {"code": "same_section", "section": "XVI", "producer_hs": "8418", "buyer_hs": "XVI"},
        ),
        (
            ["XVI"],
            ["XVI"],
            {"code": "same_section", "section": "XVI", "producer_hs": "XVI", "buyer_hs": "XVI"},
        ),
        (
            ["0201", "8418.10"],
            ["841810", "02"],
            {"code": "same_subheading", "hs": "841810", "producer_hs": "841810", "buyer_hs": "841810"},
        ),
    ],
)
def test_sector_codes(mine, theirs, expected):
    got = explanation(producer(1, mine), buyer(100, theirs))["sector"]
    got.pop("score")
    assert got == expected


@pytest.mark.parametrize(
    ("capacity", "moq", "demand", "unit", "order", "expected"),
    [
        (
            {"units": 2500},
            {},
            5000,
            "units",
            NAN,
            {"code": "partial", "unit": "units", "capacity": 2500, "demand": 5000},
        ),
        (
            {"units": 1.5},
            {},
            3,
            "units",
            NAN,
            {"code": "partial", "unit": "units", "capacity": 1.5, "demand": 3},
        ),
        ({"units": 45000}, {}, 5000, "", NAN, {"code": "unknown", "reason": "no_unit", "demand": 5000}),
        (
            {"units": 45000},
            {},
            NAN,
            "units",
            NAN,
            {"code": "unknown", "reason": "no_demand", "unit": "units", "capacity": 45000},
        ),
        (
            {"sets": 4},
            {},
            5000,
            "units",
            NAN,
            {"code": "unknown", "reason": "no_capacity", "unit": "units", "demand": 5000},
        ),
        (
            {"units": 45000},
            {"units": 1000},
            5000,
            "units",
            500,
            {
                "code": "moq_above_order",
                "unit": "units",
                "capacity": 45000,
                "demand": 5000,
                "moq": 1000,
                "order": 500,
                "base": "covers",
            },
        ),
        (
            {},
            {"kg": 2000},
            NAN,
            "tonnes",
            1,
            {"code": "moq_above_order", "unit": "tonnes", "moq": 2, "order": 1, "base": "unknown"},
        ),
    ],
)
def test_capacity_codes(capacity, moq, demand, unit, order, expected):
    got = explanation(
        producer(1, capacity=capacity, moq=moq),
        buyer(100, annual_demand=demand, demand_unit=unit, typical_order=order),
    )["capacity"]
    got.pop("score")
    assert got == expected


@pytest.mark.parametrize(
    ("targets", "open_any", "country", "expected"),
    [
        (
            {"TR", "AZ"},
            False,
            "IQ",
            {"code": "same_region", "country": "IQ", "region": "Western Asia", "target": "AZ"},
        ),
        ({"DE"}, True, "IQ", {"code": "open_to_all", "country": "IQ"}),
        ({"DE"}, False, "IQ", {"code": "other", "country": "IQ"}),
        (set(), False, "", {"code": "other", "country": ""}),
    ],
)
def test_market_codes(targets, open_any, country, expected):
    got = explanation(
        producer(1, target_markets=targets, open_to_any_market=open_any), buyer(100, country=country)
    )
    got["market"].pop("score")
    assert got["market"] == expected


@pytest.mark.parametrize(
    ("held", "required", "expected"),
    [
        ({"CE"}, set(), {"code": "none_required"}),
        (
            {"CE", "HALAL"},
            {"Halal", "CE"},
            {"code": "holds", "held": ["CE", "Halal"], "required": ["CE", "Halal"]},
        ),
        (
            {"ce"},
            {"CE", "EAC", "ISO  9001"},
            {
                "code": "missing",
                "held": ["CE"],
                "missing": ["EAC", "ISO 9001"],
                "required": ["CE", "EAC", "ISO 9001"],
            },
        ),
    ],
)
def test_certification_codes(held, required, expected):
    got = explanation(producer(1, certifications=held), buyer(100, required_certifications=required))
    got["certifications"].pop("score")
    assert got["certifications"] == expected


def test_explanations_are_plain_json_and_carry_the_factor_scores():
    p = producers(producer(1, ["84"], capacity={"kg": 10.5}), producer(2, ["8418"], target_markets={"IQ"}))
    b = buyers(buyer(100, ["841810"], country="IQ", annual_demand=7, demand_unit="kg"))
    result = score_all(p, b, SECTIONS, LOOSE)
    rows = list(result.rows())
    json.dumps(rows)
    for i, row in enumerate(rows):
        for factor in ("sector", "capacity", "market", "certifications"):
            assert row["explanation"][factor]["score"] == row[factor] == float(getattr(result, factor)[i])


def test_explanations_are_built_only_when_asked(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("explanation built during scoring")

    monkeypatch.setattr(explain_module, "explain_sector", refuse)
    result = score_all(producers(producer(1)), buyers(buyer(100)), SECTIONS, LOOSE)
    assert len(result) == 1
    with pytest.raises(AssertionError, match="during scoring"):
        result.explain(0)


def test_a_related_heading_says_so():
    got = explanation(producer(1, ["870830"]), buyer(100, ["870422"], seeks_parts=True))["sector"]
    assert got == {
        "code": "related_heading",
        "hs": "8708",
        "producer_hs": "870830",
        "buyer_hs": "870422",
        "score": 0.6,
    }


def test_export_experience_in_the_country_or_region_says_so():
    there = explanation(producer(1, export_experience={"IQ"}), buyer(100, country="IQ"))["market"]
    assert there == {"code": "exported_to", "country": "IQ", "score": 1.0}
    near = explanation(producer(1, export_experience={"TR"}), buyer(100, country="IQ"))["market"]
    assert near == {
        "code": "exported_to_region",
        "country": "IQ",
        "region": "Western Asia",
        "exported": "TR",
        "score": 0.6,
    }
