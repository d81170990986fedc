"""Bulk review from the queue: forward (with one note) or reject (with one reason) several
matches at once, each through its own lifecycle service call and transaction.

Only the matches the actor may review are loaded (`matches_reviewable_by`): an id outside
their scope is never read, and counts as skipped exactly like an id that names no match.
A match a colleague acted on meanwhile (or took from the pool) is skipped too, never an
error: the others go through. Skipped matches are counted, never named.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from matchmaking import lifecycle
from matchmaking.models import Match, RejectReason
from matchmaking.policies import matches_reviewable_by
from portal.exceptions import StateConflict

FORWARD = "forward"
REJECT = "reject"
MAX_MATCHES = 100


@dataclass
class BulkOutcome:
    action: str
    done: list[Match] = field(default_factory=list)
    # Already handled (by a colleague, or in another tab), no longer (or never) the actor's to
    # review, or no match at all: one number, so it tells nothing of matches out of scope.
    skipped: int = 0

    @property
    def skipped_count(self) -> int:
        return self.skipped


def _ids(values: Iterable) -> list[int]:
    ids: list[int] = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if number > 0 and number not in ids:
            ids.append(number)
    return ids


def bulk_review(
    *, actor, match_ids: Iterable, action: str, text: str = "", reason_code: str | None = None
) -> BulkOutcome:
    """Forward (`text` is the note to both parties) or reject (`reason_code` and `text`, the
    reason) each of `match_ids`; a ValidationError when nothing is selected, the action is
    unknown or a rejection has no reason (a code, and a text for "other": `match_reject`'s
    rule, checked once before any match is touched)."""
    if action not in (FORWARD, REJECT):
        raise ValidationError({"bulk_action": [_("Choose to forward or to reject.")]})
    ids = _ids(match_ids)
    if not ids:
        raise ValidationError({"match": [_("Select at least one match.")]})
    if len(ids) > MAX_MATCHES:
        raise ValidationError({"match": [_("Select at most %(n)d matches at once.") % {"n": MAX_MATCHES}]})
    text = (text or "").strip()
    field_name = "note" if action == FORWARD else "reason"
    code = lifecycle.reject_reason_code(reason_code) if action == REJECT else None
    if action == REJECT and not text and code == RejectReason.OTHER:
        raise ValidationError({"reason": [_("Say why the matches are rejected.")]})
    if len(text) > lifecycle.NOTE_LENGTH:
        raise ValidationError(
            {field_name: [_("Keep it under %(n)d characters.") % {"n": lifecycle.NOTE_LENGTH}]}
        )

    outcome = BulkOutcome(action=action)
    matches = matches_reviewable_by(actor, Match.objects.filter(pk__in=ids)).in_bulk()
    for pk in ids:
        match = matches.get(pk)
        if match is None:
            outcome.skipped += 1
            continue
        try:
            if action == FORWARD:
                updated = lifecycle.match_forward(match=match, actor=actor, note=text)
            else:
                updated = lifecycle.match_reject(match=match, actor=actor, reason=text, reason_code=code)
        except (StateConflict, PermissionDenied):
            outcome.skipped += 1
        else:
            outcome.done.append(updated)
    return outcome
