"""Send a Celery task without losing it when the broker is down: the outbox.

`send()` publishes a task; when publishing fails (Redis down or hanging: the settings bound
that to about a second), the task is written to `PendingTask` instead and the caller goes on.
`resend_pending()` (the periodic `portal.tasks.resend_pending_tasks`, and the
`resend_pending_tasks` command) publishes the rows once the broker answers again, each under
the task id `send()` returned, and deletes a row only after its publish succeeded.

Delivery is at least once: a publish that reached the broker but failed to report it, or a
delete that failed after a publish, sends the task again. The tasks sent this way check the
state before acting (a rematch is idempotent; a notification is sent only while the match is
still in the state it announces, and once per person and event, `MatchNotice`; a digest row is
sent only while claimed).

With tasks run in process (no broker: a laptop, the unit tests) there is nothing to publish:
`send()` runs the task and lets its exceptions through, as `apply_async` does. `send_safely()`
is `send()` for a caller whose transaction is committed: it logs such an error instead.

A transaction-aware task (portal.tasks.TransactionAwareTask) sent inside a transaction waits
for the commit and then comes here; what the outbox publishes itself (`send`, the resends)
goes out at once, inside a transaction or not (`publishing`).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from portal.celery import app

from .models import PendingTask

logger = logging.getLogger(__name__)

RESEND_LIMIT = 1000


@dataclasses.dataclass(frozen=True)
class Sent:
    """`task_id` the task runs (or will run) under; `queued` False when it waits in the outbox
    (`recorded`), or is lost because the database failed too (`recorded` False)."""

    task_id: str
    queued: bool
    recorded: bool = False


@dataclasses.dataclass
class ResendCounts:
    sent: int = 0
    failed: int = 0
    remaining: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


# The name of the task the outbox is publishing now, until that task's `apply_async` asks.
_publishing: contextvars.ContextVar[str | None] = contextvars.ContextVar("outbox_publishing", default=None)


@contextlib.contextmanager
def _publishing_now(name: str):
    token = _publishing.set(name)
    try:
        yield
    finally:
        _publishing.reset(token)


def publishing(task) -> bool:
    """True when the outbox itself is publishing `task` now: it must go out at once, not wait
    for a commit. Answers True once; what the task then runs in process decides for itself."""
    if _publishing.get() != task.name:
        return False
    _publishing.set(None)
    return True


def send(
    task,
    args: list | tuple = (),
    kwargs: dict[str, Any] | None = None,
    *,
    countdown: float | None = None,
) -> Sent:
    """Publish `task`; if the broker does not take it, record it to be sent again. Never
    raises for a broker or database failure (in process, the task's own errors come through)."""
    if app.conf.task_always_eager:
        result = _apply(task, args, kwargs, countdown)
        return Sent(task_id=getattr(result, "id", ""), queued=True)
    try:
        result = _apply(task, args, kwargs, countdown)
    except Exception as error:  # kombu, redis-py and the result backend raise their own errors
        task_id = str(uuid.uuid4())
        eta = timezone.now() + timedelta(seconds=countdown) if countdown else None
        recorded = _record(task.name, task_id, args, kwargs, eta, error)
        return Sent(task_id=task_id, queued=False, recorded=recorded)
    return Sent(task_id=result.id, queued=True)


def send_safely(
    task,
    args: list | tuple = (),
    kwargs: dict[str, Any] | None = None,
    *,
    countdown: float | None = None,
) -> Sent | None:
    """`send()` after a commit: a broker outage must not fail the request (its writes are
    committed) nor lose the task (the outbox records it), and a task run in process (no
    broker) that fails is logged, not raised. None when it was."""
    try:
        return send(task, args, kwargs, countdown=countdown)
    except Exception:
        logger.exception("%s%r failed", task.name, tuple(args))
        return None


def _apply(task, args, kwargs, countdown):
    """The plainest call that does it: `delay` unless there is a countdown."""
    with _publishing_now(task.name):
        if countdown is None:
            return task.delay(*args, **(kwargs or {}))
        if kwargs:
            return task.apply_async(list(args), kwargs, countdown=countdown)
        return task.apply_async(list(args), countdown=countdown)


def _record(name, task_id, args, kwargs, eta, error) -> bool:
    try:
        PendingTask.objects.create(
            task_id=task_id,
            name=name,
            args=list(args),
            kwargs=kwargs or {},
            eta=eta,
            last_error=_describe(error),
        )
    except DatabaseError:
        logger.exception("could not publish %s%r nor record it in the outbox: it is lost", name, tuple(args))
        return False
    logger.warning(
        "could not publish %s%r (%s); recorded in the outbox as %s",
        name,
        tuple(args),
        _describe(error),
        task_id,
    )
    return True


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def resend_pending(*, limit: int = RESEND_LIMIT) -> ResendCounts:
    """Publish recorded tasks, oldest first, each row locked while it is sent (rows another
    process holds are skipped) and deleted once published. Stops at the first failure: the
    broker is still down, the others would fail too."""
    counts = ResendCounts()
    skip_locked = connection.features.has_select_for_update_skip_locked
    while counts.sent < limit:
        with transaction.atomic():
            pending = PendingTask.objects.select_for_update(skip_locked=skip_locked).order_by(
                "created_at", "id"
            )
            row = pending.first()
            if row is None:
                break
            try:
                _publish(row)
            except Exception as error:
                counts.failed += 1
                PendingTask.objects.filter(pk=row.pk).update(
                    attempts=row.attempts + 1, last_error=_describe(error), last_attempt_at=timezone.now()
                )
                logger.warning("the outbox could not send %s again: %s", row.task_id, _describe(error))
                break
            row.delete()
            counts.sent += 1
    counts.remaining = PendingTask.objects.count()
    if counts.sent or counts.failed:
        logger.info("outbox: %s", counts.as_dict())
    return counts


def _publish(row: PendingTask) -> None:
    eta: datetime | None = row.eta if row.eta and row.eta > timezone.now() else None
    options = {"task_id": row.task_id, "eta": eta}
    if row.name in app.tasks:
        with _publishing_now(row.name):
            app.tasks[row.name].apply_async(args=row.args, kwargs=row.kwargs, **options)
    else:  # a task this process does not know (another app's, or renamed): by name
        app.send_task(row.name, args=row.args, kwargs=row.kwargs, **options)
