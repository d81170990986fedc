"""The engine's kept pairs → Match rows: an upsert keyed on (producer, buyer).

Rules (docs/design.md, "Match lifecycle"):
- a new pair is inserted as `proposed` with an event (— → proposed);
- a `proposed` pair is re-scored in place (no event), and left alone when nothing changed;
- a `withdrawn` pair the engine keeps again becomes `proposed` (event);
- a `rejected` pair becomes `proposed` again only when one of its two profiles changed in
  what the engine reads since the rejection (fingerprints; event); a pair rejected as the
  *wrong product* only when what makes it the wrong product changed: the HS codes of the
  producer's products and declared sectors, or the codes the buyer seeks (a capacity, market
  or certification edit does not bring it back; `lifecycle.match_reject` keeps the codes'
  fingerprints for such a rejection);
- any other status (a counsellor or a party acted) is never touched;
- a still-`proposed` engine match in the run's scope that the engine no longer keeps is
  `withdrawn` (event).

Every write is guarded in SQL by the status it expects (`ON CONFLICT … DO UPDATE … WHERE
status = …`, `UPDATE … WHERE status = 'proposed'`), so a transition made by a counsellor
while a sweep runs always wins; events are written only for rows the guard let through.
Works on PostgreSQL and SQLite (both support ON CONFLICT … DO UPDATE … WHERE … RETURNING).
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, IntegerField
from django.db.models.functions import Cast
from django.utils import timezone

from matchmaking import engine
from matchmaking.loading import Fingerprints, config_fingerprint, is_codes_fingerprint
from matchmaking.models import FACTORS, Match, MatchEvent, MatchSource, MatchStatus, PartyResponse

logger = logging.getLogger(__name__)

# Statuses the engine may write to; every other status belongs to people.
ENGINE_READS = (MatchStatus.PROPOSED, MatchStatus.WITHDRAWN, MatchStatus.REJECTED)

NOTE_CREATED = "proposed by the matching engine"
NOTE_WITHDRAWN = "no longer among the engine's matches (below the minimum score or out of the top matches)"
NOTE_BACK = "among the engine's matches again"
NOTE_CHANGED = "proposed again: a profile changed since the rejection"


@dataclass
class RematchCounts:
    """What a rematch did: profiles and pairs it covered, and rows it wrote."""

    producers: int = 0
    buyers: int = 0
    pairs_scored: int = 0  # producer–buyer pairs covered (the HS index rules most out unseen)
    kept: int = 0  # pairs the engine keeps
    created: int = 0
    updated: int = 0  # still-proposed matches re-scored with new values
    reproposed: int = 0  # withdrawn or rejected matches proposed again
    withdrawn: int = 0
    unchanged: int = 0
    untouched: int = 0  # kept pairs a counsellor or a party already acted on
    routed: int = 0  # proposed matches handed to a counsellor

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def __add__(self, other: RematchCounts) -> RematchCounts:
        return RematchCounts(**{k: v + getattr(other, k) for k, v in asdict(self).items()})


@dataclass(frozen=True)
class Scope:
    """The still-proposed engine matches a run answers for (and may withdraw)."""

    producer_id: int | None = None
    buyer_id: int | None = None
    everything: bool = False

    @classmethod
    def all(cls) -> Scope:
        return cls(everything=True)

    def queryset(self):
        # The companies' pairs only: a buying request's matches are keyed on (producer,
        # request) and written by matchmaking.request_persistence.
        queryset = Match.objects.filter(request__isnull=True)
        if self.everything:
            return queryset
        if self.producer_id is not None:
            return queryset.filter(producer_id=self.producer_id)
        if self.buyer_id is not None:
            return queryset.filter(buyer_id=self.buyer_id)
        return queryset.none()


@dataclass
class _Existing:
    id: int
    status: str
    source: str
    values: tuple  # milli scores and fingerprints, to tell an unchanged row


@dataclass
class _Plan:
    by_guard: dict[str, list[int]] = field(default_factory=lambda: {s: [] for s in ENGINE_READS})
    unchanged: int = 0
    untouched: int = 0


def _milli(value) -> int:
    return round(float(value) * 1000)


def _milli_column(values: np.ndarray) -> list[int]:
    """`_milli` of every value, in one pass (np.rint rounds half to even, as round does)."""
    scaled = np.asarray(values, dtype=np.float64) * 1000
    if len(scaled) and not (np.isfinite(scaled).all() and np.abs(scaled).max() < 2**62):
        return [_milli(v) for v in values]  # fails as _milli does
    return np.rint(scaled).astype(np.int64).tolist()


_SCORE_COLUMNS = ("score", *(f"{name}_score" for name in FACTORS))


def _existing_rows(scope: Scope) -> Iterator[tuple]:
    """(id, producer, buyer, status, source, *milli scores, *fingerprints) of the rows in scope
    the engine may write to."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        # numeric(4,3) × 1000 is an integer, exactly what _milli makes of the Decimal: the
        # database hands it over as one.
        scores = [Cast(F(column) * 1000, IntegerField()) for column in _SCORE_COLUMNS]
    else:
        scores = list(_SCORE_COLUMNS)
    rows = (
        scope.queryset()
        .filter(status__in=ENGINE_READS)
        .values_list(
            "id",
            "producer_id",
            "buyer_id",
            "status",
            "source",
            *scores,
            "producer_fingerprint",
            "buyer_fingerprint",
            "config_fingerprint",
        )
    )
    if not postgres:
        for pk, producer_id, buyer_id, status, source, *values, p_fp, b_fp, c_fp in rows.iterator(
            chunk_size=20000
        ):
            yield (pk, producer_id, buyer_id, status, source, *(_milli(v) for v in values), p_fp, b_fp, c_fp)
        return
    # Every column comes from PostgreSQL as Python takes it (ints and strings): the rows are read
    # as they come (in chunks, from a server-side cursor as `iterator` does), without a
    # converter per value.
    sql, params = rows.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(20000):
            yield from chunk


