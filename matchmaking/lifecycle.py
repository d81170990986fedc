"""The people's transitions of a match (docs/design.md, "Match lifecycle").

    proposed ──► forwarded ──► accepted by both ──► connected ──► won / lost
        │            │
        ▼            ▼
     rejected     declined (by either side)

How a forwarded or connected match ends, won or lost, is `matchmaking.outcomes`.
Each service locks the row (`select_for_update`), checks the actor, refuses an illegal
transition with a `StateConflict` (portal.exceptions: 409 in the API, a message on the pages), writes a
`MatchEvent` and sends its emails once the transaction commits (the notification tasks
are transaction-aware: portal.tasks.TransactionAwareTask). Two counsellors acting on
one match at once: the second waits for the lock, then finds the status changed and is told.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.companies import company_q
from accounts.models import BuyerProfile, ProducerProfile, User
from catalogue.models import Product
from matchmaking import engine, tasks
from matchmaking.learning import load_responsiveness
from matchmaking.loading import (
    buyer_codes_fingerprint,
    buyer_fingerprint,
    load_buyers,
    load_producers,
    load_sections,
    producer_codes_fingerprint,
    producer_fingerprint,
)
from matchmaking.models import FACTORS as _FACTORS
from matchmaking.models import (
    REASSIGNABLE,
    Match,
    MatchEvent,
    MatchSource,
    MatchStatus,
    PartyResponse,
    RejectReason,
    get_matching_config,
)
from matchmaking.persistence import breakdown_of
from matchmaking.policies import (
    can_reassign_match,
    can_review_match,
    declined_at,
    introduction_again_from,
    side_acting,
    side_of,
)
from matchmaking.routing import route_new_matches
from portal import validation as rules
from portal.exceptions import StateConflict
from portal.formatting import format_date
from portal.ratelimits import UserRateLimit

NOTE_LENGTH = 2000


def _locked(match: Match | int) -> Match:
    pk = match.pk if isinstance(match, Match) else match
    return Match.objects.select_for_update().get(pk=pk)


def _note(value: str | None, field: str = "note") -> str:
    note = rules.multi_line(value)
    if len(note) > NOTE_LENGTH:
        raise ValidationError({field: [_("Keep it under %(n)d characters.") % {"n": NOTE_LENGTH}]})
    return note


def _refuse(match: Match, to_status: str) -> StateConflict:
    return StateConflict(
        _("This match is %(status)s now; it cannot become %(to)s.")
        % {"status": match.get_status_display(), "to": MatchStatus(to_status).label}
    )


def _event(
    match: Match, *, actor: User | None, from_status: str, note: str = "", details: dict | None = None
) -> MatchEvent:
    return MatchEvent.objects.create(
        match=match,
        actor=actor,
        from_status=from_status,
        to_status=match.status,
        note=note,
        details=details or {},
    )


def event_response(event: MatchEvent, match: Match) -> tuple[str, str] | None:
    """(side, "accept" or "decline") when `event` is a party's response to the forwarded match:
    made by its producer or buyer from `forwarded`, to forwarded or connected (accepted) or to
    declined. An event with `details` is never one (a quote's, which deals writes keeping the
    status)."""
    if event.from_status != MatchStatus.FORWARDED or event.details:
        return None
    side = side_acting(event.actor, match)
    if side is None:
        return None
    if event.to_status == MatchStatus.DECLINED:
        return side, "decline"
    if event.to_status in (MatchStatus.FORWARDED, MatchStatus.CONNECTED):
        return side, "accept"
    return None


def current_fingerprints(match: Match, *, codes_only: bool = False) -> tuple[str, str]:
    """What the engine reads of the match's two profiles now ("" for one not ready to match);
    with `codes_only`, of their HS codes alone (what makes a pair the wrong product)."""
    producers = load_producers([match.producer_id])
    buyers = load_buyers([match.buyer_id])
    of_producer = producer_codes_fingerprint if codes_only else producer_fingerprint
    of_buyer = buyer_codes_fingerprint if codes_only else buyer_fingerprint
    return (
        of_producer(producers, 0) if len(producers) else "",
        of_buyer(buyers, 0) if len(buyers) else "",
    )


# --- The counsellor's review -------------------------------------------------------------


def _check_review(actor: User, match: Match, to_status: str) -> None:
    """Refuse who never reviews; tell a reviewer who finds the (locked) match no longer
    proposed that it moved on: of two counsellors taking a pooled match at once, the second
    sees it forwarded or rejected by the first (a conflict), not merely taken (a refusal)."""
    if not (actor.is_authenticated and (actor.is_portal_staff or actor.is_counsellor)):
        raise PermissionDenied(_("You may not review this match."))
    if match.status != MatchStatus.PROPOSED:
        raise _refuse(match, to_status)
    if not can_review_match(actor, match):
        raise PermissionDenied(_("You may not review this match."))


@transaction.atomic
def match_forward(*, match: Match, actor: User, note: str = "") -> Match:
    """A counsellor (or staff) forwards a proposed match to both parties: they see it and
    each other's contacts from now on, and each gets an email."""
    note = _note(note)
    match = _locked(match)
    _check_review(actor, match, MatchStatus.FORWARDED)
    match.status = MatchStatus.FORWARDED
    match.forward_note = note
    match.forwarded_at = timezone.now()
    if match.counsellor_id is None and actor.is_counsellor:
        match.counsellor = actor  # taken from the pool
    match.save(update_fields=["status", "forward_note", "forwarded_at", "counsellor", "updated_at"])
    _event(match, actor=actor, from_status=MatchStatus.PROPOSED, note=note)
    tasks.notify_match_forwarded.delay(match.pk)
    return match


