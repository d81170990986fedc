"""Celery tasks of the deals: thin wrappers over their services.

The quote services send `notify_quote_event` inside their transactions: it waits for the commit
by itself (portal.tasks.TransactionAwareTask) and goes through the outbox.
"""

from __future__ import annotations

from celery import shared_task

from portal.locks import single_instance
from portal.tasks import MAIL_RETRY, TransactionAwareTask

from . import notices, quote_expiry, quote_notifications


@shared_task(base=TransactionAwareTask, **MAIL_RETRY)
def notify_quote_event(event_id: int) -> int:
    return quote_notifications.quote_event(event_id)


@shared_task
@single_instance
def expire_quotes() -> int:
    """Daily: open quotes past their validity expire."""
    return quote_expiry.expire_quotes()


@shared_task(base=TransactionAwareTask, **MAIL_RETRY)
def notify_new_messages(match_id: int) -> int:
    """Some minutes after a message: one email to each participant with messages they have
    neither read nor been told of (deals.notices)."""
    return notices.send_message_notices(match_id)
