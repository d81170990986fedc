"""A producer who does not answer its introductions ranks lower (engine.responsiveness): a
multiplicative penalty on the weighted score, once it had MIN_INTRODUCED introductions;
nothing changes for the others; the explanation says so where it applies."""

import numpy as np
import pytest

from matchmaking.engine import (
    MatchingConfig,
    Responsiveness,
    score_all,
    score_candidates,
    score_one_buyer,
    score_one_producer,
    score_pairs,
    select_reciprocal,
    shortlist,
)
from matchmaking.engine.explanations import explain_many
from matchmaking.engine.responsiveness import MAX_PENALTY, MIN_INTRODUCED, penalty_factors
from tests.engine.builders import REGIONS, SECTIONS, buyer, buyers, producer, producers

LOOSE = MatchingConfig(min_score=0, top_k_per_buyer=50, top_k_per_producer=50)


def _twins():
    """Two producers alike in every way the factors read, and two buyers."""
    same = {"hs": ("841810",), "capacity": {"units": 1000}, "target_markets": {"IQ"}}
    return (
        producers(producer(1, **same), producer(2, **same)),
        buyers(buyer(100, country="IQ", annual_demand=500, demand_unit="units"), buyer(101, country="IQ")),
    )


SILENT = Responsiveness(ids=[2], introduced=[5], unanswered=[5])


def _scores(result) -> dict:
    return {
        (int(p), int(b)): float(s)
        for p, b, s in zip(result.producer_id, result.buyer_id, result.score, strict=True)
    }


def test_penalty_factors():
    factors = penalty_factors(np.array([0, 2, 3, 4, 10]), np.array([0, 2, 3, 1, 0]))
    assert factors.tolist() == pytest.approx([1.0, 1.0, 1.0 - MAX_PENALTY, 1.0 - MAX_PENALTY / 4, 1.0])
    assert MIN_INTRODUCED == 3


def test_a_silent_producer_is_scored_lower_and_ranks_below_its_twin():
    p, b = _twins()
    plain = _scores(score_all(p, b, SECTIONS, LOOSE, regions=REGIONS))
    result = score_all(p, b, SECTIONS, LOOSE, regions=REGIONS, responsiveness=SILENT)
    scores = _scores(result)
    for buyer_id in (100, 101):
        assert scores[(1, buyer_id)] == plain[(1, buyer_id)]
        assert scores[(2, buyer_id)] == pytest.approx(
            round(plain[(2, buyer_id)] * (1 - MAX_PENALTY), 3), abs=1e-3
        )
        first = [int(x) for x, y in zip(result.producer_id, result.buyer_id, strict=True) if y == buyer_id][0]
        assert first == 1
    # The factors themselves do not move: the penalty is on the score only.
    assert np.array_equal(result.sector, score_all(p, b, SECTIONS, LOOSE, regions=REGIONS).sector)


def test_too_few_introductions_or_none_unanswered_change_nothing():
    p, b = _twins()
    plain = _scores(score_all(p, b, SECTIONS, LOOSE, regions=REGIONS))
    for evidence in (
        Responsiveness(ids=[2], introduced=[MIN_INTRODUCED - 1], unanswered=[MIN_INTRODUCED - 1]),
        Responsiveness(ids=[1, 2], introduced=[9, 4], unanswered=[0, 0]),
        Responsiveness(ids=[77], introduced=[5], unanswered=[5]),  # not among these producers
        Responsiveness.empty(),
    ):
        assert _scores(score_all(p, b, SECTIONS, LOOSE, regions=REGIONS, responsiveness=evidence)) == plain


def test_every_entry_point_applies_it_alike():
    p, b = _twins()
    whole = _scores(score_all(p, b, SECTIONS, LOOSE, regions=REGIONS, responsiveness=SILENT))
    kw = {"regions": REGIONS, "responsiveness": SILENT}
    reduced = select_reciprocal(
        [shortlist(p, b.take([0]), SECTIONS, LOOSE, **kw), shortlist(p, b.take([1]), SECTIONS, LOOSE, **kw)],
        LOOSE,
    )
    assert _scores(reduced) == whole
    pairs = score_pairs(p, b, SECTIONS, [1, 2, 2], [100, 100, 101], LOOSE, **kw)
    assert _scores(pairs) == {k: whole[k] for k in [(1, 100), (2, 100), (2, 101)]}
    assert _scores(score_one_buyer(p, b.take([0]), SECTIONS, LOOSE, **kw)) == {
        k: v for k, v in whole.items() if k[1] == 100
    }
    assert _scores(score_one_producer(p.take([1]), b, SECTIONS, LOOSE, **kw)) == {
        k: v for k, v in whole.items() if k[0] == 2
    }
    candidates = score_candidates(p, b, SECTIONS, LOOSE, **kw)
    assert {
        (int(x), int(y)): round(float(s), 3)
        for x, y, s in zip(candidates.producer_id, candidates.buyer_id, candidates.score, strict=True)
    } == whole


def test_it_can_drop_a_pair_below_the_minimum_score():
    p, b = _twins()
    plain = score_all(p, b, SECTIONS, LOOSE, regions=REGIONS)
    threshold = float(plain.score[(plain.producer_id == 2) & (plain.buyer_id == 100)][0])
    strict = MatchingConfig(min_score=threshold)
    kept = score_all(p, b, SECTIONS, strict, regions=REGIONS, responsiveness=SILENT)
    assert (1, 100) in _scores(kept) and (2, 100) not in _scores(kept)


def test_the_explanation_says_so_where_it_applies():
    p, b = _twins()
    result = score_all(p, b, SECTIONS, LOOSE, regions=REGIONS, responsiveness=SILENT)
    explanations = explain_many(result)
    for i, explanation in enumerate(explanations):
        assert explanation == result.explain(i)
        if int(result.producer_id[i]) == 2:
            assert explanation["responsiveness"] == {
                "code": "unanswered",
                "unanswered": 5,
                "introduced": 5,
                "score": 1 - MAX_PENALTY,
            }
        else:
            assert "responsiveness" not in explanation
    assert "responsiveness" not in score_all(p, b, SECTIONS, LOOSE, regions=REGIONS).explain(0)


@pytest.mark.parametrize(
    "fields",
    [
        {"ids": [1, 1], "introduced": [3, 3], "unanswered": [0, 0]},
        {"ids": [1], "introduced": [3], "unanswered": [4]},
        {"ids": [1], "introduced": [-1], "unanswered": [0]},
        {"ids": [1, 2], "introduced": [3], "unanswered": [0]},
    ],
)
def test_bad_inputs_are_refused(fields):
    with pytest.raises(ValueError):
        Responsiveness(**fields)
