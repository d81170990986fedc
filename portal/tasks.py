"""Site-wide periodic tasks, and the base of the tasks that services send.

`TransactionAwareTask` (pretix's, `src/pretix/base/services/tasks.py`): a task sent inside a
transaction waits for the commit, so the worker reads what the transaction wrote, and nothing
is sent when it rolls back; after the commit it goes through the outbox (portal.outbox), so a
broker outage neither fails the request nor loses the task. A service just calls
`task.delay(...)` or `task.apply_async(..., countdown=...)`.
"""

from functools import partial

from celery import Task, shared_task
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from . import export_retention, outbox
from .locks import single_instance

# How a task that sends email retries: an SMTP failure (OSError) again with backoff, up to six
# times; each notification records what went out, so a retry sends nothing twice.
MAIL_RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 6,
}


class TransactionAwareTask(Task):
    """Sent inside a transaction (an atomic block): after its commit, through the outbox's
    `send_safely`, and `apply_async` answers None. Outside one, and when the outbox publishes
    it, a plain Celery send (an AsyncResult; a broker error comes through)."""

    def apply_async(self, args=None, kwargs=None, **options):
        if outbox.publishing(self) or not transaction.get_connection().in_atomic_block:
            return super().apply_async(args, kwargs, **options)
        countdown = options.pop("countdown", None)
        if options:  # the outbox records a countdown, nothing else
            raise TypeError(f"{self.name}: only a countdown may wait for the commit, not {sorted(options)}")
        transaction.on_commit(
            partial(outbox.send_safely, self, list(args or ()), kwargs, countdown=countdown)
        )
        return None


@shared_task
@single_instance
def clear_expired_sessions() -> int:
    """Delete expired sessions (what `manage.py clearsessions` does); return how many."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def resend_pending_tasks() -> dict:
    """Every minute: publish the tasks the outbox recorded while the broker was down. No lock
    needed (rows are locked one by one and skipped by a concurrent run), and none wanted: the
    cache lock would skip the run whenever the cache is down."""
    return outbox.resend_pending().as_dict()


@shared_task
@single_instance
def delete_old_exports() -> dict:
    """Daily: finished export jobs past EXPORT_RETENTION_DAYS go, with their files."""
    return export_retention.delete_old_exports().as_dict()
