"""The input arrays: validation, units, records and chunks."""

import numpy as np
import pytest

from matchmaking.engine import BuyerArrays, ProducerArrays, normalise_unit, score_all
from tests.engine.builders import SECTIONS, buyer, buyers, producer, producers


def producer_arrays(**overrides) -> ProducerArrays:
    fields = {
        "ids": [1, 2],
        "hs_codes": [["84"], ["85"]],
        "capacity_by_unit": {"units": [10.0, np.nan]},
        "moq_by_unit": {},
        "target_markets": [{"IQ"}, set()],
        "open_to_any_market": [False, True],
        "certifications": [set(), {"CE"}],
    }
    return ProducerArrays(**{**fields, **overrides})


def test_arrays_are_coerced():
    p = producer_arrays()
    assert p.ids.dtype == np.int64 and p.open_to_any_market.dtype == bool
    assert p.capacity_by_unit["units"].dtype == np.float64
    assert len(p) == 2


@pytest.mark.parametrize(
    "overrides",
    [
        {"ids": [1, 1]},  # ids must be unique
        {"hs_codes": [["84"]]},  # one entry per producer
        {"capacity_by_unit": {"units": [1.0]}},
        {"capacity_by_unit": {"boxes": [1.0, 2.0]}},  # not a unit of the catalogue
        {"capacity_by_unit": {"kg": [1.0, 2.0], "KG": [1.0, 2.0]}},  # the same unit twice
        {"open_to_any_market": [True]},
        {"certifications": [set()]},
    ],
)
def test_producer_arrays_reject_inconsistent_input(overrides):
    with pytest.raises(ValueError):
        producer_arrays(**overrides)


def test_buyer_arrays_reject_inconsistent_input():
    with pytest.raises(ValueError):
        BuyerArrays(
            ids=[1, 2],
            hs_codes=[["84"], ["85"]],
            country=["IQ"],
            annual_demand=[1.0, 2.0],
            demand_unit=["units", ""],
            typical_order=[np.nan, np.nan],
            required_certifications=[set(), set()],
        )


def test_a_malformed_hs_code_fails_loudly():
    with pytest.raises(ValueError, match="HS code"):
        score_all(producers(producer(1, ["841"])), buyers(buyer(2)), SECTIONS)


@pytest.mark.parametrize(
    ("given", "unit"),
    [
        ("units", "units"),
        (" Tonnes ", "tonnes"),
        ("tons", "tonnes"),
        ("t", "tonnes"),
        ("pcs", "units"),
        ("Litre", "litres"),
        ("m³", "m3"),
        ("sqm", "m2"),
        ("", ""),
        (None, ""),
        ("boxes", ""),
    ],
)
def test_units_are_normalised(given, unit):
    assert normalise_unit(given) == unit


def test_records_and_take():
    p = producers(producer(5, ["84"], capacity={"Tons": 3}), producer(9, ["85"], open_to_any_market=True))
    assert p.capacity_by_unit["tonnes"][0] == 3 and np.isnan(p.capacity_by_unit["tonnes"][1])
    one = p.take([1])
    assert one.ids.tolist() == [9] and one.hs_codes == [["85"]] and one.open_to_any_market.tolist() == [True]
    b = buyers(buyer(1, country="IQ"), buyer(2, country="TR"))
    assert b.take([1]).country == ["TR"]
    with pytest.raises(ValueError):
        producers(producer(1, capacity={"boxes": 3}))