def reject_reason_code(value: str | None) -> str:
    """A rejection's reason code; none given is `other` (what a free-text reason alone meant
    before reasons were structured: docs/api.md's `{"reason"}` clients keep working)."""
    code = (value or "").strip() or RejectReason.OTHER
    if code not in RejectReason.values:
        raise ValidationError(
            {"reason_code": [_("Choose one of: %(codes)s.") % {"codes": ", ".join(RejectReason.values)}]}
        )
    return code


@transaction.atomic
def match_reject(*, match: Match, actor: User, reason: str = "", reason_code: str | None = None) -> Match:
    """A counsellor (or staff) rejects a proposed match, saying why: a `reason_code`
    (RejectReason; `other` when none is given) and a free text, required for `other`.

    The engine proposes the pair again only once one of the two profiles changes in what it
    reads; a pair rejected as the wrong product only once the HS codes of either side change
    (the fingerprints kept here are of the codes alone: matchmaking.persistence)."""
    code = reject_reason_code(reason_code)
    reason = _note(reason, "reason")
    if not reason and code == RejectReason.OTHER:
        raise ValidationError({"reason": [_("Say why the match is rejected.")]})
    match = _locked(match)
    _check_review(actor, match, MatchStatus.REJECTED)
    match.producer_fingerprint, match.buyer_fingerprint = current_fingerprints(
        match, codes_only=code == RejectReason.WRONG_PRODUCT
    )
    match.status = MatchStatus.REJECTED
    match.reject_reason = code
    if match.counsellor_id is None and actor.is_counsellor:
        match.counsellor = actor
    match.save(
        update_fields=[
            "status",
            "reject_reason",
            "producer_fingerprint",
            "buyer_fingerprint",
            "counsellor",
            "updated_at",
        ]
    )
    _event(match, actor=actor, from_status=MatchStatus.PROPOSED, note=reason)
    return match


@transaction.atomic
def match_reassign(*, match: Match, actor: User, counsellor: User, note: str = "") -> Match:
    """Staff, or the counsellor who holds the match (or finds it in the pool), hand it to a
    colleague; the status stays, the event records the handover (and whom to, in its details).
    The colleague is emailed once the transaction commits, not at their next digest."""
    note = _note(note)
    match = _locked(match)
    if not can_reassign_match(actor, match):
        raise PermissionDenied(_("You may not reassign this match."))
    if not (counsellor.is_counsellor and counsellor.is_active):
        raise ValidationError({"counsellor": [_("Choose an active trade counsellor.")]})
    if match.status not in REASSIGNABLE:
        raise StateConflict(_("A %(status)s match is closed.") % {"status": match.get_status_display()})
    if match.counsellor_id == counsellor.pk:
        raise ValidationError({"counsellor": [_("The match is already with this counsellor.")]})
    match.counsellor = counsellor
    match.save(update_fields=["counsellor", "updated_at"])
    handover = _("Reassigned to %(name)s.") % {"name": counsellor.get_full_name()}
    event = _event(
        match,
        actor=actor,
        from_status=match.status,
        note=f"{handover} {note}".strip(),
        details={"reassigned_to": counsellor.pk, "note": note},
    )
    tasks.notify_match_reassigned.delay(event.pk)
    return match


# --- The parties' responses ----------------------------------------------------------------


