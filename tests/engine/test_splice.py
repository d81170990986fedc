"""replace_producers: prepared producers patched equal prepared ones, for every use the engine makes."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaking.engine import (
    MatchingConfig,
    ProducerArrays,
    explain_many,
    prepare_producers,
    replace_producers,
    score_all,
    score_candidates,
    score_one_buyer,
    score_pairs,
)
from tests.engine import builders as b
from tests.engine.builders import REGIONS, SECTIONS
from tests.engine.strategies import buyer_arrays, configs, producer_arrays

PROPERTY = settings(max_examples=120, deadline=None, database=None)


def by_id(arrays: ProducerArrays) -> ProducerArrays:
    return arrays.take(np.argsort(arrays.ids, kind="stable"))


def same_arrays(one: ProducerArrays, other: ProducerArrays) -> None:
    assert one.ids.tolist() == other.ids.tolist()
    assert [sorted(c) for c in one.hs_codes] == [sorted(c) for c in other.hs_codes]
    assert [set(m) for m in one.target_markets] == [set(m) for m in other.target_markets]
    assert [set(c) for c in one.certifications] == [set(c) for c in other.certifications]
    assert one.open_to_any_market.tolist() == other.open_to_any_market.tolist()
    # Product lines as text: NaN quantities compare equal that way.
    assert [repr([tuple(line) for line in lines]) for lines in one.products] == [
        repr([tuple(line) for line in lines]) for lines in other.products
    ]
    assert [set(c) for c in one.export_experience] == [set(c) for c in other.export_experience]
    for mine, theirs in (
        (one.capacity_by_unit, other.capacity_by_unit),
        (one.moq_by_unit, other.moq_by_unit),
    ):
        for unit in {*mine, *theirs}:
            left = mine.get(unit, np.full(len(one), math.nan))
            right = theirs.get(unit, np.full(len(other), math.nan))
            np.testing.assert_array_equal(left, right)


def rows(result) -> list[tuple]:
    return b.result_rows(result, with_level=True)


def assert_scores_alike(patched, fresh, buyers, config) -> None:
    assert rows(score_all(patched, buyers, SECTIONS, config)) == rows(
        score_all(fresh, buyers, SECTIONS, config)
    )
    for i in range(len(buyers)):
        one = buyers.take([i])
        left = score_one_buyer(patched, one, SECTIONS, config)
        right = score_one_buyer(fresh, one, SECTIONS, config)
        assert rows(left) == rows(right)
        everything = np.arange(len(left))
        assert explain_many(left, everything) == explain_many(right, everything)
    candidates = [score_candidates(p, buyers, SECTIONS, config) for p in (patched, fresh)]
    for name in ("producer_id", "buyer_id", "sector_level", "score"):
        np.testing.assert_array_equal(getattr(candidates[0], name), getattr(candidates[1], name))
    pairs_p = np.repeat(fresh.arrays.ids, len(buyers))
    pairs_b = np.tile(buyers.ids, len(fresh.arrays))
    assert rows(score_pairs(patched, buyers, SECTIONS, pairs_p, pairs_b, config)) == rows(
        score_pairs(fresh, buyers, SECTIONS, pairs_p, pairs_b, config)
    )


@pytest.mark.usefixtures("certification_path")
@PROPERTY
@given(producer_arrays(), producer_arrays(), buyer_arrays(min_size=1), configs(), st.data())
def test_a_patch_scores_as_preparing_the_result_again(before, incoming, buyers, config, data):
    """Some producers removed, some replaced by new data under the same id, some added."""
    removed = data.draw(
        st.lists(st.sampled_from(before.ids.tolist()), unique=True) if len(before) else st.just([])
    )
    # Part of the incoming producers take over ids of existing ones (an edit).
    reuse = data.draw(
        st.lists(st.sampled_from(before.ids.tolist()), unique=True) if len(before) else st.just([])
    )
    ids = incoming.ids.copy()
    for i, pk in enumerate(reuse[: len(ids)]):
        if pk not in ids:
            ids[i] = pk
    incoming = ProducerArrays(
        ids=ids,
        hs_codes=incoming.hs_codes,
        capacity_by_unit=incoming.capacity_by_unit,
        moq_by_unit=incoming.moq_by_unit,
        target_markets=incoming.target_markets,
        open_to_any_market=incoming.open_to_any_market,
        certifications=incoming.certifications,
        products=incoming.products,
        export_experience=incoming.export_experience,
    )
    removed = [pk for pk in removed if pk not in set(ids.tolist())]

    patched = replace_producers(prepare_producers(before, SECTIONS, REGIONS), incoming, removed)

    stays = np.flatnonzero(~np.isin(before.ids, [*removed, *ids.tolist()]))
    expected = by_id(_concatenated(before.take(stays), incoming))
    same_arrays(patched.arrays, expected)
    assert_scores_alike(patched, prepare_producers(expected, SECTIONS, REGIONS), buyers, config)


def _concatenated(one: ProducerArrays, other: ProducerArrays) -> ProducerArrays:
    units = {*one.capacity_by_unit, *other.capacity_by_unit}
    moq_units = {*one.moq_by_unit, *other.moq_by_unit}

    def joined(mine, theirs, unit):
        return np.concatenate(
            [mine.get(unit, np.full(len(one), math.nan)), theirs.get(unit, np.full(len(other), math.nan))]
        )

    return ProducerArrays(
        ids=np.concatenate([one.ids, other.ids]),
        hs_codes=[*one.hs_codes, *other.hs_codes],
        capacity_by_unit={u: joined(one.capacity_by_unit, other.capacity_by_unit, u) for u in units},
        moq_by_unit={u: joined(one.moq_by_unit, other.moq_by_unit, u) for u in moq_units},
        target_markets=[*one.target_markets, *other.target_markets],
        open_to_any_market=np.concatenate([one.open_to_any_market, other.open_to_any_market]),
        certifications=[*one.certifications, *other.certifications],
        products=[*one.products, *other.products],
        export_experience=[*one.export_experience, *other.export_experience],
    )


def test_patches_chain_and_leave_the_original_untouched():
    first = b.producers(
        b.producer(1, hs=("841810",), capacity={"units": 100}, target_markets={"IQ"}, certifications={"CE"}),
        b.producer(2, hs=("8418",), capacity={"units": 50}, open_to_any_market=True),
        b.producer(3, hs=("9403",), moq={"units": 10}, target_markets={"TR"}),
    )
    buyers = b.buyers(
        b.buyer(100, hs=("841810",), country="IQ", annual_demand=80, demand_unit="units"),
        b.buyer(101, hs=("94",), country="TR", required_certifications={"ISO 9001"}),
    )
    config = MatchingConfig(min_score=0.0)
    original = prepare_producers(first, SECTIONS, REGIONS)
    before = rows(score_all(original, buyers, SECTIONS, config))

    # Producer 1 moves to furniture with a new certification and market; 4 arrives; 2 leaves.
    step = replace_producers(
        original,
        b.producers(
            b.producer(1, hs=("940360",), certifications={"iso  9001"}, target_markets={"XK"}),
            b.producer(4, hs=("841810",), capacity={"tonnes": 3}),
        ),
        removed_ids=[2],
    )
    step = replace_producers(step, b.producers(b.producer(2, hs=("84",), capacity={"units": 5})))
    expected = b.producers(
        b.producer(1, hs=("940360",), certifications={"iso  9001"}, target_markets={"XK"}),
        b.producer(2, hs=("84",), capacity={"units": 5}),
        b.producer(3, hs=("9403",), moq={"units": 10}, target_markets={"TR"}),
        b.producer(4, hs=("841810",), capacity={"tonnes": 3}),
    )
    same_arrays(step.arrays, expected)
    assert_scores_alike(step, prepare_producers(expected, SECTIONS, REGIONS), buyers, config)
    assert rows(score_all(step, buyers, SECTIONS, config)) != before
    assert rows(score_all(original, buyers, SECTIONS, config)) == before
    assert original.arrays.ids.tolist() == [1, 2, 3]


def test_removing_every_producer_leaves_none_to_match():
    prepared = prepare_producers(b.producers(b.producer(1), b.producer(2)), SECTIONS, REGIONS)
    emptied = replace_producers(prepared, b.producers(), removed_ids=[1, 2, 99])
    assert len(emptied) == 0
    assert len(score_all(emptied, b.buyers(b.buyer()), SECTIONS, MatchingConfig(min_score=0.0))) == 0


@pytest.mark.usefixtures("certification_path")
@PROPERTY
@given(producer_arrays(min_size=1), producer_arrays(min_size=1), buyer_arrays(min_size=1), configs())
def test_producers_edited_in_place_score_as_preparing_them_again(before, edits, buyers, config):
    """Only edits of existing producers (the common case): patched in their places."""
    before = by_id(before)
    n = min(len(before), len(edits))
    ids = before.ids[:n]
    edits = ProducerArrays(
        ids=ids,
        hs_codes=edits.hs_codes[:n],
        capacity_by_unit={u: v[:n] for u, v in edits.capacity_by_unit.items()},
        moq_by_unit={u: v[:n] for u, v in edits.moq_by_unit.items()},
        target_markets=edits.target_markets[:n],
        open_to_any_market=edits.open_to_any_market[:n],
        certifications=edits.certifications[:n],
        products=edits.products[:n],
        export_experience=edits.export_experience[:n],
    )
    patched = replace_producers(prepare_producers(before, SECTIONS, REGIONS), edits, removed_ids=ids.tolist())

    expected = by_id(_concatenated(before.take(np.arange(n, len(before))), edits))
    same_arrays(patched.arrays, expected)
    assert_scores_alike(patched, prepare_producers(expected, SECTIONS, REGIONS), buyers, config)
