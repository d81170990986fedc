"""Language-neutral explanations: a code per factor plus its parameters, rendered later in fa/en.

Codes and parameters (every entry also carries "score", the factor's rounded score):

sector          same_subheading | same_heading | same_chapter  {hs, producer_hs, buyer_hs}
                same_section                                    {section, producer_hs, buyer_hs}
                related_heading                                 {hs, producer_hs, buyer_hs}
                (hs / section: the buyer's code the product lies under, or for related_heading
                the related heading; producer_hs: the producer's code under it)
capacity        covers | partial                                {unit, capacity, demand}
                (capacity and minimum order: the producer's products that match the buyer's codes)
                unknown                                         {reason: no_unit | no_demand | no_capacity,
                                                                 unit?, capacity?, demand?}
                moq_above_order                                 {unit, moq, order,
                                                                 base: covers | partial | unknown,
                                                                 capacity?, demand?}
market          target_market | open_to_all | other             {country}
                exported_to                                     {country}
                same_region                                     {country, region, target}
                exported_to_region                              {country, region, exported}
certifications  none_required                                   {}
                holds                                           {held, required}
                missing                                         {held, missing, required}

Not a factor, present only where it lowered the score (engine.responsiveness):

responsiveness  unanswered                                      {unanswered, introduced}
                (its "score" is the multiplier applied to the weighted score)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from matchmaking.engine.config import HEADING, LEVEL_NAMES, RELATED, SECTION
from matchmaking.engine.hs import sector_keys
from matchmaking.engine.inputs import normalise_certification, normalise_country
from matchmaking.engine.prepare import PreparedBuyers, PreparedProducers, buyer_keys
from matchmaking.engine.regions import Regions
from matchmaking.engine.scoring import pair_supply

if TYPE_CHECKING:
    from matchmaking.engine.result import MatchResult

FACTOR_NAMES = ("sector", "capacity", "market", "certifications")
NO_INPUTS = "this result was shipped without its inputs: rebuild the pairs with score_pairs"


def _number(value: float) -> int | float:
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def explain(result: MatchResult, i: int) -> dict:
    """The explanation of pair i of a result: {"sector": …, "capacity": …, "market": …, "certifications": …}."""
    source = int(result.source[i])
    if source < 0:
        raise ValueError(NO_INPUTS)
    buyers = result.sources[source]
    p, b = int(result.producer_index[i]), int(result.buyer_index[i])
    explanation = {
        "sector": explain_sector(buyers, p, b, int(result.sector_level[i])),
        "capacity": explain_capacity(buyers, p, b),
        "market": explain_market(buyers, p, b),
        "certifications": explain_certifications(buyers, p, b),
    }
    for name in explanation:
        explanation[name]["score"] = float(getattr(result, name)[i])
    _add_responsiveness(explanation, buyers, p)
    return explanation


def _add_responsiveness(explanation: dict, buyers: PreparedBuyers, p: int) -> dict:
    """The producer's unanswered introductions, where they lowered the score (see the module
    docstring); no entry otherwise."""
    if buyers.responsiveness is not None:
        entry = buyers.responsiveness.entry(p)
        if entry is not None:
            explanation["responsiveness"] = entry
    return explanation


_CodeKeys = dict[str, tuple[str, tuple[tuple[int, str], ...]]]


def _codes_by_level(
    producers: PreparedProducers, codes, known: _CodeKeys | None = None
) -> dict[int, dict[str, str]]:
    """Per HS level, per key at that level, the smallest of the codes (as written, cleaned)
    that fall under it; `known` remembers each code's keys across calls."""
    known = {} if known is None else known
    found: dict[int, dict[str, str]] = {}
    for code in codes:
        entry = known.get(code)
        if entry is None:
            keys = sector_keys(code, producers.sections, producers.section_names)
            entry = known[code] = ("".join(str(code).split()).replace(".", "").upper(), keys)
        cleaned, keys = entry
        for level, key in keys:
            at_level = found.setdefault(level, {})
            held = at_level.get(key)
            if held is None or cleaned < held:
                at_level[key] = cleaned
    return found


_NONE: dict[str, str] = {}


def producer_codes(producers: PreparedProducers, p: int) -> list[str]:
    """Producer p's declared codes and its products' codes."""
    arrays = producers.arrays
    return [*arrays.hs_codes[p], *(line[0] for line in arrays.products[p])]


def _sought_by_level(producers: PreparedProducers, codes, seeks_parts: bool) -> dict[int, dict[str, str]]:
    """A buyer's keys as the engine picks products by them (engine.prepare.buyer_keys): per
    level code, per key, the smallest of the buyer's codes that brings it."""
    keys_of = _KeysOf(producers)
    found: dict[int, dict[str, str]] = {}
    for code in codes:
        cleaned = "".join(str(code).split()).replace(".", "").upper()
        for (_, key), level in buyer_keys(code, keys_of, seeks_parts):
            at_level = found.setdefault(level, {})
            held = at_level.get(key)
            if held is None or cleaned < held:
                at_level[key] = cleaned
    return found


