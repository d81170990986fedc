"""What the engine hands back: scored pairs as arrays, explanations built on demand."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from matchmaking.engine import explanations
from matchmaking.engine.config import MatchingConfig
from matchmaking.engine.prepare import PreparedBuyers


@dataclass(frozen=True, eq=False)
class MatchResult:
    """Scored pairs, one entry per pair in every array.

    score and the four factor scores are rounded to 3 decimals (what is stored);
    sector_level is 0 section, 1 chapter, 2 heading, 3 subheading. The inputs are kept
    by reference (`sources`; `source`, `producer_index`, `buyer_index` locate each pair
    in them) so that `explain` can build a pair's explanation when it is needed.
    """

    producer_id: np.ndarray
    buyer_id: np.ndarray
    score: np.ndarray
    sector: np.ndarray
    capacity: np.ndarray
    market: np.ndarray
    certifications: np.ndarray
    sector_level: np.ndarray
    config: MatchingConfig
    sources: tuple[PreparedBuyers, ...] = field(repr=False)
    source: np.ndarray = field(repr=False)
    producer_index: np.ndarray = field(repr=False)
    buyer_index: np.ndarray = field(repr=False)

    def __len__(self) -> int:
        return len(self.producer_id)

    def take(self, indices) -> MatchResult:
        """The pairs at these positions (an index array or a boolean mask), in that order."""
        idx = np.asarray(indices)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        return MatchResult(
            producer_id=self.producer_id[idx],
            buyer_id=self.buyer_id[idx],
            score=self.score[idx],
            sector=self.sector[idx],
            capacity=self.capacity[idx],
            market=self.market[idx],
            certifications=self.certifications[idx],
            sector_level=self.sector_level[idx],
            config=self.config,
            sources=self.sources,
            source=self.source[idx],
            producer_index=self.producer_index[idx],
            buyer_index=self.buyer_index[idx],
        )

    def explain(self, i: int) -> dict:
        """The structured, language-neutral explanation of pair i (see `explanations.explain`)."""
        return explanations.explain(self, i)

    def explain_many(self, indices=None) -> list[dict]:
        """`[self.explain(i) for i in indices]` (every pair when None), built in one pass that
        works out each producer's and buyer's part once (see `explanations.iter_explanations`)."""
        return explanations.explain_many(self, indices)

    def iter_explanations(self, indices=None) -> Iterator[dict]:
        """`self.explain(i)` for each of these pairs in turn, as `explain_many` builds them."""
        return explanations.iter_explanations(self, indices)

    def without_inputs(self) -> MatchResult:
        """The same pairs without the inputs: small enough to ship from a Celery map task to the
        reduce. It cannot explain; `score_pairs` rebuilds explainable pairs from ids."""
        return MatchResult(
            producer_id=self.producer_id,
            buyer_id=self.buyer_id,
            score=self.score,
            sector=self.sector,
            capacity=self.capacity,
            market=self.market,
            certifications=self.certifications,
            sector_level=self.sector_level,
            config=self.config,
            sources=(),
            source=np.full(len(self), -1, dtype=np.int32),
            producer_index=np.full(len(self), -1, dtype=np.intp),
            buyer_index=np.full(len(self), -1, dtype=np.intp),
        )

    def rows(self) -> Iterator[dict]:
        """One plain dict per pair (ids, scores, explanation), ready for an upsert."""
        for i in range(len(self)):
            yield {
                "producer_id": int(self.producer_id[i]),
                "buyer_id": int(self.buyer_id[i]),
                "score": float(self.score[i]),
                "sector": float(self.sector[i]),
                "capacity": float(self.capacity[i]),
                "market": float(self.market[i]),
                "certifications": float(self.certifications[i]),
                "explanation": self.explain(i),
            }


def empty_result(config: MatchingConfig) -> MatchResult:
    """A result with no pairs."""
    ints = np.zeros(0, dtype=np.int64)
    floats = np.zeros(0, dtype=np.float64)
    return MatchResult(
        producer_id=ints,
        buyer_id=ints,
        score=floats,
        sector=floats,
        capacity=floats,
        market=floats,
        certifications=floats,
        sector_level=np.zeros(0, dtype=np.int8),
        config=config,
        sources=(),
        source=np.zeros(0, dtype=np.int32),
        producer_index=np.zeros(0, dtype=np.intp),
        buyer_index=np.zeros(0, dtype=np.intp),
    )


def concatenate_results(results: list[MatchResult], config: MatchingConfig) -> MatchResult:
    """All pairs of several results in one (their sources merged)."""
    results = [r for r in results if len(r)]
    if not results:
        return empty_result(config)
    sources: list[PreparedBuyers] = []
    position: dict[int, int] = {}
    remapped = []
    for result in results:
        mapping = np.empty(len(result.sources) + 1, dtype=np.int32)
        mapping[-1] = -1  # pairs without inputs stay without
        for j, source in enumerate(result.sources):
            if id(source) not in position:
                position[id(source)] = len(sources)
                sources.append(source)
            mapping[j] = position[id(source)]
        remapped.append(mapping[result.source])

    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(r, name) for r in results])

    return MatchResult(
        producer_id=cat("producer_id"),
        buyer_id=cat("buyer_id"),
        score=cat("score"),
        sector=cat("sector"),
        capacity=cat("capacity"),
        market=cat("market"),
        certifications=cat("certifications"),
        sector_level=cat("sector_level"),
        config=config,
        sources=tuple(sources),
        source=np.concatenate(remapped),
        producer_index=cat("producer_index"),
        buyer_index=cat("buyer_index"),
    )
