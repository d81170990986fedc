"""How a match's deal ends (docs/design.md, "From match to deal": Outcome). The rules, in one place:

- **Who.** The producer and the buyer of the match (`policies.side_of`) *declare*; the
  counsellor the match is with, or staff (`policies.can_record_outcome`), *record*.
- **When.** A forwarded or a connected match takes an outcome: a forwarded match whose two
  companies never both pressed "accept" still closes deals (a quote accepted, messages
  exchanged). A won or lost match takes a correction. Any other status: 409.
- **What.** Won: the deal's value (above zero, below 10^12, two decimals) and its currency
  (ISO 4217), both required. Lost: the reason (the note), required; a lost deal keeps no
  value (one sent with it is dropped).
- **Confirmation.** What a party declares awaits the *other* party's confirmation (`confirm`);
  the declarer cannot confirm it. What the counsellor or staff record is confirmed as recorded.
  The other party declaring the very same outcome confirms it too.
- **Corrections.** The counsellor and staff correct any outcome at any time (confirmed at once).
  A party corrects an outcome the parties declared, its own or the other's, confirmed or not:
  the correction becomes its declaration and awaits the other party's confirmation again.
  That is also how a party disputes the other's declaration: it declares its own version, and
  the counsellor, told of every change, settles it by recording one. An outcome the counsellor
  or staff recorded is theirs alone to correct (409 for a party). The outcome never goes back to
  forwarded or connected.
- **Every change** locks the match, checks the status it expects (409 otherwise), writes a
  `MatchEvent` whose `details` are `{"outcome": "declared" | "recorded" | "corrected" |
  "confirmed", "before": {...} or null, "after": {...}, "confirmed": bool}` (each side's
  `{"result", "value", "currency", "note"}`), and emails the other people of the match (its two
  companies and its counsellor, but not whoever acted) once the transaction commits. Sending the
  same outcome again writes nothing.
- Outcomes recorded before parties could declare them (no `outcome_declared_at`) were recorded by
  the counsellor: they count as confirmed (`is_confirmed`, `confirmed_q`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from matchmaking import tasks
from matchmaking.lifecycle import _event, _locked, _note
from matchmaking.models import Match, MatchEvent, MatchStatus
from matchmaking.policies import can_record_outcome, side_acting, side_of
from portal import validation as rules
from portal.exceptions import StateConflict
from portal.validation import currency_code, positive_quantity

# Where a match may be given an outcome, and where it has one.
OPEN = (MatchStatus.FORWARDED, MatchStatus.CONNECTED)
CLOSED = (MatchStatus.WON, MatchStatus.LOST)

# What an outcome event did (its `details["outcome"]`).
DECLARED, RECORDED, CORRECTED, CONFIRMED = "declared", "recorded", "corrected", "confirmed"


@dataclass(frozen=True)
class Outcome:
    """An outcome as stored on a match: won or lost, the value and currency, the note."""

    result: str
    value: Decimal | None = None
    currency: str = ""
    note: str = ""

    def as_details(self) -> dict:
        """JSON for an event's `details` (the value as a string: exact, as in the API)."""
        return {
            "result": self.result,
            "value": None if self.value is None else str(self.value),
            "currency": self.currency,
            "note": self.note,
        }


def outcome_of(match: Match) -> Outcome | None:
    """The match's outcome; None while it has none."""
    if match.status not in CLOSED:
        return None
    return Outcome(match.status, match.outcome_value, match.outcome_currency, match.outcome_note)


def is_confirmed(match: Match) -> bool:
    """Whether the match's outcome stands: confirmed by the other party, recorded by the
    counsellor or staff, or recorded before parties could declare (no declaration date)."""
    return match.status in CLOSED and (
        match.outcome_confirmed_at is not None or match.outcome_declared_at is None
    )


def confirmed_q(prefix: str = "") -> Q:
    """`is_confirmed` as a filter (`prefix` reaches the match through a relation)."""
    return Q(**{f"{prefix}status__in": CLOSED}) & (
        Q(**{f"{prefix}outcome_confirmed_at__isnull": False})
        | Q(**{f"{prefix}outcome_declared_at__isnull": True})
    )


