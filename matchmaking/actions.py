"""What a viewer may do with a match and what of its history they see, for the pages.

Composed from `matchmaking.policies` (who may review, record an outcome, reassign) and the
lifecycle's states; the services check again when the action is taken.
"""

from __future__ import annotations

from dataclasses import dataclass

from matchmaking.models import REASSIGNABLE, Match, MatchStatus, PartyResponse
from matchmaking.policies import can_reassign_match, can_record_outcome, can_review_match, side_of


@dataclass(frozen=True)
class MatchActions:
    """The actions `user` may take on `match` in its current state."""

    review: bool = False  # forward or reject
    respond: bool = False  # accept or decline (its side still pending)
    outcome: bool = False  # record won or lost
    reassign: bool = False  # hand to another counsellor
    side: str | None = None

    @property
    def any(self) -> bool:
        return self.review or self.respond or self.outcome or self.reassign


def available_actions(user, match: Match) -> MatchActions:
    if not (user and user.is_authenticated):
        return MatchActions()
    side = side_of(user, match)
    return MatchActions(
        review=match.status == MatchStatus.PROPOSED and can_review_match(user, match),
        respond=(
            side is not None
            and match.status == MatchStatus.FORWARDED
            and getattr(match, f"{side}_response") == PartyResponse.PENDING
        ),
        outcome=match.status == MatchStatus.CONNECTED and can_record_outcome(user, match),
        reassign=can_hand_over(user, match),
        side=side,
    )


def can_hand_over(user, match: Match) -> bool:
    """Whether `user` may hand `match` to a colleague now (its state and `can_reassign_match`)."""
    return match.status in REASSIGNABLE and can_reassign_match(user, match)
