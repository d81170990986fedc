"""Emails about a match, each in its recipient's language, with absolute links.

Contacts appear in a message only where the recipient may see them
(`accounts.policies`), exactly as on the pages and in the API.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from matchmaking.ageing import checkin_due_q, escalation_due_q, service_levels
from matchmaking.models import Match, MatchEvent, MatchNotice, MatchSource, MatchStatus
from matchmaking.policies import side_acting
from matchmaking.reasons import render_breakdown, sector_codes, sector_names
from portal import content, languages

logger = logging.getLogger(__name__)

TEMPLATES = "matchmaking/email/"


def _language(user: User) -> str:
    return languages.supported_or_default(user.preferred_language)


def _load(match_id: int) -> Match | None:
    return (
        Match.objects.select_related(
            "producer__owner", "buyer__owner", "counsellor", "requested_product", "request", "request_line"
        )
        .filter(pk=match_id)
        .first()
    )


def _send(kind: str, user: User, match: Match, **extra) -> None:
    """Render `matchmaking/email/<kind>_{subject,message}.{txt,html}` for `user` and send it."""
    if not user.is_active or not user.email:
        return
    with translation.override(_language(user)):
        context = {
            "user": user,
            "match": match,
            "producer": match.producer,
            "buyer": match.buyer,
            "breakdown": render_breakdown(match.breakdown, sector_names(sector_codes([match.breakdown]))),
            "base_url": settings.PORTAL_BASE_URL,
            "match_url": settings.PORTAL_BASE_URL + reverse("matchmaking:match_detail", args=[match.pk]),
            **extra,
        }
        get_adapter().send_mail(TEMPLATES + kind, user.email, context)


def _event_of(match: Match, to_status: str, from_status: str | None = None) -> MatchEvent | None:
    """The latest event that took `match` to `to_status` (from `from_status` when given)."""
    events = match.events.filter(to_status=to_status)
    if from_status is not None:
        events = events.filter(from_status=from_status)
    return events.order_by("-at", "-id").first()


def _send_once(kind: str, user: User, match: Match, event: MatchEvent | None, **extra) -> bool:
    """`_send`, unless `user` already had this email for `event` (see MatchNotice); the notice is
    written after the send, so a crash in between sends it again rather than never."""
    if event is not None and MatchNotice.objects.filter(event=event, recipient=user, kind=kind).exists():
        return False
    _send(kind, user, match, **extra)
    if event is not None:
        MatchNotice.objects.get_or_create(event=event, recipient=user, kind=kind)
    return True


def _parties(match: Match) -> list[tuple[User, str]]:
    return [(match.producer.owner, "producer"), (match.buyer.owner, "buyer")]


def match_forwarded(match_id: int) -> int:
    """Tell the producer and the buyer that the counsellor forwarded a match to them."""
    match = _load(match_id)
    if match is None or match.status != MatchStatus.FORWARDED:
        return 0
    event = _event_of(match, MatchStatus.FORWARDED, from_status=MatchStatus.PROPOSED)
    return sum(_send_once("forwarded", user, match, event, side=side) for user, side in _parties(match))


def match_connected(match_id: int) -> int:
    """The introduction: both accepted; each side gets the other's contacts."""
    match = _load(match_id)
    if match is None or match.status != MatchStatus.CONNECTED:
        return 0
    event = _event_of(match, MatchStatus.CONNECTED)
    return sum(_send_once("introduction", user, match, event, side=side) for user, side in _parties(match))


def match_declined(match_id: int) -> int:
    """Tell the counsellor (staff when the match has none) that a side declined a forwarded match."""
    match = _load(match_id)
    if match is None or match.status != MatchStatus.DECLINED:
        return 0
    recipients = [match.counsellor] if match.counsellor else list(_staff())
    event = _event_of(match, MatchStatus.DECLINED)
    return sum(_send_once("declined", user, match, event) for user in recipients)


def match_reassigned(event_id: int) -> int:
    """Tell the counsellor a match was handed to (lifecycle.match_reassign), with who handed it
    over and their note; nothing once it has moved on to someone else (that handover's own
    email tells them) or the event is not a handover."""
    event = MatchEvent.objects.select_related("actor").filter(pk=event_id).first()
    to = (event.details or {}).get("reassigned_to") if event is not None else None
    if to is None:
        return 0
    match = _load(event.match_id)
    if match is None or match.counsellor_id != to:
        return 0
    by = event.actor.get_full_name() if event.actor is not None else ""
    note = event.details.get("note") or ""
    return int(_send_once("reassigned", match.counsellor, match, event, by=by, note=note))


def introduction_requested(match_id: int) -> int:
    """Tell the counsellor a buyer asked for an introduction (staff when it sits in the pool)."""
    match = _load(match_id)
    if match is None or match.status != MatchStatus.PROPOSED:
        return 0
    recipients = [match.counsellor] if match.counsellor else list(_staff())
    event = _event_of(match, MatchStatus.PROPOSED)
    # A pair rejected before, asked for again: the counsellor reads the earlier reason.
    rejection = None
    if event is not None and event.from_status == MatchStatus.REJECTED:
        rejection = _event_of(match, MatchStatus.REJECTED)
    return sum(_send_once("requested", user, match, event, rejection=rejection) for user in recipients)


