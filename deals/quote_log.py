"""A quote's transitions in its match's history.

Each one is a `MatchEvent` that keeps the match's status (from = to = the match's status now),
with `details = {"quote": id, "action": ...}` and a note saying what happened, in the language
of whoever acted (as the notes people write are in theirs), then their own note. The parties
read the events they or the other party made (`matchmaking.policies.events_visible_to`): an
expiry, made by nobody, shows to the counsellor and staff only; the parties see the quote's
status.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from matchmaking.models import Match, MatchEvent
from portal.formatting import format_date, format_number

from .models import Quote

CREATED, WITHDRAWN, ACCEPTED, DECLINED, EXPIRED = "created", "withdrawn", "accepted", "declined", "expired"


def summary(quote: Quote) -> str:
    """ "2,000 units at 1,250 USD per unit, CIF, lead time 45 days, valid until 1 March 2026"
    in the active language."""
    return _(
        "%(quantity)s %(unit)s at %(price)s %(currency)s per unit, %(incoterm)s, "
        "lead time %(days)s days, valid until %(date)s"
    ) % {
        "price": format_number(quote.unit_price),
        "currency": quote.currency,
        "unit": quote.get_unit_display(),
        "quantity": format_number(quote.quantity),
        "incoterm": quote.incoterm,
        "days": format_number(quote.lead_time_days),
        "date": format_date(quote.valid_until),
    }


def _what(quote: Quote, action: str, superseded: bool) -> str:
    number = format_number(quote.pk)
    if action == CREATED:
        return _("Quote #%(number)s sent: %(summary)s.") % {"number": number, "summary": summary(quote)}
    if action == WITHDRAWN:
        return _("Quote #%(number)s withdrawn.") % {"number": number}
    if action == ACCEPTED:
        return _("Quote #%(number)s accepted.") % {"number": number}
    if action == DECLINED and superseded:
        return _("Quote #%(number)s declined: another quote for this request was accepted.") % {
            "number": number
        }
    if action == DECLINED:
        return _("Quote #%(number)s declined.") % {"number": number}
    return _("Quote #%(number)s expired (valid until %(date)s).") % {
        "number": number,
        "date": format_date(quote.valid_until),
    }


def record(
    match: Match, quote: Quote, *, actor, action: str, note: str = "", superseded: bool = False
) -> MatchEvent:
    """Write the event of `action` on `quote` into `match`'s history (inside the caller's
    transaction); `superseded`: declined because another quote of its request was accepted."""
    details: dict = {"quote": quote.pk, "action": action}
    if superseded:
        details["superseded"] = True
    text = _what(quote, action, superseded)
    return MatchEvent.objects.create(
        match=match,
        actor=actor,
        from_status=match.status,
        to_status=match.status,
        note=f"{text}\n{note}" if note else text,
        details=details,
    )