def _read_existing(scope: Scope) -> dict[tuple[int, int], _Existing]:
    return {(row[1], row[2]): _Existing(row[0], row[3], row[4], row[5:]) for row in _existing_rows(scope)}


@dataclass
class _Columns:
    """The result's pairs as the rows take them, converted from the arrays once: ids, milli
    scores (score, then the FACTORS), fingerprints."""

    producer_id: list[int]
    buyer_id: list[int]
    milli: list[list[int]]
    producer_fp: list[str]
    buyer_fp: list[str]
    c_fp: str
    producer_fps: Fingerprints
    buyer_fps: Fingerprints

    @classmethod
    def of(
        cls, result: engine.MatchResult, producer_fps: Fingerprints, buyer_fps: Fingerprints, c_fp: str
    ) -> _Columns:
        producer_ids, buyer_ids = result.producer_id.tolist(), result.buyer_id.tolist()
        return cls(
            producer_id=producer_ids,
            buyer_id=buyer_ids,
            milli=[_milli_column(result.score), *(_milli_column(getattr(result, f)) for f in FACTORS)],
            producer_fp=producer_fps.aligned(producer_ids),
            buyer_fp=buyer_fps.aligned(buyer_ids),
            c_fp=c_fp,
            producer_fps=producer_fps,
            buyer_fps=buyer_fps,
        )

    def codes(self, i: int) -> tuple[str, str]:
        """The HS-codes fingerprints of pair i's two profiles (for a wrong-product rejection)."""
        return (
            self.producer_fps.codes()[self.producer_id[i]],
            self.buyer_fps.codes()[self.buyer_id[i]],
        )

    def values(self, i: int) -> tuple:
        """What `_Existing.values` holds, for pair i."""
        m, s, c, k, cert = self.milli
        return (m[i], s[i], c[i], k[i], cert[i], self.producer_fp[i], self.buyer_fp[i], self.c_fp)


def _changed_since_rejection(then: tuple[str, str], now: tuple[str, str], codes_now) -> bool:
    """Whether either profile changed in what the engine reads since the fingerprints were
    taken; with none taken (a request rejected before it was ever scored) nothing is known.
    A wrong-product rejection took the HS codes' fingerprints: only those count
    (`codes_now()` gives them for the pair now)."""
    if not any(then):
        return False
    if is_codes_fingerprint(then[0]) or is_codes_fingerprint(then[1]):
        return then != codes_now()
    return then != now


