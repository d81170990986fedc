"""Threshold, reciprocal top-K, fallbacks and ties; the chunk reduce; one-profile rescoring."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaking.engine import (
    MatchingConfig,
    score_all,
    score_one_buyer,
    score_one_producer,
    score_pairs,
    select_reciprocal,
    shortlist,
)
from matchmaking.engine.reference import reference_score_all
from matchmaking.engine.selection import ProducerTop, block_buyer_top
from tests.engine.builders import REGIONS, SECTIONS, buyer, buyers, producer, producers

# Four identical buyers; producer 1 is everyone's best (1.0), 2 the second (0.815), 3 the third (0.475).
# The buyers seek the subheading, its heading and its chapter (issue 14: a producer is a
# candidate only under a code the buyer seeks, at the buyer's level).
PRODUCERS = producers(
    producer(1, ["841810"], capacity={"units": 1e6}, target_markets={"IQ"}),
    producer(2, ["8418"], target_markets={"IQ"}),
    producer(3, ["84"]),
)
BUYERS = buyers(
    *(
        buyer(b, ["841810", "8418", "84"], country="IQ", annual_demand=100, demand_unit="units")
        for b in (101, 102, 103, 104)
    )
)


def pairs(result) -> set[tuple[int, int]]:
    return set(zip(result.producer_id.tolist(), result.buyer_id.tolist(), strict=True))


def run(config, p=PRODUCERS, b=BUYERS):
    result = score_all(p, b, SECTIONS, config, regions=REGIONS)
    expected = reference_score_all(p, b, SECTIONS, config, REGIONS)
    assert [(x.producer_id, x.buyer_id) for x in expected] == list(
        zip(result.producer_id.tolist(), result.buyer_id.tolist(), strict=True)
    )
    return result


def test_scores_of_the_scenario():
    result = run(MatchingConfig(min_score=0, top_k_per_buyer=3, top_k_per_producer=4))
    assert sorted(set(result.score.tolist())) == [0.475, 0.815, 1.0]


def test_reciprocal_caps_and_the_producer_fallback():
    config = MatchingConfig(min_score=0, top_k_per_buyer=2, top_k_per_producer=2, min_per_buyer=0)
    # Producers 1 and 2 keep the first two buyers (ties by buyer id); buyers 103 and 104 get
    # nothing; producer 3, in nobody's top 2, keeps its best pair.
    assert pairs(run(config)) == {(1, 101), (1, 102), (2, 101), (2, 102), (3, 101)}


def test_a_buyer_left_short_keeps_its_best_anyway():
    config = MatchingConfig(min_score=0, top_k_per_buyer=2, top_k_per_producer=2, min_per_buyer=1)
    assert pairs(run(config)) == {(1, 101), (1, 102), (2, 101), (2, 102), (3, 101), (1, 103), (1, 104)}


def test_min_per_buyer_tops_up_every_buyer():
    config = MatchingConfig(min_score=0, top_k_per_buyer=2, top_k_per_producer=2, min_per_buyer=3)
    assert pairs(run(config)) == {(p, b) for p in (1, 2, 3) for b in (101, 102, 103, 104)}


def test_pairs_below_the_threshold_are_dropped_and_not_rescued():
    config = MatchingConfig(min_score=0.5, top_k_per_buyer=2, top_k_per_producer=2, min_per_buyer=3)
    result = run(config)
    assert 3 not in result.producer_id
    assert (result.score >= 0.5).all()


def test_the_threshold_compares_the_stored_score():
    # 0.4 * 0.2 + 0.25 * 0.5 + 0.25 * 0.2 + 0.1 * 1 = 0.355 (a buyer who chose section XVI)
    p = producers(producer(1, ["84"]))
    b = buyers(buyer(100, ["XVI"], country="DE"))
    assert len(run(MatchingConfig(min_score=0.355), p, b)) == 1
    assert len(run(MatchingConfig(min_score=0.356), p, b)) == 0


def test_ties_go_to_the_smaller_id_even_for_huge_ids():
    ids = [2**40 + 5, 7, 2**40 + 1, 9_000_000_000]
    p = producers(*(producer(i, ["841810"]) for i in ids))
    b = buyers(buyer(1, ["841810"]))
    result = run(MatchingConfig(min_score=0, top_k_per_buyer=2, top_k_per_producer=5, min_per_buyer=0), p, b)
    kept = result.producer_id.tolist()
    # all four tie; the two smallest ids stay, and the other two come back through the
    # producer fallback (each is left with none): order is by score, then producer id
    assert kept == sorted(ids)


def test_output_is_ordered_by_buyer_then_best_first():
    result = run(MatchingConfig(min_score=0, top_k_per_buyer=3, top_k_per_producer=4))
    keys = list(
        zip(result.buyer_id.tolist(), (-result.score).tolist(), result.producer_id.tolist(), strict=True)
    )
    assert keys == sorted(keys)


def test_empty_inputs():
    empty_b = BUYERS.take([])
    assert len(score_all(PRODUCERS, empty_b, SECTIONS)) == 0
    assert len(score_all(PRODUCERS.take([]), BUYERS, SECTIONS)) == 0
    assert len(select_reciprocal([], MatchingConfig())) == 0


def test_chunks_reduce_to_the_full_sweep():
    config = MatchingConfig(min_score=0, top_k_per_buyer=2, top_k_per_producer=2, min_per_buyer=1)
    chunks = [shortlist(PRODUCERS, BUYERS.take(idx), SECTIONS, config) for idx in ([0, 3], [1], [2])]
    merged = select_reciprocal(chunks, config)
    full = score_all(PRODUCERS, BUYERS, SECTIONS, config)
    assert merged.producer_id.tolist() == full.producer_id.tolist()
    assert merged.buyer_id.tolist() == full.buyer_id.tolist()
    assert merged.score.tolist() == full.score.tolist()
    # and the merged result still explains each pair from its own chunk
    assert [merged.explain(i) for i in range(len(merged))] == [full.explain(i) for i in range(len(full))]


def test_a_chunk_alone_caps_producers_only_within_the_chunk():
    config = MatchingConfig(min_score=0, top_k_per_buyer=2, top_k_per_producer=2, min_per_buyer=0)
    chunk = score_all(PRODUCERS, BUYERS.take([2, 3]), SECTIONS, config)
    assert {(1, 103), (1, 104)} <= pairs(chunk)  # in the full sweep producer 1 is capped at 101, 102


def test_the_reduce_refuses_overlapping_chunks_and_other_configs():
    config = MatchingConfig(min_score=0)
    first = shortlist(PRODUCERS, BUYERS.take([0, 1]), SECTIONS, config)
    second = shortlist(PRODUCERS, BUYERS.take([1, 2]), SECTIONS, config)
    with pytest.raises(ValueError, match="overlap"):
        select_reciprocal([first, second], config)
    with pytest.raises(ValueError, match="config"):
        select_reciprocal([first], MatchingConfig(min_score=0.1))


def test_one_producer_against_all_buyers():
    config = MatchingConfig(min_score=0, top_k_per_producer=3)
    result = score_one_producer(PRODUCERS.take([0]), BUYERS, SECTIONS, config)
    assert result.producer_id.tolist() == [1, 1, 1]
    assert result.buyer_id.tolist() == [101, 102, 103]  # its best three, ties by buyer id
    assert result.score.tolist() == [1.0, 1.0, 1.0]


def test_one_buyer_against_all_producers_matches_its_sweep_without_producer_caps():
    config = MatchingConfig(min_score=0, top_k_per_buyer=2, top_k_per_producer=1000, min_per_buyer=0)
    one = score_one_buyer(PRODUCERS, BUYERS.take([3]), SECTIONS, config)
    full = score_all(PRODUCERS, BUYERS, SECTIONS, config)
    mine = full.take(full.buyer_id == 104)
    assert one.producer_id.tolist() == mine.producer_id.tolist() == [1, 2]
    assert np.array_equal(one.score, mine.score)


def test_one_profile_takes_exactly_one():
    with pytest.raises(ValueError):
        score_one_producer(PRODUCERS, BUYERS, SECTIONS)
    with pytest.raises(ValueError):
        score_one_buyer(PRODUCERS, BUYERS, SECTIONS)


def test_prepared_producers_are_reused_but_not_mixed_up():
    from matchmaking.engine import prepare_producers

    prepared = prepare_producers(PRODUCERS, SECTIONS)
    config = MatchingConfig(min_score=0)
    assert pairs(score_all(prepared, BUYERS, SECTIONS, config)) == pairs(
        score_all(PRODUCERS, BUYERS, SECTIONS, config)
    )
    with pytest.raises(ValueError):
        score_all(prepared, BUYERS, {**SECTIONS, "84": "XV"}, config)


# --- the packed-key building blocks against brute force -----------------------------------

pair_lists = st.lists(
    st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(0, 1000), st.integers(0, 3)),
    max_size=60,
    unique_by=lambda t: (t[0], t[1]),
)


@settings(max_examples=200, deadline=None, database=None)
@given(pair_lists, st.integers(1, 4), st.integers(1, 5))
def test_producer_top_keeps_each_producers_best_whatever_the_blocks(pairs_, k, n_blocks):
    top = ProducerTop(10, k)
    top.merge_above = 0  # merge after every block, so later blocks meet earlier thresholds
    for block in np.array_split(np.arange(len(pairs_)), n_blocks):
        chosen = [pairs_[i] for i in block]
        if chosen:
            p_rank, b_rank, milli, level = (np.array(c, dtype=np.int64) for c in zip(*chosen, strict=True))
            top.add(p_rank, b_rank, milli, level)
    expected = set()
    for p in range(10):
        mine = sorted((t for t in pairs_ if t[0] == p), key=lambda t: (-t[2], t[1]))
        expected.update(mine[:k])
    assert set(zip(*(a.tolist() for a in top.pairs()), strict=True)) == expected


@settings(max_examples=200, deadline=None, database=None)
@given(pair_lists, st.integers(1, 4))
def test_block_buyer_top_keeps_each_buyers_best(pairs_, k):
    if not pairs_:
        return
    row, p_rank, milli, level = (np.array(c, dtype=np.int64) for c in zip(*pairs_, strict=True))
    got = set(zip(*(a.tolist() for a in block_buyer_top(row, p_rank, milli, level, k)), strict=True))
    expected = set()
    for b in range(10):
        mine = sorted((t for t in pairs_ if t[0] == b), key=lambda t: (-t[2], t[1]))
        expected.update(mine[:k])
    assert got == expected


def test_score_pairs_rebuilds_kept_pairs_with_their_explanations():
    config = MatchingConfig(min_score=0, top_k_per_buyer=2, top_k_per_producer=2, min_per_buyer=1)
    full = score_all(PRODUCERS, BUYERS, SECTIONS, config)
    again = score_pairs(PRODUCERS, BUYERS, SECTIONS, full.producer_id, full.buyer_id, config)
    assert again.producer_id.tolist() == full.producer_id.tolist()
    assert again.buyer_id.tolist() == full.buyer_id.tolist()
    assert again.score.tolist() == full.score.tolist()
    assert [again.explain(i) for i in range(len(again))] == [full.explain(i) for i in range(len(full))]


def test_score_pairs_leaves_out_unknown_ids_and_pairs_without_a_shared_sector():
    p = producers(producer(1, ["841810"]), producer(2, ["0201"]))
    b = buyers(buyer(100, ["8418"]))
    result = score_pairs(p, b, SECTIONS, [2, 1, 99, 1], [100, 100, 100, 7])
    assert result.producer_id.tolist() == [1] and result.sector.tolist() == [0.85]
    assert len(score_pairs(p, b, SECTIONS, [], [])) == 0


def test_shortlists_travel_without_their_inputs():
    config = MatchingConfig(min_score=0, top_k_per_buyer=2, top_k_per_producer=2, min_per_buyer=1)
    chunks = [
        shortlist(PRODUCERS, BUYERS.take(idx), SECTIONS, config).without_inputs() for idx in ([0, 1], [2, 3])
    ]
    merged = select_reciprocal(chunks, config)
    full = score_all(PRODUCERS, BUYERS, SECTIONS, config)
    assert merged.producer_id.tolist() == full.producer_id.tolist()
    assert merged.buyer_id.tolist() == full.buyer_id.tolist()
    with pytest.raises(ValueError, match="score_pairs"):
        merged.explain(0)
