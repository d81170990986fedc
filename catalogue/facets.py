"""How many products each value of the catalogue's choice filters would give: within the
current search and the other filters (a facet ignores its own filter, so the other values of
it show what choosing them instead would give).

One GROUP BY query per facet, the search's two small lookups (typo corrections, matching HS
codes) made once for all of them: a page asks a bounded number of queries whatever it shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from django.db.models import Count, QuerySet

from taxonomy.provinces import province_of

from .filtersets import ProductFilterSet


def _grouped(queryset: QuerySet, field: str) -> list[tuple[object, int]]:
    return list(queryset.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n"))


def _sections(queryset: QuerySet) -> Counter:
    return Counter({code: n for code, n in _grouped(queryset, "hs_code__section_id") if code})


def _provinces(queryset: QuerySet) -> Counter:
    """Per province, by its Latin name whichever of its names the profiles hold (a name the list
    does not know counts as written)."""
    counts: Counter = Counter()
    for written, n in _grouped(queryset, "producer__province"):
        province = province_of(written)
        name = province.name if province is not None else (written or "").strip()
        if name:
            counts[name] += n
    return counts


def _markets(queryset: QuerySet) -> Counter:
    """Per country code: the producers' target markets are one text each ("IQ,TR"), grouped as
    written and split here (a handful of distinct lists, not a row per product)."""
    counts: Counter = Counter()
    for markets, n in _grouped(queryset, "producer__target_markets"):
        codes = markets.split(",") if isinstance(markets, str) else [str(code) for code in markets or ()]
        for code in {code.strip() for code in codes if code.strip()}:
            counts[code] += n
    return counts


def _units(queryset: QuerySet) -> Counter:
    return Counter({unit: n for unit, n in _grouped(queryset, "capacity_unit") if unit})


FACETS: dict[str, Callable[[QuerySet], Counter]] = {
    "section": _sections,
    "province": _provinces,
    "target_market": _markets,
    "capacity_unit": _units,
}


def facet_counts(filterset: ProductFilterSet) -> dict[str, Counter]:
    """{filter name: Counter of value → products} for a valid filter set, each facet counted
    with every filter but its own (and the search)."""
    data = filterset.form.cleaned_data
    queryset = filterset.queryset
    if data.get("search"):
        queryset = filterset.filters["search"].filter(queryset, data["search"])
    counts = {}
    for facet, count in FACETS.items():
        narrowed = queryset
        for name, value in data.items():
            if name not in ("search", "ordering", facet):
                narrowed = filterset.filters[name].filter(narrowed, value)
        counts[facet] = count(narrowed)
    return counts
