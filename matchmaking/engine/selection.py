"""Per-buyer and per-producer top-K with deterministic ties, on packed int64 sort keys.

Order everywhere: higher stored score first, then the smaller counterpart id. Ranks of
ids (not the ids) go into the keys, so ids of any size sort correctly.
"""

from __future__ import annotations

import numpy as np

from matchmaking.engine.config import SCORE_SCALE, MatchingConfig

_BUCKET_BITS = 10  # 1000 - score in thousandths: 0 is the best
_BUCKET_MASK = (1 << _BUCKET_BITS) - 1


def first_k_per_group(groups: np.ndarray, k: int) -> np.ndarray:
    """Mask of the first k entries of each run of equal values in a sorted array."""
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=bool)
    starts = np.flatnonzero(np.concatenate(([True], groups[1:] != groups[:-1])))
    position = np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))
    return position < k


def _rank_in_group(group: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position of each entry within its group in key order, the key order)."""
    order = np.argsort(key)  # keys are unique: any sort is deterministic
    sorted_group = group[order]
    n = len(order)
    starts = np.flatnonzero(np.concatenate(([True], sorted_group[1:] != sorted_group[:-1])))
    position = np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = position
    return rank, order


# The level code (config: five of them, RELATED included) takes the lowest 3 bits.
_LEVEL_MASK = 7
# Buyer-side keys within a block of buyers: row | bucket | producer rank | level.
_B_ROW_SHIFT, _B_BUCKET_SHIFT, _B_RANK_SHIFT = 43, 33, 3
# Producer-side keys within a chunk: producer rank | bucket | buyer rank | level.
_P_RANK_SHIFT, _P_BUCKET_SHIFT, _P_BUYER_SHIFT = 40, 30, 3
MAX_PRODUCERS = 1 << 23
MAX_BUYERS = 1 << 27


def block_buyer_top(
    row: np.ndarray, p_rank: np.ndarray, milli: np.ndarray, level: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each buyer's k best pairs in a block: (row, producer rank, milli, level)."""
    keys = (
        (row.astype(np.int64) << _B_ROW_SHIFT)
        | ((SCORE_SCALE - milli) << _B_BUCKET_SHIFT)
        | (p_rank << _B_RANK_SHIFT)
        | level.astype(np.int64)
    )
    keys.sort()
    keys = keys[first_k_per_group(keys >> _B_ROW_SHIFT, k)]
    return (
        keys >> _B_ROW_SHIFT,
        (keys >> _B_RANK_SHIFT) & ((1 << (_B_BUCKET_SHIFT - _B_RANK_SHIFT)) - 1),
        SCORE_SCALE - ((keys >> _B_BUCKET_SHIFT) & _BUCKET_MASK),
        keys & _LEVEL_MASK,
    )


class ProducerTop:
    """Each producer's k best pairs seen so far, merged block by block.

    A pair scoring below its producer's k-th best so far is dropped before any sorting;
    the rest waits in a buffer that is merged once it outgrows the kept pairs, so the
    merging costs little more than one sort of what survives.
    """

    merge_above = 1 << 20  # pending keys that trigger a merge (at least)

    def __init__(self, n_producers: int, k: int) -> None:
        self.k = k
        self.n = n_producers
        self.keys = np.zeros(0, dtype=np.int64)
        self.pending: list[np.ndarray] = []
        self.pending_size = 0
        self.worst_bucket = np.full(n_producers, _BUCKET_MASK, dtype=np.int64)

    def add(self, p_rank: np.ndarray, b_rank: np.ndarray, milli: np.ndarray, level: np.ndarray) -> None:
        bucket = SCORE_SCALE - milli
        keep = bucket <= self.worst_bucket[p_rank]
        keys = (
            (p_rank[keep] << _P_RANK_SHIFT)
            | (bucket[keep] << _P_BUCKET_SHIFT)
            | (b_rank[keep] << _P_BUYER_SHIFT)
            | level[keep].astype(np.int64)
        )
        self.pending.append(keys)
        self.pending_size += len(keys)
        if self.pending_size > max(len(self.keys), self.merge_above):
            self._merge()

    def _merge(self) -> None:
        merged = np.sort(np.concatenate((self.keys, *self.pending)))
        self.pending, self.pending_size = [], 0
        self.keys = merged[first_k_per_group(merged >> _P_RANK_SHIFT, self.k)]
        counts = np.bincount(self.keys >> _P_RANK_SHIFT, minlength=self.n)
        full = np.flatnonzero(counts >= self.k)
        last = np.cumsum(counts)[full] - 1
        self.worst_bucket[full] = (self.keys[last] >> _P_BUCKET_SHIFT) & _BUCKET_MASK

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(producer rank, buyer rank, milli, level) of the kept pairs."""
        if self.pending:
            self._merge()
        keys = self.keys
        return (
            keys >> _P_RANK_SHIFT,
            (keys >> _P_BUYER_SHIFT) & ((1 << (_P_BUCKET_SHIFT - _P_BUYER_SHIFT)) - 1),
            SCORE_SCALE - ((keys >> _P_BUCKET_SHIFT) & _BUCKET_MASK),
            keys & _LEVEL_MASK,
        )


def reciprocal_selection(
    p_rank: np.ndarray, b_rank: np.ndarray, milli: np.ndarray, config: MatchingConfig
) -> np.ndarray:
    """Indices of the kept pairs, ordered by buyer, best first.

    Kept: within the buyer's top_k_per_buyer and the producer's top_k_per_producer; then
    a buyer left with fewer than min_per_buyer keeps its best min_per_buyer, and a
    producer left with none keeps its best pair. Input pairs all reach min_score and are
    unique; ranks are dense (0..count-1) and order ids.
    """
    if len(milli) == 0:
        return np.zeros(0, dtype=np.intp)
    bucket = SCORE_SCALE - milli.astype(np.int64)
    p_rank = p_rank.astype(np.int64)
    b_rank = b_rank.astype(np.int64)
    if p_rank.max() >= 1 << 26 or b_rank.max() >= 1 << 26:
        raise ValueError("too many producers or buyers for one selection (limit 2**26 each)")
    rank_b, order_b = _rank_in_group(b_rank, (b_rank << 36) | (bucket << 26) | p_rank)
    rank_p, _ = _rank_in_group(p_rank, (p_rank << 36) | (bucket << 26) | b_rank)
    kept = (rank_b < config.top_k_per_buyer) & (rank_p < config.top_k_per_producer)
    if config.min_per_buyer:
        per_buyer = np.bincount(b_rank[kept], minlength=int(b_rank.max()) + 1)
        kept |= (per_buyer[b_rank] < config.min_per_buyer) & (rank_b < config.min_per_buyer)
    per_producer = np.bincount(p_rank[kept], minlength=int(p_rank.max()) + 1)
    kept |= (per_producer[p_rank] == 0) & (rank_p == 0)
    return order_b[kept[order_b]]
