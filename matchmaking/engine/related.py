"""Related headings: where the parts and components of a heading's goods are classified
(8708 for the vehicles of 8701-8705), read from the table the project ships
(matchmaking/data/related_headings.csv, the project's own; its README says how it was made).
A buyer who asks for parts and components too is also offered producers under these."""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

DEFAULT_RELATED_PATH = Path(__file__).resolve().parent.parent / "data" / "related_headings.csv"


def load_related_headings(path: str | Path) -> Mapping[str, tuple[str, ...]]:
    """heading → its related headings, from a CSV with columns heading, related."""
    related: dict[str, list[str]] = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            heading, other = (row.get("heading") or "").strip(), (row.get("related") or "").strip()
            if not (len(heading) == len(other) == 4 and heading.isdigit() and other.isdigit()):
                raise ValueError(f"{path}:{line}: heading and related must be 4-digit HS headings")
            related.setdefault(heading, []).append(other)
    return MappingProxyType({h: tuple(sorted(set(r))) for h, r in related.items()})


@functools.cache
def default_related_headings() -> Mapping[str, tuple[str, ...]]:
    """The shipped table, read once per process."""
    return load_related_headings(DEFAULT_RELATED_PATH)


def related_headings(code: str) -> tuple[str, ...]:
    """The headings related to a normalised HS code's heading (none for a chapter or section)."""
    if len(code) < 4 or not code.isdigit():
        return ()
    return default_related_headings().get(code[:4], ())
