"""World regions from the UN M49 standard, read from the CSV the project ships (in
taxonomy/data, beside the other reference tables; the engine reads the file, it imports no app)."""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_REGIONS_PATH = Path(__file__).resolve().parents[2] / "taxonomy" / "data" / "un_m49_regions.csv"

# M49 sub-regions that span a continent; inside them the intermediate region (Western
# Africa, South America, Caribbean, ...) is what a trade counsellor calls a region.
SPLIT_SUBREGIONS = ("Sub-Saharan Africa", "Latin America and the Caribbean")


@dataclass(frozen=True)
class M49Country:
    """One row of the M49 table."""

    iso2: str
    region: str
    subregion: str
    intermediate_region: str


@dataclass(frozen=True)
class Regions:
    """The M49 table and, per country, the region used for matching and routing."""

    countries: Mapping[str, M49Country]
    market_regions: Mapping[str, str]

    def market_region(self, iso2: str) -> str | None:
        """The world region a country shares with its neighbours ("Western Asia"), or None."""
        return self.market_regions.get(iso2.strip().upper())


def load_regions(path: str | Path, *, split_subregions: Iterable[str] = SPLIT_SUBREGIONS) -> Regions:
    """Read a CSV with columns iso2, region, subregion (and optionally intermediate_region)."""
    split = frozenset(split_subregions)
    countries: dict[str, M49Country] = {}
    markets: dict[str, str] = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            iso2 = (row.get("iso2") or "").strip().upper()
            if len(iso2) != 2 or not iso2.isalpha():
                raise ValueError(f"{path}:{line}: iso2 must be two letters, got {iso2!r}")
            if iso2 in countries:
                raise ValueError(f"{path}:{line}: {iso2} appears twice")
            country = M49Country(
                iso2=iso2,
                region=(row.get("region") or "").strip(),
                subregion=(row.get("subregion") or "").strip(),
                intermediate_region=(row.get("intermediate_region") or "").strip(),
            )
            countries[iso2] = country
            market = country.subregion
            if country.subregion in split and country.intermediate_region:
                market = country.intermediate_region
            if market:
                markets[iso2] = market
    return Regions(countries=countries, market_regions=markets)


@functools.cache
def default_regions() -> Regions:
    """The shipped table (taxonomy/data/un_m49_regions.csv), read once per process."""
    return load_regions(DEFAULT_REGIONS_PATH)
