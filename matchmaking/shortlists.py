"""A chunk's shortlist as JSON: what a Celery map task hands to the reduce.

The reduce (`select_reciprocal`) needs only the pair ids and their stored scores: the kept
pairs are scored again with their inputs before they are written. Ids and scores travel as
compressed little-endian arrays in base64, so a chunk of a few hundred thousand pairs is a
few megabytes of JSON rather than tens.
"""

from __future__ import annotations

import base64
import zlib

import numpy as np

from matchmaking import engine
from matchmaking.engine.config import SCORE_SCALE


def _pack(values: np.ndarray, dtype: str) -> str:
    return base64.b64encode(zlib.compress(np.ascontiguousarray(values, dtype=dtype).tobytes(), 1)).decode()


def _unpack(text: str, dtype: str) -> np.ndarray:
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=dtype)


def encode(index: int, buyer_ids, result: engine.MatchResult) -> dict:
    """The JSON payload of chunk `index` (the buyers it covered, its shortlisted pairs)."""
    milli = np.rint(result.score * SCORE_SCALE)
    return {
        "chunk": index,
        "buyers": len(buyer_ids),
        "pairs": len(result),
        "producer_id": _pack(result.producer_id, "<i8"),
        "buyer_id": _pack(result.buyer_id, "<i8"),
        "score_milli": _pack(milli, "<i2"),
        "sector_level": _pack(result.sector_level, "<i1"),
    }


def decode(payload: dict, config: engine.MatchingConfig) -> engine.MatchResult:
    """A shortlist without inputs (it can be selected from, not explained)."""
    producer_id = _unpack(payload["producer_id"], "<i8").astype(np.int64)
    n = len(producer_id)
    zeros = np.zeros(n, dtype=np.float64)
    return engine.MatchResult(
        producer_id=producer_id,
        buyer_id=_unpack(payload["buyer_id"], "<i8").astype(np.int64),
        score=_unpack(payload["score_milli"], "<i2").astype(np.float64) / SCORE_SCALE,
        sector=zeros,
        capacity=zeros,
        market=zeros,
        certifications=zeros,
        sector_level=_unpack(payload["sector_level"], "<i1").astype(np.int8),
        config=config,
        sources=(),
        source=np.full(n, -1, dtype=np.int32),
        producer_index=np.full(n, -1, dtype=np.intp),
        buyer_index=np.full(n, -1, dtype=np.intp),
    )
