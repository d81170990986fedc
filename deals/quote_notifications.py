"""Emails about quotes, each to the other side, in its recipient's language (as the match's
emails are: matchmaking.notifications).

A new quote goes to the buyer; an accepted or declined one to the producer (a quote declined
because another was accepted says so, without naming the other). One task per event: it sends
only while the quote is still in the state the event announces, only to someone who still sees
the match's quotes, and once per person and event (`MatchNotice`: the outbox delivers at least
once and a retry runs the whole task again).
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from matchmaking.models import MatchEvent, MatchNotice
from portal import languages

from . import quote_log
from .models import Quote, QuoteStatus
from .policies import can_view_quotes

TEMPLATES = "deals/email/"
# action -> (the email's kind, who gets it, the quote's status it announces)
KINDS = {
    quote_log.CREATED: ("quote_sent", "buyer", QuoteStatus.OPEN),
    quote_log.ACCEPTED: ("quote_accepted", "producer", QuoteStatus.ACCEPTED),
    quote_log.DECLINED: ("quote_declined", "producer", QuoteStatus.DECLINED),
}


def _send(kind: str, user: User, quote: Quote, event: MatchEvent) -> None:
    match = quote.match
    with translation.override(languages.supported_or_default(user.preferred_language)):
        base = settings.PORTAL_BASE_URL
        compare_url = ""
        if quote.request_id is not None and user.pk == match.buyer.owner_id:
            compare_url = base + reverse("deals:request-quotes", args=[quote.request_id])
        context = {
            "user": user,
            "quote": quote,
            "match": match,
            "producer": match.producer,
            "buyer": match.buyer,
            "buying_request": quote.request,
            "superseded": bool(event.details.get("superseded")),
            "base_url": base,
            "match_url": base + reverse("matchmaking:match_detail", args=[match.pk]),
            "compare_url": compare_url,
        }
        get_adapter().send_mail(TEMPLATES + kind, user.email, context)


def quote_event(event_id: int) -> int:
    """Email the other side about the quote event `event_id` (0 or 1 sent)."""
    event = MatchEvent.objects.filter(pk=event_id).first()
    if event is None or not isinstance(event.details, dict):
        return 0
    kind_side_status = KINDS.get(event.details.get("action"))
    if kind_side_status is None:
        return 0
    kind, side, status = kind_side_status
    quote = (
        Quote.objects.select_related("match__producer__owner", "match__buyer__owner", "request", "line")
        .filter(pk=event.details.get("quote"), match_id=event.match_id)
        .first()
    )
    if quote is None or quote.status != status:
        return 0
    user = getattr(quote.match, side).owner
    if not user.is_active or not user.email or not can_view_quotes(user, quote.match):
        return 0
    if MatchNotice.objects.filter(event=event, recipient=user, kind=kind).exists():
        return 0
    _send(kind, user, quote, event)
    MatchNotice.objects.get_or_create(event=event, recipient=user, kind=kind)
    return 1
