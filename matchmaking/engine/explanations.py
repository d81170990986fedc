"""Language-neutral explanations: a code per factor plus its parameters, rendered later in fa/en.

Codes and parameters (every entry also carries "score", the factor's rounded score):

sector          same_subheading | same_heading | same_chapter  {hs, producer_hs, buyer_hs}
                same_section                                    {section, producer_hs, buyer_hs}
capacity        covers | partial                                {unit, capacity, demand}
                unknown                                         {reason: no_unit | no_demand | no_capacity,
                                                                 unit?, capacity?, demand?}
                moq_above_order                                 {unit, moq, order,
                                                                 base: covers | partial | unknown,
                                                                 capacity?, demand?}
market          target_market | open_to_all | other             {country}
                same_region                                     {country, region, target}
certifications  none_required                                   {}
                holds                                           {held, required}
                missing                                         {held, missing, required}
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from matchmaking.engine.config import LEVEL_NAMES, SECTION
from matchmaking.engine.hs import sector_keys
from matchmaking.engine.inputs import UNITS, normalise_certification, normalise_country
from matchmaking.engine.prepare import UNKNOWN_UNIT_ROW, PreparedBuyers

if TYPE_CHECKING:
    from matchmaking.engine.result import MatchResult


def _number(value: float) -> int | float:
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def explain(result: MatchResult, i: int) -> dict:
    """The explanation of pair i of a result: {"sector": …, "capacity": …, "market": …, "certifications": …}."""
    source = int(result.source[i])
    if source < 0:
        raise ValueError("this result was shipped without its inputs: rebuild the pairs with score_pairs")
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
    return explanation


def _codes_by_key(buyers: PreparedBuyers, codes, level: int) -> dict[str, list[str]]:
    producers = buyers.producers
    found: dict[str, list[str]] = {}
    for code in codes:
        for key_level, key in sector_keys(code, producers.sections, producers.section_names):
            if key_level == level:
                found.setdefault(key, []).append("".join(str(code).split()).replace(".", "").upper())
    return found


def explain_sector(buyers: PreparedBuyers, p: int, b: int, level: int) -> dict:
    """The finest shared HS key (the smallest one when several are shared at that level)."""
    mine = _codes_by_key(buyers, buyers.producers.arrays.hs_codes[p], level)
    theirs = _codes_by_key(buyers, buyers.arrays.hs_codes[b], level)
    key = min(set(mine) & set(theirs))
    return {
        "code": f"same_{LEVEL_NAMES[level]}",
        "section" if level == SECTION else "hs": key,
        "producer_hs": min(mine[key]),
        "buyer_hs": min(theirs[key]),
    }


def explain_capacity(buyers: PreparedBuyers, p: int, b: int) -> dict:
    producers = buyers.producers
    unit = buyers.unit[b]
    row = UNITS.index(unit) if unit else UNKNOWN_UNIT_ROW
    capacity, moq = producers.capacity[row, p], producers.moq[row, p]
    demand, order = buyers.demand[b], buyers.order[b]
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


def explain_market(buyers: PreparedBuyers, p: int, b: int) -> dict:
    producers = buyers.producers
    country = buyers.country[b]
    targets = {normalise_country(t) for t in producers.arrays.target_markets[p]} - {""}
    if country and country in targets:
        return {"code": "target_market", "country": country}
    region = producers.regions.market_region(country) if country else None
    if region is not None:
        near = sorted(t for t in targets if producers.regions.market_region(t) == region)
        if near:
            return {"code": "same_region", "country": country, "region": region, "target": near[0]}
    if producers.arrays.open_to_any_market[p]:
        return {"code": "open_to_all", "country": country}
    return {"code": "other", "country": country}


def explain_certifications(buyers: PreparedBuyers, p: int, b: int) -> dict:
    """Named as the buyer spelled them."""
    spelling: dict[str, str] = {}
    for name in sorted(buyers.arrays.required_certifications[b]):
        spelling.setdefault(normalise_certification(name), " ".join(str(name).split()))
    required = buyers.required[b]
    if not required:
        return {"code": "none_required"}
    held_keys = {normalise_certification(c) for c in buyers.producers.arrays.certifications[p]}
    held = [spelling[c] for c in required if c in held_keys]
    missing = [spelling[c] for c in required if c not in held_keys]
    listed = [spelling[c] for c in required]
    if not missing:
        return {"code": "holds", "held": held, "required": listed}
    return {"code": "missing", "held": held, "missing": missing, "required": listed}
