"""Bulk review from the queue: forward (with one note) or reject (with one reason) several
matches at once, each through its own lifecycle service call and transaction.

A match a colleague acted on meanwhile (or took from the pool) is skipped and reported,
never an error: the others go through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from matchmaking import lifecycle
from matchmaking.models import Match
from portal.api.exceptions import Conflict

FORWARD = "forward"
REJECT = "reject"
MAX_MATCHES = 100


@dataclass
class BulkOutcome:
    action: str
    done: list[Match] = field(default_factory=list)
    # Already handled (by a colleague, or in another tab), or no longer the actor's to review.
    skipped: list[Match] = field(default_factory=list)
    # Ids that name no match at all.
    missing: int = 0

    @property
    def skipped_count(self) -> int:
        return len(self.skipped) + self.missing


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


def bulk_review(*, actor, match_ids: Iterable, action: str, text: str = "") -> BulkOutcome:
    """Forward (`text` is the note to both parties) or reject (`text` is the reason) each
    of `match_ids`; a ValidationError when nothing is selected, the action is unknown or a
    rejection has no reason."""
    if action not in (FORWARD, REJECT):
        raise ValidationError({"bulk_action": [_("Choose to forward or to reject.")]})
    ids = _ids(match_ids)
    if not ids:
        raise ValidationError({"match": [_("Select at least one match.")]})
    if len(ids) > MAX_MATCHES:
        raise ValidationError({"match": [_("Select at most %(n)d matches at once.") % {"n": MAX_MATCHES}]})
    text = (text or "").strip()
    field_name = "note" if action == FORWARD else "reason"
    if action == REJECT and not text:
        raise ValidationError({"reason": [_("Say why the matches are rejected.")]})
    if len(text) > lifecycle.NOTE_LENGTH:
        raise ValidationError(
            {field_name: [_("Keep it under %(n)d characters.") % {"n": lifecycle.NOTE_LENGTH}]}
        )

    outcome = BulkOutcome(action=action)
    matches = Match.objects.select_related("producer", "buyer").in_bulk(ids)
    outcome.missing = len(ids) - len(matches)
    for pk in ids:
        match = matches.get(pk)
        if match is None:
            continue
        try:
            if action == FORWARD:
                updated = lifecycle.match_forward(match=match, actor=actor, note=text)
            else:
                updated = lifecycle.match_reject(match=match, actor=actor, reason=text)
        except (Conflict, PermissionDenied):
            match.refresh_from_db(fields=["status", "counsellor"])
            outcome.skipped.append(match)
        else:
            match.status = updated.status
            outcome.done.append(match)
    return outcome
