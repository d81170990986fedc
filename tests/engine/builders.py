"""Small inputs for engine tests, and the factors of every pair from both implementations."""

from __future__ import annotations

import math

from matchmaking.engine import (
    BuyerArrays,
    BuyerRecord,
    MatchingConfig,
    ProducerArrays,
    ProducerRecord,
    default_regions,
    default_sections,
    score_candidates,
)
from matchmaking.engine.reference import reference_candidates

SECTIONS = default_sections()
REGIONS = default_regions()
NAN = math.nan


def producer(id: int = 1, hs=("841810",), **fields) -> ProducerRecord:
    return ProducerRecord(id=id, hs_codes=list(hs), **fields)


def buyer(id: int = 100, hs=("841810",), **fields) -> BuyerRecord:
    return BuyerRecord(id=id, hs_codes=list(hs), **fields)


def producers(*records: ProducerRecord) -> ProducerArrays:
    return ProducerArrays.from_records(list(records))


def buyers(*records: BuyerRecord) -> BuyerArrays:
    return BuyerArrays.from_records(list(records))


def engine_factors(p: ProducerArrays, b: BuyerArrays, config: MatchingConfig | None = None) -> dict:
    """(producer id, buyer id) → (level, sector, capacity, market, certifications, score), vectorised engine."""
    c = score_candidates(p, b, SECTIONS, config or MatchingConfig(), regions=REGIONS)
    return {
        (int(c.producer_id[i]), int(c.buyer_id[i])): (
            int(c.sector_level[i]),
            float(c.sector[i]),
            float(c.capacity[i]),
            float(c.market[i]),
            float(c.certifications[i]),
            float(c.score[i]),
        )
        for i in range(len(c.producer_id))
    }


def reference_factors(p: ProducerArrays, b: BuyerArrays, config: MatchingConfig | None = None) -> dict:
    """The same mapping from the per-pair reference implementation."""
    return {
        (x.producer_id, x.buyer_id): (
            x.sector_level,
            x.sector,
            x.capacity,
            x.market,
            x.certifications,
            x.score,
        )
        for x in reference_candidates(p, b, SECTIONS, config or MatchingConfig(), REGIONS)
    }


IMPLEMENTATIONS = {"engine": engine_factors, "reference": reference_factors}


def only_pair(factors: dict) -> tuple:
    """The factors of the single pair of a one-producer, one-buyer input (None: no candidate)."""
    assert len(factors) <= 1
    return next(iter(factors.values())) if factors else None


RESULT_COLUMNS = ("producer_id", "buyer_id", "score", "sector", "capacity", "market", "certifications")


def result_rows(result, *, with_level: bool = False) -> list[tuple]:
    """An engine result as comparable tuples: the pair, its score and factors (and the sector level)."""
    columns = RESULT_COLUMNS + (("sector_level",) if with_level else ())
    return list(zip(*(getattr(result, name).tolist() for name in columns), strict=True))
