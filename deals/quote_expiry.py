"""Quotes past their validity expire: the daily task's service (deals.tasks.expire_quotes).

A quote is valid through its `valid_until` day (the portal's time zone); from the next day an
open one is expired, each in a short transaction of its own batch, its row locked and its
status checked again (a quote the buyer is accepting right now is skipped and left to that
acceptance, which refuses it as past its validity anyway). Each expiry is in its match's history;
nobody is emailed.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.utils import timezone

from . import quote_log
from .models import Quote, QuoteStatus

BATCH = 200


def _due(today: datetime.date):
    return Quote.objects.filter(status=QuoteStatus.OPEN, valid_until__lt=today)


def expire_quotes(*, today: datetime.date | None = None) -> int:
    """Move the open quotes whose validity ended before `today` to expired; how many."""
    today = today or timezone.localdate()
    skip_locked = connection.features.has_select_for_update_skip_locked
    expired = 0
    last = 0
    while True:
        ids = list(_due(today).filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return expired
        last = ids[-1]
        with transaction.atomic():
            quotes = (
                _due(today)
                .filter(pk__in=ids)
                .select_for_update(of=("self",), skip_locked=skip_locked)
                .select_related("match")
                .order_by("pk")
            )
            for quote in quotes:
                quote.status = QuoteStatus.EXPIRED
                quote.save(update_fields=["status", "updated_at"])
                quote_log.record(quote.match, quote, actor=None, action=quote_log.EXPIRED)
                expired += 1
