"""The engine's inputs: plain arrays per side, built by the Django layer from querysets."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

# The capacity units of catalogue.CapacityUnit, in a fixed order (array rows).
UNITS = ("units", "sets", "pairs", "kg", "tonnes", "litres", "m2", "m3")

# Units that measure the same quantity: (dimension, size in the dimension's base unit).
# Free capacity in kg counts towards a demand in tonnes, litres towards m3.
UNIT_DIMENSIONS = {
    "kg": ("mass", 1.0),
    "tonnes": ("mass", 1000.0),
    "litres": ("volume", 1.0),
    "m3": ("volume", 1000.0),
}

_UNIT_ALIASES = {
    "unit": "units",
    "pcs": "units",
    "pc": "units",
    "piece": "units",
    "pieces": "units",
    "set": "sets",
    "pair": "pairs",
    "kgs": "kg",
    "kilogram": "kg",
    "kilograms": "kg",
    "t": "tonnes",
    "ton": "tonnes",
    "tons": "tonnes",
    "tonne": "tonnes",
    "l": "litres",
    "litre": "litres",
    "liter": "litres",
    "liters": "litres",
    "m²": "m2",
    "sqm": "m2",
    "m³": "m3",
    "cbm": "m3",
}


def normalise_unit(unit: str | None) -> str:
    """A unit of UNITS, or "" when the unit is blank or unknown (the capacity factor turns neutral)."""
    cleaned = (unit or "").strip().lower()
    cleaned = _UNIT_ALIASES.get(cleaned, cleaned)
    return cleaned if cleaned in UNITS else ""


def normalise_certification(name: str) -> str:
    """Compare certifications case- and space-insensitively ("iso  9001" == "ISO 9001")."""
    return " ".join(str(name).split()).casefold()


def normalise_country(code: str | None) -> str:
    return (code or "").strip().upper()


def known_positive(value: float) -> bool:
    """A usable demand, order size or minimum order: finite and above zero."""
    return isinstance(value, (int, float, np.floating, np.integer)) and math.isfinite(value) and value > 0


def _float_array(values, n: int, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if array.shape != (n,):
        raise ValueError(f"{name}: expected {n} values, got {array.shape[0]}")
    return array


def _ids(values) -> np.ndarray:
    ids = np.asarray(values, dtype=np.int64).reshape(-1)
    ascending = len(ids) < 2 or bool((ids[1:] > ids[:-1]).all())  # as loaded: no need to sort
    if not ascending and len(np.unique(ids)) != len(ids):
        raise ValueError("ids must be unique")
    return ids


def _check_length(values: Sequence, n: int, name: str) -> None:
    if len(values) != n:
        raise ValueError(f"{name}: expected {n} entries, got {len(values)}")


def _by_unit(mapping: Mapping[str, object], n: int, name: str) -> dict[str, np.ndarray]:
    result: dict[str, np.ndarray] = {}
    for unit, values in mapping.items():
        normal = normalise_unit(unit)
        if not normal:
            raise ValueError(f"{name}: unknown unit {unit!r} (expected one of {', '.join(UNITS)})")
        if normal in result:
            raise ValueError(f"{name}: unit {normal!r} given twice")
        result[normal] = _float_array(values, n, f"{name}[{unit}]")
    return result


class ProductLine(NamedTuple):
    """One of a producer's products as the engine reads it: its HS code, capacity unit, free
    annual capacity and minimum order (NaN = unknown)."""

    hs_code: str
    unit: str = ""
    capacity: float = math.nan
    moq: float = math.nan


@dataclass(frozen=True, eq=False)
class ProducerArrays:
    """Producers, one entry per producer in every field.

    hs_codes: the producer's declared sectors and product codes (2/4/6 digits, or a section
    numeral); products: its product lines (`ProductLine`), whose capacity and minimum order
    count for a buyer only when the line lies under what the buyer seeks (a code of hs_codes
    without a line is a line of unknown capacity); capacity_by_unit / moq_by_unit: unit →
    float[n], a company-wide free annual capacity and smallest minimum order (NaN = unknown),
    used only where the matching lines give none (producers described without lines);
    export_experience: countries it has already exported to.
    """

    ids: np.ndarray
    hs_codes: Sequence[Sequence[str]]
    capacity_by_unit: Mapping[str, np.ndarray]
    moq_by_unit: Mapping[str, np.ndarray]
    target_markets: Sequence[Set[str]]
    open_to_any_market: np.ndarray
    certifications: Sequence[Set[str]]
    products: Sequence[Sequence[ProductLine]] | None = None
    export_experience: Sequence[Set[str]] | None = None

    def __post_init__(self) -> None:
        ids = _ids(self.ids)
        n = len(ids)
        object.__setattr__(self, "ids", ids)
        if self.products is None:
            object.__setattr__(self, "products", [()] * n)
        if self.export_experience is None:
            object.__setattr__(self, "export_experience", [frozenset()] * n)
        for name in ("hs_codes", "target_markets", "certifications", "products", "export_experience"):
            _check_length(getattr(self, name), n, name)
        object.__setattr__(self, "capacity_by_unit", _by_unit(self.capacity_by_unit, n, "capacity_by_unit"))
        object.__setattr__(self, "moq_by_unit", _by_unit(self.moq_by_unit, n, "moq_by_unit"))
        open_any = np.asarray(self.open_to_any_market, dtype=bool).reshape(-1)
        if open_any.shape != (n,):
            raise ValueError(f"open_to_any_market: expected {n} values")
        object.__setattr__(self, "open_to_any_market", open_any)

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, indices) -> ProducerArrays:
        """The producers at these positions (a chunk, or one profile)."""
        idx = np.asarray(indices, dtype=np.intp).reshape(-1)
        return ProducerArrays(
            ids=self.ids[idx],
            hs_codes=[self.hs_codes[i] for i in idx],
            capacity_by_unit={u: v[idx] for u, v in self.capacity_by_unit.items()},
            moq_by_unit={u: v[idx] for u, v in self.moq_by_unit.items()},
            target_markets=[self.target_markets[i] for i in idx],
            open_to_any_market=self.open_to_any_market[idx],
            certifications=[self.certifications[i] for i in idx],
            products=[self.products[i] for i in idx],
            export_experience=[self.export_experience[i] for i in idx],
        )

    @classmethod
    def from_records(cls, records: Sequence[ProducerRecord]) -> ProducerArrays:
        """Arrays from one record per producer (convenient for small inputs and tests)."""
        n = len(records)
        capacity = {u: np.full(n, np.nan) for u in UNITS}
        moq = {u: np.full(n, np.nan) for u in UNITS}
        for i, record in enumerate(records):
            for target, values in ((capacity, record.capacity), (moq, record.moq)):
                for unit, value in values.items():
                    normal = normalise_unit(unit)
                    if not normal:
                        raise ValueError(f"producer {record.id}: unknown unit {unit!r}")
                    target[normal][i] = value
        return cls(
            ids=np.array([r.id for r in records], dtype=np.int64),
            hs_codes=[list(r.hs_codes) for r in records],
            capacity_by_unit=capacity,
            moq_by_unit=moq,
            target_markets=[set(r.target_markets) for r in records],
            open_to_any_market=np.array([r.open_to_any_market for r in records], dtype=bool),
            certifications=[set(r.certifications) for r in records],
            products=[tuple(ProductLine(*line) for line in r.products) for r in records],
            export_experience=[set(r.export_experience) for r in records],
        )


@dataclass(frozen=True, eq=False)
class BuyerArrays:
    """Buyers, one entry per buyer in every field (NaN or "" = unknown).

    seeks_parts: the buyer also wants the parts and components of what it seeks (the
    related headings of engine.related); False for every buyer when not given.
    """

    ids: np.ndarray
    hs_codes: Sequence[Sequence[str]]
    country: Sequence[str]
    annual_demand: np.ndarray
    demand_unit: Sequence[str]
    typical_order: np.ndarray
    required_certifications: Sequence[Set[str]]
    seeks_parts: np.ndarray | None = None

    def __post_init__(self) -> None:
        ids = _ids(self.ids)
        m = len(ids)
        object.__setattr__(self, "ids", ids)
        parts = np.zeros(m, dtype=bool) if self.seeks_parts is None else self.seeks_parts
        parts = np.asarray(parts, dtype=bool).reshape(-1)
        if parts.shape != (m,):
            raise ValueError(f"seeks_parts: expected {m} values")
        object.__setattr__(self, "seeks_parts", parts)
        for name in ("hs_codes", "country", "demand_unit", "required_certifications"):
            _check_length(getattr(self, name), m, name)
        object.__setattr__(self, "annual_demand", _float_array(self.annual_demand, m, "annual_demand"))
        object.__setattr__(self, "typical_order", _float_array(self.typical_order, m, "typical_order"))

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, indices) -> BuyerArrays:
        """The buyers at these positions (a chunk of the nightly sweep, or one profile)."""
        idx = np.asarray(indices, dtype=np.intp).reshape(-1)
        return BuyerArrays(
            ids=self.ids[idx],
            hs_codes=[self.hs_codes[i] for i in idx],
            country=[self.country[i] for i in idx],
            annual_demand=self.annual_demand[idx],
            demand_unit=[self.demand_unit[i] for i in idx],
            typical_order=self.typical_order[idx],
            required_certifications=[self.required_certifications[i] for i in idx],
            seeks_parts=self.seeks_parts[idx],
        )

    @classmethod
    def from_records(cls, records: Sequence[BuyerRecord]) -> BuyerArrays:
        """Arrays from one record per buyer."""
        return cls(
            ids=np.array([r.id for r in records], dtype=np.int64),
            hs_codes=[list(r.hs_codes) for r in records],
            country=[r.country for r in records],
            annual_demand=np.array([r.annual_demand for r in records], dtype=np.float64),
            demand_unit=[r.demand_unit for r in records],
            typical_order=np.array([r.typical_order for r in records], dtype=np.float64),
            required_certifications=[set(r.required_certifications) for r in records],
            seeks_parts=np.array([r.seeks_parts for r in records], dtype=bool),
        )


@dataclass(frozen=True)
class ProducerRecord:
    """One producer, for `ProducerArrays.from_records`."""

    id: int
    hs_codes: Sequence[str]
    capacity: Mapping[str, float] = field(default_factory=dict)
    moq: Mapping[str, float] = field(default_factory=dict)
    target_markets: Set[str] = frozenset()
    open_to_any_market: bool = False
    certifications: Set[str] = frozenset()
    products: Sequence[tuple] = ()  # ProductLine or (hs_code, unit, capacity, moq)
    export_experience: Set[str] = frozenset()


@dataclass(frozen=True)
class BuyerRecord:
    """One buyer, for `BuyerArrays.from_records`."""

    id: int
    hs_codes: Sequence[str]
    country: str = ""
    annual_demand: float = math.nan
    demand_unit: str = ""
    typical_order: float = math.nan
    required_certifications: Set[str] = frozenset()
    seeks_parts: bool = False
