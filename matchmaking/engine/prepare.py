"""Inputs turned into index structures: HS inverted index, unit tables, market and certificate masks.

Producers are prepared once and reused for every chunk of buyers; buyers are prepared
against prepared producers (their HS keys map into the producers' key columns).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matchmaking.engine.config import (
    CHAPTER,
    MARKET_OPEN,
    MARKET_OTHER,
    MARKET_SAME_REGION,
    MARKET_TARGET,
    SECTION,
)
from matchmaking.engine.hs import sector_keys
from matchmaking.engine.inputs import (
    UNIT_DIMENSIONS,
    UNITS,
    BuyerArrays,
    ProducerArrays,
    normalise_certification,
    normalise_country,
    normalise_unit,
)
from matchmaking.engine.regions import Regions, default_regions
from matchmaking.engine.responsiveness import AlignedResponsiveness

# Weight of one shared key per level in the candidate product: a pair's value encodes the
# finest level it shares. Counts of shared keys stay below the next weight (at most 21
# sections, 100 chapters, 10,000 headings), so the levels never bleed into each other.
LEVEL_WEIGHTS = (1, 1 << 8, 1 << 16, 1 << 32)
UNKNOWN_UNIT_ROW = len(UNITS)


def _key_cache(sections: Mapping[str, str], section_names: frozenset[str]):
    """sector_keys, remembered per code: the same codes recur across thousands of profiles."""
    cache: dict[str, tuple[tuple[int, str], ...]] = {}

    def keys_of(code: str) -> tuple[tuple[int, str], ...]:
        keys = cache.get(code)
        if keys is None:
            keys = cache[code] = sector_keys(code, sections, section_names)
        return keys

    return keys_of


def rank_of(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rank of each id, index holding each rank): ties are broken by id through ranks."""
    order = np.argsort(ids, kind="stable")
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids), dtype=np.int64)
    return rank, order


def sanitised_capacity(values: np.ndarray) -> np.ndarray:
    """Free capacity: finite and >= 0, else unknown (NaN)."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(values) & (values >= 0), values, np.nan)


def sanitised_positive(values: np.ndarray) -> np.ndarray:
    """Demand, order size, minimum order: finite and > 0, else unknown (NaN)."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def convertible_units(unit: str) -> list[tuple[str, float]]:
    """Units whose quantities count towards `unit`, with the factor that converts them."""
    if unit not in UNIT_DIMENSIONS:
        return [(unit, 1.0)]
    dimension, size = UNIT_DIMENSIONS[unit]
    return [
        (other, other_size / size) for other, (dim, other_size) in UNIT_DIMENSIONS.items() if dim == dimension
    ]


def _unit_table(by_unit: Mapping[str, np.ndarray], n: int, *, is_capacity: bool) -> np.ndarray:
    """(units + 1) × n: per unit the producer's capacity (summed) or minimum order (smallest),
    converting kg↔tonnes and litres↔m3; the extra last row (unknown unit) is all NaN."""
    table = np.full((UNKNOWN_UNIT_ROW + 1, n), np.nan)
    clean = sanitised_capacity if is_capacity else sanitised_positive
    for row, unit in enumerate(UNITS):
        acc = np.full(n, np.nan)
        for source, factor in convertible_units(unit):
            if source not in by_unit:
                continue
            value = clean(by_unit[source]) * factor
            both = ~np.isnan(acc) & ~np.isnan(value)
            merged = acc + value if is_capacity else np.minimum(acc, value)
            acc = np.where(both, merged, np.where(np.isnan(acc), value, acc))
        table[row] = acc
    return table


@dataclass(eq=False)
class PreparedProducers:
    """Producers as the engine reads them; reuse one for every chunk of buyers."""

    arrays: ProducerArrays
    sections: Mapping[str, str]
    section_names: frozenset[str]
    regions: Regions
    id_rank: np.ndarray
    index_of_rank: np.ndarray
    key_index: dict[tuple[int, str], int]
    key_estimate_weight: np.ndarray
    postings: sp.csr_matrix  # keys × producers, binary
    capacity: np.ndarray  # (units + 1) × producers
    moq: np.ndarray
    country_index: dict[str, int]
    targets: np.ndarray  # countries × producers, bool
    region_index: dict[str, int]
    in_region: np.ndarray  # regions × producers, bool
    cert_index: dict[str, int]
    holders: sp.csc_matrix  # producers × certifications, binary

    def __len__(self) -> int:
        return len(self.arrays)


