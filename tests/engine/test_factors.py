"""Each factor of docs/design.md ("Matching"), checked on the engine and on the reference alike."""

import math

import pytest

from matchmaking.engine import MatchingConfig
from tests.engine.builders import IMPLEMENTATIONS, NAN, buyer, buyers, only_pair, producer, producers


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def factors_of(request):
    """factors_of(producer_record, buyer_record) → (level, sector, capacity, market, certs, score) or None."""
    compute = IMPLEMENTATIONS[request.param]

    def run(p, b, config=None):
        return only_pair(compute(producers(p), buyers(b), config))

    return run


# --- sector -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        (["841810"], ["841810"], 1.0),  # same subheading
        (["841810"], ["8418"], 0.85),  # a heading buyer: a product of the heading
        (["8418"], ["8418"], 0.85),  # a 4-digit code has no 6-digit level
        (["845011"], ["84"], 0.5),  # a buyer who chose the whole chapter
        (["84"], ["84"], 0.5),
        (["851660"], ["XVI"], 0.2),  # a buyer who chose the whole section
        (["XVI"], ["XVI"], 0.2),
        (["9901"], ["99"], 0.5),  # chapter 99 belongs to no section, but is a chapter
        (["0201", "841810"], ["8418", "02"], 0.85),  # the closest of all code pairs
        (["8418.10"], ["84181000"], 1.0),  # dots and national tariff lines
    ],
)
def test_sector_takes_the_finest_shared_level(factors_of, mine, theirs, expected):
    """Issue 14: the level is the buyer's own code's that the product lies under."""
    pair = factors_of(producer(hs=mine), buyer(hs=theirs))
    assert pair is not None
    assert pair[1] == expected


@pytest.mark.parametrize(
    ("mine", "theirs"),
    [
        (["84"], ["87"]),
        (["841810"], ["020130"]),
        (["99"], ["97"]),
        (["XVI"], ["XI"]),
        ([], ["84"]),
        (["84"], []),
        # Issue 14: a shared heading, chapter or section above the buyer's own level is not
        # enough (these were candidates at 0.85, 0.85, 0.5, 0.2, 0.2, 0.5 before).
        (["841810"], ["841830"]),
        (["8418"], ["841810"]),
        (["84"], ["845011"]),
        (["84"], ["85"]),
        (["XVI"], ["851660"]),
        (["99"], ["9901"]),
    ],
)
def test_no_overlap_at_any_level_is_no_candidate(factors_of, mine, theirs):
    assert factors_of(producer(hs=mine), buyer(hs=theirs)) is None


# --- capacity ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("capacity", "moq", "demand", "unit", "order", "expected"),
    [
        ({"units": 45000}, {}, 5000, "units", NAN, 1.0),  # covers
        ({"units": 2500}, {}, 5000, "units", NAN, 0.5),  # partial
        ({"units": 0}, {}, 5000, "units", NAN, 0.0),  # fully booked
        ({"units": 45000}, {"units": 1000}, 5000, "units", 500, 0.5),  # MOQ twice the order
        ({"units": 2500}, {"units": 1000}, 5000, "units", 250, 0.125),  # partial, then the MOQ
        ({"units": 45000}, {"units": 100}, 5000, "units", 500, 1.0),  # MOQ below the order
        ({"units": 45000}, {"units": 500}, 5000, "units", 500, 1.0),  # MOQ equal to the order
        ({"tonnes": 20}, {}, 40000, "kg", NAN, 0.5),  # tonnes count towards kg
        ({"kg": 500, "tonnes": 1}, {}, 3, "tonnes", NAN, 0.5),  # and kg towards tonnes, summed
        ({"tonnes": 10}, {"kg": 2000}, 5, "Tons", 1, 0.5),  # the smallest MOQ, converted; unit alias
        ({"m3": 2}, {}, 4000, "litres", NAN, 0.5),
    ],
)
def test_capacity_against_demand_and_minimum_order(factors_of, capacity, moq, demand, unit, order, expected):
    pair = factors_of(
        producer(capacity=capacity, moq=moq),
        buyer(annual_demand=demand, demand_unit=unit, typical_order=order),
    )
    assert pair[2] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("capacity", "moq", "demand", "unit", "order", "expected"),
    [
        ({"units": 45000}, {}, 5000, "", NAN, 0.5),  # buyer gave no unit
        ({"units": 45000}, {}, 5000, "boxes", NAN, 0.5),  # a unit the portal does not know
        ({"units": 45000}, {}, NAN, "units", NAN, 0.5),  # no demand
        ({"units": 45000}, {}, 0, "units", NAN, 0.5),  # a zero demand is no demand
        ({"units": 45000}, {}, -3, "units", NAN, 0.5),
        ({"units": 45000}, {}, math.inf, "units", NAN, 0.5),
        ({"sets": 45000}, {}, 5000, "units", NAN, 0.5),  # no capacity in that unit
        ({"units": NAN}, {}, 5000, "units", NAN, 0.5),
        ({"units": -1}, {}, 5000, "units", NAN, 0.5),  # a negative capacity is unknown
        ({}, {}, NAN, "", NAN, 0.5),  # nothing known at all
        ({"units": 45000}, {"units": NAN}, 5000, "units", 500, 1.0),  # unknown MOQ: no penalty
        ({"units": 45000}, {"units": 1000}, 5000, "units", NAN, 1.0),  # unknown order: no penalty
        ({}, {"units": 1000}, NAN, "units", 250, 0.125),  # neutral, lowered by the MOQ
    ],
)
def test_capacity_unknowns_are_neutral_never_nan(factors_of, capacity, moq, demand, unit, order, expected):
    pair = factors_of(
        producer(capacity=capacity, moq=moq),
        buyer(annual_demand=demand, demand_unit=unit, typical_order=order),
    )
    assert not math.isnan(pair[2])
    assert pair[2] == pytest.approx(expected, abs=1e-12)


