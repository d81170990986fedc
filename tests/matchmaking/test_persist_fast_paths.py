"""The persistence fast paths write what the plain per-pair code would: the same breakdown text,
character for character, the same milli scores and fingerprints."""

import gc
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaking import persistence
from matchmaking.engine import MatchingConfig, score_all
from matchmaking.loading import Fingerprints
from tests.engine.builders import REGIONS, SECTIONS, buyer, buyers, producer, producers
from tests.engine.strategies import buyer_arrays, configs, producer_arrays

PROPERTY = settings(max_examples=100, deadline=None, database=None)


def plain_json(value) -> str:
    """What a breakdown was always stored as."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": [1.5, "x"], "c": {"d": None, "e": True}},
        {"capacity": 45000, "demand": 0.00001, "moq": 1.5e-7, "order": 1e-4},
        {"small": 5e-324, "big": 1e16, "bigger": 1.5e300, "negative": -0.0, "third": 1 / 3},
        {"nan": math.nan, "inf": math.inf},
        {"huge int": 2**70, 1: "int key"},
        {"text": 'ایران — Iraq \u2028 \x00 \x1f " \\ / \U0001f600', "null": "null", "e-": "e-mark"},
        {"not json": (1, 2)},
        [0.1, 0.85, 1.0, 0.001, 0.0],
    ],
)
def test_dumps_writes_what_json_dumps_writes(value):
    assert persistence._dumps(value) == plain_json(value)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**80), 2**80) | st.floats() | st.text(),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
        max_leaves=20,
    )
)
@PROPERTY
def test_dumps_writes_what_json_dumps_writes_on_random_values(value):
    assert persistence._dumps(value) == plain_json(value)


def test_dumps_refuses_what_json_dumps_refuses():
    with pytest.raises(TypeError):
        persistence._dumps({"score": np.float32(0.5)})
    with pytest.raises(TypeError):
        plain_json({"score": np.float32(0.5)})


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-10, max_value=10), max_size=50))
@PROPERTY
def test_milli_column_is_milli_of_each_value(values):
    halves = [k / 2000 for k in range(-5, 2005, 7)]  # ties, rounded half to even by both
    array = np.array(values + halves, dtype=np.float64)
    assert persistence._milli_column(array) == [persistence._milli(v) for v in array]


def test_milli_column_fails_as_milli_does():
    with pytest.raises(ValueError):
        persistence._milli_column(np.array([0.5, math.nan]))
    with pytest.raises(OverflowError):
        persistence._milli_column(np.array([math.inf]))


def test_milli_texts_are_milli_text():
    column = [0, 1, 999, 1000, 585, 1001, -1]
    assert persistence._milli_texts(column, range(len(column))) == [
        persistence._milli_text(m) for m in column
    ]


@PROPERTY
@given(producer_arrays(), buyer_arrays(), configs(), st.data())
def test_breakdown_texts_are_the_json_of_breakdown_of(p, b, config, data):
    result = score_all(p, b, SECTIONS, config, regions=REGIONS)
    indices = data.draw(st.lists(st.integers(0, max(0, len(result) - 1)), max_size=10)) if len(result) else []
    for chosen in (list(range(len(result))), indices):
        texts = list(persistence._breakdown_texts(result, chosen))
        assert texts == [plain_json(persistence.breakdown_of(result, i)) for i in chosen]
        assert [json.loads(t) for t in texts] == list(persistence.iter_breakdowns(result, chosen))


def test_breakdown_text_with_a_tiny_quantity_is_json_dumps_text():
    result = score_all(
        producers(producer(1, capacity={"tonnes": 0.00005})),
        buyers(buyer(100, annual_demand=0.00002, demand_unit="tonnes")),
        SECTIONS,
        MatchingConfig(min_score=0),
    )
    (text,) = list(persistence._breakdown_texts(result, [0]))
    assert text == plain_json(persistence.breakdown_of(result, 0))
    assert '"capacity":5e-05' in text


@PROPERTY
@given(producer_arrays(), st.data())
def test_aligned_fingerprints_are_the_fingerprints_of_each_id(p, data):
    ids = p.ids.tolist()
    wanted = data.draw(st.lists(st.sampled_from(ids + [-1]), max_size=20))
    assert Fingerprints.of_producers(p).aligned(wanted) == [Fingerprints.of_producers(p)[pk] for pk in wanted]


def test_the_collector_comes_back_as_it_was():
    assert gc.isenabled()
    with persistence._collection_paused():
        assert not gc.isenabled()
        with persistence._collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), persistence._collection_paused():
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with persistence._collection_paused():
            pass
        assert not gc.isenabled()  # left off: it was off before
    finally:
        gc.enable()
