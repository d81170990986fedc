"""A producer's interest in a published buying request (docs/design.md, "From match to deal").

The producer answers a request with one of its own listed products and a message to the
counsellor: a proposed match keyed on (producer, request), source `producer_interest`,
routed to the counsellor of the buyer's market like any match and shown first in the queue.
The buyer stays withheld from the producer until the counsellor forwards the match.

`request_introduction` (matchmaking.lifecycle) is the model: the match the engine already
proposed for the pair becomes the producer's interest; one the engine withdrew comes back as
it, as does an interest withdrawn with its request; any other (the interest already waits, or a counsellor or a party acted on the match) is
a `StateConflict`. Once the interest commits, the counsellor it is routed to (staff when it
waits in the pool) is emailed, with the buyer named (matchmaking.notifications.interest_expressed):
one email per match while it waits. The request's row is locked first, as matchmaking.request_persistence
locks it, so the engine and the producer never create the pair twice.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.companies import company_q, producer_of
from accounts.models import User
from catalogue.models import Product
from matchmaking import engine, tasks
from matchmaking.learning import load_responsiveness
from matchmaking.loading import load_offers, load_request_lines, load_sections
from matchmaking.models import (
    FACTORS,
    Match,
    MatchEvent,
    MatchSource,
    MatchStatus,
    PartyResponse,
    get_matching_config,
)
from matchmaking.request_matching import pick_line
from matchmaking.request_persistence import breakdown_of
from matchmaking.routing import route_new_matches
from portal import validation as rules
from portal.exceptions import StateConflict
from sourcing.models import OPEN, BuyingRequest, RequestLine

MESSAGE_LENGTH = 2000


# --- What a producer may see and answer ------------------------------------------------------


def requests_open_to(user) -> QuerySet[BuyingRequest]:
    """The buying requests `user` may express interest in: published ones, for a producer.
    (The board's own rule, `sourcing`'s, is the one to follow once it has one.)"""
    if not (user and user.is_authenticated and user.is_producer):
        return BuyingRequest.objects.none()
    return BuyingRequest.objects.filter(status__in=OPEN)


def can_express_interest(user) -> bool:
    """Producers answer buying requests."""
    return bool(user and user.is_authenticated and user.is_producer)


def interest_products(user) -> QuerySet[Product]:
    """The products a producer may offer: its own listed ones."""
    if not can_express_interest(user):
        return Product.objects.none()
    return Product.objects.filter(company_q(user, "producer__"), is_active=True).order_by("name", "pk")


# --- The service ------------------------------------------------------------------------------


def _message(value) -> str:
    text = "" if value is None else str(value)
    if not rules.is_printable_text(text):
        raise ValidationError({"message": [_("The message holds characters that cannot be stored.")]})
    text = rules.multi_line(text)
    if len(text) > MESSAGE_LENGTH:
        raise ValidationError({"message": [_("Keep it under %(n)d characters.") % {"n": MESSAGE_LENGTH}]})
    return text


def covering_line(lines: list[RequestLine], product: Product) -> RequestLine:
    """The line (of `lines`, in the request's order) the product answers:
    `request_matching.pick_line`."""
    chosen = pick_line(product.hs_code_id, [(line.pk, line.sector_id) for line in lines])
    return next(line for line in lines if line.pk == chosen)


def _milli(value) -> Decimal:
    return Decimal(round(float(value) * 1000)) / 1000


def score_interest(product: Product, line: RequestLine) -> dict:
    """The engine's scores and breakdown of the product against the line, on current data;
    zeros and no breakdown where the engine cannot read either (the counsellor still sees it)."""
    config = get_matching_config()
    offers = load_offers(product_ids=[product.pk], ready_only=False)
    lines = load_request_lines([line.request_id])
    result = None
    if len(offers) and len(lines):
        result = engine.score_offer_pairs(
            offers,
            lines,
            load_sections(),
            [product.pk],
            [line.pk],
            config,
            responsiveness=load_responsiveness([product.producer_id]),
        )
    if result is None or not len(result):
        return {"score": Decimal(0), **{f"{f}_score": Decimal(0) for f in FACTORS}, "breakdown": {}}
    return {
        "score": _milli(result.score[0]),
        **{f"{f}_score": _milli(getattr(result, f)[0]) for f in FACTORS},
        "breakdown": breakdown_of(result, 0),
    }


def _event(match: Match, *, actor: User, from_status: str, note: str) -> None:
    MatchEvent.objects.create(
        match=match, actor=actor, from_status=from_status, to_status=match.status, note=note
    )


@transaction.atomic
def express_interest(
    *, request: BuyingRequest | int, product: Product | None, actor: User, message: str = ""
) -> Match:
    """A producer answers a published buying request with one of its listed products and a
    message: a proposed match (source `producer_interest`) for the counsellor of the buyer's
    market. BuyingRequest.DoesNotExist for a request the producer may not answer (not
    published: a 404); ValidationError for a product that is not its own listed one;
    StateConflict when its interest already waits or the match moved on."""
    message = _message(message)
    if not can_express_interest(actor):
        raise PermissionDenied(_("Only producers express interest in buying requests."))
    producer = producer_of(actor)
    if producer is None:
        raise ValidationError(
            {"non_field_errors": [_("Complete your company profile before answering a buying request.")]}
        )
    if product is None:
        raise ValidationError({"product": [_("Choose one of your products.")]})
    if product.producer_id != producer.pk or not product.is_active:
        raise ValidationError({"product": [_("Choose one of your own listed products.")]})
    pk = request.pk if isinstance(request, BuyingRequest) else request
    # The request's row first: the lock every writer of its matches takes.
    locked = requests_open_to(actor).select_for_update().filter(pk=pk).first()
    if locked is None:
        raise BuyingRequest.DoesNotExist
    lines = list(RequestLine.objects.filter(request=locked).order_by("position", "pk"))
    if not lines:
        raise StateConflict(_("This request has no lines to answer."))
    line = covering_line(lines, product)
    scored = score_interest(product, line)

    match = Match.objects.select_for_update().filter(producer=producer, request=locked).first()
    if match is None:
        match = Match.objects.create(
            producer=producer,
            buyer_id=locked.buyer_id,
            request=locked,
            request_line=line,
            requested_product=product,
            request_message=message,
            source=MatchSource.PRODUCER_INTEREST,
            **scored,
        )
        _event(match, actor=actor, from_status="", note=message)
    elif match.status == MatchStatus.WITHDRAWN or (
        match.status == MatchStatus.PROPOSED and match.source == MatchSource.ENGINE
    ):
        from_status = match.status
        for name, value in scored.items():
            setattr(match, name, value)
        match.status = MatchStatus.PROPOSED
        match.source = MatchSource.PRODUCER_INTEREST
        match.request_line, match.requested_product, match.request_message = line, product, message
        fields = [
            "status",
            "source",
            "request_line",
            "requested_product",
            "request_message",
            *scored,
            "updated_at",
        ]
        if from_status == MatchStatus.WITHDRAWN:
            # A new proposal: its own review clock.
            match.created_at, match.escalated_at = timezone.now(), None
            fields += ["created_at", "escalated_at"]
        match.save(update_fields=fields)
        _event(match, actor=actor, from_status=from_status, note=message)
    elif match.status == MatchStatus.PROPOSED:
        raise StateConflict(
            _("You have already expressed interest in this request; the trade counsellor has it.")
        )
    else:
        raise StateConflict(
            _("You cannot express interest in this request again (your match with it is %(status)s).")
            % {"status": match.get_status_display().lower()}
        )
    route_new_matches(Match.objects.filter(pk=match.pk))
    # Its counsellor (staff for the pool) is emailed once this commits: once per waiting round.
    tasks.notify_interest_expressed.delay(match.pk)
    match.refresh_from_db()
    return match


def receipt(match: Match) -> Match:
    """What the producer is shown of its interest until the counsellor forwards it: the
    request, the line, its product and words, the score on today's data, proposed and pending;
    no buyer, no counsellor, no log (the API withholds the buyer: `InterestReceiptSerializer`)."""
    shown = copy.copy(match)
    now = timezone.now()
    shown.counsellor = None
    shown.forward_note = ""
    shown.producer_response = shown.buyer_response = PartyResponse.PENDING
    shown.forwarded_at = shown.connected_at = shown.escalated_at = None
    shown.created_at = shown.updated_at = now
    return shown
