"""Hypothesis strategies: small producer and buyer sets drawn from overlapping code and country pools."""

import math

import numpy as np
from hypothesis import strategies as st

from matchmaking.engine import UNITS, BuyerArrays, MatchingConfig, ProducerArrays

CODES = [
    "84", "8418", "841810", "841830", "8450", "845011", "85", "8516", "851660", "87", "8703",
    "870323", "94", "9403", "940360", "39", "3923", "73", "7308", "02", "0201", "020130", "52",
    "5208", "61", "6109", "99", "9901", "XVI", "XI", "8418.10", "8704", "870422", "8408",
]  # fmt: skip
# Product lines (issue 14): codes, some under related headings (8708 for 8704, 8409 for 8408).
PRODUCT_CODES = [
    "841810", "841830", "845011", "851660", "870323", "870422", "870830", "840999", "940360",
    "020130", "8418", "8708",
]  # fmt: skip
COUNTRIES = [
    "IQ",
    "TR",
    "AZ",
    "AM",
    "RU",
    "UA",
    "KZ",
    "UZ",
    "DE",
    "AE",
    "AF",
    "IR",
    "NG",
    "GH",
    "XK",
    "",
    "iq",
]
DEMAND_UNITS = [*UNITS, "", "Tons", "pcs", "boxes"]
CERTIFICATIONS = ["CE", "ISO 9001", "iso  9001", "HALAL", "EAC", "UL"]
QUANTITIES = st.one_of(
    st.sampled_from([math.nan, math.inf, -5.0, 0.0, 1.0, 100.0, 1000.0]),
    st.floats(min_value=0.001, max_value=1e7, allow_nan=False),
)

ids = st.lists(st.integers(min_value=1, max_value=2**45), min_size=0, max_size=7, unique=True)
code_lists = st.lists(st.sampled_from(CODES), min_size=1, max_size=3)
product_lines = st.lists(
    st.tuples(st.sampled_from(PRODUCT_CODES), st.sampled_from([*UNITS, ""]), QUANTITIES, QUANTITIES),
    max_size=3,
)


@st.composite
def producer_arrays(draw, min_size: int = 0) -> ProducerArrays:
    producer_ids = draw(st.lists(st.integers(1, 2**45), min_size=min_size, max_size=7, unique=True))
    n = len(producer_ids)
    units = draw(st.lists(st.sampled_from(UNITS), max_size=3, unique=True))
    moq_units = draw(st.lists(st.sampled_from(UNITS), max_size=2, unique=True))
    return ProducerArrays(
        ids=np.array(producer_ids, dtype=np.int64),
        hs_codes=[draw(code_lists) for _ in range(n)],
        capacity_by_unit={u: np.array([draw(QUANTITIES) for _ in range(n)]) for u in units},
        moq_by_unit={u: np.array([draw(QUANTITIES) for _ in range(n)]) for u in moq_units},
        target_markets=[set(draw(st.lists(st.sampled_from(COUNTRIES), max_size=3))) for _ in range(n)],
        open_to_any_market=np.array([draw(st.booleans()) for _ in range(n)], dtype=bool),
        certifications=[set(draw(st.lists(st.sampled_from(CERTIFICATIONS), max_size=3))) for _ in range(n)],
        products=[draw(product_lines) for _ in range(n)],
        export_experience=[set(draw(st.lists(st.sampled_from(COUNTRIES), max_size=2))) for _ in range(n)],
    )


@st.composite
def buyer_arrays(draw, min_size: int = 0) -> BuyerArrays:
    buyer_ids = draw(st.lists(st.integers(1, 2**45), min_size=min_size, max_size=7, unique=True))
    m = len(buyer_ids)
    return BuyerArrays(
        ids=np.array(buyer_ids, dtype=np.int64),
        hs_codes=[draw(code_lists) for _ in range(m)],
        country=[draw(st.sampled_from(COUNTRIES)) for _ in range(m)],
        annual_demand=np.array([draw(QUANTITIES) for _ in range(m)]),
        demand_unit=[draw(st.sampled_from(DEMAND_UNITS)) for _ in range(m)],
        typical_order=np.array([draw(QUANTITIES) for _ in range(m)]),
        required_certifications=[
            set(draw(st.lists(st.sampled_from(CERTIFICATIONS), max_size=2))) for _ in range(m)
        ],
        seeks_parts=np.array([draw(st.booleans()) for _ in range(m)], dtype=bool),
    )


weights = st.sampled_from([0.0, 0.1, 0.25, 0.4, 1.0, 3.0])


@st.composite
def configs(draw) -> MatchingConfig:
    w = [draw(weights) for _ in range(4)]
    if sum(w) == 0:
        w[0] = 1.0
    return MatchingConfig(
        weight_sector=w[0],
        weight_capacity=w[1],
        weight_market=w[2],
        weight_certifications=w[3],
        min_score=draw(st.sampled_from([0.0, 0.2, 0.35, 0.5, 0.7])),
        top_k_per_buyer=draw(st.integers(1, 4)),
        top_k_per_producer=draw(st.integers(1, 4)),
        min_per_buyer=draw(st.integers(0, 3)),
    )
