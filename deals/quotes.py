"""Every write to a quote (docs/design.md "From match to deal", "Quotes").

    open ──► accepted   (the buyer; the quote's request is awarded, its other open quotes declined)
      │ ───► declined   (the buyer)
      │ ───► withdrawn  (the producer)
      └────► expired    (its validity passed: the daily task, deals.quote_expiry)

The producer of a forwarded or connected match quotes; while the match is made for a buying
request, only as long as that request is published. Each service validates its input (field
errors, the same for pages and API), locks what it changes, checks the status it expects
(`StateConflict`: 409, or a message on the pages), records the transition in the match's
history (deals.quote_log) and emails the other side once the transaction commits.

Lock order: the buying request before its quotes (`sourcing.services.award_request` locks the
request first), and the request before the match when quoting: two acceptances of one request's
quotes queue on the request, and the second finds it awarded.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import User
from matchmaking.models import Match
from portal import languages
from portal import validation as rules
from portal.exceptions import StateConflict
from portal.formatting import format_date
from sourcing.models import RequestStatus
from sourcing.services import award_request, lock_request
from taxonomy.models import CapacityUnit, Incoterm

from . import attachments, quote_log, tasks
from .models import Quote, QuoteStatus
from .policies import QUOTABLE, can_decide_quote, can_quote, can_withdraw_quote

NOTE_LENGTH = rules.max_length(Quote, "note") or 2000
MAX_LEAD_TIME_DAYS = 730
# The fields a producer writes on a quote (the services refuse the others).
QUOTE_FIELDS = (
    "unit_price",
    "currency",
    "quantity",
    "unit",
    "incoterm",
    "lead_time_days",
    "valid_until",
    "note",
)
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


# --- Field rules -------------------------------------------------------------------------------


def _no_nul(value) -> None:
    # PostgreSQL stores no NUL in a text column: a field error, not a server error.
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError(_("Null characters are not allowed."))


def _required(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _amount(value) -> Any:
    _no_nul(value)
    if not _required(value):
        raise ValidationError(_("This field is required."))
    return rules.positive_quantity(value)


def _choice(value, choices: list[str], *, upper: bool = False) -> str:
    _no_nul(value)
    if not _required(value):
        raise ValidationError(_("This field is required."))
    code = value.strip() if isinstance(value, str) else None
    if code is not None and upper:
        code = code.upper()
    if code not in choices:
        raise ValidationError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)})
    return code


def _currency(value) -> str:
    _no_nul(value)
    if not _required(value):
        raise ValidationError(_("This field is required."))
    if not isinstance(value, str):
        raise ValidationError(_("Give a currency code (ISO 4217), e.g. USD."))
    return rules.currency_code(value)


def lead_time_days(value) -> int:
    """Whole days from 0 to 730 (Persian or Arabic digits too)."""
    _no_nul(value)
    if not _required(value):
        raise ValidationError(_("This field is required."))
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError(_("Enter a whole number of days."))
    if isinstance(value, str):
        text = value.strip().translate(_DIGITS)
        if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > rules.MAX_NUMBER_LENGTH:
            raise ValidationError(_("Enter a whole number of days."))
        value = int(text)
    if not 0 <= value <= MAX_LEAD_TIME_DAYS:
        raise ValidationError(_("Lead time must be between 0 and 730 days."))
    return value


def last_valid_day(today: datetime.date) -> datetime.date:
    """A year after `today` (28 February for a 29 February)."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def valid_until(value, *, today: datetime.date | None = None) -> datetime.date:
    """A date from today to a year on (a date, or ISO 8601 text: 2026-03-01)."""
    _no_nul(value)
    if not _required(value):
        raise ValidationError(_("This field is required."))
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip().translate(_DIGITS)
        try:
            value = datetime.date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            value = None
    if not isinstance(value, datetime.date):
        raise ValidationError(_("Enter a date as YYYY-MM-DD."))
    today = today or timezone.localdate()
    if value < today:
        raise ValidationError(_("The quote must be valid at least until today."))
    if value > last_valid_day(today):
        raise ValidationError(_("A quote may be valid for a year at most."))
    return value


def note_text(value, field: str = "note") -> str:
    """A note of up to 2,000 characters (controls removed, line breaks kept); errors under `field`."""
    try:
        _no_nul(value)
        if value is not None and not isinstance(value, str):
            raise ValidationError(_("Enter a text."))
        return rules.text_field(value, max_length=NOTE_LENGTH, lines=True)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def quote_defaults(match: Match) -> dict[str, Any]:
    """What a quote on `match` takes when not given: the request line's quantity and unit, the
    request's currency and Incoterm (a page prefills its form with them)."""
    defaults: dict[str, Any] = {}
    request, line = match.request, match.request_line
    if line is not None:
        defaults["quantity"] = line.quantity
        defaults["unit"] = line.unit
    if request is not None:
        if request.currency:
            defaults["currency"] = request.currency
        if request.incoterm:
            defaults["incoterm"] = request.incoterm
    return defaults


