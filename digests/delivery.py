"""Sending digests: at most one per user and period, recovered after a crash, retried on SMTP
failures, one user's failure never another's.

The life of a delivery row (`DigestDelivery`, unique per user, frequency and period):

1. **Claim.** A run inserts the row (status "claimed") before anything is built or sent; the
   unique constraint makes the insert the arbiter: of two runs at once (beat and the command,
   two beat processes) one claims, the other skips. The row covers `since` = the `until` of
   the user's previous delivery (sent, empty or still claimed; a failed one's changes are
   covered again) or `until − period`, up to `until` = now.
2. **Build** (`digests.builders.build_digests`, one call per group of users sharing a window
   and a language). Nothing new → status "empty", no email.
3. **Send, then mark.** Per row, in one transaction: lock the row (`SELECT … FOR UPDATE SKIP
   LOCKED`; a row another process is sending is skipped), check it is still "claimed", send,
   mark "sent". A row marked sent is never sent again.
4. **Recovery.** A row still "claimed" after DIGEST_CLAIM_LEASE_MINUTES (its process died
   before the send or between the send and the mark) is taken again by the next run (and by
   the `recover_stale_deliveries` beat entry) and sent. This is at-least-once: if the process
   died after the mail server accepted the message but before the mark was committed, the
   message goes out again, with the same Message-ID (`digests.mail.message_id`), which is one
   message to the receiving side.
5. **Failures.** An SMTP error (smtplib.SMTPException, OSError) records the attempt and the
   error on the row and hands the row to the `send_digest_delivery` task, which retries with
   exponential backoff; after DIGEST_SEND_RETRIES retries (or DIGEST_SEND_RETRIES + 1
   attempts however they came) the row is marked "failed" with the last error. Any other
   error (a template bug) marks the row "failed" at once. Other users' rows go on.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, F, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from accounts.models import User

from . import builders, mail, services
from .content import Digest
from .models import DeliveryStatus, DigestDelivery, Frequency

logger = logging.getLogger(__name__)

RETRYABLE = (smtplib.SMTPException, OSError)
SENDING_FREQUENCIES = (Frequency.DAILY, Frequency.WEEKLY)
ERROR_LENGTH = 2000


@dataclass
class RunCounts:
    """What a run did: rows claimed (and of them, recovered from an earlier run), sent, empty
    (nothing new, no email), failed (this run's attempt failed: handed to the retry task, or
    given up), skipped (already done this period, or being handled by another run)."""

    claimed: int = 0
    recovered: int = 0
    sent: int = 0
    empty: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, other: RunCounts) -> RunCounts:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)
        return self

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# --- Periods and who is due -------------------------------------------------------------------


def check_frequency(frequency: str) -> str:
    if frequency not in SENDING_FREQUENCIES:
        raise ValueError(f"digests are sent daily or weekly, not {frequency!r}")
    return frequency


def period_key(frequency: str, now: datetime) -> str:
    """The period `now` falls in, in settings.TIME_ZONE: "2026-12-02" daily, "2026-W49" weekly
    (ISO week)."""
    local = timezone.localtime(now)
    if check_frequency(frequency) == Frequency.DAILY:
        return local.date().isoformat()
    year, week, _day = local.isocalendar()
    return f"{year}-W{week:02d}"


def period_length(frequency: str) -> timedelta:
    return timedelta(days=1) if frequency == Frequency.DAILY else timedelta(days=7)


def subscribers(frequency: str) -> QuerySet[User]:
    """Active users with an address whose digest (stored choice, else the role's default)
    comes at `frequency`."""
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .annotate(
            digest_frequency=Coalesce(
                F("digest_preference__frequency"),
                services.default_frequency_expression(),
                output_field=CharField(),
            )
        )
        .filter(digest_frequency=frequency)
    )


def _this_period(frequency: str, now: datetime) -> QuerySet[DigestDelivery]:
    return DigestDelivery.objects.filter(
        user=OuterRef("pk"), frequency=frequency, period=period_key(frequency, now)
    )


def due_users(frequency: str, now: datetime) -> QuerySet[User]:
    """Subscribers at `frequency` with no delivery row for the period of `now` yet."""
    return subscribers(frequency).filter(~Exists(_this_period(frequency, now))).order_by("pk")


def _covered_until() -> QuerySet[DigestDelivery]:
    """Deliveries whose window counts as covered: all but the failed ones."""
    return DigestDelivery.objects.exclude(status=DeliveryStatus.FAILED)


def window_for(user: User, frequency: str, now: datetime) -> tuple[datetime, datetime]:
    """(since, until) of the user's next digest: since the end of the previous one (or one
    period back), up to now."""
    previous = _covered_until().filter(user=user).aggregate(until=Max("until"))["until"]
    since = previous or now - period_length(frequency)
    return min(since, now), now


# --- Claims -----------------------------------------------------------------------------------


def claim(
    *, user_id: int, frequency: str, period: str, since: datetime, until: datetime
) -> DigestDelivery | None:
    """Insert the user's row for the period; None when it exists already (claimed elsewhere)."""
    try:
        with transaction.atomic():
            return DigestDelivery.objects.create(
                user_id=user_id, frequency=frequency, period=period, since=since, until=until
            )
    except IntegrityError:
        return None


