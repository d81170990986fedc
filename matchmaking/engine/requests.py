"""Buying requests: products scored against the open lines of buyers' requests.

The same rules as producer–buyer pairs (docs/design.md, "Matching"), by the same functions: each
product is read as a producer with that one product line (its producer's target markets,
export experience and certifications, with the product's own certifications), each request
line as a buyer seeking that one code (its quantity as the demand and as the order the
minimum order is compared with, the request's destination country and required
certifications). So:

- candidates: a product lies under the line's code at the line's own level (a chapter or
  section line is that broad on purpose; a shared chapter alone proposes nothing);
- sector, market and certifications: as for a buyer;
- capacity: the product's free annual capacity against the line's quantity (same unit, or
  converted), lowered where its minimum order is above the quantity; unknown: neutral;
- deadline, a fifth factor (engine.deadline): the product's lead time against the days
  left until the request's deadline, weighted by `config.weight_deadline`.

The score is the weighted mean of the five (times the producer's responsiveness penalty,
as for buyers). One pair is kept per producer and request: its best line and product (ties
to the smaller line id, then product id); per request the best `top_k_per_buyer` producers
reaching `min_score`, best first (no per-producer cap: a request is answered on its own).

Entry points:   score_request_lines(offers, lines, sections, config)   the kept pairs
                score_offer_pairs(offers, lines, sections, product_ids, line_ids, config)
                                 given pairs on current data, no threshold; a product under
                                 none of the line's codes is scored with sector 0 (a
                                 producer's own interest the engine would not propose)
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field

import numpy as np

from matchmaking.engine.config import SCORE_SCALE, MatchingConfig
from matchmaking.engine.deadline import deadline_entry, deadline_scores, sanitised_days
from matchmaking.engine.explanations import (
    _add_responsiveness,
    _capacity_entry,
    explain_certifications,
    explain_market,
    explain_sector,
)
from matchmaking.engine.inputs import BuyerArrays, ProducerArrays, ProductLine, normalise_unit
from matchmaking.engine.prepare import PreparedBuyers, prepare_buyers, prepare_producers
from matchmaking.engine.regions import Regions
from matchmaking.engine.responsiveness import Responsiveness, penalised
from matchmaking.engine.scoring import (
    DEFAULT_BLOCK_PAIRS,
    block_candidates,
    buyer_blocks,
    pair_factors,
    pair_supply,
    to_milli,
    weighted_score,
)
from matchmaking.engine.selection import MAX_BUYERS, MAX_PRODUCERS, first_k_per_group

DEFAULT_CONFIG = MatchingConfig()
REQUEST_FACTORS = ("sector", "capacity", "market", "certifications", "deadline")


def _floats(values, n: int, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if array.shape != (n,):
        raise ValueError(f"{name}: expected {n} values, got {array.shape[0]}")
    return array


def _ints(values, n: int, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.int64).reshape(-1)
    if array.shape != (n,):
        raise ValueError(f"{name}: expected {n} values, got {array.shape[0]}")
    return array


def _check(values: Sequence, n: int, name: str) -> None:
    if len(values) != n:
        raise ValueError(f"{name}: expected {n} entries, got {len(values)}")


@dataclass(frozen=True, eq=False)
class OfferArrays:
    """Listed products, one entry per product in every field (NaN or "" = unknown).

    ids: the products' ids; producer_id: whose; hs_code, unit, capacity (free annual),
    moq, lead_time (days): the product's own; target_markets, open_to_any_market,
    export_experience: its producer's; certifications: its producer's and its own.
    """

    ids: np.ndarray
    producer_id: np.ndarray
    hs_code: Sequence[str]
    unit: Sequence[str]
    capacity: np.ndarray
    moq: np.ndarray
    lead_time: np.ndarray
    target_markets: Sequence[Set[str]]
    open_to_any_market: np.ndarray
    certifications: Sequence[Set[str]]
    export_experience: Sequence[Set[str]]

    def __post_init__(self) -> None:
        ids = np.asarray(self.ids, dtype=np.int64).reshape(-1)
        n = len(ids)
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "producer_id", _ints(self.producer_id, n, "producer_id"))
        for name in ("capacity", "moq"):
            object.__setattr__(self, name, _floats(getattr(self, name), n, name))
        object.__setattr__(self, "lead_time", sanitised_days(_floats(self.lead_time, n, "lead_time")))
        open_any = np.asarray(self.open_to_any_market, dtype=bool).reshape(-1)
        if open_any.shape != (n,):
            raise ValueError(f"open_to_any_market: expected {n} values")
        object.__setattr__(self, "open_to_any_market", open_any)
        for name in ("hs_code", "unit", "target_markets", "certifications", "export_experience"):
            _check(getattr(self, name), n, name)

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, indices) -> OfferArrays:
        idx = np.asarray(indices, dtype=np.intp).reshape(-1)
        return OfferArrays(
            ids=self.ids[idx],
            producer_id=self.producer_id[idx],
            hs_code=[self.hs_code[i] for i in idx],
            unit=[self.unit[i] for i in idx],
            capacity=self.capacity[idx],
            moq=self.moq[idx],
            lead_time=self.lead_time[idx],
            target_markets=[self.target_markets[i] for i in idx],
            open_to_any_market=self.open_to_any_market[idx],
            certifications=[self.certifications[i] for i in idx],
            export_experience=[self.export_experience[i] for i in idx],
        )

    def as_producers(self) -> ProducerArrays:
        """Each product as a producer with that one product line (and no declared codes)."""
        return ProducerArrays(
            ids=self.ids,
            hs_codes=[()] * len(self),
            capacity_by_unit={},
            moq_by_unit={},
            target_markets=self.target_markets,
            open_to_any_market=self.open_to_any_market,
            certifications=self.certifications,
            products=[
                (ProductLine(code, normalise_unit(unit), capacity, moq),)
                for code, unit, capacity, moq in zip(
                    self.hs_code, self.unit, self.capacity.tolist(), self.moq.tolist(), strict=True
                )
            ],
            export_experience=self.export_experience,
        )

    @classmethod
    def from_records(cls, records: Sequence[OfferRecord]) -> OfferArrays:
        return cls(
            ids=np.array([r.id for r in records], dtype=np.int64),
            producer_id=np.array([r.producer_id for r in records], dtype=np.int64),
            hs_code=[r.hs_code for r in records],
            unit=[r.unit for r in records],
            capacity=np.array([r.capacity for r in records], dtype=np.float64),
            moq=np.array([r.moq for r in records], dtype=np.float64),
            lead_time=np.array([r.lead_time for r in records], dtype=np.float64),
            target_markets=[set(r.target_markets) for r in records],
            open_to_any_market=np.array([r.open_to_any_market for r in records], dtype=bool),
            certifications=[set(r.certifications) for r in records],
            export_experience=[set(r.export_experience) for r in records],
        )


@dataclass(frozen=True)
class OfferRecord:
    """One product, for `OfferArrays.from_records`."""

    id: int
    producer_id: int
    hs_code: str
    unit: str = ""
    capacity: float = math.nan
    moq: float = math.nan
    lead_time: float = math.nan
    target_markets: Set[str] = frozenset()
    open_to_any_market: bool = False
    certifications: Set[str] = frozenset()
    export_experience: Set[str] = frozenset()


@dataclass(frozen=True, eq=False)
class LineArrays:
    """Open request lines, one entry per line in every field (NaN or "" = unknown).

    ids: the lines' ids; request_id: whose request; hs_code, quantity, unit: the line's;
    country (the destination), required_certifications, days_left (until the deadline,
    counted by the caller): its request's.
    """

    ids: np.ndarray
    request_id: np.ndarray
    hs_code: Sequence[str]
    quantity: np.ndarray
    unit: Sequence[str]
    country: Sequence[str]
    required_certifications: Sequence[Set[str]]
    days_left: np.ndarray

    def __post_init__(self) -> None:
        ids = np.asarray(self.ids, dtype=np.int64).reshape(-1)
        n = len(ids)
        if len(np.unique(ids)) != n:
            raise ValueError("line ids must be unique")
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "request_id", _ints(self.request_id, n, "request_id"))
        object.__setattr__(self, "quantity", _floats(self.quantity, n, "quantity"))
        object.__setattr__(self, "days_left", sanitised_days(_floats(self.days_left, n, "days_left")))
        for name in ("hs_code", "unit", "country", "required_certifications"):
            _check(getattr(self, name), n, name)

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, indices) -> LineArrays:
        idx = np.asarray(indices, dtype=np.intp).reshape(-1)
        return LineArrays(
            ids=self.ids[idx],
            request_id=self.request_id[idx],
            hs_code=[self.hs_code[i] for i in idx],
            quantity=self.quantity[idx],
            unit=[self.unit[i] for i in idx],
            country=[self.country[i] for i in idx],
            required_certifications=[self.required_certifications[i] for i in idx],
            days_left=self.days_left[idx],
        )

    def as_buyers(self) -> BuyerArrays:
        """Each line as a buyer seeking its one code: the quantity is both the demand the
        capacity is measured against and the order a minimum order is compared with."""
        return BuyerArrays(
            ids=self.ids,
            hs_codes=[(code,) for code in self.hs_code],
            country=self.country,
            annual_demand=self.quantity,
            demand_unit=[normalise_unit(u) for u in self.unit],
            typical_order=self.quantity,
            required_certifications=self.required_certifications,
        )

    @classmethod
    def from_records(cls, records: Sequence[LineRecord]) -> LineArrays:
        return cls(
            ids=np.array([r.id for r in records], dtype=np.int64),
            request_id=np.array([r.request_id for r in records], dtype=np.int64),
            hs_code=[r.hs_code for r in records],
            quantity=np.array([r.quantity for r in records], dtype=np.float64),
            unit=[r.unit for r in records],
            country=[r.country for r in records],
            required_certifications=[set(r.required_certifications) for r in records],
            days_left=np.array([r.days_left for r in records], dtype=np.float64),
        )


@dataclass(frozen=True)
class LineRecord:
    """One request line, for `LineArrays.from_records`."""

    id: int
    request_id: int
    hs_code: str
    quantity: float = math.nan
    unit: str = ""
    country: str = ""
    required_certifications: Set[str] = frozenset()
    days_left: float = math.nan


# --- Preparing and scoring ------------------------------------------------------------------


@dataclass(eq=False)
class Prepared:
    """Offers and lines indexed against each other (the buyers' machinery, engine.prepare)."""

    offers: OfferArrays
    lines: LineArrays
    pairs: PreparedBuyers  # lines as buyers against the offers as producers


def prepare(
    offers: OfferArrays,
    lines: LineArrays,
    sections: Mapping[str, str],
    *,
    regions: Regions | None = None,
    responsiveness: Responsiveness | None = None,
) -> Prepared:
    if len(offers) >= MAX_PRODUCERS:
        raise ValueError(f"at most {MAX_PRODUCERS - 1} products per run")
    if len(lines) >= MAX_BUYERS:
        raise ValueError(f"at most {MAX_BUYERS - 1} request lines per run")
    producers = prepare_producers(offers.as_producers(), sections, regions)
    pairs = prepare_buyers(lines.as_buyers(), producers)
    if responsiveness is not None:
        # Per product position: its producer's penalty.
        pairs.responsiveness = responsiveness.aligned(offers.producer_id)
    return Prepared(offers=offers, lines=lines, pairs=pairs)


def _supply(prepared: Prepared, p_idx: np.ndarray, b_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The product's free capacity and minimum order in the line's unit (NaN unknown): each
    offer is one line of the prepared producers, whether or not it lies under the line's code."""
    pairs = prepared.pairs
    lines = pairs.producers.lines
    line = lines.start[p_idx]
    rows = pairs.unit_row[b_idx]
    return lines.capacity[rows, line], lines.moq[rows, line]


@dataclass
class _Scored:
    """Every factor and the score of some pairs, unrounded."""

    sector: np.ndarray
    capacity: np.ndarray
    market: np.ndarray
    certifications: np.ndarray
    deadline: np.ndarray
    score: np.ndarray


def _score(prepared: Prepared, p_idx, b_idx, level, config: MatchingConfig, supply=None) -> _Scored:
    """The factors of these pairs; a level below 0 (not a candidate) has sector 0."""
    p_idx = np.asarray(p_idx, dtype=np.intp)
    b_idx = np.asarray(b_idx, dtype=np.intp)
    level = np.asarray(level, dtype=np.int8)
    capacity, moq = supply if supply is not None else _supply(prepared, p_idx, b_idx)
    outside = level < 0
    sector, capacity, market, certifications = pair_factors(
        prepared.pairs, p_idx, b_idx, np.where(outside, 0, level).astype(np.int8), capacity, moq
    )
    sector = np.where(outside, 0.0, sector)
    deadline = deadline_scores(prepared.offers.lead_time[p_idx], prepared.lines.days_left[b_idx])
    weighted = weighted_score(config, sector, capacity, market, certifications, deadline=deadline)
    score = penalised(weighted, prepared.pairs.responsiveness, p_idx)
    return _Scored(sector, capacity, market, certifications, deadline, score)


def _rounded(values: np.ndarray) -> np.ndarray:
    return np.rint(values * SCORE_SCALE) / SCORE_SCALE


@dataclass(frozen=True, eq=False)
class RequestResult:
    """Scored (product, line) pairs, one entry per pair in every array; the scores rounded to
    three decimals (what is stored). `sector_level` is -1 for a product under none of the
    line's codes (only `score_offer_pairs` gives such pairs)."""

    producer_id: np.ndarray
    request_id: np.ndarray
    line_id: np.ndarray
    product_id: np.ndarray
    score: np.ndarray
    sector: np.ndarray
    capacity: np.ndarray
    market: np.ndarray
    certifications: np.ndarray
    deadline: np.ndarray
    sector_level: np.ndarray
    config: MatchingConfig
    prepared: Prepared | None = field(repr=False, default=None)
    offer_index: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, dtype=np.intp))
    line_index: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, dtype=np.intp))

    def __len__(self) -> int:
        return len(self.producer_id)

    @property
    def weights(self) -> dict[str, float]:
        """Each factor's share of the score (the five weights, normalised to sum to 1)."""
        weights = self.config.request_weights
        total = sum(weights)
        return {name: weight / total for name, weight in zip(REQUEST_FACTORS, weights, strict=True)}

    def explain(self, i: int) -> dict:
        """The language-neutral explanation of pair i: the four factors of a producer–buyer
        pair (engine.explanations; the capacity entry marked `"basis": "line"`: measured
        against the line's quantity) and `deadline` (engine.deadline)."""
        prepared = self.prepared
        if prepared is None:
            raise ValueError("this result has no inputs to explain it")
        pairs = prepared.pairs
        p, b, level = int(self.offer_index[i]), int(self.line_index[i]), int(self.sector_level[i])
        if level >= 0:
            sector = explain_sector(pairs, p, b, level)
        else:
            sector = {
                "code": "none",
                "producer_hs": prepared.offers.hs_code[p],
                "buyer_hs": prepared.lines.hs_code[b],
            }
        capacity, moq = _supply(prepared, np.array([p]), np.array([b]))
        capacity_entry = _capacity_entry(
            pairs.unit[b], float(capacity[0]), float(moq[0]), float(pairs.demand[b]), float(pairs.order[b])
        )
        capacity_entry["basis"] = "line"
        explanation = {
            "sector": sector,
            "capacity": capacity_entry,
            "market": explain_market(pairs, p, b),
            "certifications": explain_certifications(pairs, p, b),
            "deadline": deadline_entry(
                float(prepared.offers.lead_time[p]), float(prepared.lines.days_left[b])
            ),
        }
        for name in REQUEST_FACTORS:
            explanation[name]["score"] = float(getattr(self, name)[i])
        return _add_responsiveness(explanation, pairs, p)

    def iter_explanations(self, indices=None) -> Iterator[dict]:
        for i in range(len(self)) if indices is None else indices:
            yield self.explain(int(i))

    def take(self, indices) -> RequestResult:
        idx = np.asarray(indices)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        return RequestResult(
            **{name: getattr(self, name)[idx] for name in _ARRAYS},
            config=self.config,
            prepared=self.prepared,
        )


