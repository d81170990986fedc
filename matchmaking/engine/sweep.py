"""Entry points: the sweep (whole or in chunks of buyers) and the rescoring of one profile.

Each takes an optional `responsiveness` (engine.responsiveness: whether producers answer
their introductions), applied to every pair's weighted score before threshold and ranking."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matchmaking.engine.config import SCORE_SCALE, MatchingConfig
from matchmaking.engine.inputs import BuyerArrays, ProducerArrays
from matchmaking.engine.prepare import (
    PreparedBuyers,
    PreparedProducers,
    prepare_buyers,
    prepare_producers,
)
from matchmaking.engine.regions import Regions
from matchmaking.engine.responsiveness import Responsiveness, penalised
from matchmaking.engine.result import MatchResult, concatenate_results, empty_result
from matchmaking.engine.scoring import (
    DEFAULT_BLOCK_PAIRS,
    block_candidates,
    buyer_blocks,
    pair_factors,
    pair_supply,
    to_milli,
    weighted_score,
)
from matchmaking.engine.selection import (
    MAX_BUYERS,
    MAX_PRODUCERS,
    ProducerTop,
    block_buyer_top,
    reciprocal_selection,
)

DEFAULT_CONFIG = MatchingConfig()


def _producers(
    producers: ProducerArrays | PreparedProducers, sections: Mapping[str, str], regions: Regions | None
) -> PreparedProducers:
    if isinstance(producers, PreparedProducers):
        if dict(producers.sections) != dict(sections) or (
            regions is not None and regions is not producers.regions
        ):
            raise ValueError("producers were prepared with other sections or regions")
        return producers
    if len(producers) >= MAX_PRODUCERS:
        raise ValueError(f"at most {MAX_PRODUCERS - 1} producers per sweep")
    return prepare_producers(producers, sections, regions)


def _buyers(
    buyers: BuyerArrays, producers: PreparedProducers, responsiveness: Responsiveness | None = None
) -> PreparedBuyers:
    if len(buyers) >= MAX_BUYERS:
        raise ValueError(f"at most {MAX_BUYERS - 1} buyers per chunk")
    prepared = prepare_buyers(buyers, producers)
    if responsiveness is not None:
        prepared.responsiveness = responsiveness.aligned(producers.arrays.ids)
    return prepared


def _rounded(values: np.ndarray) -> np.ndarray:
    return np.rint(values * SCORE_SCALE) / SCORE_SCALE


def _result(
    buyers: PreparedBuyers, p_idx: np.ndarray, b_idx: np.ndarray, level: np.ndarray, config: MatchingConfig
) -> MatchResult:
    """Score the given pairs again (few of them) and keep the inputs for explanations."""
    p_idx = np.asarray(p_idx, dtype=np.intp)
    b_idx = np.asarray(b_idx, dtype=np.intp)
    level = np.asarray(level, dtype=np.int8)
    _, _, _, supply, moq = pair_supply(buyers, p_idx, b_idx)
    sector, capacity, market, certifications = pair_factors(buyers, p_idx, b_idx, level, supply, moq)
    weighted = weighted_score(config, sector, capacity, market, certifications)
    milli = to_milli(penalised(weighted, buyers.responsiveness, p_idx))
    return MatchResult(
        producer_id=buyers.producers.arrays.ids[p_idx],
        buyer_id=buyers.arrays.ids[b_idx],
        score=milli / SCORE_SCALE,
        sector=_rounded(sector),
        capacity=_rounded(capacity),
        market=_rounded(market),
        certifications=_rounded(certifications),
        sector_level=level,
        config=config,
        sources=(buyers,),
        source=np.zeros(len(p_idx), dtype=np.int32),
        producer_index=p_idx,
        buyer_index=b_idx,
    )


def _scored_blocks(
    buyers: PreparedBuyers, config: MatchingConfig, block_pairs: int
) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per block of buyers: (start, producer index, buyer index, level, milli) of the pairs
    reaching min_score."""
    min_milli = config.min_score_milli
    for start, stop in buyer_blocks(buyers, block_pairs):
        p_idx, b_idx, level, supply, moq = block_candidates(buyers, start, stop)
        weighted = weighted_score(config, *pair_factors(buyers, p_idx, b_idx, level, supply, moq))
        milli = to_milli(penalised(weighted, buyers.responsiveness, p_idx))
        keep = np.flatnonzero(milli >= min_milli)
        if len(keep):
            yield start, p_idx[keep], b_idx[keep], level[keep], milli[keep]


