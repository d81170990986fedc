"""What a viewer may do with a match and what of its history they see, for the pages.

Composed from `matchmaking.policies` (who may review, reassign), `matchmaking.outcomes` (who may
declare, record, correct or confirm an outcome) and the lifecycle's states; the services check
again when the action is taken.
"""

from __future__ import annotations

from dataclasses import dataclass

from matchmaking.models import REASSIGNABLE, Match, MatchStatus, PartyResponse
from matchmaking.outcomes import CLOSED, outcome_rights
from matchmaking.policies import can_reassign_match, can_review_match, side_of


@dataclass(frozen=True)
class MatchActions:
    """The actions `user` may take on `match` in its current state."""

    review: bool = False  # forward or reject
    respond: bool = False  # accept or decline (its side still pending)
    outcome: bool = False  # record, declare or correct won or lost
    outcome_mode: str = ""  # "record" (counsellor, staff), "declare" (a company), "correct"
    confirm_outcome: bool = False  # the other company confirms what was declared
    reassign: bool = False  # hand to another counsellor
    side: str | None = None

    @property
    def any(self) -> bool:
        return self.review or self.respond or self.outcome or self.confirm_outcome or self.reassign


def available_actions(user, match: Match) -> MatchActions:
    if not (user and user.is_authenticated):
        return MatchActions()
    side = side_of(user, match)
    rights = outcome_rights(user, match)
    if not rights.give:
        mode = ""
    elif match.status in CLOSED:
        mode = "correct"
    else:
        mode = "record" if rights.record else "declare"
    return MatchActions(
        review=match.status == MatchStatus.PROPOSED and can_review_match(user, match),
        respond=(
            side is not None
            and match.status == MatchStatus.FORWARDED
            and getattr(match, f"{side}_response") == PartyResponse.PENDING
        ),
        outcome=rights.give,
        outcome_mode=mode,
        confirm_outcome=rights.confirm,
        reassign=can_hand_over(user, match),
        side=side,
    )


def can_hand_over(user, match: Match) -> bool:
    """Whether `user` may hand `match` to a colleague now (its state and `can_reassign_match`)."""
    return match.status in REASSIGNABLE and can_reassign_match(user, match)
