"""Properties over random inputs: bounds, monotonicity, engine == reference, chunks == sweep."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matchmaking.engine.selection as selection_module
from matchmaking.engine import (
    MatchingConfig,
    ProducerArrays,
    score_all,
    score_candidates,
    score_one_buyer,
    score_one_producer,
    score_pairs,
    select_reciprocal,
    shortlist,
)
from matchmaking.engine.reference import reference_candidates, reference_sector_level, reference_select
from tests.engine.builders import REGIONS, SECTIONS, result_rows
from tests.engine.strategies import COUNTRIES, UNITS, buyer_arrays, configs, producer_arrays

PROPERTY = settings(max_examples=150, deadline=None, database=None)


@pytest.mark.usefixtures("certification_path")
@PROPERTY
@given(producer_arrays(), buyer_arrays(), configs())
def test_engine_agrees_with_the_reference(p, b, config):
    engine = score_candidates(p, b, SECTIONS, config, regions=REGIONS)
    reference = reference_candidates(p, b, SECTIONS, config, REGIONS)
    assert list(zip(engine.producer_id.tolist(), engine.buyer_id.tolist(), strict=True)) == sorted(
        ((x.producer_id, x.buyer_id) for x in reference), key=lambda k: (k[1], k[0])
    )
    by_pair = {(x.producer_id, x.buyer_id): x for x in reference}
    for i in range(len(engine.producer_id)):
        x = by_pair[(int(engine.producer_id[i]), int(engine.buyer_id[i]))]
        assert engine.sector_level[i] == x.sector_level
        for name in ("sector", "capacity", "market", "certifications", "score"):
            assert abs(getattr(engine, name)[i] - getattr(x, name)) <= 1e-9, name
    # and after threshold and selection, the same pairs with the same stored scores
    swept = score_all(p, b, SECTIONS, config, regions=REGIONS)
    expected = reference_select(reference, config)
    assert [(r[0], r[1], r[2]) for r in result_rows(swept)] == [
        (x.producer_id, x.buyer_id, x.milli / 1000) for x in expected
    ]


@PROPERTY
@given(producer_arrays(), buyer_arrays(), configs())
def test_scores_lie_in_the_unit_interval_and_are_never_nan(p, b, config):
    c = score_candidates(p, b, SECTIONS, config, regions=REGIONS)
    for values in (c.sector, c.capacity, c.market, c.certifications, c.score):
        assert not np.isnan(values).any()
        assert ((values >= 0) & (values <= 1)).all()
    result = score_all(p, b, SECTIONS, config, regions=REGIONS)
    for row in result_rows(result):
        assert all(0 <= v <= 1 and not math.isnan(v) for v in row[2:])
    assert (result.score >= config.min_score).all()
    for i in range(len(result)):
        assert set(result.explain(i)) == {"sector", "capacity", "market", "certifications"}


@PROPERTY
@given(producer_arrays(), buyer_arrays())
def test_no_sector_overlap_means_no_candidate(p, b):
    c = score_candidates(p, b, SECTIONS, regions=REGIONS)
    candidates = set(zip(c.producer_id.tolist(), c.buyer_id.tolist(), strict=True))
    for i, pid in enumerate(p.ids.tolist()):
        for j, bid in enumerate(b.ids.tolist()):
            codes = [*p.hs_codes[i], *(line[0] for line in p.products[i])]  # declared and products
            overlap = (
                reference_sector_level(codes, b.hs_codes[j], SECTIONS, bool(b.seeks_parts[j])) is not None
            )
            assert ((pid, bid) in candidates) == overlap


@PROPERTY
@given(
    producer_arrays(min_size=1),
    buyer_arrays(min_size=1),
    st.sampled_from(UNITS),
    st.floats(min_value=0, max_value=1e7),
    st.floats(min_value=0, max_value=1e7),
)
def test_more_free_capacity_never_lowers_the_capacity_factor(p, b, unit, base, extra):
    def with_capacity(value: float) -> ProducerArrays:
        capacity = dict(p.capacity_by_unit)
        capacity[unit] = np.full(len(p), value)
        return ProducerArrays(
            ids=p.ids,
            hs_codes=p.hs_codes,
            capacity_by_unit=capacity,
            moq_by_unit=p.moq_by_unit,
            target_markets=p.target_markets,
            open_to_any_market=p.open_to_any_market,
            certifications=p.certifications,
            products=p.products,
            export_experience=p.export_experience,
        )

    before = score_candidates(with_capacity(base), b, SECTIONS, regions=REGIONS)
    after = score_candidates(with_capacity(base + extra), b, SECTIONS, regions=REGIONS)
    assert np.array_equal(before.producer_id, after.producer_id)
    assert (after.capacity >= before.capacity).all()
    assert (after.score >= before.score - 1e-12).all()


@PROPERTY
@given(producer_arrays(min_size=1), buyer_arrays(min_size=1), st.sampled_from(COUNTRIES), st.data())
def test_adding_a_target_market_never_lowers_a_score(p, b, country, data):
    i = data.draw(st.integers(0, len(p) - 1))
    targets = [set(t) for t in p.target_markets]
    targets[i].add(country)
    wider = ProducerArrays(
        ids=p.ids,
        hs_codes=p.hs_codes,
        capacity_by_unit=p.capacity_by_unit,
        moq_by_unit=p.moq_by_unit,
        target_markets=targets,
        open_to_any_market=p.open_to_any_market,
        certifications=p.certifications,
        products=p.products,
        export_experience=p.export_experience,
    )
    before = score_candidates(p, b, SECTIONS, regions=REGIONS)
    after = score_candidates(wider, b, SECTIONS, regions=REGIONS)
    assert np.array_equal(before.producer_id, after.producer_id)
    assert (after.market >= before.market).all()
    assert (after.score >= before.score).all()


@pytest.fixture(params=["merge at the end", "merge every block"])
def producer_top_merging(request, monkeypatch):
    """Exercise the per-producer pruning with thresholds from earlier blocks."""
    if request.param == "merge every block":
        monkeypatch.setattr(selection_module.ProducerTop, "merge_above", 0)


@pytest.mark.usefixtures("producer_top_merging")
@PROPERTY
@given(producer_arrays(), buyer_arrays(), configs(), st.data())
def test_chunked_sweep_then_reduce_equals_the_full_sweep(p, b, config, data):
    full = score_all(p, b, SECTIONS, config, regions=REGIONS)
    labels = data.draw(st.lists(st.integers(0, 2), min_size=len(b), max_size=len(b)))
    block_pairs = data.draw(st.sampled_from([1, 3, 10_000]))
    chunks = [np.flatnonzero(np.array(labels, dtype=int) == k) for k in range(3)]
    parts = [
        shortlist(p, b.take(chunk), SECTIONS, config, regions=REGIONS, block_pairs=block_pairs)
        for chunk in chunks
    ]
    merged = select_reciprocal(parts, config)
    assert result_rows(merged) == result_rows(full)
    shipped = select_reciprocal([part.without_inputs() for part in parts], config)
    assert result_rows(shipped) == result_rows(full)
    rebuilt = score_pairs(p, b, SECTIONS, shipped.producer_id, shipped.buyer_id, config, regions=REGIONS)
    assert result_rows(rebuilt) == result_rows(full)
    assert [merged.explain(i) for i in range(len(merged))] == [full.explain(i) for i in range(len(full))]
    blocked = score_all(p, b, SECTIONS, config, regions=REGIONS, block_pairs=block_pairs)
    assert result_rows(blocked) == result_rows(full)


@PROPERTY
@given(producer_arrays(), buyer_arrays(), configs(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_input_order_or_on_the_run(p, b, config, rng):
    first = score_all(p, b, SECTIONS, config, regions=REGIONS)
    again = score_all(p, b, SECTIONS, config, regions=REGIONS)
    p_order = list(range(len(p)))
    b_order = list(range(len(b)))
    rng.shuffle(p_order)
    rng.shuffle(b_order)
    shuffled = score_all(p.take(p_order), b.take(b_order), SECTIONS, config, regions=REGIONS)
    assert result_rows(first) == result_rows(again) == result_rows(shuffled)
    assert [first.explain(i) for i in range(len(first))] == [
        shuffled.explain(i) for i in range(len(shuffled))
    ]


@PROPERTY
@given(producer_arrays(min_size=1), buyer_arrays(min_size=1), configs(), st.data())
def test_one_profile_rescoring_agrees_with_the_candidates(p, b, config, data):
    reference = [
        x for x in reference_candidates(p, b, SECTIONS, config, REGIONS) if x.milli / 1000 >= config.min_score
    ]

    i = data.draw(st.integers(0, len(p) - 1))
    mine = sorted((x for x in reference if x.producer_id == p.ids[i]), key=lambda x: (-x.milli, x.buyer_id))
    one = score_one_producer(p.take([i]), b, SECTIONS, config, regions=REGIONS)
    assert list(zip(one.buyer_id.tolist(), one.score.tolist(), strict=True)) == [
        (x.buyer_id, x.milli / 1000) for x in mine[: config.top_k_per_producer]
    ]

    j = data.draw(st.integers(0, len(b) - 1))
    theirs = sorted((x for x in reference if x.buyer_id == b.ids[j]), key=lambda x: (-x.milli, x.producer_id))
    one = score_one_buyer(p, b.take([j]), SECTIONS, config, regions=REGIONS)
    k = max(config.top_k_per_buyer, config.min_per_buyer)
    assert list(zip(one.producer_id.tolist(), one.score.tolist(), strict=True)) == [
        (x.producer_id, x.milli / 1000) for x in theirs[:k]
    ]


def test_default_config_is_the_design():
    config = MatchingConfig()
    assert config.weights == (0.40, 0.25, 0.25, 0.10)
    assert (config.min_score, config.top_k_per_buyer, config.top_k_per_producer, config.min_per_buyer) == (
        0.35,
        20,
        50,
        3,
    )
