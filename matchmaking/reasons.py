"""The engine's language-neutral explanation codes, as sentences in the active language.

A stored breakdown holds per factor a code and its parameters (matchmaking.engine.
explanations); this turns them into "same HS heading 8418 (Refrigerators, freezers…)" or
«سرفصل مشترک ۸۴۱۸ (یخچال…)», with HS names from the Sector table (the Persian name where
there is one), country names from django-countries, digits, percentages and lists per
portal.formatting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from matchmaking.models import FACTORS
from portal.formatting import format_number, format_percent, is_persian, join_list, localize_digits, semicolon
from taxonomy.countries import REGION_NAMES  # the M49 regions the engine compares markets by
from taxonomy.models import CapacityUnit, Sector

SECTOR_NAME_LENGTH = 48
# A buying request's matches have a fifth factor (engine.deadline).
SHOWN_FACTORS = (*FACTORS, "deadline")


def _code(code: str) -> str:
    return localize_digits(code)


def _number(value) -> str:
    return format_number(value)


def _list(names: Iterable[str]) -> str:
    return join_list(names)


def _country(code: str) -> str:
    return str(countries.name(code)) or code if code else _("an unknown country")


# Quantity units as they read after a number ("45,000 units/yr").
UNIT_NAMES = {
    CapacityUnit.UNITS: pgettext_lazy("quantity unit", "units"),
    CapacityUnit.SETS: pgettext_lazy("quantity unit", "sets"),
    CapacityUnit.PAIRS: pgettext_lazy("quantity unit", "pairs"),
    CapacityUnit.KG: pgettext_lazy("quantity unit", "kg"),
    CapacityUnit.TONNES: pgettext_lazy("quantity unit", "tonnes"),
    CapacityUnit.LITRES: pgettext_lazy("quantity unit", "litres"),
    CapacityUnit.M2: pgettext_lazy("quantity unit", "m²"),
    CapacityUnit.M3: pgettext_lazy("quantity unit", "m³"),
}


def _unit(unit: str | None) -> str:
    return str(UNIT_NAMES.get(unit, unit or ""))


# --- Sector names ----------------------------------------------------------------------


def sector_codes(breakdowns: Iterable[Mapping]) -> set[str]:
    """The HS keys (codes and section numerals) named by these breakdowns' sector factor."""
    codes = set()
    for breakdown in breakdowns:
        entry = (breakdown or {}).get("sector") or {}
        code = entry.get("hs") or entry.get("section")
        if code:
            codes.add(str(code))
    return codes


def sector_names(codes: Iterable[str]) -> dict[str, str]:
    """HS key → its name in the active language (Persian where there is one), in one query."""
    codes = set(codes)
    if not codes:
        return {}
    persian = is_persian()
    names = {}
    for code, name, name_fa in Sector.objects.filter(code__in=codes).values_list("code", "name", "name_fa"):
        text = name_fa if persian and name_fa else name
        names[code] = Truncator(text.split(";")[0].strip()).chars(SECTOR_NAME_LENGTH)
    return names


# --- One factor each ---------------------------------------------------------------------


def _sector(entry: Mapping, names: Mapping[str, str]) -> str:
    level = entry.get("code", "")
    key = str(entry.get("hs") or entry.get("section") or "")
    name = names.get(key, "")
    if level == "same_subheading":
        text = _("same HS subheading %(code)s") % {"code": _code(key)}
    elif level == "same_heading":
        text = _("same HS heading %(code)s") % {"code": _code(key)}
    elif level == "same_chapter":
        text = _("same HS chapter %(code)s") % {"code": _code(key)}
    elif level == "same_section":
        text = _("same HS section %(code)s") % {"code": key}
    elif level == "related_heading":
        text = _("parts and components, HS heading %(code)s") % {"code": _code(key)}
    elif level == "none" and entry.get("producer_hs") and entry.get("buyer_hs"):
        # A producer's interest with a product outside the request line's code.
        return _("the product’s HS code %(product)s is not under the requested %(line)s") % {
            "product": _code(str(entry["producer_hs"])),
            "line": _code(str(entry["buyer_hs"])),
        }
    else:
        return _("no shared HS code")
    if name:
        text = f"{text} ({name})"
    producer_code, buyer_code = entry.get("producer_hs"), entry.get("buyer_hs")
    if producer_code and buyer_code and (producer_code != key or buyer_code != key):
        text = _("%(shared)s: the producer’s %(producer)s, the buyer’s %(buyer)s") % {
            "shared": text,
            "producer": _code(producer_code),
            "buyer": _code(buyer_code),
        }
    return text


def _line_coverage(code: str, entry: Mapping) -> str:
    """Capacity against a buying request's line (`"basis": "line"`): its quantity."""
    values = {
        "capacity": _number(entry.get("capacity")),
        "quantity": _number(entry.get("demand")),
        "unit": _unit(entry.get("unit")),
    }
    if code == "covers":
        return _("capacity %(capacity)s %(unit)s/yr covers the %(quantity)s requested") % values
    if code == "partial":
        share = 100 * float(entry.get("capacity") or 0) / float(entry.get("demand") or 1)
        values["share"] = format_percent(round(share))
        return _("capacity %(capacity)s %(unit)s/yr covers %(share)s of the %(quantity)s requested") % values
    reason = entry.get("reason")
    if reason == "no_unit":
        return _("capacity not compared: the request line gives no unit")
    if reason == "no_demand":
        return _("capacity not compared: the request line gives no quantity")
    if reason == "no_capacity":
        return _("capacity not compared: no free capacity listed in %(unit)s") % values
    return _("capacity not compared")


