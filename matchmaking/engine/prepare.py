"""Inputs turned into index structures: HS inverted index, unit tables, market and certificate masks.

Producers are prepared once and reused for every chunk of buyers; buyers are prepared
against prepared producers (their HS keys map into the producers' key columns).

The index is kept per product line (a producer's products, and its declared codes as lines
of unknown capacity), ordered by producer: a buyer's codes, each at the buyer's own level
(and the related headings when it asks for parts), pick the lines under them, and a pair's
capacity and minimum order are those of its matching lines only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matchmaking.engine.config import (
    HEADING,
    MARKET_EXPORTED,
    MARKET_EXPORTED_REGION,
    MARKET_OPEN,
    MARKET_OTHER,
    MARKET_SAME_REGION,
    MARKET_TARGET,
    RELATED,
    SUBHEADING,
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
from matchmaking.engine.related import related_headings
from matchmaking.engine.responsiveness import AlignedResponsiveness

# Weight of one matching key per level (indexed by level code) in the candidate product: a
# pair's value encodes the closest level it matches at (config.CLOSENESS: section, chapter,
# related heading, heading, subheading). Counts of keys stay below the next weight (at most
# 21 sections, 100 chapters, 1,300 headings, 5,700 subheadings), so levels never bleed.
LEVEL_WEIGHTS = (1, 1 << 8, 1 << 24, 1 << 36, 1 << 16)
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
    key_estimate_weight: np.ndarray  # lines per key: a bound on the pairs a key makes
    postings: sp.csr_matrix  # keys × producers, binary
    capacity: np.ndarray  # (units + 1) × producers, company-wide (used where lines give none)
    moq: np.ndarray
    country_index: dict[str, int]
    targets: np.ndarray  # countries × producers, bool
    region_index: dict[str, int]
    in_region: np.ndarray  # regions × producers, bool
    cert_index: dict[str, int]
    holders: sp.csc_matrix  # producers × certifications, binary
    lines: Lines
    exported: np.ndarray  # countries × producers, bool: has exported there
    exported_region: np.ndarray  # regions × producers, bool: has exported to the region

    def __len__(self) -> int:
        return len(self.arrays)


@dataclass(eq=False)
class Lines:
    """Every producer's product lines, ordered by producer (lines of one producer together,
    in the order given): their keys, owner and per-unit capacity and minimum order."""

    owner: np.ndarray  # producer index of each line, non-decreasing
    start: np.ndarray  # producers + 1: the first line of each producer (CSR-like)
    postings: sp.csr_matrix  # keys × lines, binary
    by_line: sp.csr_matrix  # lines × keys, binary (postings transposed)
    capacity: np.ndarray  # (units + 1) × lines, converted into every unit of its dimension
    moq: np.ndarray

    def __len__(self) -> int:
        return len(self.owner)


def line_entries(producers: ProducerArrays) -> tuple[np.ndarray, list[str], dict[str, np.ndarray], dict]:
    """(owner, code, capacity by unit, minimum order by unit) of each line: a producer's
    products, then its codes that no product of it carries (unknown capacity)."""
    owner: list[int] = []
    codes: list[str] = []
    units: list[str] = []
    capacity: list[float] = []
    moq: list[float] = []
    for i, (declared, products) in enumerate(zip(producers.hs_codes, producers.products, strict=True)):
        seen = set()
        for line in products:
            owner.append(i)
            codes.append(line[0])
            seen.add(line[0])
            units.append(normalise_unit(line[1]) if len(line) > 1 else "")
            capacity.append(float(line[2]) if len(line) > 2 and line[2] is not None else np.nan)
            moq.append(float(line[3]) if len(line) > 3 and line[3] is not None else np.nan)
        for code in declared:
            if code not in seen:
                owner.append(i)
                codes.append(code)
                seen.add(code)
                units.append("")
                capacity.append(np.nan)
                moq.append(np.nan)
    n = len(owner)
    unit_array = np.array(units, dtype=object) if n else np.zeros(0, dtype=object)
    cap = np.array(capacity, dtype=np.float64)
    small = np.array(moq, dtype=np.float64)
    cap_by_unit = {u: np.where(unit_array == u, cap, np.nan) for u in UNITS}
    moq_by_unit = {u: np.where(unit_array == u, small, np.nan) for u in UNITS}
    return np.array(owner, dtype=np.int64), codes, cap_by_unit, moq_by_unit


def build_lines(
    owner: np.ndarray,
    codes: list[str],
    cap_by_unit: dict[str, np.ndarray],
    moq_by_unit: dict[str, np.ndarray],
    n_producers: int,
    key_index: dict[tuple[int, str], int],
    keys_of,
) -> Lines:
    n = len(owner)
    rows, cols = _posting_entries([(code,) for code in codes], key_index, keys_of)
    by_line = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=(n, len(key_index)))
    by_line.sum_duplicates()
    by_line.data[:] = 1
    by_line.sort_indices()
    return lines_from(
        owner,
        by_line,
        _unit_table(cap_by_unit, n, is_capacity=True),
        _unit_table(moq_by_unit, n, is_capacity=False),
        n_producers,
    )


def lines_from(
    owner: np.ndarray, by_line: sp.csr_matrix, capacity: np.ndarray, moq: np.ndarray, n_producers: int
) -> Lines:
    postings = by_line.T.tocsr()
    postings.sort_indices()
    return Lines(
        owner=owner,
        start=np.searchsorted(owner, np.arange(n_producers + 1, dtype=np.int64)).astype(np.int64),
        postings=postings,
        by_line=by_line,
        capacity=capacity,
        moq=moq,
    )


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


def _key_estimate_weight(lines: Lines, n_keys: int) -> np.ndarray:
    """Lines per key: a buyer's candidate entries are bounded by the lines under its keys."""
    weight = np.zeros(n_keys, dtype=np.int64)
    counts = np.diff(lines.postings.indptr).astype(np.int64)
    weight[: len(counts)] = counts
    return weight


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

    keys_of = _key_cache(sections, section_names)
    lines = build_lines(*line_entries(producers), n, key_index, keys_of)
    if postings.shape[0] < len(key_index):  # keys that only product lines brought in
        postings.resize((len(key_index), n))

    country_index = {code: i for i, code in enumerate(sorted(regions.countries))}
    targets = _targets(producers.target_markets, country_index)
    exported = _targets(producers.export_experience, country_index)
    targets = pad_rows(targets, len(country_index))
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
        key_estimate_weight=_key_estimate_weight(lines, len(key_index)),
        postings=postings,
        capacity=_unit_table(producers.capacity_by_unit, n, is_capacity=True),
        moq=_unit_table(producers.moq_by_unit, n, is_capacity=False),
        country_index=country_index,
        targets=targets,
        region_index=region_index,
        in_region=_in_region(targets, country_index, region_index, regions),
        cert_index=cert_index,
        holders=holders,
        lines=lines,
        exported=exported,
        exported_region=_in_region(exported, country_index, region_index, regions),
    )


