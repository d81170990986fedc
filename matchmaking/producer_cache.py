"""Every ready producer, loaded and prepared once per worker process, kept up to date.

A buyer rematch scores one buyer against every producer sharing a sector with it: loading
and preparing those (tens of thousands) costs far more than scoring them. So the process
keeps all ready producers prepared and, before each use, asks the database what changed
since it last looked, then loads only the producers concerned and patches them in
(`engine.replace_producers`). The database stays the source of truth: every process checks
it for itself, so nothing has to tell the others.

What can change a producer's row (loading.load_producers), and how it is seen:

- its profile or one of its products saved (every service writes through `save()`, which
  stamps `updated_at`): rows stamped after the last check, less a margin for transactions
  still open then (their rows carry the time they were written, not committed), compared
  with the stamps already seen so a row is reloaded once;
- a profile, product or declared sector added or deleted (deletions leave no stamp; a
  declared sector set without saving the profile neither): each table's count and sum of
  ids, compared with those of the ids this process knows; when they differ, the same per
  range of ids tells where, and those ranges' rows tell which producers;
- the HS taxonomy changed (sections), or the cache is old (MAX_AGE): everything again.

A producer that is gone or no longer ready to match simply does not come back from the
load and leaves the cache.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db.models import BigIntegerField, Count, F, Func, Q, Sum
from django.utils import timezone

from accounts.models import ProducerProfile
from catalogue.models import Product
from matchmaking import engine
from matchmaking.engine.config import CHAPTER, SECTION
from matchmaking.loading import SectorRoots, load_producers

# Rows stamped this long before the last check are looked at again: longer than any write
# transaction lasts (and than the clocks of the machines writing differ).
MARGIN = timedelta(seconds=getattr(settings, "MATCHING_PRODUCER_CACHE_MARGIN_SECONDS", 60))
# Loaded again from scratch after this long, whatever the checks said.
MAX_AGE = getattr(settings, "MATCHING_PRODUCER_CACHE_MAX_AGE_SECONDS", 3600)
# More producers than this changed at once (share of all, at least the floor): load all again.
RELOAD_SHARE, RELOAD_FLOOR = 0.05, 500
# Ranges of ids compared when a table's count or sum differs.
ID_RANGES = 256


def enabled() -> bool:
    return getattr(settings, "MATCHING_PRODUCER_CACHE", True)


@dataclass(frozen=True)
class _Table:
    """A table whose rows make up producers: its rows, the column naming their producer and
    whether it stamps its rows."""

    name: str
    owner: str
    stamped: bool

    def rows(self):
        if self.name == "profiles":
            return ProducerProfile.objects.order_by()
        if self.name == "products":
            return Product.objects.order_by()
        return ProducerProfile.declared_sectors.through.objects.order_by()


TABLES = (
    _Table("profiles", "pk", stamped=True),
    _Table("products", "producer_id", stamped=True),
    _Table("declared", "producerprofile_id", stamped=False),
)


@dataclass
class _Known:
    """The ids of a table's rows this process knows, sorted, with their producers."""

    ids: np.ndarray
    owners: np.ndarray

    @classmethod
    def of(cls, pairs) -> _Known:
        array = np.array(list(pairs), dtype=np.int64).reshape(-1, 2)
        order = np.argsort(array[:, 0], kind="stable")
        return cls(array[order, 0].copy(), array[order, 1].copy())

    def signature(self) -> tuple[int, int]:
        return len(self.ids), int(self.ids.sum())

    def without(self, mask: np.ndarray) -> _Known:
        return _Known(self.ids[~mask], self.owners[~mask])

    def merged(self, other: _Known) -> _Known:
        """Both sets of rows (none in common)."""
        ids = np.concatenate([self.ids, other.ids])
        order = np.argsort(ids, kind="stable")
        return _Known(ids[order], np.concatenate([self.owners, other.owners])[order])


def _signature(table: _Table) -> tuple[int, int]:
    row = table.rows().aggregate(n=Count("pk"), s=Sum("pk"))
    return int(row["n"] or 0), int(row["s"] or 0)


def _pairs(table: _Table, condition: Q | None = None):
    rows = table.rows() if condition is None else table.rows().filter(condition)
    return rows.values_list("pk", table.owner)


