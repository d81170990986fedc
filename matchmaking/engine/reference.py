"""The matching rules written plainly, one pair at a time: the tests' oracle and the naive
baseline of the benchmark. Every pair of producer and buyer is visited; no index, no arrays.

It computes the same floating-point operations in the same order as the vectorised
engine, so both give the same scores bit for bit.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from matchmaking.engine.config import (
    CAPACITY_NEUTRAL,
    CHAPTER,
    CLOSENESS,
    HEADING,
    MARKET_SCORES,
    RELATED,
    SECTION,
    SECTOR_SCORES,
    SUBHEADING,
    MatchingConfig,
)
from matchmaking.engine.hs import normalise_hs_code
from matchmaking.engine.inputs import (
    BuyerArrays,
    ProducerArrays,
    normalise_certification,
    normalise_country,
    normalise_unit,
)
from matchmaking.engine.prepare import convertible_units
from matchmaking.engine.regions import Regions, default_regions
from matchmaking.engine.related import related_headings


@dataclass(frozen=True)
class ReferencePair:
    producer_id: int
    buyer_id: int
    sector_level: int
    sector: float
    capacity: float
    market: float
    certifications: float
    score: float  # unrounded

    @property
    def milli(self) -> int:
        return round(self.score * 1000)


def common_level(a: str, b: str, sections: Mapping[str, str]) -> int | None:
    """The finest level two normalised codes share by common prefix, or None."""
    if a.isdigit() and b.isdigit():
        if len(a) == 6 and len(b) == 6 and a == b:
            return SUBHEADING
        if len(a) >= 4 and len(b) >= 4 and a[:4] == b[:4]:
            return HEADING
        if a[:2] == b[:2]:
            return CHAPTER
    section_a = sections.get(a[:2]) if a.isdigit() else a
    section_b = sections.get(b[:2]) if b.isdigit() else b
    if section_a and section_a == section_b:
        return SECTION
    return None


def _level_of(code: str) -> int:
    if not code.isdigit():
        return SECTION
    return {2: CHAPTER, 4: HEADING}.get(len(code), SUBHEADING)


def lies_under(
    product: str, sought: str, sections: Mapping[str, str], seeks_parts: bool = False
) -> int | None:
    """The level at which a product's normalised code lies under a buyer's normalised code:
    the buyer's own level when the product is inside it (a product's code at least as fine),
    RELATED when it is under a heading related to the sought one and the buyer asks for
    parts; None otherwise (a shared chapter or section alone is not enough)."""
    level = _level_of(sought)
    if level == SECTION:
        if (product if not product.isdigit() else sections.get(product[:2])) == sought:
            return SECTION
    elif product.isdigit() and len(product) >= len(sought) and product.startswith(sought):
        return level
    parts = seeks_parts and level in (HEADING, SUBHEADING) and product.isdigit() and len(product) >= 4
    if parts and product[:4] in related_headings(sought):
        return RELATED
    return None


def _closest(levels) -> int | None:
    found = [lv for lv in levels if lv is not None]
    return max(found, key=lambda lv: CLOSENESS[lv]) if found else None


def reference_sector_level(
    producer_codes, buyer_codes, sections: Mapping[str, str], seeks_parts: bool = False
) -> int | None:
    names = frozenset(sections.values())
    return _closest(
        lies_under(normalise_hs_code(pc, names), normalise_hs_code(bc, names), sections, seeks_parts)
        for pc in producer_codes
        for bc in buyer_codes
    )


def _lines(producers: ProducerArrays, p: int) -> list[tuple]:
    """Producer p's lines: its products, then its declared codes no product carries."""
    lines = [tuple(line) for line in producers.products[p]]
    seen = {line[0] for line in lines}
    for code in producers.hs_codes[p]:
        if code not in seen:
            seen.add(code)
            lines.append((code, "", math.nan, math.nan))
    return lines