def declaring_side(match: Match) -> str | None:
    """ "producer" or "buyer" when a party declared the match's outcome; None when the
    counsellor or staff recorded it (or it has none)."""
    if match.status not in CLOSED:
        return None
    return side_acting(match.outcome_declared_by, match)


def declarer_role(match: Match) -> str | None:
    """Who declared the outcome, as the API and the pages name them: "producer", "buyer",
    "counsellor" or "staff"; None for none, or one recorded before declarations were kept.
    Reads `outcome_declared_by` (select it with the match)."""
    if match.status not in CLOSED or match.outcome_declared_at is None:
        return None
    side = declaring_side(match)
    if side is not None:
        return side
    declarer = match.outcome_declared_by
    if declarer is None:
        return None
    return "staff" if declarer.is_portal_staff else "counsellor"


# --- Input -------------------------------------------------------------------------------------


def _deal_value(value) -> Decimal:
    amount = positive_quantity(value)
    if amount is None:
        raise ValidationError(_("Give the value of the deal won."))
    return amount


def _currency(code) -> str:
    if code is not None and not isinstance(code, str):
        raise ValidationError(_("Give the currency as three letters (e.g. USD)."))
    text = rules.single_line(code)
    if not text:
        raise ValidationError(_("Give the currency of the value (e.g. USD)."))
    return currency_code(text)


def clean_outcome(outcome, value=None, currency="", note="") -> Outcome:
    """The outcome as it will be stored, or a ValidationError with every field's problem."""
    errors = rules.FieldErrors()
    if outcome not in (MatchStatus.WON, MatchStatus.LOST):
        errors.add("outcome", _('Answer "won" or "lost".'))
    text = errors.check("note", _note, note) or ""
    amount, code = None, ""
    if outcome == MatchStatus.WON:
        amount = errors.check("value", _deal_value, value)
        code = errors.check("currency", _currency, currency) or ""
    elif outcome == MatchStatus.LOST and not text and "note" not in errors.errors:
        errors.add("note", _("Say why the deal was lost."))
    errors.raise_if_any()
    return Outcome(str(outcome), amount, code, text)


# --- Who may do what now -----------------------------------------------------------------------


def _give_refusal(user, match: Match) -> Exception | None:
    """Why `user` may not declare, record or correct `match`'s outcome now; None if they may."""
    official = can_record_outcome(user, match)
    if not official and side_of(user, match) is None:
        return PermissionDenied(_("You may not record this match's outcome."))
    if match.status not in OPEN + CLOSED:
        return StateConflict(
            _("This match is %(status)s; only a forwarded or connected match takes an outcome.")
            % {"status": match.get_status_display()}
        )
    if not official and match.status in CLOSED and declaring_side(match) is None:
        return StateConflict(_("The trade counsellor recorded this outcome; ask them to correct it."))
    return None


def _confirm_refusal(user, match: Match) -> Exception | None:
    """Why `user` may not confirm `match`'s outcome now; None if they may."""
    side = side_of(user, match)
    if side is None:
        return PermissionDenied(_("Only the producer and the buyer of a match confirm its outcome."))
    if match.status not in CLOSED:
        return StateConflict(_("No outcome has been declared for this match yet."))
    if is_confirmed(match):
        return StateConflict(_("This outcome is already confirmed."))
    declarer = declaring_side(match)
    if declarer == side:
        return StateConflict(_("You declared this outcome; the other company confirms it."))
    if declarer is None:
        return StateConflict(_("The trade counsellor settles this outcome."))
    return None


@dataclass(frozen=True)
class OutcomeRights:
    """What a user may do with a match's outcome now (the pages' forms; the services check the
    same rules again under the lock)."""

    record: bool = False  # the counsellor or staff: record or correct, confirmed at once
    declare: bool = False  # a party: declare, or correct what the parties declared
    confirm: bool = False  # the other party: confirm what was declared

    @property
    def give(self) -> bool:
        return self.record or self.declare