def _shortlisted(
    buyers: PreparedBuyers, config: MatchingConfig, block_pairs: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(producer rank, buyer rank, milli, level) of every pair that is in its buyer's best
    `buyer_shortlist_k` or its producer's best `top_k_per_producer`, ordered by buyer then producer."""
    producers = buyers.producers
    producer_top = ProducerTop(len(producers), config.top_k_per_producer)
    parts = []
    for start, p_idx, b_idx, level, milli in _scored_blocks(buyers, config, block_pairs):
        p_rank = producers.id_rank[p_idx]
        row, top_p_rank, top_milli, top_level = block_buyer_top(
            b_idx - start, p_rank, milli, level, config.buyer_shortlist_k
        )
        parts.append((top_p_rank, buyers.id_rank[row + start], top_milli, top_level))
        producer_top.add(p_rank, buyers.id_rank[b_idx], milli, level)
    parts.append(producer_top.pairs())
    p_rank, b_rank, milli, level = (np.concatenate([part[i] for part in parts]) for i in range(4))
    _, first = np.unique(b_rank * len(producers) + p_rank, return_index=True)
    return p_rank[first], b_rank[first], milli[first], level[first]


def shortlist(
    producers: ProducerArrays | PreparedProducers,
    buyers: BuyerArrays,
    sections: Mapping[str, str],
    config: MatchingConfig = DEFAULT_CONFIG,
    *,
    regions: Regions | None = None,
    block_pairs: int = DEFAULT_BLOCK_PAIRS,
    responsiveness: Responsiveness | None = None,
) -> MatchResult:
    """The map step of a chunked sweep: a chunk of buyers against all producers.

    Keeps every pair reaching min_score that is among its buyer's best
    max(top_k_per_buyer, min_per_buyer) or its producer's best top_k_per_producer within
    the chunk; `select_reciprocal` over the shortlists of chunks that partition the buyers
    gives exactly `score_all` over all buyers.
    """
    prepared = _buyers(buyers, _producers(producers, sections, regions), responsiveness)
    p_rank, b_rank, _, level = _shortlisted(prepared, config, block_pairs)
    return _result(
        prepared, prepared.producers.index_of_rank[p_rank], prepared.index_of_rank[b_rank], level, config
    )


def select_reciprocal(results: Sequence[MatchResult], config: MatchingConfig = DEFAULT_CONFIG) -> MatchResult:
    """The reduce step: reciprocal top-K and the fallbacks over the shortlists of all chunks.

    The chunks must partition the buyers and come from `shortlist` with this config.
    """
    for result in results:
        if result.config != config:
            raise ValueError("a shortlist was made with another config")
    buyer_lists = [np.unique(r.buyer_id) for r in results]
    all_buyers = np.concatenate(buyer_lists) if buyer_lists else np.zeros(0, dtype=np.int64)
    if len(np.unique(all_buyers)) != len(all_buyers):
        raise ValueError("shortlists overlap: the chunks must partition the buyers")
    merged = concatenate_results(list(results), config)
    if not len(merged):
        return merged
    _, p_rank = np.unique(merged.producer_id, return_inverse=True)
    _, b_rank = np.unique(merged.buyer_id, return_inverse=True)
    milli = np.rint(merged.score * SCORE_SCALE).astype(np.int64)
    return merged.take(reciprocal_selection(p_rank, b_rank, milli, config))


def score_all(
    producers: ProducerArrays | PreparedProducers,
    buyers: BuyerArrays,
    sections: Mapping[str, str],
    config: MatchingConfig = DEFAULT_CONFIG,
    *,
    regions: Regions | None = None,
    block_pairs: int = DEFAULT_BLOCK_PAIRS,
    responsiveness: Responsiveness | None = None,
) -> MatchResult:
    """The sweep: every buyer against every producer, reciprocal top-K selection, ordered by
    buyer then best first. On a chunk of buyers the per-producer cap only sees that chunk;
    use `shortlist` + `select_reciprocal` to fan out."""
    prepared = _buyers(buyers, _producers(producers, sections, regions), responsiveness)
    p_rank, b_rank, milli, level = _shortlisted(prepared, config, block_pairs)
    keep = reciprocal_selection(p_rank, b_rank, milli, config)
    return _result(
        prepared,
        prepared.producers.index_of_rank[p_rank[keep]],
        prepared.index_of_rank[b_rank[keep]],
        level[keep],
        config,
    )


def _positions(
    ids: np.ndarray, index_of_rank: np.ndarray, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(position of each wanted id in `ids`, whether it is there at all)."""
    if not len(ids):
        return np.zeros(len(wanted), dtype=np.intp), np.zeros(len(wanted), dtype=bool)
    ordered = ids[index_of_rank]
    at = np.minimum(np.searchsorted(ordered, wanted), len(ordered) - 1)
    return index_of_rank[at], ordered[at] == wanted


def score_pairs(
    producers: ProducerArrays | PreparedProducers,
    buyers: BuyerArrays,
    sections: Mapping[str, str],
    producer_ids,
    buyer_ids,
    config: MatchingConfig = DEFAULT_CONFIG,
    *,
    regions: Regions | None = None,
    responsiveness: Responsiveness | None = None,
) -> MatchResult:
    """Score the given (producer id, buyer id) pairs on current data, in the given order, with
    their inputs (so they can be explained): the write step after a fanned-out reduce.

    Pairs whose ids are not in the inputs, or that are no candidates any more (no product
    under what the buyer seeks), are left out; no threshold or cap is applied.
    """
    prepared = _buyers(buyers, _producers(producers, sections, regions), responsiveness)
    wanted_p = np.asarray(producer_ids, dtype=np.int64).reshape(-1)
    wanted_b = np.asarray(buyer_ids, dtype=np.int64).reshape(-1)
    if wanted_p.shape != wanted_b.shape:
        raise ValueError("producer_ids and buyer_ids must have the same length")
    p_idx, p_found = _positions(prepared.producers.arrays.ids, prepared.producers.index_of_rank, wanted_p)
    b_idx, b_found = _positions(prepared.arrays.ids, prepared.index_of_rank, wanted_b)
    found = np.flatnonzero(p_found & b_found)
    p_idx, b_idx = p_idx[found], b_idx[found]
    _, _, level, _, _ = pair_supply(prepared, p_idx, b_idx)
    candidate = level >= 0
    return _result(prepared, p_idx[candidate], b_idx[candidate], level[candidate], config)


def _one_side_best(
    buyers: PreparedBuyers, config: MatchingConfig, k: int, *, by_producer: bool
) -> MatchResult:
    blocks = list(_scored_blocks(buyers, config, DEFAULT_BLOCK_PAIRS))
    if not blocks:
        return empty_result(config)
    p_idx, b_idx, level, milli = (np.concatenate([block[i] for block in blocks]) for i in range(1, 5))
    counterpart = buyers.id_rank[b_idx] if by_producer else buyers.producers.id_rank[p_idx]
    order = np.argsort(((SCORE_SCALE - milli) << 40) | counterpart)[:k]
    return _result(buyers, p_idx[order], b_idx[order], level[order], config)


def score_one_producer(
    producer: ProducerArrays,
    buyers: BuyerArrays,
    sections: Mapping[str, str],
    config: MatchingConfig = DEFAULT_CONFIG,
    *,
    regions: Regions | None = None,
    responsiveness: Responsiveness | None = None,
) -> MatchResult:
    """Rescore one producer (arrays of length 1) against all buyers: its best
    top_k_per_producer pairs reaching min_score, best first. The buyers' caps need every
    producer; the nightly sweep applies them."""
    if len(producer) != 1:
        raise ValueError("score_one_producer takes exactly one producer")
    prepared = _buyers(buyers, _producers(producer, sections, regions), responsiveness)
    return _one_side_best(prepared, config, config.top_k_per_producer, by_producer=True)


def score_one_buyer(
    producers: ProducerArrays | PreparedProducers,
    buyer: BuyerArrays,
    sections: Mapping[str, str],
    config: MatchingConfig = DEFAULT_CONFIG,
    *,
    regions: Regions | None = None,
    responsiveness: Responsiveness | None = None,
) -> MatchResult:
    """Rescore one buyer (arrays of length 1) against all producers: its best
    max(top_k_per_buyer, min_per_buyer) pairs reaching min_score, best first. The producers'
    caps need every buyer; the nightly sweep applies them."""
    if len(buyer) != 1:
        raise ValueError("score_one_buyer takes exactly one buyer")
    prepared = _buyers(buyer, _producers(producers, sections, regions), responsiveness)
    return _one_side_best(prepared, config, config.buyer_shortlist_k, by_producer=False)


@dataclass(frozen=True, eq=False)
class Candidates:
    """Every candidate pair with unrounded scores, ordered by buyer id then producer id."""

    producer_id: np.ndarray
    buyer_id: np.ndarray
    sector_level: np.ndarray
    sector: np.ndarray
    capacity: np.ndarray
    market: np.ndarray
    certifications: np.ndarray
    score: np.ndarray


def score_candidates(
    producers: ProducerArrays | PreparedProducers,
    buyers: BuyerArrays,
    sections: Mapping[str, str],
    config: MatchingConfig = DEFAULT_CONFIG,
    *,
    regions: Regions | None = None,
    responsiveness: Responsiveness | None = None,
) -> Candidates:
    """All candidate pairs (a product under a code the buyer seeks), before threshold and selection.

    Holds every pair in memory: for tests, diagnostics and small inputs.
    """
    prepared = _buyers(buyers, _producers(producers, sections, regions), responsiveness)
    parts = []
    for start, stop in buyer_blocks(prepared):
        p_idx, b_idx, level, supply, moq = block_candidates(prepared, start, stop)
        factors = pair_factors(prepared, p_idx, b_idx, level, supply, moq)
        score = penalised(weighted_score(config, *factors), prepared.responsiveness, p_idx)
        parts.append((p_idx, b_idx, level, *factors, score))
    columns = [np.concatenate([part[i] for part in parts]) for i in range(8)] if parts else [np.zeros(0)] * 8
    p_idx, b_idx = columns[0].astype(np.intp), columns[1].astype(np.intp)
    producer_id = prepared.producers.arrays.ids[p_idx]
    buyer_id = prepared.arrays.ids[b_idx]
    order = np.lexsort((producer_id, buyer_id))
    return Candidates(
        producer_id=producer_id[order],
        buyer_id=buyer_id[order],
        sector_level=columns[2][order].astype(np.int8),
        sector=columns[3][order],
        capacity=columns[4][order],
        market=columns[5][order],
        certifications=columns[6][order],
        score=columns[7][order],
    )
