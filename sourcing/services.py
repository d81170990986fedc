"""Every write to a buying request: validated, in a transaction, on a locked row, logged.

    pending ──approve──► published ──(a quote accepted)──► awarded
       │  ▲                  │
    return │ edit            close (buyer, counsellor, staff; the deadline's beat)
       ▼  │                  ▼
     rejected             closed

A buyer writes a request with its lines (`request_create`, `request_update`); the counsellor
of the buyer's market (or staff) approves it (`request_approve`) or returns it with a note
(`request_return`); an edit of a returned request sends it back to the counsellor, an edit of
a published one keeps it published. Each write logs a `RequestEvent`; the changes the
matcher cares about are sent as `sourcing.signals.request_changed` once committed, and the
buyer's emails leave after the commit too (sourcing/notifications.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.companies import buyer_of
from accounts.models import BuyerProfile, User
from portal import validation as rules
from portal.dates import parse_date
from portal.exceptions import StateConflict
from portal.translations_input import TEXT_INPUTS, apply_texts_input, initial_language
from taxonomy.models import CapacityUnit, Incoterm
from taxonomy.sectors import sector_for_code

from . import notifications
from .models import EDITABLE, BuyingRequest, RequestEvent, RequestLine, RequestStatus
from .policies import can_create_request, can_edit_request, can_review_request
from .signals import request_changed

# The fields of a request its buyer writes, in the order the API shows them (the services
# refuse the others; the serializers and forms read these lists).
REQUEST_FIELDS = (
    "title",
    "description",
    "currency",
    "incoterm",
    "destination_country",
    "destination_port",
    "deadline",
    "required_certifications",
    "lines",
)
LINE_FIELDS = ("hs_code", "quantity", "unit", "target_price", "specification")
# A one-line request may be written with its line's fields at the top (docs/api.md's shape); on an
# update they change the first line and keep the others.
FIRST_LINE_FIELDS = ("hs_code", "quantity", "unit", "target_price")
MAX_LINES = 20
MAX_DEADLINE_DAYS = 730  # two years ahead: beyond it no producer quotes
NOTE_LENGTH = rules.max_length(BuyingRequest, "review_note")
TITLE_LENGTH = rules.max_length(BuyingRequest, "title")
DESCRIPTION_LENGTH = rules.max_length(BuyingRequest, "description")
PORT_LENGTH = rules.max_length(BuyingRequest, "destination_port")
SPECIFICATION_LENGTH = rules.max_length(RequestLine, "specification")

# What `request_changed` calls each status a request moves to (sourcing/signals.py); a move
# back to pending (a returned request edited) is nothing to the matcher.
CHANGES = {
    RequestStatus.PUBLISHED: "published",
    RequestStatus.CLOSED: "closed",
    RequestStatus.AWARDED: "awarded",
    RequestStatus.REJECTED: "returned",
}


def lock_request(request: BuyingRequest | int) -> BuyingRequest:
    """The request's row, locked until the caller's transaction ends (call inside one)."""
    pk = request.pk if isinstance(request, BuyingRequest) else request
    return BuyingRequest.objects.select_for_update().get(pk=pk)


def _announce(request: BuyingRequest, change: str) -> None:
    transaction.on_commit(lambda: request_changed.send(sender=BuyingRequest, request=request, change=change))


def _transition(request: BuyingRequest, *, to_status: str, actor, note: str = "") -> RequestEvent:
    """Move a locked `request` to `to_status`, log it and tell the apps above once committed."""
    from_status = request.status
    request.status = to_status
    event = RequestEvent.objects.create(
        request=request, actor=actor, from_status=from_status, to_status=to_status, note=note
    )
    if to_status in CHANGES:
        _announce(request, CHANGES[to_status])
    return event


def _refuse(request: BuyingRequest, action: str) -> StateConflict:
    return StateConflict(
        _("This request is %(status)s: it cannot be %(action)s.")
        % {"status": request.get_status_display().lower(), "action": action}
    )


def award_request(request: BuyingRequest | int, *, actor, note: str = "") -> BuyingRequest:
    """Mark a published request awarded (its buyer accepted a quote): locks the row, refuses
    any other status with a StateConflict. Called inside the quote acceptance's transaction,
    so the quote and the award commit together or not at all."""
    with transaction.atomic():
        request = lock_request(request)
        if request.status != RequestStatus.PUBLISHED:
            raise StateConflict(
                _("This request is %(status)s: it can no longer be awarded.")
                % {"status": request.get_status_display().lower()}
            )
        request.closed_at = timezone.now()
        _transition(request, to_status=RequestStatus.AWARDED, actor=actor, note=note)
        request.save(update_fields=["status", "closed_at", "updated_at"])
    return request


# --- Field rules -------------------------------------------------------------------------


def _incoterm(value) -> str:
    code = rules.single_line(value).upper()
    if code and code not in Incoterm.values:
        raise ValidationError(_("“%(code)s” is not an Incoterm (2020).") % {"code": rules.shown(value, 10)})
    return code


def _deadline(value, today: datetime.date) -> datetime.date:
    if value is None or value == "":
        raise ValidationError(_("This field is required."))
    deadline = parse_date(value)
    if deadline <= today:
        raise ValidationError(_("The deadline must be in the future."))
    if deadline > today + datetime.timedelta(days=MAX_DEADLINE_DAYS):
        raise ValidationError(_("The deadline can be at most two years ahead."))
    return deadline


def _unit(value) -> str:
    if not isinstance(value, str) or value not in CapacityUnit.values:
        raise ValidationError(_("Choose one of: %(units)s.") % {"units": ", ".join(CapacityUnit.values)})
    return value


def _required(value, rule, *args, **kwargs):
    if value is None or value == "":
        raise ValidationError(_("This field is required."))
    return rule(value, *args, **kwargs)


def _line(value) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """One line's values, cleaned, and its errors per field."""
    errors = rules.FieldErrors()
    if not isinstance(value, Mapping):
        errors.add("non_field_errors", _("Give a line as an object with hs_code, quantity and unit."))
        return {}, errors.errors
    errors.reject_unknown(value, LINE_FIELDS)
    line = {
        "sector": errors.check("hs_code", _required, value.get("hs_code"), sector_for_code),
        "quantity": errors.check("quantity", _required, value.get("quantity"), rules.positive_quantity),
        "unit": errors.check("unit", _required, value.get("unit"), _unit),
        "target_price": errors.check("target_price", rules.positive_quantity, value.get("target_price")),
        "specification": errors.check(
            "specification", rules.text_field, value.get("specification"), max_length=SPECIFICATION_LENGTH
        )
        or "",
    }
    return line, errors.errors