# --- market -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("targets", "open_any", "country", "expected"),
    [
        ({"IQ", "TR"}, False, "IQ", 1.0),  # a target market
        ({"iq"}, False, " IQ ", 1.0),  # codes compare case-insensitively
        ({"TR"}, False, "IQ", 0.6),  # Western Asia, like Türkiye
        ({"KZ"}, False, "UZ", 0.6),  # Central Asia
        ({"RU"}, False, "UA", 0.6),  # Eastern Europe
        ({"NG"}, False, "GH", 0.6),  # Western Africa (M49 intermediate region)
        ({"NG"}, False, "KE", 0.2),  # Eastern Africa is another region
        ({"TR"}, True, "IQ", 0.6),  # the best applicable: same region beats open
        ({"DE"}, True, "IQ", 0.5),  # open to any market
        (set(), True, "IQ", 0.5),
        ({"DE"}, False, "IQ", 0.2),  # else
        (set(), False, "IQ", 0.2),
        ({"IR"}, False, "IQ", 0.2),  # Iran is Southern Asia in M49
        ({"AF"}, False, "IR", 0.6),
        ({"TR"}, False, "XK", 0.2),  # a country outside the M49 table
        ({"XK"}, False, "XK", 1.0),
        ({"TR"}, True, "", 0.5),  # buyer country unknown
    ],
)
def test_market(factors_of, targets, open_any, country, expected):
    pair = factors_of(producer(target_markets=targets, open_to_any_market=open_any), buyer(country=country))
    assert pair[3] == expected


# --- certifications ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "required", "expected"),
    [
        (set(), set(), 1.0),  # none required
        ({"CE"}, set(), 1.0),
        ({"CE", "ISO 9001"}, {"CE", "ISO 9001"}, 1.0),
        ({"CE"}, {"CE", "ISO 9001"}, 0.5),
        (set(), {"CE", "ISO 9001"}, 0.0),
        ({"HALAL"}, {"CE", "HALAL", "EAC"}, 1 / 3),
        ({"iso  9001"}, {"ISO 9001"}, 1.0),  # case and spaces do not matter
        ({"CE"}, {"CE", "ce"}, 1.0),  # the same requirement spelled twice counts once
    ],
)
def test_certifications_share_held(factors_of, held, required, expected):
    pair = factors_of(producer(certifications=held), buyer(required_certifications=required))
    assert pair[4] == pytest.approx(expected, abs=1e-12)


# --- the score ---------------------------------------------------------------------------


def test_score_is_the_weighted_mean_of_the_factors(factors_of):
    # same heading 0.85, half the demand 0.5, same region 0.6, one of two certificates 0.5
    pair = factors_of(
        producer(hs=["841810"], capacity={"units": 2500}, target_markets={"TR"}, certifications={"CE"}),
        buyer(
            hs=["8418"],
            country="IQ",
            annual_demand=5000,
            demand_unit="units",
            required_certifications={"CE", "EAC"},
        ),
    )
    assert pair[1:5] == (0.85, 0.5, 0.6, 0.5)
    assert pair[5] == pytest.approx(0.40 * 0.85 + 0.25 * 0.5 + 0.25 * 0.6 + 0.10 * 0.5, abs=1e-12)


def test_weights_are_normalised(factors_of):
    config = MatchingConfig(weight_sector=1, weight_capacity=1, weight_market=1, weight_certifications=1)
    pair = factors_of(producer(hs=["85"]), buyer(hs=["XVI"], country="DE"), config)
    assert pair[5] == pytest.approx((0.2 + 0.5 + 0.2 + 1.0) / 4, abs=1e-12)


def test_a_perfect_pair_scores_one(factors_of):
    pair = factors_of(
        producer(capacity={"units": 10}, target_markets={"IQ"}, certifications={"CE"}),
        buyer(country="IQ", annual_demand=10, demand_unit="units", required_certifications={"CE"}),
    )
    assert pair[5] == 1.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weight_sector": -0.1},
        {"weight_sector": 0, "weight_capacity": 0, "weight_market": 0, "weight_certifications": 0},
        {"weight_market": math.nan},
        {"min_score": 1.5},
        {"top_k_per_buyer": 0},
        {"min_per_buyer": -1},
    ],
)
def test_config_rejects_nonsense(kwargs):
    with pytest.raises(ValueError):
        MatchingConfig(**kwargs)


def test_config_threshold_in_thousandths():
    assert MatchingConfig().min_score_milli == 350
    assert MatchingConfig(min_score=0.0).min_score_milli == 0
    assert MatchingConfig(min_score=0.3501).min_score_milli == 351
    assert MatchingConfig(min_score=1.0).min_score_milli == 1000