def _line_value(line: tuple, unit: str, *, capacity: bool) -> float:
    """A line's capacity (or minimum order) in `unit`, NaN if unknown or not convertible."""
    line_unit = normalise_unit(line[1]) if len(line) > 1 else ""
    value = line[2] if capacity else line[3]
    value = math.nan if value is None else float(value)
    for source, factor in convertible_units(unit):
        if source == line_unit and _usable(value, zero_ok=capacity):
            return value * factor
    return math.nan


def _usable(value: float, *, zero_ok: bool) -> bool:
    return math.isfinite(value) and (value >= 0 if zero_ok else value > 0)


def _in_unit(by_unit: Mapping, i: int, unit: str, *, capacity: bool) -> float:
    """Capacity (summed) or minimum order (smallest) of producer i in `unit`, NaN if unknown."""
    total = math.nan
    for source, factor in convertible_units(unit):
        if source not in by_unit:
            continue
        value = float(by_unit[source][i])
        if not _usable(value, zero_ok=capacity):
            continue
        value = value * factor
        if math.isnan(total):
            total = value
        elif capacity:
            total = total + value
        else:
            total = min(total, value)
    return total


def reference_supply(
    producers: ProducerArrays, p: int, buyers: BuyerArrays, b: int, sections: Mapping[str, str]
) -> tuple[float, float]:
    """Free capacity (summed) and minimum order (smallest) of producer p's lines that lie
    under buyer b's codes, in the buyer's unit; the company-wide figures where none is known."""
    unit = normalise_unit(buyers.demand_unit[b])
    if not unit:
        return math.nan, math.nan
    names = frozenset(sections.values())
    sought = [normalise_hs_code(bc, names) for bc in buyers.hs_codes[b]]
    parts = bool(buyers.seeks_parts[b])
    capacity = moq = math.nan
    for line in _lines(producers, p):
        code = normalise_hs_code(line[0], names)
        if _closest(lies_under(code, bc, sections, parts) for bc in sought) is None:
            continue
        value = _line_value(line, unit, capacity=True)
        if not math.isnan(value):
            capacity = value if math.isnan(capacity) else capacity + value
        value = _line_value(line, unit, capacity=False)
        if not math.isnan(value):
            moq = value if math.isnan(moq) else min(moq, value)
    if math.isnan(capacity):
        capacity = _in_unit(producers.capacity_by_unit, p, unit, capacity=True)
    if math.isnan(moq):
        moq = _in_unit(producers.moq_by_unit, p, unit, capacity=False)
    return capacity, moq


def reference_capacity(
    producers: ProducerArrays, p: int, buyers: BuyerArrays, b: int, sections: Mapping[str, str] | None = None
) -> float:
    demand = float(buyers.annual_demand[b])
    order = float(buyers.typical_order[b])
    capacity, moq = reference_supply(producers, p, buyers, b, sections or {})
    if not math.isnan(capacity) and _usable(demand, zero_ok=False):
        score = min(1.0, capacity / demand)
    else:
        score = CAPACITY_NEUTRAL
    if not math.isnan(moq) and _usable(order, zero_ok=False) and moq > order:
        score = score * (order / moq)
    return score


def reference_market(
    producers: ProducerArrays, p: int, buyers: BuyerArrays, b: int, regions: Regions
) -> float:
    country = normalise_country(buyers.country[b])
    targets = {normalise_country(t) for t in producers.target_markets[p]} - {""}
    exported = {normalise_country(t) for t in producers.export_experience[p]} - {""}
    if country and country in exported:
        return MARKET_SCORES[5]
    if country and country in targets:
        return MARKET_SCORES[3]
    region = regions.market_region(country) if country else None
    if region is not None and any(regions.market_region(t) == region for t in exported):
        return MARKET_SCORES[4]
    if region is not None and any(regions.market_region(t) == region for t in targets):
        return MARKET_SCORES[2]
    if producers.open_to_any_market[p]:
        return MARKET_SCORES[1]
    return MARKET_SCORES[0]