def _posting_entries(
    hs_codes, key_index: dict[tuple[int, str], int], keys_of
) -> tuple[np.ndarray, np.ndarray]:
    """(producer row, key column) of each producer's HS keys; `key_index` grows with new keys."""
    columns_of: dict[str, list[int]] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, codes in enumerate(hs_codes):
        for code in codes:
            columns = columns_of.get(code)
            if columns is None:
                columns = columns_of[code] = [key_index.setdefault(k, len(key_index)) for k in keys_of(code)]
            rows.extend([i] * len(columns))
            cols.extend(columns)
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)


def _key_estimate_weight(
    postings: sp.csr_matrix, key_index: dict[tuple[int, str], int], sections: Mapping[str, str]
) -> np.ndarray:
    """Producers per key, counted only for root keys: a buyer's candidates are bounded by the
    producers under its sections (or under its chapters that belong to no section), the finer
    keys sit inside those."""
    is_root = np.array(
        [level == SECTION or (level == CHAPTER and not sections.get(key)) for level, key in key_index],
        dtype=bool,
    )
    return np.diff(postings.indptr).astype(np.int64) * is_root


def _targets(target_markets, country_index: dict[str, int]) -> np.ndarray:
    """countries × producers, bool; `country_index` grows with new countries."""
    target_pairs: list[tuple[int, int]] = []
    for i, markets in enumerate(target_markets):
        for market in markets:
            code = normalise_country(market)
            if code:
                target_pairs.append((country_index.setdefault(code, len(country_index)), i))
    targets = np.zeros((len(country_index), len(target_markets)), dtype=bool)
    if target_pairs:
        t_rows, t_cols = np.array(target_pairs, dtype=np.intp).T
        targets[t_rows, t_cols] = True
    return targets


def _in_region(
    targets: np.ndarray, country_index: dict[str, int], region_index: dict[str, int], regions: Regions
) -> np.ndarray:
    """regions × producers, bool: the producer targets some country of the region."""
    in_region = np.zeros((len(region_index), targets.shape[1]), dtype=bool)
    for code, row in country_index.items():
        region = regions.market_region(code)
        if region is not None:
            in_region[region_index[region]] |= targets[row]
    return in_region


