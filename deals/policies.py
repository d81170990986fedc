"""Who may do what on a forwarded match's deal: read and write its conversation, fetch its files
(DESIGN.md "From match to deal"). Used alike by the pages, the API and the emails.

The conversation of a match is among its producer, its buyer and its trade counsellor; staff
read it and may step in (a match staff forwarded from the pool has no counsellor). It exists
from the forward on, so whoever may open the match (`matchmaking.policies.can_view_match`)
reads it: the two parties once it is forwarded, its counsellor, staff. Messages are written
while the match is live (forwarded, connected, won, lost); once a side declined it the thread
is read-only.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from matchmaking.models import VISIBLE_TO_PARTIES, Match, MatchStatus
from matchmaking.policies import can_view_match, matches_visible_to, side_of

# --- The conversation -----------------------------------------------------------------------

# The statuses in which a match has a conversation, and those in which it takes new messages.
CONVERSATION_STATUSES = VISIBLE_TO_PARTIES
POSTING_STATUSES = (MatchStatus.FORWARDED, MatchStatus.CONNECTED, MatchStatus.WON, MatchStatus.LOST)

PRODUCER, BUYER, COUNSELLOR, STAFF = "producer", "buyer", "counsellor", "staff"


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def conversation_role(user, match: Match) -> str | None:
    """What `user` is in `match`'s conversation: "producer", "buyer", "counsellor" (the match's),
    "staff", or None for anyone else. Says nothing of the status (see `can_read_conversation`)."""
    if not _signed_in(user):
        return None
    side = side_of(user, match)
    if side is not None:
        return side
    if user.is_counsellor and match.counsellor_id == user.pk:
        return COUNSELLOR
    if user.is_portal_staff:
        return STAFF
    return None


def is_participant(user, match: Match) -> bool:
    """One of the three the conversation is among (staff watch it, they are not in it: no
    unread counts, no email notice)."""
    return conversation_role(user, match) in (PRODUCER, BUYER, COUNSELLOR)


def has_conversation(match: Match) -> bool:
    return match.status in CONVERSATION_STATUSES


def can_read_conversation(user, match: Match) -> bool:
    """Read the messages and fetch their files: whoever may open the match (before the forward
    there is nothing to read, but its counsellor sees an empty thread rather than nothing)."""
    return can_view_match(user, match)


def can_post_message(user, match: Match) -> bool:
    """Write: the parties, the counsellor and staff, while the match is live."""
    return (
        can_read_conversation(user, match)
        and conversation_role(user, match) is not None
        and match.status in POSTING_STATUSES
    )


def conversation_participants(match: Match) -> list:
    """The users the conversation is among, as they may open the match now: its producer's and
    buyer's owners and its counsellor (the relations loaded: `producer__owner`, `buyer__owner`,
    `counsellor`)."""
    users = [match.producer.owner, match.buyer.owner]
    if match.counsellor is not None:
        users.append(match.counsellor)
    seen, participants = set(), []
    for user in users:
        if user.pk not in seen and is_participant(user, match) and can_read_conversation(user, match):
            seen.add(user.pk)
            participants.append(user)
    return participants


def participant_q(user, prefix: str = "") -> Q | None:
    """The matches whose conversation `user` is in, as a filter (`prefix` reaches the match
    through a relation, e.g. "match__"); None for a user in none (anonymous, staff)."""
    if not _signed_in(user):
        return None
    live = Q(**{f"{prefix}status__in": CONVERSATION_STATUSES})
    if user.party_side is not None:
        return live & Q(**{f"{prefix}{user.party_side}__owner": user})
    if user.is_counsellor:
        return live & Q(**{f"{prefix}counsellor": user})
    return None


def conversations_of(user, queryset: QuerySet[Match] | None = None) -> QuerySet[Match]:
    """The matches whose conversation `user` lists on their "Messages" page: a participant's
    own; staff every conversation (they watch them all); nobody else's."""
    queryset = Match.objects.all() if queryset is None else queryset
    scope = participant_q(user)
    if scope is not None:
        return queryset.filter(scope)
    if _signed_in(user) and user.is_portal_staff:
        return matches_visible_to(user, queryset).filter(status__in=CONVERSATION_STATUSES)
    return queryset.none()


def sees_messages_page(user) -> bool:
    """The "Messages" page and its link: parties, counsellors and staff."""
    return _signed_in(user) and (user.party_side is not None or user.is_counsellor or user.is_portal_staff)


def counts_unread(user) -> bool:
    """Who has unread counts (the nav badge): the participants' roles, not staff."""
    return (
        _signed_in(user) and not user.is_portal_staff and (user.party_side is not None or user.is_counsellor)
    )