def _plan(existing: dict[tuple[int, int], _Existing], columns: _Columns) -> _Plan:
    plan = _Plan()
    pairs = zip(columns.producer_id, columns.buyer_id, strict=True)
    if not existing:  # every pair is inserted (or blocked by an acted-on row)
        plan.by_guard[MatchStatus.PROPOSED].extend(range(len(columns.producer_id)))
        return plan
    proposed = plan.by_guard[MatchStatus.PROPOSED]
    for i, pair in enumerate(pairs):
        row = existing.get(pair)
        if row is None:
            proposed.append(i)  # inserted, or blocked by an acted-on row
            continue
        new = columns.values(i)
        if row.status == MatchStatus.PROPOSED:
            if row.values == new:
                plan.unchanged += 1
            else:
                plan.by_guard[MatchStatus.PROPOSED].append(i)
        elif row.status == MatchStatus.WITHDRAWN:
            plan.by_guard[MatchStatus.WITHDRAWN].append(i)
        elif _changed_since_rejection(row.values[5:7], new[5:7], lambda i=i: columns.codes(i)):
            plan.by_guard[MatchStatus.REJECTED].append(i)
        else:
            plan.untouched += 1
    return plan


def breakdown_of(result: engine.MatchResult, i: int) -> dict:
    """The stored breakdown: the engine's explanation per factor with the factor's weight."""
    explanation = result.explain(i)
    for name, weight in zip(FACTORS, result.config.weights, strict=True):
        explanation[name]["weight"] = weight
    return explanation


def iter_breakdowns(result: engine.MatchResult, indices: Sequence[int]) -> Iterator[dict]:
    """`breakdown_of(result, i)` for each of these pairs in turn, the explanations built in
    one pass (`MatchResult.iter_explanations`)."""
    weighted = tuple(zip(FACTORS, result.config.weights, strict=True))
    for explanation in result.iter_explanations(indices):
        for name, weight in weighted:
            explanation[name]["weight"] = weight
        yield explanation


