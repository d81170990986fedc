"""Whether a producer answers the introductions it is forwarded: evidence the engine ranks by
(docs/design.md, "Matching": what the counsellors taught it).

The Django layer counts per producer the recent introductions that had time to be answered
(`introduced`) and how many of them the producer left unanswered (`unanswered`), and hands
them over as arrays by producer id (`Responsiveness`); producers it leaves out are unknown.

The evidence is a multiplicative penalty on the pair's weighted score, not a fifth factor:

    score × (1 − MAX_PENALTY × unanswered / introduced),   once introduced ≥ MIN_INTRODUCED

Why a penalty: it is about the producer, not about the fit with this buyer, and it is only
known for the few producers who were introduced often enough. As a factor in the weighted
mean it would need a neutral value for everyone else (moving every score) and a weight taken
from the four fit factors (which the config and `fit_matching_weights` keep summing to 1).
As a penalty it leaves every unknown or responsive producer's score exactly as it was, and
costs a producer who never answers at most a fifth of its score: it drops in the ranking and
may fall below the minimum score, but a strong fit is still proposed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Introductions a producer must have had before its answers count, and the largest share of
# a score taken from a producer that answered none of them.
MIN_INTRODUCED = 3
MAX_PENALTY = 0.2


def _counts(values, n: int, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.int64).reshape(-1)
    if array.shape != (n,):
        raise ValueError(f"{name}: expected {n} values, got {array.shape[0]}")
    if (array < 0).any():
        raise ValueError(f"{name}: counts must be >= 0")
    return array


@dataclass(frozen=True, eq=False)
class Responsiveness:
    """Per producer id: introductions that had time to be answered, and how many were not."""

    ids: np.ndarray
    introduced: np.ndarray
    unanswered: np.ndarray

    def __post_init__(self) -> None:
        ids = np.asarray(self.ids, dtype=np.int64).reshape(-1)
        introduced = _counts(self.introduced, len(ids), "introduced")
        unanswered = _counts(self.unanswered, len(ids), "unanswered")
        if (unanswered > introduced).any():
            raise ValueError("unanswered cannot exceed introduced")
        order = np.argsort(ids, kind="stable")
        if len(np.unique(ids)) != len(ids):
            raise ValueError("ids must be unique")
        object.__setattr__(self, "ids", ids[order])
        object.__setattr__(self, "introduced", introduced[order])
        object.__setattr__(self, "unanswered", unanswered[order])

    @classmethod
    def empty(cls) -> Responsiveness:
        return cls(ids=np.zeros(0, dtype=np.int64), introduced=(), unanswered=())

    def aligned(self, producer_ids: np.ndarray) -> AlignedResponsiveness | None:
        """The counts and penalty factors in the order of `producer_ids` (0 and 1.0 where
        unknown); None when no producer there is penalised (scores stay untouched)."""
        producer_ids = np.asarray(producer_ids, dtype=np.int64)
        n = len(producer_ids)
        introduced = np.zeros(n, dtype=np.int64)
        unanswered = np.zeros(n, dtype=np.int64)
        if len(self.ids) and n:
            at = np.minimum(np.searchsorted(self.ids, producer_ids), len(self.ids) - 1)
            found = self.ids[at] == producer_ids
            introduced[found] = self.introduced[at[found]]
            unanswered[found] = self.unanswered[at[found]]
        factor = penalty_factors(introduced, unanswered)
        if not (factor < 1.0).any():
            return None
        return AlignedResponsiveness(introduced=introduced, unanswered=unanswered, factor=factor)


@dataclass(frozen=True, eq=False)
class AlignedResponsiveness:
    """`Responsiveness` by producer position (prepared producers' order)."""

    introduced: np.ndarray
    unanswered: np.ndarray
    factor: np.ndarray  # the score multiplier, in (1 − MAX_PENALTY, 1]

    def entry(self, p: int) -> dict | None:
        """The explanation of producer p's penalty (None when it has none): code
        `unanswered` with {unanswered, introduced, score (the multiplier, 3 decimals)}."""
        factor = float(self.factor[p])
        if factor >= 1.0:
            return None
        return {
            "code": "unanswered",
            "unanswered": int(self.unanswered[p]),
            "introduced": int(self.introduced[p]),
            "score": round(factor, 3),
        }


def penalty_factors(introduced: np.ndarray, unanswered: np.ndarray) -> np.ndarray:
    """1 − MAX_PENALTY × the share left unanswered, for producers introduced at least
    MIN_INTRODUCED times; 1.0 for the others."""
    introduced = np.asarray(introduced, dtype=np.float64)
    share = np.zeros(len(introduced), dtype=np.float64)
    counts = introduced >= MIN_INTRODUCED
    share[counts] = np.asarray(unanswered, dtype=np.float64)[counts] / introduced[counts]
    return 1.0 - MAX_PENALTY * share


def penalised(
    score: np.ndarray, responsiveness: AlignedResponsiveness | None, p_idx: np.ndarray
) -> np.ndarray:
    """`score` (of pairs whose producers are at `p_idx`) times their producers' factor, in place."""
    if responsiveness is not None and len(score):
        score *= responsiveness.factor[p_idx]
    return score