class _Micros(Func):
    """A timestamp as whole microseconds since 1970 (exact, so sums of them compare)."""

    template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) * 1000000 AS BIGINT)"
    output_field = BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # Stored as text, "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC.
        template = (
            "(CAST(strftime('%%%%s', %(expressions)s) AS INTEGER) * 1000000"
            " + CAST(substr(%(expressions)s || '.000000', 21, 6) AS INTEGER))"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(stamp: datetime) -> int:
    return (stamp - _EPOCH) // timedelta(microseconds=1)


@dataclass
class _State:
    sections: dict[str, str]
    prepared: engine.PreparedProducers
    known: dict[str, _Known]
    # Per stamped table, id → stamp (µs) of its rows stamped within MARGIN of the last check.
    seen: dict[str, dict[int, int]]
    checked_at: datetime
    built_at: float = field(default_factory=time.monotonic)
    patched: int = 0  # producers patched in since built


_state: _State | None = None
_lock = threading.Lock()


def clear() -> None:
    """Forget the cache (the next use loads everything)."""
    global _state
    with _lock:
        _state = None


def prepared_producers(sections: dict[str, str]) -> engine.PreparedProducers:
    """Every ready producer, prepared, as the database holds them now."""
    global _state
    with _lock:
        state = _state
        if state is None or state.sections != sections or time.monotonic() - state.built_at > MAX_AGE:
            state = _state = _build(sections)
            return state.prepared
        try:
            changed = _changed_producers(state)
            if changed:
                limit = max(RELOAD_FLOOR, RELOAD_SHARE * len(state.prepared))
                if len(changed) > limit or state.patched + len(changed) > 4 * limit:
                    state = _state = _build(sections)
                else:
                    _patch(state, changed)
        except BaseException:
            _state = None  # the check moved on without the patch: start again next time
            raise
        return state.prepared


def producers_under(prepared: engine.PreparedProducers, roots: SectorRoots) -> int:
    """How many of the producers share one of these roots (what loading under them reads)."""
    keys = [(SECTION, s) for s in roots.sections] + [(CHAPTER, c) for c in roots.chapters]
    postings = prepared.postings
    columns = [
        postings.indices[postings.indptr[k] : postings.indptr[k + 1]]
        for k in map(prepared.key_index.get, keys)
        if k is not None
    ]
    return len(np.unique(np.concatenate(columns))) if columns else 0


def stats() -> dict:
    """Producers held and the bytes of their arrays (the Python lists of codes, markets and
    certifications not counted)."""
    state = _state
    if state is None:
        return {"producers": 0, "array_bytes": 0}
    p = state.prepared
    sparse = [p.postings, p.holders, p.lines.postings, p.lines.by_line]
    arrays = [p.id_rank, p.index_of_rank, p.key_estimate_weight, p.capacity, p.moq, p.targets, p.in_region]
    arrays += [p.exported, p.exported_region, p.lines.owner, p.lines.start, p.lines.capacity, p.lines.moq]
    arrays += [
        p.arrays.ids,
        p.arrays.open_to_any_market,
        *p.arrays.capacity_by_unit.values(),
        *p.arrays.moq_by_unit.values(),
    ]
    total = sum(a.nbytes for a in arrays) + sum(
        m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in sparse
    )
    total += sum(k.ids.nbytes + k.owners.nbytes for k in state.known.values())
    return {"producers": len(p), "array_bytes": total, "patched": state.patched}


def _stamped(table: _Table, after: datetime, until: datetime | None = None) -> list[tuple[int, int, int]]:
    """(id, producer, stamp in µs) of the rows stamped after `after` (and up to `until`)."""
    rows = table.rows().filter(updated_at__gt=after)
    if until is not None:
        rows = rows.filter(updated_at__lte=until)
    return list(rows.values_list("pk", table.owner, _Micros("updated_at")))


def _build(sections: dict[str, str]) -> _State:
    checked_at = timezone.now()
    known = {table.name: _Known.of(_pairs(table)) for table in TABLES}
    seen = {
        table.name: {pk: stamp for pk, _, stamp in _stamped(table, checked_at - MARGIN)}
        for table in TABLES
        if table.stamped
    }
    prepared = engine.prepare_producers(load_producers(), sections)
    return _State(sections=sections, prepared=prepared, known=known, seen=seen, checked_at=checked_at)


def _changed_producers(state: _State) -> set[int]:
    """The producers whose rows changed since the last check (the check moves on)."""
    checked_at = timezone.now()
    changed: set[int] = set()
    for table in TABLES:
        known = state.known[table.name]
        if table.stamped:
            for pk, owner in _restamped(table, state, checked_at):
                changed.add(owner)
                at = np.searchsorted(known.ids, pk)
                if at < len(known.ids) and known.ids[at] == pk and known.owners[at] != owner:
                    changed.add(int(known.owners[at]))  # the row moved to another producer
                    known.owners[at] = owner
        if _signature(table) != known.signature():
            moved, state.known[table.name] = _reconciled(table, known)
            changed |= moved
    state.checked_at = checked_at
    return changed


def _restamped(table: _Table, state: _State, now: datetime) -> list[tuple[int, int]]:
    """(id, producer) of the table's rows stamped since the last check, or stamped within
    MARGIN before it but not seen then (written in a transaction still open at the time);
    `state.seen` moves on to `now`."""
    seen = state.seen[table.name]
    previous = state.checked_at
    lower, upper = _micros(previous - MARGIN), _micros(previous)
    found = []
    for pk, owner, stamp in _stamped(table, previous):
        if seen.get(pk) != stamp:
            found.append((pk, owner))
            seen[pk] = stamp
    # Within the margin, only a count and sums unless they differ from the rows seen there.
    mine = [(pk, stamp) for pk, stamp in seen.items() if lower < stamp <= upper]
    theirs = (
        table.rows()
        .filter(updated_at__gt=previous - MARGIN, updated_at__lte=previous)
        .aggregate(n=Count("pk"), s=Sum("pk"), t=Sum(_Micros("updated_at")))
    )
    expected = (len(mine), sum(pk for pk, _ in mine), sum(stamp for _, stamp in mine))
    if (theirs["n"] or 0, int(theirs["s"] or 0), int(theirs["t"] or 0)) != expected:
        for pk, _ in mine:
            del seen[pk]
        before = dict(mine)
        for pk, owner, stamp in _stamped(table, previous - MARGIN, previous):
            if before.get(pk) != stamp:
                found.append((pk, owner))
            seen[pk] = stamp
    horizon = _micros(now - MARGIN)
    state.seen[table.name] = {pk: stamp for pk, stamp in seen.items() if stamp > horizon}
    return found


def _reconciled(table: _Table, known: _Known) -> tuple[set[int], _Known]:
    """Where a table's count or sum of ids differs from the known ids: compared per range of
    ids, the rows of the ranges that differ read again. Returns the producers whose rows came
    or went, and the known ids brought up to date."""
    width = int(known.ids[-1]) // ID_RANGES + 1 if len(known.ids) else 1 << 20
    theirs = {
        int(r["bucket"]): (int(r["n"]), int(r["s"]))
        for r in table.rows()
        .annotate(bucket=F("pk") / width)
        .values("bucket")
        .annotate(n=Count("pk"), s=Sum("pk"))
    }
    buckets = known.ids // width
    starts = (
        np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])
        if len(buckets)
        else np.zeros(0, dtype=np.int64)
    )
    mine = {
        int(buckets[s]): (int(n), int(total))
        for s, n, total in zip(
            starts.tolist(),
            np.diff(np.r_[starts, len(buckets)]).tolist(),
            np.add.reduceat(known.ids, starts).tolist() if len(starts) else [],
            strict=True,
        )
    }
    differing = sorted(b for b in theirs.keys() | mine.keys() if theirs.get(b) != mine.get(b))
    if not differing:
        return set(), known
    condition = Q()
    for b in differing:
        condition |= Q(pk__gte=b * width, pk__lt=(b + 1) * width)
    current = _Known.of(_pairs(table, condition))
    stale = np.isin(buckets, differing)
    old = known.ids[stale], known.owners[stale]
    # Every producer with a row that came, went or moved in those ranges.
    before = set(zip(*(a.tolist() for a in old), strict=True))
    after = set(zip(current.ids.tolist(), current.owners.tolist(), strict=True))
    moved = {owner for _, owner in before ^ after}
    return moved, known.without(stale).merged(current)


def _patch(state: _State, changed: set[int]) -> None:
    """Load the changed producers again (those still ready) and put them in place of the old."""
    ids = sorted(changed)
    state.prepared = engine.replace_producers(state.prepared, load_producers(ids), removed_ids=ids)
    state.patched += len(ids)
    # Their rows as they are now, so later changes are told apart by producer.
    for table in TABLES:
        known = state.known[table.name]
        current = _Known.of(_pairs(table, Q(**{f"{table.owner}__in": ids})))
        mask = np.isin(known.owners, ids) | np.isin(known.ids, current.ids)
        state.known[table.name] = known.without(mask).merged(current)