_ARRAYS = (
    "producer_id",
    "request_id",
    "line_id",
    "product_id",
    "score",
    *REQUEST_FACTORS,
    "sector_level",
    "offer_index",
    "line_index",
)


def _result(prepared: Prepared, p_idx, b_idx, level, config: MatchingConfig) -> RequestResult:
    p_idx = np.asarray(p_idx, dtype=np.intp)
    b_idx = np.asarray(b_idx, dtype=np.intp)
    level = np.asarray(level, dtype=np.int8)
    scored = _score(prepared, p_idx, b_idx, level, config)
    offers, lines = prepared.offers, prepared.lines
    return RequestResult(
        producer_id=offers.producer_id[p_idx],
        request_id=lines.request_id[b_idx],
        line_id=lines.ids[b_idx],
        product_id=offers.ids[p_idx],
        score=to_milli(scored.score) / SCORE_SCALE,
        **{name: _rounded(getattr(scored, name)) for name in REQUEST_FACTORS},
        sector_level=level,
        config=config,
        prepared=prepared,
        offer_index=p_idx,
        line_index=b_idx,
    )


def _empty(prepared: Prepared, config: MatchingConfig) -> RequestResult:
    return _result(prepared, [], [], [], config)


def best_per_request(
    producer_id: np.ndarray,
    request_id: np.ndarray,
    line_id: np.ndarray,
    product_id: np.ndarray,
    milli: np.ndarray,
    k: int,
) -> np.ndarray:
    """Indices of the kept pairs: each producer's best pair per request (higher score, then
    the smaller line id, then product id), then each request's best k producers (higher
    score, then the smaller producer id); ordered by request, best first."""
    if not len(milli):
        return np.zeros(0, dtype=np.intp)
    order = np.lexsort((product_id, line_id, -milli, producer_id, request_id))
    r, p = request_id[order], producer_id[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (p[1:] != p[:-1])
    best = order[first]
    ranked = best[np.lexsort((producer_id[best], -milli[best], request_id[best]))]
    return ranked[first_k_per_group(request_id[ranked], k)]


def score_request_lines(
    offers: OfferArrays,
    lines: LineArrays,
    sections: Mapping[str, str],
    config: MatchingConfig = DEFAULT_CONFIG,
    *,
    regions: Regions | None = None,
    responsiveness: Responsiveness | None = None,
    block_pairs: int = DEFAULT_BLOCK_PAIRS,
) -> RequestResult:
    """The pairs the engine proposes for these lines (see the module docstring), ordered by
    request id, best first."""
    prepared = prepare(offers, lines, sections, regions=regions, responsiveness=responsiveness)
    min_milli = config.min_score_milli
    parts = []
    for start, stop in buyer_blocks(prepared.pairs, block_pairs):
        p_idx, b_idx, level, capacity, moq = block_candidates(prepared.pairs, start, stop)
        scored = _score(prepared, p_idx, b_idx, level, config, supply=(capacity, moq))
        milli = to_milli(scored.score)
        keep = np.flatnonzero(milli >= min_milli)
        if len(keep):
            parts.append((p_idx[keep], b_idx[keep], level[keep], milli[keep]))
    if not parts:
        return _empty(prepared, config)
    p_idx, b_idx, level, milli = (np.concatenate([part[i] for part in parts]) for i in range(4))
    kept = best_per_request(
        offers.producer_id[p_idx],
        lines.request_id[b_idx],
        lines.ids[b_idx],
        offers.ids[p_idx],
        milli,
        config.top_k_per_buyer,
    )
    return _result(prepared, p_idx[kept], b_idx[kept], level[kept], config)


def _positions(ids: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position of each wanted id in `ids`, whether it is there)."""
    if not len(ids):
        return np.zeros(len(wanted), dtype=np.intp), np.zeros(len(wanted), dtype=bool)
    order = np.argsort(ids, kind="stable")
    at = np.minimum(np.searchsorted(ids[order], wanted), len(ids) - 1)
    return order[at], ids[order[at]] == wanted


def score_offer_pairs(
    offers: OfferArrays,
    lines: LineArrays,
    sections: Mapping[str, str],
    product_ids,
    line_ids,
    config: MatchingConfig = DEFAULT_CONFIG,
    *,
    regions: Regions | None = None,
    responsiveness: Responsiveness | None = None,
) -> RequestResult:
    """Score the given (product id, line id) pairs on current data, in the given order, with
    their explanations; pairs whose ids are not in the inputs are left out. No threshold: a
    product under none of the line's codes is scored too, with sector 0 (level -1)."""
    prepared = prepare(offers, lines, sections, regions=regions, responsiveness=responsiveness)
    wanted_p = np.asarray(product_ids, dtype=np.int64).reshape(-1)
    wanted_b = np.asarray(line_ids, dtype=np.int64).reshape(-1)
    if wanted_p.shape != wanted_b.shape:
        raise ValueError("product_ids and line_ids must have the same length")
    p_idx, p_found = _positions(offers.ids, wanted_p)
    b_idx, b_found = _positions(lines.ids, wanted_b)
    found = np.flatnonzero(p_found & b_found)
    p_idx, b_idx = p_idx[found], b_idx[found]
    return _result(prepared, p_idx, b_idx, _levels(prepared, p_idx, b_idx), config)


def _levels(prepared: Prepared, p_idx: np.ndarray, b_idx: np.ndarray) -> np.ndarray:
    """The level each product lies under its line's code at (engine.scoring), -1 for none."""
    _, _, level, _, _ = pair_supply(prepared.pairs, p_idx, b_idx)
    return level