@transaction.atomic
def match_respond(*, match: Match, actor: User, decision: str, note: str = "") -> Match:
    """The producer or the buyer of a forwarded match accepts or declines it. Both accepted:
    connected, and an introduction email goes to both; either declined: declined."""
    note = _note(note)
    if decision not in ("accept", "decline"):
        raise ValidationError({"decision": [_('Answer "accept" or "decline".')]})
    match = _locked(match)
    side = side_of(actor, match)
    if side is None:
        raise PermissionDenied(_("Only the producer and the buyer of a match respond to it."))
    if match.status != MatchStatus.FORWARDED:
        raise StateConflict(
            _("This match is %(status)s; only a forwarded match takes a response.")
            % {"status": match.get_status_display()}
        )
    if getattr(match, f"{side}_response") != PartyResponse.PENDING:
        raise StateConflict(_("You have already responded to this match."))
    accepted = decision == "accept"
    setattr(match, f"{side}_response", PartyResponse.ACCEPTED if accepted else PartyResponse.DECLINED)
    setattr(match, f"{side}_note", note)
    fields = [f"{side}_response", f"{side}_note", "status", "connected_at", "updated_at"]
    if not accepted:
        match.status = MatchStatus.DECLINED
    elif match.producer_response == match.buyer_response == PartyResponse.ACCEPTED:
        match.status = MatchStatus.CONNECTED
        match.connected_at = timezone.now()
    match.save(update_fields=fields)
    # The note is the party's own words only: what they decided is read off the event when it
    # is shown (`event_response`), in the reader's language, not the writer's.
    _event(match, actor=actor, from_status=MatchStatus.FORWARDED, note=note)
    if match.status == MatchStatus.CONNECTED:
        tasks.notify_match_connected.delay(match.pk)
    elif match.status == MatchStatus.DECLINED:
        tasks.notify_match_declined.delay(match.pk)
    return match


# --- The buyer's request ----------------------------------------------------------------------


def _scored_pair(producer: ProducerProfile, buyer: BuyerProfile) -> dict:
    """The engine's scores and breakdown of one pair on current data; zeros where the pair
    shares no sector or a side is not ready to match (the counsellor still sees the request)."""
    config = get_matching_config()
    producers, buyers = load_producers([producer.pk]), load_buyers([buyer.pk])
    result = None
    if len(producers) and len(buyers):
        result = engine.score_pairs(
            producers,
            buyers,
            load_sections(),
            [producer.pk],
            [buyer.pk],
            config,
            responsiveness=load_responsiveness(),
        )
    if result is None or not len(result):
        return {"score": Decimal(0), **{f"{f}_score": Decimal(0) for f in _FACTORS}, "breakdown": {}}
    return {
        "score": _milli_decimal(result.score[0]),
        **{f"{f}_score": _milli_decimal(getattr(result, f)[0]) for f in _FACTORS},
        "breakdown": breakdown_of(result, 0),
    }


def _milli_decimal(value) -> Decimal:
    return Decimal(round(float(value) * 1000)) / 1000


# A buyer's request, whatever the pair's past: `new` made the match, `requested` turned the
# engine's proposal into the buyer's request, `reopened` brought back a rejected or withdrawn
# pair as a new request (the counsellor is told it was rejected before), `open` found the
# buyer's request still waiting (nothing is added: no event, no email).
NEW, REQUESTED, REOPENED, OPEN = "new", "requested", "reopened", "open"