def _line_as_input(line: RequestLine) -> dict[str, Any]:
    return {
        "hs_code": line.sector_id,
        "quantity": line.quantity,
        "unit": line.unit,
        "target_price": line.target_price,
        "specification": line.specification,
    }


def _lines_input(request: BuyingRequest, data: Mapping[str, Any], errors: rules.FieldErrors) -> list | None:
    """The lines `data` gives: its `lines`, or its first line's fields at the top (the others
    kept); None when it gives neither."""
    given = [field for field in FIRST_LINE_FIELDS if field in data]
    if "lines" in data:
        for field in given:
            errors.add(field, _("Give the lines, or the first line's fields: not both."))
        return data["lines"]
    if not given:
        return None
    current = [] if request._state.adding else [_line_as_input(line) for line in request.lines.all()]
    first = {**(current[0] if current else {}), **{field: data[field] for field in given}}
    return [first, *current[1:]]


class LinesInvalid(ValidationError):
    """The service's ValidationError when lines are wrong: its field errors name each line in
    words ("Line 2, quantity: …"); `line_errors` holds them per line and field for the API's
    `{"lines": [{…}, …]}` and the form's line rows."""

    def __init__(
        self, errors: dict[str, list[str]], line_errors: dict[int, dict[str, list[str]]], count: int
    ):
        super().__init__(errors)
        self.line_errors = line_errors
        self.line_count = count


def line_errors(error: ValidationError) -> list[dict[str, list[str]]]:
    """A service's ValidationError's errors per line given, `{field: [messages]}` each (empty
    for a good line); an empty list when no line has any."""
    found = getattr(error, "line_errors", {})
    if not found:
        return []
    return [found.get(index, {}) for index in range(max(error.line_count, max(found) + 1))]


def _clean_lines(value, errors: rules.FieldErrors, per_line: dict, *, shorthand: bool) -> list[dict] | None:
    if not isinstance(value, list | tuple):
        errors.add("lines", _("Give the lines as a list."))
        return None
    if not value:
        errors.add("lines", _("Give at least one line."))
        return None
    if len(value) > MAX_LINES:
        errors.add("lines", _("At most %(n)d lines.") % {"n": MAX_LINES})
        return None
    lines = []
    for index, item in enumerate(value):
        line, found = _line(item)
        lines.append(line)
        if not found:
            continue
        per_line[index] = found
        for field, messages in found.items():
            for message in messages:
                if shorthand and index == 0 and field in FIRST_LINE_FIELDS:
                    errors.add(field, message)  # written at the top: reported there
                elif field == "non_field_errors":
                    errors.add("lines", _("Line %(n)d: %(message)s") % {"n": index + 1, "message": message})
                else:
                    errors.add(
                        "lines",
                        _("Line %(n)d, %(field)s: %(message)s")
                        % {"n": index + 1, "field": field, "message": message},
                    )
    return lines


