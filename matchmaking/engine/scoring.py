"""Vectorised candidate generation and factor scores over arrays of pairs."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from matchmaking.engine.config import (
    CAPACITY_NEUTRAL,
    MARKET_SCORES,
    SCORE_SCALE,
    SECTOR_SCORES,
    MatchingConfig,
)
from matchmaking.engine.prepare import LEVEL_WEIGHTS, PreparedBuyers

_SECTOR_TABLE = np.array(SECTOR_SCORES, dtype=np.float64)
_MARKET_TABLE = np.array(MARKET_SCORES, dtype=np.float64)

# Candidate pairs scored at once (an upper bound, ~100 bytes each): small blocks reuse warm
# memory instead of faulting in fresh pages, which measured faster than large ones.
DEFAULT_BLOCK_PAIRS = 500_000


def buyer_blocks(buyers: PreparedBuyers, block_pairs: int = DEFAULT_BLOCK_PAIRS) -> Iterator[tuple[int, int]]:
    """Consecutive buyer ranges whose candidate pairs stay under `block_pairs` (one buyer at least)."""
    m = len(buyers)
    estimate = np.cumsum(buyers.candidate_estimate)
    start = 0
    while start < m:
        base = estimate[start - 1] if start else 0
        stop = int(np.searchsorted(estimate, base + block_pairs, side="right"))
        stop = min(max(stop, start + 1), m, start + (1 << 20))
        yield start, stop
        start = stop


def block_candidates(
    buyers: PreparedBuyers, start: int, stop: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of a buyer in [start, stop) with a producer sharing an HS key at any level.

    One sparse product over all levels at once: (buyer × key) @ (key × producer). Returns
    (producer index, buyer index, finest shared level), grouped by buyer.
    """
    product = buyers.keys[start:stop] @ buyers.producers.postings
    counts = np.diff(product.indptr)
    b_idx = np.repeat(np.arange(start, stop, dtype=np.intp), counts)
    p_idx = product.indices.astype(np.intp, copy=False)
    return p_idx, b_idx, finest_level(product.data)


def finest_level(value: np.ndarray) -> np.ndarray:
    """The finest shared level encoded in a weighted count of shared keys (see LEVEL_WEIGHTS)."""
    level = (value >= LEVEL_WEIGHTS[1]).astype(np.int8)
    level += value >= LEVEL_WEIGHTS[2]
    level += value >= LEVEL_WEIGHTS[3]
    return level


def pair_factors(
    buyers: PreparedBuyers, p_idx: np.ndarray, b_idx: np.ndarray, level: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(sector, capacity, market, certifications) for each pair; never NaN."""
    producers = buyers.producers
    sector = _SECTOR_TABLE[level]

    flat = buyers.capacity_offset[b_idx] + p_idx
    capacity = producers.capacity.reshape(-1)[flat]
    moq = producers.moq.reshape(-1)[flat]
    order = buyers.order[b_idx]
    capacity /= buyers.demand[b_idx]  # NaN when either side is unknown
    np.minimum(capacity, 1.0, out=capacity)
    capacity[np.isnan(capacity)] = CAPACITY_NEUTRAL
    above = moq > order  # False whenever either is unknown
    capacity[above] *= order[above] / moq[above]

    market = _MARKET_TABLE[buyers.market_codes.reshape(-1)[buyers.market_offset[b_idx] + p_idx]]

    if buyers.cert_shares is not None:
        certifications = buyers.cert_shares.reshape(-1)[buyers.cert_offset[b_idx] + p_idx]
    else:
        required = buyers.required_count[b_idx]
        held = np.zeros(len(p_idx), dtype=np.int64)
        for word in range(buyers.buyer_cert_words.shape[0]):
            held += np.bitwise_count(
                buyers.producer_cert_words[word, p_idx] & buyers.buyer_cert_words[word, b_idx]
            )
        certifications = np.ones(len(p_idx), dtype=np.float64)
        np.divide(held, required, out=certifications, where=required > 0)
    return sector, capacity, market, certifications


def weighted_score(
    config: MatchingConfig,
    sector: np.ndarray,
    capacity: np.ndarray,
    market: np.ndarray,
    certifications: np.ndarray,
) -> np.ndarray:
    """Weighted mean of the factors, in [0, 1], before rounding."""
    w_sector, w_capacity, w_market, w_certs = config.weights
    total = w_sector * sector
    total += w_capacity * capacity
    total += w_market * market
    total += w_certs * certifications
    weight = w_sector + w_capacity + w_market + w_certs
    if weight != 1.0:  # dividing by 1.0 changes nothing, bit for bit
        total /= weight
    return np.clip(total, 0.0, 1.0, out=total)


def to_milli(score: np.ndarray) -> np.ndarray:
    """Scores as stored, in thousandths (round half to even, like Python's round)."""
    return np.rint(score * SCORE_SCALE).astype(np.int64)