def interest_expressed(match_id: int) -> int:
    """Tell the counsellor a producer expressed interest in a published buying request (staff
    when the match sits in the pool: no counsellor covers the buyer's market). The counsellor
    reads who the buyer is (the producer does not, until the forward); each recipient gets
    one email while the interest waits, however often the task runs or the interest is
    expressed again in that round (matchmaking.interest)."""
    match = _load(match_id)
    if (
        match is None
        or match.status != MatchStatus.PROPOSED
        or match.source != MatchSource.PRODUCER_INTEREST
        or match.request_id is None
    ):
        return 0
    event = _event_of(match, MatchStatus.PROPOSED)
    recipients = [match.counsellor] if match.counsellor else list(_staff())
    request = match.request
    line = match.request_line
    sent = 0
    for user in recipients:
        # One per waiting round: a match proposed again (after a withdrawal) starts a new one.
        told = MatchNotice.objects.filter(
            event__match=match, event__at__gte=match.created_at, recipient=user, kind="interest"
        )
        if told.exists():
            continue
        sent += _send_once(
            "interest",
            user,
            match,
            event,
            buying_request=request,
            request_title=content.shown_text(request, "title", _language(user)),
            line=line,
            request_url=settings.PORTAL_BASE_URL + reverse("sourcing:detail", args=[request.pk]),
        )
    return sent


def _staff():
    return User.objects.filter(role=Role.STAFF, is_active=True)


def escalate_overdue(now=None) -> int:
    """Proposed matches older than the escalation age, not escalated yet: one email to staff
    listing them, then each is marked escalated so it is reported once. Marked after the
    send: a failed send is tried again by the next run (the task runs one at a time)."""
    now = now or timezone.now()
    matches = list(
        Match.objects.select_related("producer", "buyer", "counsellor")
        .filter(escalation_due_q(now))
        .order_by("created_at")
    )
    if not matches:
        return 0
    for user in _staff():
        with translation.override(_language(user)):
            get_adapter().send_mail(
                TEMPLATES + "escalation",
                user.email,
                {
                    "user": user,
                    "matches": matches,
                    "days": service_levels().escalation_days,
                    "base_url": settings.PORTAL_BASE_URL,
                    "queue_url": settings.PORTAL_BASE_URL + reverse("counsellors:queue"),
                },
            )
    return Match.objects.filter(pk__in=[m.pk for m in matches], escalated_at__isnull=True).update(
        escalated_at=now
    )


def send_outcome_checkins(now=None) -> int:
    """Connected matches past the check-in age with no outcome yet: ask both sides how it
    went, once per match (marked after its two emails went out)."""
    now = now or timezone.now()
    due = Match.objects.filter(checkin_due_q(now), checkin_sent_at__isnull=True).values_list("pk", flat=True)
    sent = 0
    for match_id in list(due):
        match = _load(match_id)
        if match is None or match.status != MatchStatus.CONNECTED:
            continue
        event = _event_of(match, MatchStatus.CONNECTED)
        for user, side in _parties(match):
            _send_once("checkin", user, match, event, side=side)
        sent += Match.objects.filter(pk=match_id, checkin_sent_at__isnull=True).update(checkin_sent_at=now)
    return sent


# Who acted on an outcome, as its emails name them (rendered in each recipient's language).
OUTCOME_ACTORS = {
    "producer": gettext_lazy("The producer"),
    "buyer": gettext_lazy("The buyer"),
    "counsellor": gettext_lazy("The trade counsellor"),
    "staff": gettext_lazy("Export Bridge staff"),
}


def _outcome_shown(snapshot: dict | None) -> dict | None:
    """An outcome event's before or after, with the value as a number for the templates."""
    if not snapshot:
        return None
    value = snapshot.get("value")
    return {**snapshot, "value": None if value in (None, "") else Decimal(value)}


def match_outcome(event_id: int) -> int:
    """Tell the people of a match (its two companies and its counsellor) but the one who acted
    that its outcome was declared, recorded, corrected or confirmed; the other company of a
    party's declaration is asked to confirm it (matchmaking.outcomes)."""
    event = MatchEvent.objects.select_related("actor").filter(pk=event_id).first()
    if event is None or "outcome" not in event.details:
        return 0
    match = _load(event.match_id)
    if match is None:
        return 0
    actor = event.actor
    actor_side = side_acting(actor, match)
    if actor_side is not None:
        actor_role = actor_side
    elif actor is not None and actor.is_portal_staff:
        actor_role = "staff"
    else:
        actor_role = "counsellor"
    details = event.details
    unconfirmed = not details.get("confirmed") and actor_side is not None
    recipients: list[tuple[User, str | None]] = list(_parties(match))
    if match.counsellor is not None:
        recipients.append((match.counsellor, None))
    sent = 0
    for user, side in recipients:
        if user.pk == event.actor_id:
            continue
        sent += _send_once(
            "outcome",
            user,
            match,
            event,
            side=side,
            change=details["outcome"],
            who=OUTCOME_ACTORS[actor_role],
            before=_outcome_shown(details.get("before")),
            after=_outcome_shown(details.get("after")),
            note=event.note,
            to_confirm=unconfirmed and side is not None and side != actor_side,
            to_settle=unconfirmed and side is None,
        )
    return sent