def _apply_fields(request: BuyingRequest, data: Mapping[str, Any], *, today: datetime.date) -> list | None:
    """Validate `data` onto `request` (not saved); return its cleaned lines (None: unchanged)."""
    errors = rules.FieldErrors()
    per_line: dict[int, dict[str, list[str]]] = {}
    adding = request._state.adding
    errors.reject_unknown(data, REQUEST_FIELDS, also=(*TEXT_INPUTS, *FIRST_LINE_FIELDS))
    if "title" in data or adding:
        request.title = (
            errors.check("title", rules.text_field, data.get("title"), max_length=TITLE_LENGTH, required=True)
            or ""
        )
    if "description" in data:
        request.description = (
            errors.check(
                "description",
                rules.text_field,
                data["description"],
                max_length=DESCRIPTION_LENGTH,
                lines=True,
            )
            or ""
        )
    apply_texts_input(request, data, errors)
    if "currency" in data:
        request.currency = errors.check("currency", rules.currency_code, data["currency"]) or request.currency
    if "incoterm" in data:
        request.incoterm = errors.check("incoterm", _incoterm, data["incoterm"]) or ""
    if "destination_country" in data or adding:
        country = data.get("destination_country") or (request.buyer.country.code if adding else "")
        request.destination_country = errors.check("destination_country", rules.country_code, country) or ""
    if "destination_port" in data:
        request.destination_port = (
            errors.check(
                "destination_port", rules.text_field, data["destination_port"], max_length=PORT_LENGTH
            )
            or ""
        )
    if "deadline" in data or adding:
        request.deadline = errors.check("deadline", _deadline, data.get("deadline"), today)
    if "required_certifications" in data:
        request.required_certifications = (
            errors.check(
                "required_certifications",
                rules.certification_codes,
                rules.as_list(data["required_certifications"]),
            )
            or []
        )
    value = _lines_input(request, data, errors)
    count = len(value) if isinstance(value, list | tuple) else 0
    lines = None
    if value is None and adding:
        errors.add("lines", _("Give at least one line."))
    elif value is not None:
        lines = _clean_lines(value, errors, per_line, shorthand="lines" not in data)
    if errors.errors:
        raise LinesInvalid(errors.errors, per_line, count)
    return lines


def _save_lines(request: BuyingRequest, lines: list[dict]) -> None:
    """The request's lines become `lines`, in order. Rows are kept by position (a match or a
    quote on line 2 stays on line 2); the surplus is deleted, the shortfall created."""
    existing = list(request.lines.order_by("position", "id"))
    for position, values in enumerate(lines):
        row = existing[position] if position < len(existing) else RequestLine(request=request)
        row.position = position
        for field, value in values.items():
            setattr(row, field, value)
        row.save()
    surplus = [row.pk for row in existing[len(lines) :]]
    if surplus:
        RequestLine.objects.filter(pk__in=surplus).delete()


def _note(value, *, required: bool = False) -> str:
    note = rules.multi_line(value)
    if required and not note:
        raise ValidationError({"note": [_("Say what the buyer should change.")]})
    if len(note) > NOTE_LENGTH:
        raise ValidationError({"note": [_("At most %(n)d characters.") % {"n": NOTE_LENGTH}]})
    return note


# --- The buyer's writes ------------------------------------------------------------------


def _buyer_for(actor: User, buyer: BuyerProfile | None) -> BuyerProfile:
    if not can_create_request(actor):
        raise PermissionDenied(_("Only buyers post buying requests."))
    own = buyer_of(actor) if actor.is_buyer else None
    if buyer is None:
        if own is None:
            field = "buyer" if actor.is_portal_staff else "non_field_errors"
            message = (
                _("Staff must say whose request this is.")
                if actor.is_portal_staff
                else _("Tell us about your company first.")
            )
            raise ValidationError({field: [message]})
        return own
    if not actor.is_portal_staff and buyer.pk != getattr(own, "pk", None):
        raise PermissionDenied(_("You may post requests for your own company only."))
    return buyer


@transaction.atomic
def request_create(
    *, actor: User, data: Mapping[str, Any], buyer: BuyerProfile | None = None
) -> BuyingRequest:
    """A buyer's new request with its lines, awaiting the counsellor of its market (staff may
    write one for a `buyer`)."""
    buyer = _buyer_for(actor, buyer)
    request = BuyingRequest(buyer=buyer)
    request.original_language = initial_language(
        data, [data.get("title"), data.get("description")], fallback=get_language()
    )
    lines = _apply_fields(request, data, today=timezone.localdate())
    request.save()
    _save_lines(request, lines or [])
    RequestEvent.objects.create(request=request, actor=actor, from_status="", to_status=request.status)
    return request