CLAIM_BATCH = 500


def claim_many(rows: list[DigestDelivery]) -> dict[int, int]:
    """Insert the unsaved rows `rows`, skipping those whose (user, frequency, period) exists;
    return {user id: delivery id} of the rows this call inserted (its claims).

    One `INSERT … ON CONFLICT DO NOTHING RETURNING` per CLAIM_BATCH rows (PostgreSQL, SQLite
    3.35+), each statement atomic on its own; else one insert per row.
    """
    connection = transaction.get_connection()
    if not connection.features.can_return_rows_from_bulk_insert:
        claimed = {}
        for row in rows:
            inserted = claim(
                user_id=row.user_id,
                frequency=row.frequency,
                period=row.period,
                since=row.since,
                until=row.until,
            )
            if inserted is not None:
                claimed[row.user_id] = inserted.pk
        return claimed
    meta = DigestDelivery._meta
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    unique = ", ".join(quote(meta.get_field(name).column) for name in ("user", "frequency", "period"))
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    claimed = {}
    for batch in chunked(rows, CLAIM_BATCH):
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
            f"VALUES {', '.join([one_row] * len(batch))} ON CONFLICT ({unique}) DO NOTHING "
            f"RETURNING {quote(meta.pk.column)}, {quote(meta.get_field('user').column)}"
        )
        params = [
            field.get_db_prep_save(field.pre_save(row, True), connection) for row in batch for field in fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            claimed.update({user_id: pk for pk, user_id in cursor.fetchall()})
    return claimed


def claim_due(*, frequency: str, now: datetime) -> tuple[list[int], RunCounts]:
    """Claim a row for every user due at `frequency` now; return the rows' ids and the counts
    (claimed; skipped = already done this period, or claimed by another run meanwhile)."""
    check_frequency(frequency)
    period = period_key(frequency, now)
    counts = RunCounts(skipped=subscribers(frequency).filter(Exists(_this_period(frequency, now))).count())
    previous = _covered_until().filter(user=OuterRef("pk")).order_by("-until").values("until")[:1]
    due = list(
        due_users(frequency, now)
        .annotate(previous_until=Subquery(previous))
        .values_list("pk", "previous_until")
    )
    fallback = now - period_length(frequency)
    claimed = claim_many(
        [
            DigestDelivery(
                user_id=user_id,
                frequency=frequency,
                period=period,
                since=min(previous_until or fallback, now),
                until=now,
            )
            for user_id, previous_until in due
        ]
    )
    counts.claimed = len(claimed)
    counts.skipped += len(due) - len(claimed)
    return sorted(claimed.values()), counts


def lease() -> timedelta:
    return timedelta(minutes=settings.DIGEST_CLAIM_LEASE_MINUTES)


def reclaim_stale(*, now: datetime, frequency: str | None = None) -> list[int]:
    """Rows still "claimed" after the lease (their process died, or their retry was lost):
    renew their lease and return them, to be sent again. Rows being sent right now (locked)
    are left to their sender."""
    with transaction.atomic():
        stale = DigestDelivery.objects.filter(status=DeliveryStatus.CLAIMED, claimed_at__lt=now - lease())
        if frequency is not None:
            stale = stale.filter(frequency=frequency)
        ids = list(stale.select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True))
        if ids:
            DigestDelivery.objects.filter(pk__in=ids).update(claimed_at=now)
    if ids:
        logger.warning(
            "%d digest deliveries were still claimed after the lease; sending them again", len(ids)
        )
    return ids


# --- Building ---------------------------------------------------------------------------------