def reference_certifications(producers: ProducerArrays, p: int, buyers: BuyerArrays, b: int) -> float:
    required = {normalise_certification(c) for c in buyers.required_certifications[b]}
    if not required:
        return 1.0
    held = {normalise_certification(c) for c in producers.certifications[p]}
    return len(required & held) / len(required)


def reference_candidates(
    producers: ProducerArrays,
    buyers: BuyerArrays,
    sections: Mapping[str, str],
    config: MatchingConfig | None = None,
    regions: Regions | None = None,
) -> list[ReferencePair]:
    """Every candidate pair (a product under a code the buyer seeks), scored; no threshold, no
    selection."""
    config = config or MatchingConfig()
    regions = regions or default_regions()
    ws, wc, wm, wr = config.weights
    pairs = []
    for b in range(len(buyers)):
        for p in range(len(producers)):
            codes = [line[0] for line in _lines(producers, p)]
            level = reference_sector_level(codes, buyers.hs_codes[b], sections, bool(buyers.seeks_parts[b]))
            if level is None:
                continue
            sector = SECTOR_SCORES[level]
            capacity = reference_capacity(producers, p, buyers, b, sections)
            market = reference_market(producers, p, buyers, b, regions)
            certifications = reference_certifications(producers, p, buyers, b)
            score = (ws * sector + wc * capacity + wm * market + wr * certifications) / (ws + wc + wm + wr)
            pairs.append(
                ReferencePair(
                    producer_id=int(producers.ids[p]),
                    buyer_id=int(buyers.ids[b]),
                    sector_level=level,
                    sector=sector,
                    capacity=capacity,
                    market=market,
                    certifications=certifications,
                    score=min(1.0, max(0.0, score)),
                )
            )
    return pairs


def reference_select(pairs: list[ReferencePair], config: MatchingConfig) -> list[ReferencePair]:
    """Threshold, reciprocal top-K and fallbacks; ordered by buyer id, best first, producer id."""
    above = [pair for pair in pairs if pair.milli / 1000 >= config.min_score]
    by_buyer: dict[int, list[ReferencePair]] = defaultdict(list)
    by_producer: dict[int, list[ReferencePair]] = defaultdict(list)
    for pair in above:
        by_buyer[pair.buyer_id].append(pair)
        by_producer[pair.producer_id].append(pair)
    buyer_rank: dict[tuple[int, int], int] = {}
    for buyer_id, group in by_buyer.items():
        group.sort(key=lambda x: (-x.milli, x.producer_id))
        for rank, pair in enumerate(group):
            buyer_rank[(pair.producer_id, buyer_id)] = rank
    producer_rank: dict[tuple[int, int], int] = {}
    for producer_id, group in by_producer.items():
        group.sort(key=lambda x: (-x.milli, x.buyer_id))
        for rank, pair in enumerate(group):
            producer_rank[(producer_id, pair.buyer_id)] = rank
    kept = {
        key
        for key in buyer_rank
        if buyer_rank[key] < config.top_k_per_buyer and producer_rank[key] < config.top_k_per_producer
    }
    for buyer_id, group in by_buyer.items():
        if sum((pair.producer_id, buyer_id) in kept for pair in group) < config.min_per_buyer:
            kept.update((pair.producer_id, buyer_id) for pair in group[: config.min_per_buyer])
    with_match = {producer_id for producer_id, _ in kept}
    for producer_id, group in by_producer.items():
        if producer_id not in with_match:
            kept.add((producer_id, group[0].buyer_id))
    chosen = [pair for pair in above if (pair.producer_id, pair.buyer_id) in kept]
    return sorted(chosen, key=lambda x: (x.buyer_id, -x.milli, x.producer_id))


def reference_score_all(
    producers: ProducerArrays,
    buyers: BuyerArrays,
    sections: Mapping[str, str],
    config: MatchingConfig | None = None,
    regions: Regions | None = None,
) -> list[ReferencePair]:
    """The whole sweep, naively."""
    config = config or MatchingConfig()
    return reference_select(reference_candidates(producers, buyers, sections, config, regions), config)