@transaction.atomic
def request_update(*, request: BuyingRequest, actor: User, data: Mapping[str, Any]) -> BuyingRequest:
    """Change a request's terms or lines (`lines`: the whole new set). A returned request goes
    back to the counsellor; a published one stays published and the matcher is told."""
    request = lock_request(request)
    if not can_edit_request(actor, request):
        raise PermissionDenied(_("You may not change this request."))
    if request.status not in EDITABLE:
        raise _refuse(request, _("changed"))
    if not data:
        return request  # nothing written: no event, nothing for the matcher
    lines = _apply_fields(request, data, today=timezone.localdate())
    status = request.status
    if status == RequestStatus.REJECTED:
        _transition(request, to_status=RequestStatus.PENDING, actor=actor)
    else:
        RequestEvent.objects.create(request=request, actor=actor, from_status=status, to_status=status)
    request.save()
    if lines is not None:
        _save_lines(request, lines)
    if status == RequestStatus.PUBLISHED:
        _announce(request, "edited")
    return request


# --- The counsellor's review and the closing ---------------------------------------------


def _check_review(actor: User, request: BuyingRequest) -> None:
    if not can_review_request(actor, request):
        raise PermissionDenied(
            _("Only the counsellor of the buyer's market approves or returns its requests.")
        )


@transaction.atomic
def request_approve(*, request: BuyingRequest, actor: User, note: str = "") -> BuyingRequest:
    """Publish a pending request: producers see it on their board (buyer withheld), the matcher
    matches its lines, the buyer gets an email."""
    note = _note(note)
    request = lock_request(request)
    _check_review(actor, request)
    if request.status != RequestStatus.PENDING:
        raise _refuse(request, _("approved"))
    if request.deadline <= timezone.localdate():
        raise StateConflict(
            _("The deadline of this request has passed: return it so the buyer sets a new one.")
        )
    now = timezone.now()
    request.reviewed_by, request.reviewed_at, request.review_note = actor, now, note
    request.published_at = now
    event = _transition(request, to_status=RequestStatus.PUBLISHED, actor=actor, note=note)
    request.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "published_at", "updated_at"]
    )
    notifications.notify_request_reviewed.delay(event.pk)
    return request


@transaction.atomic
def request_return(*, request: BuyingRequest, actor: User, note: str) -> BuyingRequest:
    """Send a pending request back to its buyer with what to change (`note`, required)."""
    note = _note(note, required=True)
    request = lock_request(request)
    _check_review(actor, request)
    if request.status != RequestStatus.PENDING:
        raise _refuse(request, _("returned"))
    request.reviewed_by, request.reviewed_at, request.review_note = actor, timezone.now(), note
    event = _transition(request, to_status=RequestStatus.REJECTED, actor=actor, note=note)
    request.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
    notifications.notify_request_reviewed.delay(event.pk)
    return request


CLOSABLE = (RequestStatus.PENDING, RequestStatus.PUBLISHED, RequestStatus.REJECTED)


@transaction.atomic
def request_close(*, request: BuyingRequest, actor: User, note: str = "") -> BuyingRequest:
    """Close a request that is not awarded: its buyer (no longer needed), the counsellor of its
    market or staff. Producers stop seeing it; the matcher withdraws its proposals."""
    note = _note(note)
    request = lock_request(request)
    if not (can_edit_request(actor, request) or can_review_request(actor, request)):
        raise PermissionDenied(_("You may not close this request."))
    if request.status not in CLOSABLE:
        raise _refuse(request, _("closed"))
    request.closed_at = timezone.now()
    _transition(request, to_status=RequestStatus.CLOSED, actor=actor, note=note)
    request.save(update_fields=["status", "closed_at", "updated_at"])
    return request


def close_expired_requests(*, today: datetime.date | None = None) -> int:
    """Close the published requests whose deadline has passed (the portal is the actor); each
    in its own transaction on its locked row. Returns how many were closed."""
    today = today or timezone.localdate()
    due = BuyingRequest.objects.filter(status=RequestStatus.PUBLISHED, deadline__lt=today)
    closed = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            request = BuyingRequest.objects.select_for_update().filter(pk=pk).first()
            if request is None or request.status != RequestStatus.PUBLISHED or request.deadline >= today:
                continue  # changed meanwhile
            request.closed_at = timezone.now()
            _transition(request, to_status=RequestStatus.CLOSED, actor=None)
            request.save(update_fields=["status", "closed_at", "updated_at"])
            closed += 1
    return closed
