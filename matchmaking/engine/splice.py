"""Prepared producers patched in place of being prepared again: a few producers replaced,
added or removed out of many, in array operations over the rest (no Python loop over them).

The result scores, selects and explains exactly as `prepare_producers` of the resulting
arrays would; its key, country and certification columns may be ordered differently and
keep the columns that no producer uses any more (they make no pair).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from matchmaking.engine.inputs import ProducerArrays
from matchmaking.engine.prepare import (
    Lines,
    PreparedProducers,
    _certification_entries,
    _in_region,
    _key_cache,
    _key_estimate_weight,
    _posting_entries,
    _targets,
    _unit_table,
    build_lines,
    line_entries,
    lines_from,
    pad_rows,
    rank_of,
)


def _rows_by_producer(matrix: sp.spmatrix, columns: int) -> sp.csr_matrix:
    """`matrix` (producers × columns) as CSR, widened to `columns`."""
    csr = matrix.tocsr()
    return sp.csr_matrix((csr.data, csr.indices, csr.indptr), shape=(csr.shape[0], columns))


class _Rows:
    """Where each row of the patched producers comes from: an old row or a replacement.

    In place (the common case: producers edited, none gone or new, the old rows in id order)
    the rows keep their positions and the replacements overwrite theirs, a copy each; otherwise the kept old
    rows and the replacements are gathered in id order.
    """

    def __init__(self, old_ids: np.ndarray, new_ids: np.ndarray, removed_ids) -> None:
        n_old, m = len(old_ids), len(new_ids)
        self.n_old = n_old
        order = np.argsort(old_ids, kind="stable")
        at = np.minimum(np.searchsorted(old_ids[order], new_ids), max(n_old - 1, 0))
        present = old_ids[order][at] == new_ids if n_old else np.zeros(m, dtype=bool)
        removed = np.setdiff1d(np.asarray(list(removed_ids), dtype=np.int64), new_ids)
        gone_at = np.minimum(np.searchsorted(old_ids[order], removed), max(n_old - 1, 0))
        removes = bool(n_old) and bool((old_ids[order][gone_at] == removed).any())
        ascending = n_old < 2 or bool((old_ids[1:] > old_ids[:-1]).all())
        self.in_place = ascending and bool(present.all()) and not removes
        if self.in_place:
            self.positions = order[at]  # where each replacement goes
            self.source = None
            return
        keep = np.flatnonzero(~np.isin(old_ids, np.union1d(removed, new_ids)))
        ids = np.concatenate([old_ids[keep], new_ids])
        # Each new row's position in [every old row, then every replacement], by id.
        self.source = np.concatenate([keep, n_old + np.arange(m, dtype=np.int64)])[
            np.argsort(ids, kind="stable")
        ]

    def list(self, old_values, new_values) -> list:
        if self.in_place:
            values = list(old_values)
            for i, value in zip(self.positions.tolist(), new_values, strict=True):
                values[i] = value
            return values
        pool = [*old_values, *new_values]
        return [pool[i] for i in self.source.tolist()]

    def columns(self, old: np.ndarray, new: np.ndarray) -> np.ndarray:
        """Along the last axis (producers)."""
        if self.in_place:
            if np.array_equal(old[..., self.positions], new, equal_nan=old.dtype.kind == "f"):
                return old  # unchanged: shared (prepared arrays are never written to)
            values = old.copy()
            values[..., self.positions] = new
            return values
        return np.concatenate([old, new], axis=-1)[..., self.source]

    def new_position(self, m: int) -> np.ndarray:
        """For each row of [every old row, then every replacement]: its position among the
        patched rows, or -1 when it is not kept."""
        position = np.full(self.n_old + m, -1, dtype=np.int64)
        if self.in_place:
            position[: self.n_old] = np.arange(self.n_old, dtype=np.int64)
            position[self.positions] = -1
            position[self.n_old + np.arange(m)] = self.positions
        else:
            position[self.source] = np.arange(len(self.source), dtype=np.int64)
        return position

    def sparse(self, old: sp.csr_matrix, new: sp.csr_matrix) -> sp.csr_matrix:
        """Along the rows (producers)."""
        index = self.source
        if self.in_place:
            index = np.arange(self.n_old, dtype=np.int64)
            index[self.positions] = self.n_old + np.arange(new.shape[0], dtype=np.int64)
        return sp.vstack([old, new], format="csr")[index]


def replace_producers(
    prepared: PreparedProducers, replacements: ProducerArrays, removed_ids=()
) -> PreparedProducers:
    """`prepared` without the producers whose ids are in `removed_ids` or `replacements`, and
    with `replacements` in, every row ordered by id (as the loader orders them)."""
    old = prepared.arrays
    n_old, m = len(old), len(replacements)
    rows = _Rows(old.ids, replacements.ids, removed_ids)

    def by_unit(old_by_unit, new_by_unit) -> dict[str, np.ndarray]:
        return {
            unit: rows.columns(
                old_by_unit.get(unit, np.full(n_old, math.nan)), new_by_unit.get(unit, np.full(m, math.nan))
            )
            for unit in sorted({*old_by_unit, *new_by_unit})
        }

    arrays = ProducerArrays(
        ids=rows.columns(old.ids, replacements.ids),
        hs_codes=rows.list(old.hs_codes, replacements.hs_codes),
        capacity_by_unit=by_unit(old.capacity_by_unit, replacements.capacity_by_unit),
        moq_by_unit=by_unit(old.moq_by_unit, replacements.moq_by_unit),
        target_markets=rows.list(old.target_markets, replacements.target_markets),
        open_to_any_market=rows.columns(old.open_to_any_market, replacements.open_to_any_market),
        certifications=rows.list(old.certifications, replacements.certifications),
        products=rows.list(old.products, replacements.products),
        export_experience=rows.list(old.export_experience, replacements.export_experience),
    )

    # HS keys: the old postings (keys × producers) by producer, the new rows in.
    key_index = dict(prepared.key_index)
    p_rows, p_cols = _posting_entries(
        replacements.hs_codes, key_index, _key_cache(prepared.sections, prepared.section_names)
    )
    added = sp.csr_matrix((np.ones(len(p_rows), dtype=np.int64), (p_rows, p_cols)), shape=(m, len(key_index)))
    added.sum_duplicates()
    added.data[:] = 1
    keys_of = _key_cache(prepared.sections, prepared.section_names)
    new_lines = build_lines(*line_entries(replacements), m, key_index, keys_of)
    postings = rows.sparse(
        _rows_by_producer(prepared.postings.T, len(key_index)), _rows_by_producer(added, len(key_index))
    ).T.tocsr()
    postings.sort_indices()
    lines = _patched_lines(
        prepared.lines, new_lines, rows.new_position(m), n_old, len(arrays), len(key_index)
    )

    country_index = dict(prepared.country_index)
    new_targets = _targets(replacements.target_markets, country_index)
    new_exported = _targets(replacements.export_experience, country_index)
    new_targets = pad_rows(new_targets, len(country_index))
    old_targets = pad_rows(prepared.targets, len(country_index))
    old_exported = pad_rows(prepared.exported, len(country_index))
    new_in_region = _in_region(new_targets, country_index, prepared.region_index, prepared.regions)
    new_exported_region = _in_region(new_exported, country_index, prepared.region_index, prepared.regions)

    cert_index = dict(prepared.cert_index)
    c_rows, c_cols = _certification_entries(replacements.certifications, cert_index)
    new_holders = sp.csr_matrix(
        (np.ones(len(c_rows), dtype=np.int8), (c_rows, c_cols)), shape=(m, len(cert_index))
    )
    new_holders.sum_duplicates()
    holders = rows.sparse(_rows_by_producer(prepared.holders, len(cert_index)), new_holders).tocsc()
    holders.sort_indices()

    if rows.in_place:
        id_rank, index_of_rank = prepared.id_rank, prepared.index_of_rank
    else:
        id_rank, index_of_rank = rank_of(arrays.ids)
    return PreparedProducers(
        arrays=arrays,
        sections=prepared.sections,
        section_names=prepared.section_names,
        regions=prepared.regions,
        id_rank=id_rank,
        index_of_rank=index_of_rank,
        key_index=key_index,
        key_estimate_weight=_key_estimate_weight(lines, len(key_index)),
        postings=postings,
        capacity=rows.columns(
            prepared.capacity, _unit_table(replacements.capacity_by_unit, m, is_capacity=True)
        ),
        moq=rows.columns(prepared.moq, _unit_table(replacements.moq_by_unit, m, is_capacity=False)),
        country_index=country_index,
        targets=rows.columns(old_targets, new_targets),
        region_index=prepared.region_index,
        in_region=rows.columns(prepared.in_region, new_in_region),
        cert_index=cert_index,
        holders=holders,
        lines=lines,
        exported=rows.columns(old_exported, new_exported),
        exported_region=rows.columns(prepared.exported_region, new_exported_region),
    )


def _patched_lines(old: Lines, new: Lines, position: np.ndarray, n_old: int, n: int, n_keys: int) -> Lines:
    """The old lines of kept producers and the replacements' lines, ordered by producer (each
    producer's lines in their order), in array operations."""
    owner_pool = np.concatenate([old.owner, new.owner + n_old])
    owner = position[owner_pool]
    keep = np.flatnonzero(owner >= 0)
    keep = keep[np.argsort(owner[keep], kind="stable")]
    by_line = sp.vstack(
        [_rows_by_producer(old.by_line, n_keys), _rows_by_producer(new.by_line, n_keys)], format="csr"
    )[keep]
    by_line.sort_indices()
    capacity = np.concatenate([old.capacity, new.capacity], axis=1)[:, keep]
    moq = np.concatenate([old.moq, new.moq], axis=1)[:, keep]
    return lines_from(owner[keep], by_line, capacity, moq, n)
