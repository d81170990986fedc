"""Vectorised candidate generation and factor scores over arrays of pairs."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from matchmaking.engine.config import (
    CAPACITY_NEUTRAL,
    CHAPTER,
    HEADING,
    MARKET_SCORES,
    RELATED,
    SCORE_SCALE,
    SECTION,
    SECTOR_SCORES,
    SUBHEADING,
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


# A pair's supply: (producer index, buyer index, closest level, free capacity and smallest
# minimum order of its matching lines in the buyer's unit, NaN when unknown).
Supply = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def block_candidates(buyers: PreparedBuyers, start: int, stop: int) -> Supply:
    """Every pair of a buyer in [start, stop) with a producer that has a line under one of the
    buyer's codes (at the buyer's level, or a related heading it asked for).

    One sparse product: (buyer × key) @ (key × line); the lines are ordered by producer, so a
    buyer's entries come grouped by producer. Returns the pairs grouped by buyer.
    """
    product = buyers.keys[start:stop] @ buyers.producers.lines.postings
    product.sort_indices()
    counts = np.diff(product.indptr)
    b_entry = np.repeat(np.arange(start, stop, dtype=np.intp), counts)
    line = product.indices.astype(np.intp, copy=False)
    owner = buyers.producers.lines.owner[line]
    new = np.ones(len(line), dtype=bool)
    if len(line):
        new[1:] = (b_entry[1:] != b_entry[:-1]) | (owner[1:] != owner[:-1])
    return _aggregate(buyers, np.flatnonzero(new), b_entry, line, product.data, owner)


def pair_supply(buyers: PreparedBuyers, p_idx: np.ndarray, b_idx: np.ndarray) -> Supply:
    """`block_candidates`' figures for given pairs (any order), equal value for value; a pair
    with no matching line gets level -1 (not a candidate)."""
    p_idx = np.asarray(p_idx, dtype=np.intp)
    b_idx = np.asarray(b_idx, dtype=np.intp)
    lines = buyers.producers.lines
    first, last = lines.start[p_idx], lines.start[p_idx + 1]
    counts = last - first
    pair = np.repeat(np.arange(len(p_idx), dtype=np.intp), counts)
    offset = np.arange(len(pair), dtype=np.intp) - np.repeat(np.cumsum(counts) - counts, counts)
    line = (np.repeat(first, counts) + offset).astype(np.intp)
    value = np.zeros(len(line), dtype=np.int64)
    if len(line):
        shared = buyers.keys[b_idx[pair]].multiply(lines.by_line[line]).tocsr()
        value = np.asarray(shared.sum(axis=1), dtype=np.int64).reshape(-1)
    matching = value > 0
    pair, line, value = pair[matching], line[matching], value[matching]
    new = np.ones(len(pair), dtype=bool)
    new[1:] = pair[1:] != pair[:-1]
    starts = np.flatnonzero(new)
    _, _, level, capacity, moq = _aggregate(buyers, starts, b_idx[pair], line, value, p_idx[pair])
    out_level = np.full(len(p_idx), -1, dtype=np.int8)
    out_capacity = np.full(len(p_idx), np.nan)
    out_moq = np.full(len(p_idx), np.nan)
    at = pair[starts]
    out_level[at], out_capacity[at], out_moq[at] = level, capacity, moq
    return p_idx, b_idx, out_level, out_capacity, out_moq


def _aggregate(
    buyers: PreparedBuyers,
    starts: np.ndarray,
    b_entry: np.ndarray,
    line: np.ndarray,
    value: np.ndarray,
    owner: np.ndarray,
) -> Supply:
    """Per group of (buyer, line) entries starting at `starts` (one pair each): the closest
    level, the sum of the known capacities and the smallest known minimum order of its lines in
    the buyer's unit; where no line knows them, the producer's company-wide figures."""
    producers = buyers.producers
    if not len(starts):
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty.copy(), np.zeros(0, dtype=np.int8), np.zeros(0), np.zeros(0)
    p_idx = owner[starts].astype(np.intp, copy=False)
    b_idx = b_entry[starts].astype(np.intp, copy=False)
    level = finest_level(np.maximum.reduceat(value, starts))
    flat = buyers.unit_row[b_entry] * len(producers.lines) + line
    capacity = producers.lines.capacity.reshape(-1)[flat]
    moq = producers.lines.moq.reshape(-1)[flat]
    known = ~np.isnan(capacity)
    total = np.add.reduceat(np.where(known, capacity, 0.0), starts)
    total[~np.logical_or.reduceat(known, starts)] = np.nan
    smallest = np.fmin.reduceat(moq, starts)
    company = buyers.capacity_offset[b_idx] + p_idx
    unknown = np.isnan(total)
    if unknown.any():
        total[unknown] = producers.capacity.reshape(-1)[company[unknown]]
    unknown = np.isnan(smallest)
    if unknown.any():
        smallest[unknown] = producers.moq.reshape(-1)[company[unknown]]
    return p_idx, b_idx, level, total, smallest


# Closest level first: a value at or above a weight matches at that weight's level.
_THRESHOLDS = sorted(
    ((LEVEL_WEIGHTS[lv], lv) for lv in (SUBHEADING, HEADING, RELATED, CHAPTER)), reverse=True
)


def finest_level(value: np.ndarray) -> np.ndarray:
    """The closest level encoded in a weighted count of matching keys (see LEVEL_WEIGHTS)."""
    level = np.full(len(value), SECTION, dtype=np.int8)
    done = np.zeros(len(value), dtype=bool)
    for weight, code in _THRESHOLDS:
        hit = ~done & (value >= weight)
        level[hit] = code
        done |= hit
    return level


def pair_factors(
    buyers: PreparedBuyers,
    p_idx: np.ndarray,
    b_idx: np.ndarray,
    level: np.ndarray,
    capacity: np.ndarray,
    moq: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(sector, capacity, market, certifications) for each pair; never NaN. `capacity` and
    `moq` are the pair's matching lines' (from `block_candidates` or `pair_supply`)."""
    sector = _SECTOR_TABLE[level]

    order = buyers.order[b_idx]
    capacity = capacity / buyers.demand[b_idx]  # NaN when either side is unknown
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
    *,
    deadline: np.ndarray | None = None,
) -> np.ndarray:
    """Weighted mean of the factors, in [0, 1], before rounding; with `deadline` (a request
    line's fifth factor, engine.requests), of the five with `config.weight_deadline`."""
    w_sector, w_capacity, w_market, w_certs = config.weights
    total = w_sector * sector
    total += w_capacity * capacity
    total += w_market * market
    total += w_certs * certifications
    weight = w_sector + w_capacity + w_market + w_certs
    if deadline is not None:
        total += config.weight_deadline * deadline
        weight += config.weight_deadline
    if weight != 1.0:  # dividing by 1.0 changes nothing, bit for bit
        total /= weight
    return np.clip(total, 0.0, 1.0, out=total)


def to_milli(score: np.ndarray) -> np.ndarray:
    """Scores as stored, in thousandths (round half to even, like Python's round)."""
    return np.rint(score * SCORE_SCALE).astype(np.int64)