def outcome_rights(user, match: Match) -> OutcomeRights:
    if not (user and user.is_authenticated):
        return OutcomeRights()
    may_give = _give_refusal(user, match) is None
    official = can_record_outcome(user, match)
    return OutcomeRights(
        record=may_give and official,
        declare=may_give and not official,
        confirm=_confirm_refusal(user, match) is None,
    )


# --- The services -------------------------------------------------------------------------------


def _outcome_event(
    match: Match, *, actor: User, from_status: str, change: str, before: Outcome | None, note: str
) -> MatchEvent:
    after = outcome_of(match)
    return _event(
        match,
        actor=actor,
        from_status=from_status,
        note=note,
        details={
            "outcome": change,
            "before": None if before is None else before.as_details(),
            "after": after.as_details(),
            "confirmed": is_confirmed(match),
        },
    )


def _confirm(match: Match, actor: User, note: str) -> Match:
    """Confirm `match`'s outcome as `actor` (checked by the caller, the match locked)."""
    now = timezone.now()
    match.outcome_confirmed_by, match.outcome_confirmed_at = actor, now
    match.save(update_fields=["outcome_confirmed_by", "outcome_confirmed_at", "updated_at"])
    event = _outcome_event(
        match, actor=actor, from_status=match.status, change=CONFIRMED, before=outcome_of(match), note=note
    )
    tasks.notify_match_outcome.delay(event.pk)
    return match


@transaction.atomic
def match_record_outcome(
    *, match: Match, actor: User, outcome: str, value=None, currency: str = "", note: str = ""
) -> Match:
    """Declare (a party), record (the counsellor or staff) or correct how the match's deal ended:
    won with its value and currency, or lost with the reason. See the module's rules."""
    after = clean_outcome(outcome, value, currency, note)
    match = _locked(match)
    refusal = _give_refusal(actor, match)
    if refusal is not None:
        raise refusal
    official = can_record_outcome(actor, match)
    before = outcome_of(match)
    confirmed = is_confirmed(match)
    same_deal = before is not None and (before.result, before.value, before.currency) == (
        after.result,
        after.value,
        after.currency,
    )
    if same_deal and not official and not confirmed and declaring_side(match) != side_of(actor, match):
        # The other company declares the same deal: it agrees (its note, if another, is kept).
        return _confirm(match, actor, "" if after.note == before.note else after.note)
    if before == after and (confirmed or not official):
        return match  # nothing changes (a request sent again)
    now = timezone.now()
    from_status = match.status
    match.status = after.result
    match.outcome_value, match.outcome_currency, match.outcome_note = after.value, after.currency, after.note
    match.outcome_declared_by, match.outcome_declared_at = actor, now
    match.outcome_confirmed_by, match.outcome_confirmed_at = (actor, now) if official else (None, None)
    match.save(
        update_fields=[
            "status",
            "outcome_value",
            "outcome_currency",
            "outcome_note",
            "outcome_declared_by",
            "outcome_declared_at",
            "outcome_confirmed_by",
            "outcome_confirmed_at",
            "updated_at",
        ]
    )
    if before is None:
        change = RECORDED if official else DECLARED
    else:
        change = CONFIRMED if before == after else CORRECTED
    event = _outcome_event(
        match, actor=actor, from_status=from_status, change=change, before=before, note=after.note
    )
    tasks.notify_match_outcome.delay(event.pk)
    return match


@transaction.atomic
def match_confirm_outcome(*, match: Match, actor: User, note: str = "", declared_at=None) -> Match:
    """The other party confirms the outcome a party declared (with an optional note).

    `declared_at`, when given, is the declaration the party read (its `declared_at`): if the
    outcome was corrected since, the confirmation is refused (409) rather than given to a
    version the party never saw."""
    note = _note(note)
    match = _locked(match)
    refusal = _confirm_refusal(actor, match)
    if refusal is not None:
        raise refusal
    if declared_at is not None and declared_at != match.outcome_declared_at:
        raise StateConflict(_("The outcome was changed since you read it; read it again before confirming."))
    return _confirm(match, actor, note)