def _json(value) -> str:
    """Compact JSON, non-ASCII kept: what a breakdown is stored as."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# orjson writes everything _json writes the same way but for some numbers: a float below 1e-4
# ("0.00001", "1e-7" where json.dumps writes "1e-05", "1e-07"), NaN and infinities (null).
# A text holding none of these marks is _json's text; one that does (in a number or, rarely,
# inside a string) is made again by _json.
_MAY_DIFFER = ("e-", "0.0000", "null")


def _dumps(value) -> str:
    """`_json(value)`, character for character, made faster."""
    try:
        text = orjson.dumps(value).decode()
    except orjson.JSONEncodeError:  # what orjson refuses, json.dumps may take (or refuse alike)
        return _json(value)
    if _MAY_DIFFER[0] in text or _MAY_DIFFER[1] in text or _MAY_DIFFER[2] in text:
        return _json(value)
    return text


def _breakdown_texts(result: engine.MatchResult, indices: Sequence[int]) -> Iterator[str]:
    """The stored breakdowns of these pairs as JSON text, in turn."""
    return (_dumps(breakdown) for breakdown in iter_breakdowns(result, indices))


_pause_lock = threading.Lock()
_pauses = 0
_collecting = False


@contextlib.contextmanager
def _collection_paused():
    """The cyclic garbage collector off while a run builds its rows (hundreds of thousands
    of small dicts, lists and tuples that all stay alive, which it would only traverse again
    and again); back to what it was when the last overlapping run (in any thread) ends."""
    global _pauses, _collecting
    with _pause_lock:
        if _pauses == 0:
            _collecting = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _collecting:
                gc.enable()


_INSERT_COLUMNS = (
    "producer_id",
    "buyer_id",
    "score",
    "sector_score",
    "capacity_score",
    "market_score",
    "certifications_score",
    "producer_fingerprint",
    "buyer_fingerprint",
    "config_fingerprint",
    "breakdown",
    "status",
    "source",
    "producer_response",
    "buyer_response",
    "outcome_currency",
    "created_at",
    "updated_at",
)
_SCORED_COLUMNS = _INSERT_COLUMNS[:11]  # what a row of the engine brings
_UPDATED_COLUMNS = _INSERT_COLUMNS[2:11] + ("updated_at",)
_TABLE = Match._meta.db_table
_EVENTS = MatchEvent._meta.db_table


def _milli_text(milli: int) -> str:
    return f"{milli // 1000}.{milli % 1000:03d}"


_MILLI_TEXTS = tuple(_milli_text(m) for m in range(1001))  # every score in [0, 1]


def _milli_texts(column: list[int], indices: Sequence[int]) -> list[str]:
    texts, last = _MILLI_TEXTS, len(_MILLI_TEXTS)
    return [texts[m] if 0 <= m < last else _milli_text(m) for m in (column[i] for i in indices)]


def _scored_rows(result: engine.MatchResult, columns: _Columns, indices: Sequence[int]) -> Iterator[tuple]:
    """The engine's columns of these pairs, as the database takes them (scores as exact text),
    made one after the other: a writer may send each on while the next is made."""
    m, s, c, k, cert = (_milli_texts(column, indices) for column in columns.milli)
    for j, (i, breakdown) in enumerate(zip(indices, _breakdown_texts(result, indices), strict=True)):
        yield (
            columns.producer_id[i],
            columns.buyer_id[i],
            m[j],
            s[j],
            c[j],
            k[j],
            cert[j],
            columns.producer_fp[i],
            columns.buyer_fp[i],
            columns.c_fp,
            breakdown,
        )


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# The companies' pair is unique among the matches without a buying request (a request's
# matches are keyed on producer and request); the conflict target names that partial index.
_PAIR_KEY = "(producer_id, buyer_id) WHERE request_id IS NULL"


class _Writer:
    """Guarded writes in plain SQL, as multi-row statements (SQLite and any database)."""

    def __init__(self, now) -> None:
        self.now = Match._meta.get_field("updated_at").get_db_prep_save(now, connection)
        self.constants = (
            MatchStatus.PROPOSED,
            MatchSource.ENGINE,
            PartyResponse.PENDING,
            PartyResponse.PENDING,
            "",
            self.now,
            self.now,
        )

    def upsert(self, rows: Iterable[tuple], guard: str) -> list[tuple[int, int, int]]:
        """Insert these rows, or update the existing row of their pair where its status is
        still `guard` (making it proposed); return (id, producer, buyer) of the rows written."""
        rows = list(rows)
        row_sql = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
        sets = ", ".join(f"{c} = excluded.{c}" for c in _UPDATED_COLUMNS)
        written: list[tuple[int, int, int]] = []
        # SQLite takes at most 32,766 parameters per statement.
        size = max(1, min(settings.MATCHING_PERSIST_BATCH, 30000 // len(_INSERT_COLUMNS)))
        with connection.cursor() as cursor:
            for batch in _chunks(rows, size):
                cursor.execute(
                    f"INSERT INTO {_TABLE} ({', '.join(_INSERT_COLUMNS)}) VALUES {', '.join([row_sql] * len(batch))} "
                    f"ON CONFLICT {_PAIR_KEY} DO UPDATE SET {sets}, status = %s "
                    f"WHERE {_TABLE}.status = %s RETURNING id, producer_id, buyer_id",
                    [value for row in batch for value in (*row, *self.constants)]
                    + [MatchStatus.PROPOSED, guard],
                )
                written.extend(cursor.fetchall())
        return written

    def withdraw(self, ids: list[int]) -> list[int]:
        """Withdraw these matches where they are still proposed; return the ids withdrawn."""
        done: list[int] = []
        with connection.cursor() as cursor:
            for batch in _chunks(ids, 20000):
                cursor.execute(
                    f"UPDATE {_TABLE} SET status = %s, updated_at = %s "
                    f"WHERE status = %s AND id IN ({', '.join(['%s'] * len(batch))}) RETURNING id",
                    [MatchStatus.WITHDRAWN, self.now, MatchStatus.PROPOSED, *batch],
                )
                done.extend(row[0] for row in cursor.fetchall())
        return done

    def events(self, ids: list[int], from_status: str, to_status: str, note: str) -> None:
        MatchEvent.objects.bulk_create(
            [MatchEvent(match_id=pk, from_status=from_status, to_status=to_status, note=note) for pk in ids],
            batch_size=5000,
        )


class _PostgresWriter(_Writer):
    """The same writes on PostgreSQL, in bulk: the rows are COPYed into a temporary table and
    upserted from there in one statement; ids travel as one array parameter."""

    def upsert(self, rows: Iterable[tuple], guard: str) -> list[tuple[int, int, int]]:
        # The rows are COPYed as they come: the server takes in one while the next is made.
        columns = ", ".join(_SCORED_COLUMNS)
        sets = ", ".join(f"{c} = excluded.{c}" for c in _UPDATED_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS matchmaking_upsert ("
                "producer_id bigint, buyer_id bigint, score numeric(4,3), sector_score numeric(4,3), "
                "capacity_score numeric(4,3), market_score numeric(4,3), certifications_score numeric(4,3), "
                "producer_fingerprint varchar(16), buyer_fingerprint varchar(16), "
                "config_fingerprint varchar(16), breakdown jsonb) ON COMMIT DROP"
            )
            cursor.execute("TRUNCATE matchmaking_upsert")
            with cursor.cursor.copy(f"COPY matchmaking_upsert ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {_TABLE} ({', '.join(_INSERT_COLUMNS)}) "
                f"SELECT {columns}, %s, %s, %s, %s, %s, %s::timestamptz, %s::timestamptz FROM matchmaking_upsert "
                f"ON CONFLICT {_PAIR_KEY} DO UPDATE SET {sets}, status = %s "
                f"WHERE {_TABLE}.status = %s RETURNING id, producer_id, buyer_id",
                [*self.constants, MatchStatus.PROPOSED, guard],
            )
            return cursor.fetchall()

    def withdraw(self, ids: list[int]) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_TABLE} SET status = %s, updated_at = %s "
                f"WHERE status = %s AND id = ANY(%s::bigint[]) RETURNING id",
                [MatchStatus.WITHDRAWN, self.now, MatchStatus.PROPOSED, list(ids)],
            )
            return [row[0] for row in cursor.fetchall()]

    def events(self, ids: list[int], from_status: str, to_status: str, note: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {_EVENTS} (match_id, at, actor_id, from_status, to_status, note, details) "
                f"SELECT unnest(%s::bigint[]), %s::timestamptz, NULL, %s, %s, %s, '{{}}'::jsonb",
                [list(ids), self.now, from_status, to_status, note],
            )


def _writer(now) -> _Writer:
    return _PostgresWriter(now) if connection.vendor == "postgresql" else _Writer(now)


def persist(
    result: engine.MatchResult,
    *,
    scope: Scope,
    producer_fps: Fingerprints,
    buyer_fps: Fingerprints,
    config: engine.MatchingConfig,
) -> RematchCounts:
    """Write the engine's kept pairs (`result`, with its inputs so it can explain them) and
    withdraw the still-proposed engine matches in `scope` that it no longer keeps."""
    c_fp = config_fingerprint(config)
    counts = RematchCounts(kept=len(result))
    with transaction.atomic(), _collection_paused():
        writer = _writer(timezone.now())
        existing = _read_existing(scope)
        columns = _Columns.of(result, producer_fps, buyer_fps, c_fp)
        plan = _plan(existing, columns)
        counts.unchanged, counts.untouched = plan.unchanged, plan.untouched

        for guard in ENGINE_READS:
            indices = plan.by_guard[guard]
            if not indices:
                continue
            written = writer.upsert(_scored_rows(result, columns, indices), guard)
            counts.untouched += len(indices) - len(written)
            if guard == MatchStatus.PROPOSED:
                created = [pk for pk, p, b in written if (p, b) not in existing]
                counts.created = len(created)
                counts.updated = len(written) - len(created)
                writer.events(created, "", MatchStatus.PROPOSED, NOTE_CREATED)
            else:
                counts.reproposed += len(written)
                note = NOTE_BACK if guard == MatchStatus.WITHDRAWN else NOTE_CHANGED
                writer.events([pk for pk, _p, _b in written], guard, MatchStatus.PROPOSED, note)

        kept = set(zip(columns.producer_id, columns.buyer_id, strict=True))
        stale = [
            row.id
            for pair, row in existing.items()
            if row.status == MatchStatus.PROPOSED and row.source == MatchSource.ENGINE and pair not in kept
        ]
        if stale:
            withdrawn = writer.withdraw(stale)
            counts.withdrawn = len(withdrawn)
            writer.events(withdrawn, MatchStatus.PROPOSED, MatchStatus.WITHDRAWN, NOTE_WITHDRAWN)
    return counts