def build_for(deliveries: Iterable[DigestDelivery]) -> dict[int, Digest | None | Exception]:
    """Each delivery's digest (None: the builder had nothing to say; an exception: building it
    failed), built with one `build_digests` call per window and language."""
    groups: dict[tuple, list[DigestDelivery]] = defaultdict(list)
    for row in deliveries:
        groups[(row.since, row.until, services.digest_language(row.user))].append(row)
    digests: dict[int, Digest | None | Exception] = {}
    for (since, until, language), rows in groups.items():
        with translation.override(language):
            try:
                built = builders.build_digests([row.user for row in rows], since=since, until=until)
            except Exception:
                logger.exception("building %d digests at once failed; building them one by one", len(rows))
                built = {}
                for row in rows:
                    try:
                        built[row.user_id] = builders.build_digest(row.user, since=since, until=until)
                    except Exception as error:
                        logger.exception("building the digest of delivery %s failed", row.pk)
                        built[row.user_id] = error
        for row in rows:
            digests[row.pk] = built.get(row.user_id)
    return digests


# --- Sending ----------------------------------------------------------------------------------


def max_attempts() -> int:
    return settings.DIGEST_SEND_RETRIES + 1


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_LENGTH]


def _claimed(pk: int) -> QuerySet[DigestDelivery]:
    return DigestDelivery.objects.filter(pk=pk, status=DeliveryStatus.CLAIMED)


def mark_empty(ids: list[int]) -> int:
    if not ids:
        return 0
    return DigestDelivery.objects.filter(pk__in=ids, status=DeliveryStatus.CLAIMED).update(
        status=DeliveryStatus.EMPTY, items=0
    )


def mark_failed(delivery_id: int, error: BaseException | str) -> int:
    """Give up on a row (never on one already sent): status failed, the error kept."""
    text = error if isinstance(error, str) else _error_text(error)
    return _claimed(delivery_id).update(status=DeliveryStatus.FAILED, error=text[:ERROR_LENGTH])


def record_attempt_failure(delivery_id: int, error: BaseException, now: datetime | None = None) -> int:
    """One more failed attempt: counted, the error kept, the lease renewed (its retry is due
    within the lease, so recovery does not race it)."""
    return _claimed(delivery_id).update(
        attempts=F("attempts") + 1, error=_error_text(error), claimed_at=now or timezone.now()
    )


def _mark_sent(delivery_id: int, items: int) -> None:
    DigestDelivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), items=items, attempts=F("attempts") + 1
    )


def send_claimed(delivery: DigestDelivery, digest: Digest, *, connection) -> str:
    """Lock the row, send its message and mark it sent, in one transaction. Returns the status
    reached, or "skipped" when another process holds the row or it is no longer claimed.

    An SMTP error rolls the transaction back and propagates: the row stays claimed, for the
    caller to record the attempt and retry.
    """
    with transaction.atomic():
        attempts = (
            _claimed(delivery.pk)
            .select_for_update(skip_locked=True)
            .values_list("attempts", flat=True)
            .first()
        )
        if attempts is None:
            return "skipped"
        if attempts >= max_attempts():
            mark_failed(delivery.pk, delivery.error or f"gave up after {attempts} attempts")
            return DeliveryStatus.FAILED
        if not delivery.user.is_active or not delivery.user.email:
            mark_failed(delivery.pk, "the account was closed or has no address since the claim")
            return DeliveryStatus.FAILED
        message = mail.compose(delivery=delivery, user=delivery.user, digest=digest, connection=connection)
        connection.open()  # kept open across a batch; reopened after an error
        connection.send_messages([message])
        _mark_sent(delivery.pk, digest.items)
    return DeliveryStatus.SENT


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # a dead SMTP session: the next send opens a new one
        logger.debug("closing the mail connection failed", exc_info=True)