class _KeysOf:
    def __init__(self, producers: PreparedProducers) -> None:
        self._producers = producers

    def __call__(self, code: str):
        return sector_keys(code, self._producers.sections, self._producers.section_names)


def _sector_entry(level: int, mine: dict[int, dict[str, str]], theirs: dict[int, dict[str, str]]) -> dict:
    """The key the pair matches at: for a related heading the producer's heading among the
    buyer's related ones, else the buyer's code at that level the product lies under."""
    mine_at = mine.get(HEADING if level == RELATED else level, _NONE)
    theirs_at = theirs.get(level, _NONE)
    key = min(mine_at.keys() & theirs_at.keys())
    return {
        "code": "related_heading" if level == RELATED else f"same_{LEVEL_NAMES[level]}",
        "section" if level == SECTION else "hs": key,
        "producer_hs": mine_at[key],
        "buyer_hs": theirs_at[key],
    }


def explain_sector(buyers: PreparedBuyers, p: int, b: int, level: int) -> dict:
    """The key the pair matches at (the smallest one when several match at that level)."""
    producers = buyers.producers
    return _sector_entry(
        level,
        _codes_by_level(producers, producer_codes(producers, p)),
        _sought_by_level(producers, buyers.arrays.hs_codes[b], bool(buyers.arrays.seeks_parts[b])),
    )


def _capacity_entry(unit: str, capacity: float, moq: float, demand: float, order: float) -> dict:
    params: dict = {"unit": unit} if unit else {}
    if not math.isnan(capacity):
        params["capacity"] = _number(capacity)
    if not math.isnan(demand):
        params["demand"] = _number(demand)
    if not unit:
        base, reason = "unknown", "no_unit"
    elif math.isnan(demand):
        base, reason = "unknown", "no_demand"
    elif math.isnan(capacity):
        base, reason = "unknown", "no_capacity"
    else:
        base, reason = ("covers" if capacity >= demand else "partial"), ""
    if moq > order:  # both known
        return {
            "code": "moq_above_order",
            **params,
            "moq": _number(moq),
            "order": _number(order),
            "base": base,
        }
    if reason:
        return {"code": base, "reason": reason, **params}
    return {"code": base, **params}


def explain_capacity(buyers: PreparedBuyers, p: int, b: int) -> dict:
    """Counted on the producer's products that match the buyer's codes."""
    _, _, _, capacity, moq = pair_supply(buyers, np.array([p]), np.array([b]))
    return _capacity_entry(
        buyers.unit[b],
        float(capacity[0]),
        float(moq[0]),
        float(buyers.demand[b]),
        float(buyers.order[b]),
    )


def _countries_view(producers: PreparedProducers, countries) -> tuple[frozenset[str], dict[str, str]]:
    """Countries normalised, and the smallest of them in each region."""
    found = frozenset({normalise_country(t) for t in countries} - {""})
    nearest: dict[str, str] = {}
    for country in sorted(found):
        region = producers.regions.market_region(country)
        if region is not None:
            nearest.setdefault(region, country)
    return found, nearest


def _market_view(producers: PreparedProducers, p: int) -> tuple:
    """Producer p's target markets and the countries it has exported to (each with the
    smallest of them per region), and whether it is open to any market."""
    targets, nearest = _countries_view(producers, producers.arrays.target_markets[p])
    exported, exported_near = _countries_view(producers, producers.arrays.export_experience[p])
    return targets, nearest, bool(producers.arrays.open_to_any_market[p]), exported, exported_near


def _market_region(regions: Regions, country: str) -> str | None:
    return regions.market_region(country) if country else None


def _market_entry(country: str, region: str | None, view: tuple) -> dict:
    """The engine's market code (prepare.prepare_buyers) in words: export experience counts as
    a target market does, in the country and in its region."""
    targets, nearest, open_to_any, exported, exported_near = view
    if country and country in exported:
        return {"code": "exported_to", "country": country}
    if country and country in targets:
        return {"code": "target_market", "country": country}
    if region is not None:
        been = exported_near.get(region)
        if been is not None:
            return {"code": "exported_to_region", "country": country, "region": region, "exported": been}
        near = nearest.get(region)
        if near is not None:
            return {"code": "same_region", "country": country, "region": region, "target": near}
    if open_to_any:
        return {"code": "open_to_all", "country": country}
    return {"code": "other", "country": country}


def explain_market(buyers: PreparedBuyers, p: int, b: int) -> dict:
    producers = buyers.producers
    country = buyers.country[b]
    return _market_entry(country, _market_region(producers.regions, country), _market_view(producers, p))


def _required_view(buyers: PreparedBuyers, b: int) -> tuple[tuple[str, ...], dict[str, str]]:
    """Buyer b's required certifications (normalised) and how the buyer spelled each."""
    spelling: dict[str, str] = {}
    for name in sorted(buyers.arrays.required_certifications[b]):
        spelling.setdefault(normalise_certification(name), " ".join(str(name).split()))
    return buyers.required[b], spelling