def pad_rows(matrix: np.ndarray, rows: int) -> np.ndarray:
    """A countries × producers matrix widened to `rows` countries (new ones all False)."""
    if matrix.shape[0] >= rows:
        return matrix
    padded = np.zeros((rows, matrix.shape[1]), dtype=matrix.dtype)
    padded[: matrix.shape[0]] = matrix
    return padded


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
    candidate_estimate: np.ndarray  # upper bound of each buyer's candidate (buyer, line) entries
    unit: list[str]  # normalised unit, "" unknown
    unit_row: np.ndarray  # row of the unit tables
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


def buyer_keys(code: str, keys_of, seeks_parts: bool) -> list[tuple[tuple[int, str], int]]:
    """The keys a buyer's code picks products by, each with its level code: the code's own
    level only (a product lies under it), and the related headings when the buyer asks for
    parts and components. A shared chapter or section alone picks nothing."""
    own = keys_of(code)[0]
    picked = [(own, own[0])]
    if seeks_parts and own[0] in (HEADING, SUBHEADING):
        picked += [((HEADING, heading), RELATED) for heading in related_headings(own[1][:4])]
    return picked


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
        parts = bool(buyers.seeks_parts[b])
        for code in codes:
            for key, level in buyer_keys(code, keys_of, parts):
                col = key_index.get(key)
                if col is not None:  # a key no producer has cannot make a pair
                    own[col] = max(own.get(col, 0), LEVEL_WEIGHTS[level])
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
    weight = producers.key_estimate_weight
    if len(weight) < keys.shape[1]:
        weight = np.concatenate([weight, np.zeros(keys.shape[1] - len(weight), dtype=np.int64)])
    candidate_estimate = np.asarray(binary @ weight, dtype=np.int64).reshape(-1)

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
        been = producers.exported[c] if c is not None else no_target
        r = producers.region_index[region] if region is not None else None
        near = producers.in_region[r] if r is not None else no_target
        been_near = producers.exported_region[r] if r is not None else no_target
        market_codes[row] = np.where(
            been,
            MARKET_EXPORTED,
            np.where(
                target,
                MARKET_TARGET,
                np.where(been_near, MARKET_EXPORTED_REGION, np.where(near, MARKET_SAME_REGION, fallback)),
            ),
        )
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
        unit_row=unit_row,
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