def validated_quote(match: Match, data: dict[str, Any], *, today: datetime.date | None = None) -> dict:
    """`data` checked field by field (every error at once), with the match's defaults."""
    errors = rules.FieldErrors()
    errors.reject_unknown(data, QUOTE_FIELDS)
    given = {name: value for name, value in data.items() if name in QUOTE_FIELDS}
    for name, value in quote_defaults(match).items():
        if not _required(given.get(name)):
            given[name] = value
    values = {
        "unit_price": errors.check("unit_price", _amount, given.get("unit_price")),
        "currency": errors.check("currency", _currency, given.get("currency")),
        "quantity": errors.check("quantity", _amount, given.get("quantity")),
        "unit": errors.check("unit", _choice, given.get("unit"), CapacityUnit.values),
        "incoterm": errors.check("incoterm", _choice, given.get("incoterm"), Incoterm.values, upper=True),
        "lead_time_days": errors.check("lead_time_days", lead_time_days, given.get("lead_time_days")),
        "valid_until": errors.check("valid_until", valid_until, given.get("valid_until"), today=today),
    }
    try:
        values["note"] = note_text(given.get("note"))
    except ValidationError as error:
        errors.merge(error)
    errors.raise_if_any()
    return values


# --- States ------------------------------------------------------------------------------------


def _refuse_closed_request(request) -> StateConflict:
    return StateConflict(
        _("This buying request is %(status)s: it takes no more quotes.")
        % {"status": request.get_status_display().lower()}
    )


def quote_refusal(match: Match) -> str | None:
    """Why no quote may be sent on `match` now (None: one may): the page says it instead of
    offering the form."""
    if match.status not in QUOTABLE:
        return _("This match is %(status)s: it takes no more quotes.") % {
            "status": match.get_status_display().lower()
        }
    request = match.request
    if request is not None and request.status != RequestStatus.PUBLISHED:
        return str(_refuse_closed_request(request))
    return None


def _check_open(quote: Quote) -> None:
    if quote.status != QuoteStatus.OPEN:
        raise StateConflict(
            _("This quote is %(status)s: it can no longer change.")
            % {"status": quote.get_status_display().lower()}
        )


def _check_valid(quote: Quote, today: datetime.date) -> None:
    if quote.valid_until < today:
        raise StateConflict(
            _("This quote was valid until %(date)s: it can no longer be accepted.")
            % {"date": format_date(quote.valid_until)}
        )


def _load(quote: Quote | int) -> Quote:
    pk = quote.pk if isinstance(quote, Quote) else quote
    return Quote.objects.select_related("match__producer", "match__buyer").get(pk=pk)


def _locked(quote: Quote | int) -> Quote:
    """The quote's row, locked (its match read along, not locked)."""
    pk = quote.pk if isinstance(quote, Quote) else quote
    return (
        Quote.objects.select_for_update(of=("self",))
        .select_related("match__producer", "match__buyer")
        .get(pk=pk)
    )


def _notify(event) -> None:
    tasks.notify_quote_event.delay(event.pk)


# --- The producer ------------------------------------------------------------------------------


def quote_create(*, match: Match | int, actor: User, data: dict[str, Any], files=()) -> Quote:
    """The producer of a forwarded or connected match sends a quote (for the match's request
    and line when it has them), with up to `DEALS_ATTACHMENT_MAX_FILES` files (its documents:
    a price list, a specification, photos); the buyer is emailed.

    Every field and every file is judged before anything is written (ValidationError with the
    field errors, `files` among them): a refused file leaves no quote and no file. The files
    are stored in the quote's transaction, after its row."""
    pk = match.pk if isinstance(match, Match) else match
    match = Match.objects.select_related("producer", "buyer", "request", "request_line").get(pk=pk)
    if not can_quote(actor, match):
        raise PermissionDenied(_("Only the producer of this match sends it quotes."))
    errors = rules.FieldErrors()
    values: dict[str, Any] = {}
    try:
        values = validated_quote(match, data)
    except ValidationError as error:
        errors.merge(error)
    # The files judged (images re-encoded) with the fields, so that one answer lists all there
    # is to correct, and before any lock is taken.
    checked = errors.check("files", attachments.check_files, files)
    errors.raise_if_any()
    with transaction.atomic():
        request = lock_request(match.request_id) if match.request_id else None
        locked = Match.objects.select_for_update().get(pk=match.pk)
        if locked.status not in QUOTABLE:
            raise StateConflict(quote_refusal(locked) or "")
        if request is not None and request.status != RequestStatus.PUBLISHED:
            raise _refuse_closed_request(request)
        quote = Quote.objects.create(
            match=locked,
            request_id=locked.request_id,
            line_id=locked.request_line_id,
            author=actor,
            **values,
        )
        _notify(quote_log.record(locked, quote, actor=actor, action=quote_log.CREATED, note=values["note"]))
        # Last: a failure while storing removes the files it wrote, and the quote rolls back.
        attachments.store_files(checked, match=locked, quote=quote, uploaded_by=actor)
    return quote


