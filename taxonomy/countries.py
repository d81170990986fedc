"""The countries as a reader picks them: named in the reader's language (django-countries'
names), sorted by the reader's alphabet, grouped by UN M49 world region, with the province's
usual markets (settings.USUAL_MARKETS) in a group of their own at the top.

The regions come from taxonomy/data/un_m49_regions.csv, the table the matching engine reads,
grouped the engine's way: by sub-region, except inside the two continental ones (Sub-Saharan
Africa, Latin America and the Caribbean), where the intermediate region is what people name.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy
from django_countries import countries

from portal.collation import sort_key

REGIONS_FILE = Path(__file__).resolve().parent / "data" / "un_m49_regions.csv"
SPLIT_SUBREGIONS = ("Sub-Saharan Africa", "Latin America and the Caribbean")
# The continents in the order their regions are listed: the province's own first.
CONTINENTS = ("Asia", "Europe", "Africa", "Americas", "Oceania")
USUAL = "usual"
OTHER = "other"

# The UN M49 (sub-)regions, named in the reader's language.
REGION_NAMES = {
    "Australia and New Zealand": gettext_lazy("Australia and New Zealand"),
    "Caribbean": gettext_lazy("the Caribbean"),
    "Central America": gettext_lazy("Central America"),
    "Central Asia": gettext_lazy("Central Asia"),
    "Eastern Africa": gettext_lazy("Eastern Africa"),
    "Eastern Asia": gettext_lazy("Eastern Asia"),
    "Eastern Europe": gettext_lazy("Eastern Europe"),
    "Melanesia": gettext_lazy("Melanesia"),
    "Micronesia": gettext_lazy("Micronesia"),
    "Middle Africa": gettext_lazy("Middle Africa"),
    "Northern Africa": gettext_lazy("Northern Africa"),
    "Northern America": gettext_lazy("Northern America"),
    "Northern Europe": gettext_lazy("Northern Europe"),
    "Polynesia": gettext_lazy("Polynesia"),
    "South America": gettext_lazy("South America"),
    "South-eastern Asia": gettext_lazy("South-eastern Asia"),
    "Southern Africa": gettext_lazy("Southern Africa"),
    "Southern Asia": gettext_lazy("Southern Asia"),
    "Southern Europe": gettext_lazy("Southern Europe"),
    "Western Africa": gettext_lazy("Western Africa"),
    "Western Asia": gettext_lazy("Western Asia"),
    "Western Europe": gettext_lazy("Western Europe"),
}


@functools.cache
def _regions() -> dict[str, tuple[str, str]]:
    """{ISO code: (continent, world region)} from the shipped M49 table."""
    found = {}
    with open(REGIONS_FILE, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            region = row["subregion"]
            if region in SPLIT_SUBREGIONS and row["intermediate_region"]:
                region = row["intermediate_region"]
            found[row["iso2"]] = (row["region"], region)
    return found


def region_of(code: str) -> str:
    """The world region of a country ("Western Asia"), or "" where M49 gives none."""
    return _regions().get(str(code).upper(), ("", ""))[1]


def usual_markets() -> tuple[str, ...]:
    return tuple(str(code).strip().upper() for code in settings.USUAL_MARKETS)


@dataclass(frozen=True)
class CountryGroup:
    key: str  # USUAL, an M49 region ("Western Asia") or OTHER
    name: str  # in the reader's language
    countries: list[tuple[str, str]]  # (code, name), in the reader's order


def _region_order(region: str, language: str) -> tuple:
    continent = next((c for c, r in _regions().values() if r == region), "")
    place = CONTINENTS.index(continent) if continent in CONTINENTS else len(CONTINENTS)
    return place, sort_key(str(REGION_NAMES.get(region, region)), language)


def group_countries(choices: Iterable[tuple[str, str]], language: str | None = None) -> list[CountryGroup]:
    """`choices` ((code, name) pairs, named in the active language) as the picker lists them:
    the usual markets first, then a group per world region (the province's continent first),
    then any country M49 places nowhere; each group sorted by the reader's alphabet."""
    language = language or translation.get_language()
    usual = set(usual_markets())
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, name in choices:
        if not code:
            continue
        key = USUAL if code in usual else region_of(code) or OTHER
        groups.setdefault(key, []).append((code, str(name)))
    keys = sorted((k for k in groups if k not in (USUAL, OTHER)), key=lambda k: _region_order(k, language))
    names = {USUAL: gettext_lazy("The province’s usual markets"), OTHER: gettext_lazy("Other places")}
    return [
        CountryGroup(
            key=key,
            name=capfirst(str(names.get(key) or REGION_NAMES.get(key, key))),
            countries=sorted(groups[key], key=lambda pair: sort_key(pair[1], language)),
        )
        for key in [USUAL, *keys, OTHER]
        if key in groups
    ]


def english_names() -> dict[str, str]:
    """Every country's English name, so a reader may find one by it on any page."""
    with translation.override("en"):
        return {country.code: str(country.name) for country in countries}