def _coverage(code: str, entry: Mapping) -> str:
    if entry.get("basis") == "line":
        return _line_coverage(code, entry)
    values = {
        "capacity": _number(entry.get("capacity")),
        "demand": _number(entry.get("demand")),
        "unit": _unit(entry.get("unit")),
    }
    if code == "covers":
        return _("capacity %(capacity)s %(unit)s/yr covers demand %(demand)s") % values
    if code == "partial":
        share = 100 * float(entry.get("capacity") or 0) / float(entry.get("demand") or 1)
        values["share"] = format_percent(round(share))
        return _("capacity %(capacity)s %(unit)s/yr covers %(share)s of demand %(demand)s") % values
    reason = entry.get("reason")
    if reason == "no_unit":
        return _("capacity not compared: the buyer gave no unit for its demand")
    if reason == "no_demand":
        return _("capacity not compared: the buyer gave no annual demand")
    if reason == "no_capacity":
        return _("capacity not compared: no free capacity listed in %(unit)s") % values
    return _("capacity not compared")


def _capacity(entry: Mapping) -> str:
    code = entry.get("code", "")
    if code != "moq_above_order":
        return _coverage(code, entry)
    values = {
        "moq": _number(entry.get("moq")),
        "order": _number(entry.get("order")),
        "unit": _unit(entry.get("unit")),
    }
    if entry.get("basis") == "line":
        text = _("minimum order %(moq)s %(unit)s is above the %(order)s requested") % values
    else:
        text = _("minimum order %(moq)s %(unit)s is above the buyer’s typical order %(order)s") % values
    if entry.get("base") in ("covers", "partial"):
        text = f"{text}{semicolon()} {_coverage(entry['base'], entry)}"
    return text


def _market(entry: Mapping) -> str:
    code = entry.get("code", "")
    country = _country(str(entry.get("country") or ""))
    if code == "target_market":
        return _("%(country)s is a target market") % {"country": country}
    if code == "exported_to":
        return _("has already exported to %(country)s") % {"country": country}
    if code == "exported_to_region":
        region = entry.get("region") or ""
        return _("%(country)s is in %(region)s, where it has already exported (%(exported)s)") % {
            "country": country,
            "region": str(REGION_NAMES.get(region, region)),
            "exported": _country(str(entry.get("exported") or "")),
        }
    if code == "same_region":
        region = entry.get("region") or ""
        return _("%(country)s is in %(region)s, like the target market %(target)s") % {
            "country": country,
            "region": str(REGION_NAMES.get(region, region)),
            "target": _country(str(entry.get("target") or "")),
        }
    if code == "open_to_all":
        return _("open to any market, %(country)s included") % {"country": country}
    return _("%(country)s is not among the target markets") % {"country": country}


def _certifications(entry: Mapping) -> str:
    code = entry.get("code", "")
    if code == "none_required":
        return _("no certifications required")
    required = list(entry.get("required") or [])
    # Only certificates a counsellor or staff verified, unexpired, count (matchmaking.loading).
    if code == "holds":
        return _("a verified, unexpired certificate for every required certification: %(names)s") % {
            "names": _list(required)
        }
    held = list(entry.get("held") or [])
    return _(
        "verified certificates for %(held)s of %(required)s required certifications; "
        "none verified for: %(missing)s"
    ) % {
        "held": _number(len(held)),
        "required": _number(len(required)),
        "missing": _list(entry.get("missing") or []),
    }


def _deadline(entry: Mapping) -> str:
    code = entry.get("code", "")
    values = {
        "lead": _number(entry.get("lead_time")),
        "left": _number(entry.get("days_left")),
        "late": _number(entry.get("late_by")),
    }
    if code == "fits":
        return _("lead time %(lead)s days fits the %(left)s days left before the deadline") % values
    if code == "late":
        return (
            _("lead time %(lead)s days, %(left)s days left before the deadline: %(late)s days late") % values
        )
    if code == "passed":
        return _("the request's deadline has passed")
    if entry.get("reason") == "no_lead_time":
        return _("deadline not compared: the product gives no lead time")
    return _("deadline not compared")


_RENDER = {
    "capacity": _capacity,
    "market": _market,
    "certifications": _certifications,
    "deadline": _deadline,
}


# --- What the counsellors taught it (not a factor: engine.responsiveness) --------------------


def render_responsiveness(breakdown: Mapping | None) -> str | None:
    """Where the producer's unanswered introductions lowered the score, that sentence in the
    active language; None where they did not."""
    entry = (breakdown or {}).get("responsiveness") or {}
    if entry.get("code") != "unanswered":
        return None
    return _("This producer has not answered %(unanswered)s of %(introduced)s recent introductions.") % {
        "unanswered": _number(entry.get("unanswered")),
        "introduced": _number(entry.get("introduced")),
    }


def render_reason(factor: str, entry: Mapping, names: Mapping[str, str] | None = None) -> str:
    """One factor's explanation as a sentence in the active language."""
    if factor == "sector":
        return _sector(entry, names or {})
    return _RENDER[factor](entry)


def render_breakdown(breakdown: Mapping, names: Mapping[str, str] | None = None) -> dict[str, dict]:
    """{"sector": {"score", "weight", "reason"}, …} from a stored breakdown (and "deadline"
    for a buying request's match)."""
    rendered = {}
    for factor in SHOWN_FACTORS:
        entry = (breakdown or {}).get(factor)
        if not entry:
            continue
        rendered[factor] = {
            "score": entry.get("score"),
            "weight": entry.get("weight"),
            "reason": render_reason(factor, entry, names),
        }
    return rendered
