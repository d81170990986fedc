"""The batch explanation path (explain_many / iter_explanations) equals explain(result, i), pair by pair."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaking.engine import (
    MatchingConfig,
    explain,
    score_all,
    score_one_buyer,
    score_one_producer,
    score_pairs,
    shortlist,
)
from matchmaking.engine.explanations import explain_many, iter_explanations
from matchmaking.engine.result import concatenate_results
from tests.engine.builders import REGIONS, SECTIONS, buyer, buyers, producer, producers
from tests.engine.strategies import buyer_arrays, configs, producer_arrays

PROPERTY = settings(max_examples=150, deadline=None, database=None)
LOOSE = MatchingConfig(min_score=0, top_k_per_buyer=50, top_k_per_producer=50)


def one_by_one(result, indices) -> list[dict]:
    return [explain(result, i) for i in indices]


def assert_same(result, indices) -> None:
    expected = one_by_one(result, indices)
    got = explain_many(result, indices)
    assert got == expected
    # Key order too: it is what the stored JSON text is made of.
    assert [json.dumps(x) for x in got] == [json.dumps(x) for x in expected]
    assert list(iter_explanations(result, np.asarray(indices, dtype=np.intp))) == expected
    assert result.explain_many(indices) == expected


@PROPERTY
@given(producer_arrays(), buyer_arrays(), configs(), st.data())
def test_explain_many_equals_explain_on_random_inputs(p, b, config, data):
    loose = MatchingConfig(
        weight_sector=config.weight_sector,
        weight_capacity=config.weight_capacity,
        weight_market=config.weight_market,
        weight_certifications=config.weight_certifications,
        min_score=0,
        top_k_per_buyer=50,
        top_k_per_producer=50,
    )
    for cfg in (config, loose):
        result = score_all(p, b, SECTIONS, cfg, regions=REGIONS)
        assert_same(result, range(len(result)))
        assert explain_many(result) == one_by_one(result, range(len(result)))
        if len(result):
            # Any order, repeats, negative positions.
            picks = data.draw(st.lists(st.integers(-len(result), len(result) - 1), max_size=12))
            assert_same(result, picks)


@PROPERTY
@given(producer_arrays(min_size=1), buyer_arrays(min_size=1), configs(), st.data())
def test_explain_many_on_results_with_several_sources(p, b, config, data):
    """Results merged from several runs (a sweep plus pairs scored again, or chunks of buyers),
    some sharing their prepared producers, some not."""
    whole = score_all(p, b, SECTIONS, LOOSE, regions=REGIONS)
    rescored = score_pairs(
        p, b, SECTIONS, whole.producer_id[::-1], whole.buyer_id[::-1], config, regions=REGIONS
    )
    merged = concatenate_results([whole, rescored], config)
    assert_same(merged, range(len(merged)))

    labels = data.draw(st.lists(st.integers(0, 1), min_size=len(b), max_size=len(b)))
    chunks = [np.flatnonzero(np.array(labels, dtype=int) == k) for k in range(2)]
    parts = [shortlist(p, b.take(chunk), SECTIONS, config, regions=REGIONS) for chunk in chunks]
    merged = concatenate_results(parts, config)
    assert_same(merged, range(len(merged)))

    one_p = score_one_producer(p.take([0]), b, SECTIONS, LOOSE, regions=REGIONS)
    one_b = score_one_buyer(p, b.take([0]), SECTIONS, LOOSE, regions=REGIONS)
    assert_same(one_p, range(len(one_p)))
    assert_same(one_b, range(len(one_b)))


def test_explain_many_of_nothing():
    result = score_all(producers(producer(1)), buyers(buyer(100)), SECTIONS, LOOSE)
    assert explain_many(result, []) == []
    assert explain_many(result.take(np.zeros(0, dtype=np.intp))) == []


def test_explain_many_needs_the_inputs_as_explain_does():
    result = score_all(producers(producer(1)), buyers(buyer(100)), SECTIONS, LOOSE).without_inputs()
    with pytest.raises(ValueError, match="without its inputs"):
        explain(result, 0)
    with pytest.raises(ValueError, match="without its inputs"):
        explain_many(result)


def test_explain_many_hands_out_entries_of_their_own():
    """Two pairs of one buyer share nothing mutable: changing one leaves the other as it was."""
    result = score_all(
        producers(producer(1, certifications={"CE"}), producer(2, certifications={"CE"})),
        buyers(buyer(100, required_certifications={"CE", "UL"})),
        SECTIONS,
        LOOSE,
    )
    first, second = explain_many(result)
    first["certifications"]["required"].append("X")
    first["sector"]["weight"] = 1
    assert second == explain(result, 1)