def deliver_batch(
    delivery_ids: list[int], *, retry: Callable[[int], None] | None = None, connection=None
) -> RunCounts:
    """Build and send the claimed rows `delivery_ids` (ids no longer claimed are skipped).

    Each row on its own: an SMTP failure records the attempt and calls `retry(id)` (the task
    with backoff); any other error marks that row failed. Never raises for one row.
    """
    counts = RunCounts()
    rows = list(
        DigestDelivery.objects.filter(pk__in=delivery_ids, status=DeliveryStatus.CLAIMED)
        .select_related("user", "user__digest_preference")
        .order_by("pk")
    )
    counts.skipped += len(set(delivery_ids)) - len(rows)
    digests = build_for(rows)
    empty = []
    for row in rows:
        digest = digests[row.pk]
        if isinstance(digest, Exception):
            mark_failed(row.pk, digest)
            counts.failed += 1
        elif digest is None or digest.is_empty:
            empty.append(row.pk)
    counts.empty += mark_empty(empty)

    connection = connection or get_connection()
    try:
        for row in rows:
            digest = digests[row.pk]
            if digest is None or isinstance(digest, Exception) or digest.is_empty:
                continue
            try:
                status = send_claimed(row, digest, connection=connection)
            except RETRYABLE as error:
                logger.warning("digest delivery %s: sending failed (%s); retrying later", row.pk, error)
                _close_quietly(connection)
                record_attempt_failure(row.pk, error)
                counts.failed += 1
                if retry is not None:
                    retry(row.pk)
                continue
            except Exception as error:
                logger.exception("digest delivery %s failed", row.pk)
                _close_quietly(connection)
                mark_failed(row.pk, error)
                counts.failed += 1
                continue
            if status == DeliveryStatus.SENT:
                counts.sent += 1
            elif status == DeliveryStatus.FAILED:
                counts.failed += 1
            else:
                counts.skipped += 1
    finally:
        _close_quietly(connection)
    return counts


def deliver_one(delivery_id: int) -> str:
    """Build and send one claimed row (the retry task's work). Returns the status reached;
    an SMTP error is recorded on the row and raised (for the task to retry)."""
    row = (
        DigestDelivery.objects.select_related("user", "user__digest_preference")
        .filter(pk=delivery_id)
        .first()
    )
    if row is None:
        return "missing"
    if row.status != DeliveryStatus.CLAIMED:
        return row.status
    digest = build_for([row])[row.pk]
    if isinstance(digest, Exception):
        mark_failed(row.pk, digest)
        return DeliveryStatus.FAILED
    if digest is None or digest.is_empty:
        mark_empty([row.pk])
        return DeliveryStatus.EMPTY
    connection = get_connection()
    try:
        return send_claimed(row, digest, connection=connection)
    except RETRYABLE as error:
        record_attempt_failure(row.pk, error)
        raise
    finally:
        _close_quietly(connection)


# --- A whole run ------------------------------------------------------------------------------


def chunked(ids: list[int], size: int) -> list[list[int]]:
    size = max(1, size)
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def claim_run(*, frequency: str, now: datetime) -> tuple[list[int], RunCounts]:
    """Stale rows of `frequency` taken back first (so that the new rows' windows start where
    theirs end), then the due users claimed. Returns the ids to send and the counts."""
    recovered = reclaim_stale(now=now, frequency=frequency)
    ids, counts = claim_due(frequency=frequency, now=now)
    counts.recovered = len(recovered)
    counts.claimed += len(recovered)
    return recovered + ids, counts


def send_due(
    *, frequency: str, now: datetime | None = None, retry: Callable[[int], None] | None = None
) -> RunCounts:
    """Everything due at `frequency` now, claimed, built and sent in this process (the
    `send_digests` command). Running it twice sends nothing twice."""
    now = now or timezone.now()
    ids, counts = claim_run(frequency=frequency, now=now)
    for batch in chunked(ids, settings.DIGEST_BATCH_SIZE):
        counts.add(deliver_batch(batch, retry=retry))
    return counts


# --- Preview ----------------------------------------------------------------------------------


@dataclass
class Preview:
    """What the user's next digest would hold now."""

    frequency: str  # the user's, or the role's default when digests are off
    off: bool
    since: datetime
    until: datetime
    digest: Digest
    rendered: mail.RenderedDigest | None  # None when nothing is new


def preview(*, user: User, now: datetime | None = None) -> Preview:
    now = now or timezone.now()
    preference = services.preference_for(user)
    off = preference.frequency == Frequency.OFF
    frequency = services.default_frequency(user) if off else preference.frequency
    since, until = window_for(user, frequency, now)
    language = services.digest_language(user, preference)
    with translation.override(language):
        digest = builders.build_digest(user, since=since, until=until)
    rendered = None
    if not digest.is_empty:
        rendered = mail.render_digest(user=user, digest=digest, frequency=frequency, language=language)
    return Preview(frequency=frequency, off=off, since=since, until=until, digest=digest, rendered=rendered)
