"""Celery tasks of the deals: thin wrappers over their services."""

from __future__ import annotations

from celery import shared_task

from portal.tasks import TransactionAwareTask

from . import notices

# An SMTP failure is retried with backoff; what went out before it is not sent again (each
# participant's notice is marked in its own transaction).
_MAIL_RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(base=TransactionAwareTask, **_MAIL_RETRY)
def notify_new_messages(match_id: int) -> int:
    """Some minutes after a message: one email to each participant with messages they have
    neither read nor been told of (deals.notices)."""
    return notices.send_message_notices(match_id)