def _certification_entries(certifications, cert_index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(producer row, certification column) of each held certification; `cert_index` grows."""
    c_rows: list[int] = []
    c_cols: list[int] = []
    column_of: dict[str, int] = {}
    for i, held in enumerate(certifications):
        for name in held:
            column = column_of.get(name)
            if column is None:
                column = column_of[name] = cert_index.setdefault(
                    normalise_certification(name), len(cert_index)
                )
            c_rows.append(i)
            c_cols.append(column)
    return np.array(c_rows, dtype=np.int64), np.array(c_cols, dtype=np.int64)


def prepare_producers(
    producers: ProducerArrays | PreparedProducers,
    sections: Mapping[str, str],
    regions: Regions | None = None,
) -> PreparedProducers:
    """Index the producers: HS keys, unit tables, target-market and certification matrices."""
    if isinstance(producers, PreparedProducers):
        return producers
    regions = regions or default_regions()
    n = len(producers)
    section_names = frozenset(sections.values())
    if len(section_names) >= 256:
        raise ValueError("at most 255 distinct sections are supported")
    id_rank, index_of_rank = rank_of(producers.ids)

    key_index: dict[tuple[int, str], int] = {}
    rows, cols = _posting_entries(producers.hs_codes, key_index, _key_cache(sections, section_names))
    postings = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (cols, rows)), shape=(len(key_index), n))
    postings.sum_duplicates()  # a key shared by two of a producer's codes counts once
    postings.data[:] = 1
    postings.sort_indices()

    country_index = {code: i for i, code in enumerate(sorted(regions.countries))}
    targets = _targets(producers.target_markets, country_index)
    region_index = {name: i for i, name in enumerate(sorted(set(regions.market_regions.values())))}

    cert_index: dict[str, int] = {}
    c_rows, c_cols = _certification_entries(producers.certifications, cert_index)
    holders = sp.csc_matrix(
        (np.ones(len(c_rows), dtype=np.int8), (c_rows, c_cols)), shape=(n, len(cert_index))
    )
    holders.sum_duplicates()  # "CE" and "ce" are one certificate
    holders.sort_indices()

    return PreparedProducers(
        arrays=producers,
        sections=dict(sections),
        section_names=section_names,
        regions=regions,
        id_rank=id_rank,
        index_of_rank=index_of_rank,
        key_index=key_index,
        key_estimate_weight=_key_estimate_weight(postings, key_index, sections),
        postings=postings,
        capacity=_unit_table(producers.capacity_by_unit, n, is_capacity=True),
        moq=_unit_table(producers.moq_by_unit, n, is_capacity=False),
        country_index=country_index,
        targets=targets,
        region_index=region_index,
        in_region=_in_region(targets, country_index, region_index, regions),
        cert_index=cert_index,
        holders=holders,
    )


# Largest table of certification shares (entries) before falling back to bitmasks per pair.
CERT_TABLE_LIMIT = 8_000_000  # 64 MB of float64


def _certification_shares(
    required: list[tuple[str, ...]], producers: PreparedProducers
) -> tuple[np.ndarray | None, np.ndarray]:
    """Share of each distinct requirement set that each producer holds: buyers mostly ask for
    the same few certifications, so one gather per pair replaces the bit counting."""
    n = len(producers)
    distinct = sorted(set(required))
    if len(distinct) * n > CERT_TABLE_LIMIT:
        return None, np.zeros(len(required), dtype=np.int64)
    shares = np.ones((len(distinct), n), dtype=np.float64)
    holders = producers.holders
    for row, certs in enumerate(distinct):
        if not certs:
            continue
        held = np.zeros(n, dtype=np.int64)
        for cert in certs:
            col = producers.cert_index.get(cert)
            if col is not None:
                held[holders.indices[holders.indptr[col] : holders.indptr[col + 1]]] += 1
        shares[row] = held / len(certs)
    row_of = {certs: row for row, certs in enumerate(distinct)}
    return shares, np.array([row_of[r] for r in required], dtype=np.int64) * n


@dataclass(eq=False)
class PreparedBuyers:
    """Buyers against one set of prepared producers: everything a pair needs, by buyer index."""

    arrays: BuyerArrays
    producers: PreparedProducers
    id_rank: np.ndarray
    index_of_rank: np.ndarray
    keys: sp.csr_matrix  # buyers × producer keys, data = LEVEL_WEIGHTS of the key's level
    candidate_estimate: np.ndarray  # upper bound of each buyer's candidate pairs
    unit: list[str]  # normalised unit, "" unknown
    capacity_offset: np.ndarray  # row of the unit table × producers, for flat gathers
    demand: np.ndarray  # NaN unless known
    order: np.ndarray
    country: list[str]
    market_codes: np.ndarray  # buyer countries × producers, uint8 market code
    market_offset: np.ndarray
    required: list[tuple[str, ...]]  # normalised, sorted, unique
    required_count: np.ndarray
    # Either a table of shares (distinct requirement sets × producers) gathered at
    # cert_offset + producer, or bitmasks counted per pair when that table would be too big.
    cert_shares: np.ndarray | None
    cert_offset: np.ndarray
    producer_cert_words: np.ndarray  # words × producers, uint64 bitmasks
    buyer_cert_words: np.ndarray  # words × buyers
    # Whether the producers answer their introductions (engine.responsiveness), by producer
    # position; None: nobody is penalised. Set by the entry points (sweep._buyers).
    responsiveness: AlignedResponsiveness | None = None

    def __len__(self) -> int:
        return len(self.arrays)


def prepare_buyers(buyers: BuyerArrays, producers: PreparedProducers) -> PreparedBuyers:
    """Map the buyers onto the producers' keys, countries and certifications."""
    m, n = len(buyers), len(producers)
    id_rank, index_of_rank = rank_of(buyers.ids)

    key_index = producers.key_index
    keys_of = _key_cache(producers.sections, producers.section_names)
    rows: list[int] = []
    cols: list[int] = []
    weights: list[int] = []
    for b, codes in enumerate(buyers.hs_codes):
        own: dict[int, int] = {}
        for code in codes:
            for key in keys_of(code):
                col = key_index.get(key)
                if col is not None:  # a key no producer has cannot make a pair
                    own[col] = LEVEL_WEIGHTS[key[0]]
        rows.extend([b] * len(own))
        cols.extend(own)
        weights.extend(own.values())
    keys = sp.csr_matrix(
        (np.array(weights, dtype=np.int64), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
        shape=(m, len(key_index)),
    )
    keys.sort_indices()
    binary = keys.copy()
    binary.data[:] = 1
    candidate_estimate = np.asarray(binary @ producers.key_estimate_weight, dtype=np.int64).reshape(-1)

    unit = [normalise_unit(u) for u in buyers.demand_unit]
    unit_row = np.array([UNITS.index(u) if u else UNKNOWN_UNIT_ROW for u in unit], dtype=np.int64)

    country = [normalise_country(c) for c in buyers.country]
    distinct = sorted(set(country))
    market_codes = np.empty((len(distinct), n), dtype=np.uint8)
    no_target = np.zeros(n, dtype=bool)
    fallback = np.where(producers.arrays.open_to_any_market, MARKET_OPEN, MARKET_OTHER).astype(np.uint8)
    for row, code in enumerate(distinct):
        c = producers.country_index.get(code)
        region = producers.regions.market_region(code) if code else None
        target = producers.targets[c] if c is not None else no_target
        near = producers.in_region[producers.region_index[region]] if region is not None else no_target
        market_codes[row] = np.where(target, MARKET_TARGET, np.where(near, MARKET_SAME_REGION, fallback))
    country_row = {code: row for row, code in enumerate(distinct)}
    market_offset = np.array([country_row[c] for c in country], dtype=np.int64) * n

    required = [
        tuple(sorted({normalise_certification(c) for c in req})) for req in buyers.required_certifications
    ]
    required_count = np.array([len(r) for r in required], dtype=np.int64)
    cert_shares, cert_offset = _certification_shares(required, producers)
    # Bits only for certifications that some buyer requires and some producer holds;
    # the others can only be missing, which `required_count` already accounts for.
    vocabulary = (
        []
        if cert_shares is not None
        else sorted({c for r in required for c in r if c in producers.cert_index})
    )
    bit_of = {c: j for j, c in enumerate(vocabulary)}
    n_words = (len(vocabulary) + 63) // 64
    producer_words = np.zeros((n_words, n), dtype=np.uint64)
    for j, cert in enumerate(vocabulary):
        col = producers.cert_index[cert]
        holders = producers.holders.indices[producers.holders.indptr[col] : producers.holders.indptr[col + 1]]
        producer_words[j // 64, holders] |= np.uint64(1 << (j % 64))
    buyer_words = np.zeros((n_words, m), dtype=np.uint64)
    for b, req in enumerate(required):
        for cert in req:
            j = bit_of.get(cert)
            if j is not None:
                buyer_words[j // 64, b] |= np.uint64(1 << (j % 64))

    return PreparedBuyers(
        arrays=buyers,
        producers=producers,
        id_rank=id_rank,
        index_of_rank=index_of_rank,
        keys=keys,
        candidate_estimate=candidate_estimate,
        unit=unit,
        capacity_offset=unit_row * n,
        demand=sanitised_positive(buyers.annual_demand),
        order=sanitised_positive(buyers.typical_order),
        country=country,
        market_codes=market_codes,
        market_offset=market_offset,
        required=required,
        required_count=required_count,
        cert_shares=cert_shares,
        cert_offset=cert_offset,
        producer_cert_words=producer_words,
        buyer_cert_words=buyer_words,
    )
