"""The engine's kept pairs → Match rows: an upsert keyed on (producer, buyer).

Rules (DESIGN.md, "Match lifecycle"):
- a new pair is inserted as `proposed` with an event (— → proposed);
- a `proposed` pair is re-scored in place (no event), and left alone when nothing changed;
- a `withdrawn` pair the engine keeps again becomes `proposed` (event);
- a `rejected` pair becomes `proposed` again only when one of its two profiles changed in
  what the engine reads since the rejection (fingerprints; event);
- any other status (a counsellor or a party acted) is never touched;
- a still-`proposed` engine match in the run's scope that the engine no longer keeps is
  `withdrawn` (event).

Every write is guarded in SQL by the status it expects (`ON CONFLICT … DO UPDATE … WHERE
status = …`, `UPDATE … WHERE status = 'proposed'`), so a transition made by a counsellor
while a sweep runs always wins; events are written only for rows the guard let through.
Works on PostgreSQL and SQLite (both support ON CONFLICT … DO UPDATE … WHERE … RETURNING).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from matchmaking import engine
from matchmaking.loading import Fingerprints, config_fingerprint
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
        queryset = Match.objects.all()
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


def _read_existing(scope: Scope) -> dict[tuple[int, int], _Existing]:
    rows = (
        scope.queryset()
        .filter(status__in=ENGINE_READS)
        .values_list(
            "id",
            "producer_id",
            "buyer_id",
            "status",
            "source",
            "score",
            "sector_score",
            "capacity_score",
            "market_score",
            "certifications_score",
            "producer_fingerprint",
            "buyer_fingerprint",
            "config_fingerprint",
        )
    )
    existing = {}
    for pk, producer_id, buyer_id, status, source, *scores, p_fp, b_fp, c_fp in rows.iterator(
        chunk_size=20000
    ):
        existing[(producer_id, buyer_id)] = _Existing(
            pk, status, source, (*(_milli(s) for s in scores), p_fp, b_fp, c_fp)
        )
    return existing


def _new_values(result: engine.MatchResult, i: int, p_fp: str, b_fp: str, c_fp: str) -> tuple:
    scores = (result.score[i], *(getattr(result, f)[i] for f in FACTORS))
    return (*(_milli(s) for s in scores), p_fp, b_fp, c_fp)


def _changed_since_rejection(then: tuple[str, str], now: tuple[str, str]) -> bool:
    """Whether either profile changed in what the engine reads since the fingerprints were
    taken; with none taken (a request rejected before it was ever scored) nothing is known."""
    return any(then) and then != now


def _plan(
    result: engine.MatchResult,
    existing: dict[tuple[int, int], _Existing],
    producer_fps: Fingerprints,
    buyer_fps: Fingerprints,
    c_fp: str,
) -> tuple[_Plan, list[tuple]]:
    plan = _Plan()
    values: list[tuple] = []
    producer_ids = result.producer_id.tolist()
    buyer_ids = result.buyer_id.tolist()
    for i, pair in enumerate(zip(producer_ids, buyer_ids, strict=True)):
        new = _new_values(result, i, producer_fps[pair[0]], buyer_fps[pair[1]], c_fp)
        values.append(new)
        row = existing.get(pair)
        if row is None:
            plan.by_guard[MatchStatus.PROPOSED].append(i)  # inserted, or blocked by an acted-on row
        elif row.status == MatchStatus.PROPOSED:
            if row.values == new:
                plan.unchanged += 1
            else:
                plan.by_guard[MatchStatus.PROPOSED].append(i)
        elif row.status == MatchStatus.WITHDRAWN:
            plan.by_guard[MatchStatus.WITHDRAWN].append(i)
        elif _changed_since_rejection(row.values[5:7], new[5:7]):
            plan.by_guard[MatchStatus.REJECTED].append(i)
        else:
            plan.untouched += 1
    return plan, values


def breakdown_of(result: engine.MatchResult, i: int) -> dict:
    """The stored breakdown: the engine's explanation per factor with the factor's weight."""
    explanation = result.explain(i)
    for name, weight in zip(FACTORS, result.config.weights, strict=True):
        explanation[name]["weight"] = weight
    return explanation


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


def _scored_row(result: engine.MatchResult, i: int, values: tuple) -> tuple:
    """The engine's columns of pair i, as the database takes them (scores as exact text)."""
    m, s, c, k, cert, p_fp, b_fp, c_fp = values
    return (
        int(result.producer_id[i]),
        int(result.buyer_id[i]),
        *(_milli_text(v) for v in (m, s, c, k, cert)),
        p_fp,
        b_fp,
        c_fp,
        json.dumps(breakdown_of(result, i), ensure_ascii=False, separators=(",", ":")),
    )


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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

    def upsert(self, rows: list[tuple], guard: str) -> list[tuple[int, int, int]]:
        """Insert these rows, or update the existing row of their pair where its status is
        still `guard` (making it proposed); return (id, producer, buyer) of the rows written."""
        row_sql = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
        sets = ", ".join(f"{c} = excluded.{c}" for c in _UPDATED_COLUMNS)
        written: list[tuple[int, int, int]] = []
        # SQLite takes at most 32,766 parameters per statement.
        size = max(1, min(settings.MATCHING_PERSIST_BATCH, 30000 // len(_INSERT_COLUMNS)))
        with connection.cursor() as cursor:
            for batch in _chunks(rows, size):
                cursor.execute(
                    f"INSERT INTO {_TABLE} ({', '.join(_INSERT_COLUMNS)}) VALUES {', '.join([row_sql] * len(batch))} "
                    f"ON CONFLICT (producer_id, buyer_id) DO UPDATE SET {sets}, status = %s "
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

    def upsert(self, rows: list[tuple], guard: str) -> list[tuple[int, int, int]]:
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
                f"ON CONFLICT (producer_id, buyer_id) DO UPDATE SET {sets}, status = %s "
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
                f"INSERT INTO {_EVENTS} (match_id, at, actor_id, from_status, to_status, note) "
                f"SELECT unnest(%s::bigint[]), %s::timestamptz, NULL, %s, %s, %s",
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
    with transaction.atomic():
        writer = _writer(timezone.now())
        existing = _read_existing(scope)
        plan, values = _plan(result, existing, producer_fps, buyer_fps, c_fp)
        counts.unchanged, counts.untouched = plan.unchanged, plan.untouched

        for guard in ENGINE_READS:
            indices = plan.by_guard[guard]
            if not indices:
                continue
            written = writer.upsert([_scored_row(result, i, values[i]) for i in indices], guard)
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

        kept = set(zip(result.producer_id.tolist(), result.buyer_id.tolist(), strict=True))
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
