"""Celery tasks of the deals: thin wrappers over their services.

The quote services send `notify_quote_event` inside their transactions: it waits for the commit
by itself (portal.tasks.TransactionAwareTask) and goes through the outbox.
"""

from __future__ import annotations

from celery import shared_task

from portal.locks import single_instance
from portal.tasks import TransactionAwareTask

from . import notices, quote_expiry, quote_notifications

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
def notify_quote_event(event_id: int) -> int:
    return quote_notifications.quote_event(event_id)


@shared_task
@single_instance
def expire_quotes() -> int:
    """Daily: open quotes past their validity expire."""
    return quote_expiry.expire_quotes()


@shared_task(base=TransactionAwareTask, **_MAIL_RETRY)
def notify_new_messages(match_id: int) -> int:
    """Some minutes after a message: one email to each participant with messages they have
    neither read nor been told of (deals.notices)."""
    return notices.send_message_notices(match_id)