def _held_keys(producers: PreparedProducers, p: int) -> set[str]:
    return {normalise_certification(c) for c in producers.arrays.certifications[p]}


def _certifications_entry(required: tuple[str, ...], spelling: dict[str, str], held_keys: set[str]) -> dict:
    held = [spelling[c] for c in required if c in held_keys]
    missing = [spelling[c] for c in required if c not in held_keys]
    listed = [spelling[c] for c in required]
    if not missing:
        return {"code": "holds", "held": held, "required": listed}
    return {"code": "missing", "held": held, "missing": missing, "required": listed}


def explain_certifications(buyers: PreparedBuyers, p: int, b: int) -> dict:
    """Named as the buyer spelled them."""
    required, spelling = _required_view(buyers, b)
    if not required:
        return {"code": "none_required"}
    return _certifications_entry(required, spelling, _held_keys(buyers.producers, p))


def explain_many(result: MatchResult, indices: Iterable[int] | np.ndarray | None = None) -> list[dict]:
    """`[explain(result, i) for i in indices]` (every pair when None), equal entry for entry;
    see `iter_explanations`."""
    return list(iter_explanations(result, indices))


def iter_explanations(
    result: MatchResult, indices: Iterable[int] | np.ndarray | None = None
) -> Iterator[dict]:
    """`explain(result, i)` for each of these pairs in turn (every pair when None), equal entry
    for entry. What depends on one side only (a producer's or a buyer's codes per level, its
    target markets, its certifications) is worked out once per profile for the whole run, and
    the numbers of all pairs are gathered from the arrays at once; nothing is kept of a pair
    once it is handed out."""
    if indices is None:
        idx = np.arange(len(result), dtype=np.intp)
    else:
        idx = np.asarray(indices if isinstance(indices, np.ndarray) else list(indices), dtype=np.intp)
        idx = idx.reshape(-1)
    source_of = result.source[idx]
    if (source_of < 0).any():
        raise ValueError(NO_INPUTS)
    p_idx, b_idx = result.producer_index[idx], result.buyer_index[idx]
    numbers = np.full((4, len(idx)), np.nan)  # capacity, moq, demand, order
    # Per source: its buyers, its producers' part by producer, its buyers' part by buyer, and
    # each code's keys; sources built on the same prepared producers share the producers' part.
    contexts: dict[int, tuple] = {}
    by_producers: dict[int, tuple[dict, dict]] = {}
    for source in np.unique(source_of).tolist():
        buyers = result.sources[source]
        producers = buyers.producers
        at = source_of == source
        _, _, _, numbers[0, at], numbers[1, at] = pair_supply(buyers, p_idx[at], b_idx[at])
        numbers[2, at] = buyers.demand[b_idx[at]]
        numbers[3, at] = buyers.order[b_idx[at]]
        mine, known = by_producers.setdefault(id(producers), ({}, {}))
        contexts[source] = (buyers, producers, mine, {}, known)
    capacity, moq, demand, order = numbers.tolist()
    scores = zip(*(getattr(result, name)[idx].tolist() for name in FACTOR_NAMES), strict=True)
    pairs = zip(
        source_of.tolist(), p_idx.tolist(), b_idx.tolist(), result.sector_level[idx].tolist(), strict=True
    )
    for k, (
        (source, p, b, level),
        (sector_score, capacity_score, market_score, certifications_score),
    ) in enumerate(zip(pairs, scores, strict=True)):
        buyers, producers, mine, theirs, known = contexts[source]
        producer = mine.get(p)
        if producer is None:
            producer = mine[p] = (
                _codes_by_level(producers, producer_codes(producers, p), known),
                _market_view(producers, p),
                _held_keys(producers, p),
            )
        buyer = theirs.get(b)
        if buyer is None:
            country = buyers.country[b]
            buyer = theirs[b] = (
                _sought_by_level(producers, buyers.arrays.hs_codes[b], bool(buyers.arrays.seeks_parts[b])),
                buyers.unit[b],
                country,
                _market_region(producers.regions, country),
                *_required_view(buyers, b),
            )
        codes, view, held = producer
        their_codes, unit, country, region, required, spelling = buyer
        sector = _sector_entry(level, codes, their_codes)
        sector["score"] = sector_score
        capacity_entry = _capacity_entry(unit, capacity[k], moq[k], demand[k], order[k])
        capacity_entry["score"] = capacity_score
        market = _market_entry(country, region, view)
        market["score"] = market_score
        certifications = (
            _certifications_entry(required, spelling, held) if required else {"code": "none_required"}
        )
        certifications["score"] = certifications_score
        yield _add_responsiveness(
            {
                "sector": sector,
                "capacity": capacity_entry,
                "market": market,
                "certifications": certifications,
            },
            buyers,
            p,
        )