@transaction.atomic
def request_introduction(
    *, actor: User, product: Product | None = None, producer: ProducerProfile | None = None, message: str = ""
) -> Match:
    """A buyer asks to be introduced to a producer (from a product or a producer page): a
    proposed match with source `buyer_request`, routed to the counsellor for the buyer's
    market, first in their queue.

    One budget per buyer for the pages and the API alike (the `introductions` rate): past it,
    `RateLimited`. A rejected pair comes back only as such a request, new and visible to the
    counsellor as asked again after a rejection; the buyer is told nothing of the rejection
    (see `matchmaking.policies.request_view`). Asking again while the request waits adds
    nothing. A pair either side declined (which both parties saw) may be asked for again
    once INTRODUCTION_REQUEST_AGAIN_DAYS have passed since the decline, as a new round
    (responses, forward and counsellor reset); before that, a `StateConflict` that says
    from which date."""
    message = _note(message, "message")
    if not (actor.is_authenticated and actor.is_buyer):
        raise PermissionDenied(_("Only buyers request introductions."))
    UserRateLimit("introductions").hit(actor)
    # Locked: the same request twice at once (a double click) finds the first one's match
    # rather than creating the pair twice (an integrity error).
    buyer = BuyerProfile.objects.select_for_update().filter(company_q(actor)).order_by("pk").first()
    if buyer is None or not buyer.company_name.strip() or not buyer.country:
        raise ValidationError(
            {"non_field_errors": [_("Complete your company profile before requesting an introduction.")]}
        )
    if (product is None) == (producer is None):
        raise ValidationError({"non_field_errors": [_("Give a product or a producer.")]})
    if product is not None:
        if not product.is_active:
            raise ValidationError({"product": [_("This product is not listed.")]})
        producer = product.producer

    # The companies' pair (a match made for one of the buyer's requests is another row).
    match = (
        Match.objects.select_for_update().filter(producer=producer, buyer=buyer, request__isnull=True).first()
    )
    scored = _scored_pair(producer, buyer)
    if match is None:
        kind = NEW
        match = Match.objects.create(
            producer=producer,
            buyer=buyer,
            source=MatchSource.BUYER_REQUEST,
            requested_product=product,
            request_message=message,
            **scored,
        )
        _event(match, actor=actor, from_status="", note=message)
    elif match.status == MatchStatus.PROPOSED and match.source == MatchSource.BUYER_REQUEST:
        kind = OPEN
    elif match.status in (
        MatchStatus.PROPOSED,
        MatchStatus.WITHDRAWN,
        MatchStatus.REJECTED,
    ) or _may_ask_again(match):
        from_status = match.status
        kind = REQUESTED if from_status == MatchStatus.PROPOSED else REOPENED
        for name, value in scored.items():
            setattr(match, name, value)
        match.status = MatchStatus.PROPOSED
        match.source = MatchSource.BUYER_REQUEST
        match.requested_product = product
        match.request_message = message
        fields = [
            "status",
            "source",
            "requested_product",
            "request_message",
            "score",
            "breakdown",
            "updated_at",
        ]
        fields += [f"{factor}_score" for factor in _FACTORS]
        if kind == REOPENED:
            # A new request: its own review clock, nothing left of the closed round.
            match.created_at, match.escalated_at, match.forward_note = timezone.now(), None, ""
            fields += ["created_at", "escalated_at", "forward_note"]
        if from_status == MatchStatus.DECLINED:
            # A year on (or as set): the parties answer afresh, and the counsellor now posted
            # for the buyer's market reviews it (the router picks them).
            match.producer_response = match.buyer_response = PartyResponse.PENDING
            match.producer_note = match.buyer_note = ""
            match.forwarded_at = match.connected_at = None
            match.counsellor = None
            fields += [
                "producer_response",
                "buyer_response",
                "producer_note",
                "buyer_note",
                "forwarded_at",
                "connected_at",
                "counsellor",
            ]
        match.save(update_fields=fields)
        _event(match, actor=actor, from_status=from_status, note=message)
    elif match.status == MatchStatus.DECLINED:
        raise StateConflict(
            _(
                "An introduction to this producer was declined on %(declined)s. "
                "You can ask for it again from %(date)s."
            )
            % {
                "declined": format_date(declined_at(match)),
                "date": format_date(introduction_again_from(match)),
            }
        )
    else:
        raise StateConflict(
            _("You are already in touch with this producer (the match is %(status)s).")
            % {"status": match.get_status_display()}
        )
    if kind != OPEN:
        route_new_matches(Match.objects.filter(pk=match.pk))
        tasks.notify_introduction_requested.delay(match.pk)
    match.refresh_from_db()
    match.request_kind = kind
    match.receipt = _receipt(match, scored=scored, product=product, message=message)
    return match


def _may_ask_again(match: Match) -> bool:
    """A declined pair, once INTRODUCTION_REQUEST_AGAIN_DAYS have passed since the decline."""
    again = introduction_again_from(match)
    return again is not None and timezone.now() >= again


def _receipt(match: Match, *, scored: dict, product: Product | None, message: str) -> Match:
    """What the buyer is shown of its request (the API's answer), the same whatever the pair's
    past, so that it tells nothing of an engine proposal, a rejection (its reason, who, when)
    or an earlier request: the pair, this request's product and words, the score on today's
    data, proposed and pending; no counsellor, no dates but this request's, no log (a party
    sees the log from the forward on: `policies.events_visible_to`)."""
    receipt = copy.copy(match)
    now = timezone.now()
    for name, value in scored.items():
        setattr(receipt, name, value)
    receipt.status, receipt.source = MatchStatus.PROPOSED, MatchSource.BUYER_REQUEST
    receipt.counsellor = None
    receipt.requested_product = product
    receipt.request_message = message
    receipt.forward_note = ""
    receipt.producer_response = receipt.buyer_response = PartyResponse.PENDING
    receipt.forwarded_at = receipt.connected_at = receipt.escalated_at = None
    receipt.created_at = receipt.updated_at = now
    return receipt