@transaction.atomic
def quote_withdraw(*, quote: Quote | int, actor: User) -> Quote:
    """The producer takes back an open quote."""
    quote = _locked(quote)
    if not can_withdraw_quote(actor, quote):
        raise PermissionDenied(_("Only the producer who sent this quote withdraws it."))
    _check_open(quote)
    quote.status = QuoteStatus.WITHDRAWN
    quote.save(update_fields=["status", "updated_at"])
    quote_log.record(quote.match, quote, actor=actor, action=quote_log.WITHDRAWN)
    return quote


# --- The buyer ---------------------------------------------------------------------------------


def _decide(quote: Quote, *, actor: User, status: str, note: str, now) -> None:
    quote.status = status
    quote.decided_by, quote.decided_at, quote.decision_note = actor, now, note
    quote.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])


def _superseded_note(quote: Quote) -> str:
    """The note on a quote declined because another was accepted, in its producer's language
    (they are the one who reads it)."""
    language = languages.supported_or_default(quote.match.producer.owner.preferred_language)
    with override(language):
        return _("Another quote for this request was accepted.")


def quote_accept(*, quote: Quote | int, actor: User, note: str = "") -> Quote:
    """The buyer accepts an open, still valid quote on a live match. A quote for a buying
    request awards the request (it must be published) and declines the request's other open
    quotes, all in one transaction; their producers are emailed, as is this quote's."""
    note = note_text(note)
    quote = _load(quote)
    if not can_decide_quote(actor, quote):
        raise PermissionDenied(_("Only the buyer decides on this quote."))
    _check_open(quote)  # the plain answer for a quote that moved on, before the request's
    today, now = timezone.localdate(), timezone.now()
    with transaction.atomic():
        if quote.request_id is not None:
            # The request first (the lock order): of two acceptances on one request, the
            # second waits here and finds the request awarded.
            award_request(
                quote.request_id,
                actor=actor,
                note=_("Quote #%(number)s accepted.") % {"number": quote.pk},
            )
        quote = _locked(quote)
        _check_open(quote)
        _check_valid(quote, today)
        match = Match.objects.get(pk=quote.match_id)
        if match.status not in QUOTABLE:
            raise StateConflict(
                _("This match is %(status)s: its quotes can no longer be accepted.")
                % {"status": match.get_status_display().lower()}
            )
        _decide(quote, actor=actor, status=QuoteStatus.ACCEPTED, note=note, now=now)
        events = [quote_log.record(match, quote, actor=actor, action=quote_log.ACCEPTED, note=note)]
        if quote.request_id is not None:
            others = (
                Quote.objects.select_for_update(of=("self",))
                .select_related("match__producer__owner")
                .filter(request_id=quote.request_id, status=QuoteStatus.OPEN)
                .exclude(pk=quote.pk)
                .order_by("pk")
            )
            for other in others:
                _decide(
                    other, actor=actor, status=QuoteStatus.DECLINED, note=_superseded_note(other), now=now
                )
                events.append(
                    quote_log.record(
                        other.match, other, actor=actor, action=quote_log.DECLINED, superseded=True
                    )
                )
        for event in events:
            _notify(event)
    return quote


@transaction.atomic
def quote_decline(*, quote: Quote | int, actor: User, note: str = "") -> Quote:
    """The buyer declines an open quote (optionally saying why); its producer is emailed."""
    note = note_text(note)
    quote = _locked(quote)
    if not can_decide_quote(actor, quote):
        raise PermissionDenied(_("Only the buyer decides on this quote."))
    _check_open(quote)
    _decide(quote, actor=actor, status=QuoteStatus.DECLINED, note=note, now=timezone.now())
    _notify(quote_log.record(quote.match, quote, actor=actor, action=quote_log.DECLINED, note=note))
    return quote
