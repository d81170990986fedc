"""Who may do what on a forwarded match's deal (docs/design.md "From match to deal"): its quotes,
its conversation and their files (`can_read_attachment`); one place for the pages, the API and the emails.

A match's parties are the members of its producer's and its buyer's companies (owners and editors,
`matchmaking.policies.side_of`),
its counsellor the one it is routed to (`match.counsellor`); staff see every match. Nothing of
the deal shows before the match reaches the parties: only in the statuses the parties see it
(forwarded, connected, won, lost, and declined for the history).

The conversation is among the producer, the buyer and the trade counsellor; staff read it and
may step in (a match staff forwarded from the pool has no counsellor). Whoever may open the
match (`matchmaking.policies.can_view_match`) reads it. Messages are written while the match is
live (forwarded, connected, won, lost); once a side declined it the thread is read-only.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.companies import acts_for, company_q
from matchmaking.models import VISIBLE_TO_PARTIES, Match, MatchStatus
from matchmaking.policies import can_view_match, matches_visible_to, side_of

from .models import Quote

# --- The conversation -----------------------------------------------------------------------

# The statuses in which a match has a conversation, and those in which it takes new messages.
CONVERSATION_STATUSES = VISIBLE_TO_PARTIES
POSTING_STATUSES = (MatchStatus.FORWARDED, MatchStatus.CONNECTED, MatchStatus.WON, MatchStatus.LOST)

PRODUCER, BUYER, COUNSELLOR, STAFF = "producer", "buyer", "counsellor", "staff"


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


# --- Quotes ----------------------------------------------------------------------------------

# A producer quotes on a live match (the quote services refuse other statuses with a conflict).
QUOTABLE = (MatchStatus.FORWARDED, MatchStatus.CONNECTED)


def can_view_quotes(user, match: Match) -> bool:
    """The match's quotes: its two parties, its counsellor and staff, once the match is shown
    to the parties."""
    if not _signed_in(user) or match.status not in VISIBLE_TO_PARTIES:
        return False
    if user.is_portal_staff:
        return True
    if user.is_counsellor:
        return match.counsellor_id == user.pk
    return side_of(user, match) is not None


def quotes_visible_to(user, queryset: QuerySet[Quote] | None = None) -> QuerySet[Quote]:
    """The queryset form of `can_view_quotes` (all quotes by default)."""
    queryset = Quote.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return queryset.none()
    queryset = queryset.filter(match__status__in=VISIBLE_TO_PARTIES)
    if user.is_portal_staff:
        return queryset
    if user.is_counsellor:
        return queryset.filter(match__counsellor=user)
    side = user.party_side
    if side is None:
        return queryset.none()
    return queryset.filter(**{f"match__{side}__owner": user})


def quote_matches_visible_to(user, queryset: QuerySet[Match] | None = None) -> QuerySet[Match]:
    """The matches whose quotes `user` sees (the API's and the pages' 404 for the others)."""
    queryset = Match.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return queryset.none()
    queryset = queryset.filter(status__in=VISIBLE_TO_PARTIES)
    if user.is_portal_staff:
        return queryset
    if user.is_counsellor:
        return queryset.filter(counsellor=user)
    side = user.party_side
    if side is None:
        return queryset.none()
    return queryset.filter(**{f"{side}__owner": user})


def can_quote(user, match: Match) -> bool:
    """Send a quote: the match's producer (only on a forwarded or connected match, and not on a
    request that closed: the service's conflicts)."""
    return side_of(user, match) == "producer"


def can_withdraw_quote(user, quote: Quote) -> bool:
    """Withdraw an open quote: the producer of its match."""
    return side_of(user, quote.match) == "producer"


def can_decide_quote(user, quote: Quote) -> bool:
    """Accept or decline a quote: the buyer of its match."""
    return side_of(user, quote.match) == "buyer"


def can_compare_quotes(user, request) -> bool:
    """All the quotes of a buying request side by side: its buyer, staff, and a counsellor who
    holds one of its matches (who then sees the quotes of the matches they hold)."""
    if not _signed_in(user):
        return False
    if user.is_portal_staff:
        return True
    if user.is_buyer:
        return acts_for(user, request.buyer)
    if user.is_counsellor:
        return Match.objects.filter(request=request, counsellor=user).exists()
    return False


def comparable_requests_q(user) -> Q:
    """The filter form of `can_compare_quotes` on buying requests (nothing for the others)."""
    if not _signed_in(user):
        return Q(pk__in=[])
    if user.is_portal_staff:
        return Q()
    if user.is_buyer:
        return company_q(user, "buyer__")
    if user.is_counsellor:
        return Q(pk__in=Match.objects.filter(counsellor=user, request__isnull=False).values("request_id"))
    return Q(pk__in=[])


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


def can_read_attachment(user, attachment) -> bool:
    """Fetch a file (its match loaded): a quote's, whoever sees the match's quotes (its two
    parties, its counsellor, staff); a message's, whoever reads the conversation. A file is
    never more visible than what it is attached to."""
    if attachment.quote_id is not None:
        return can_view_quotes(user, attachment.match)
    return can_read_conversation(user, attachment.match)


def conversation_participants(match: Match) -> list:
    """The users the conversation's notices go to, as they may open the match now: its producer's
    and buyer's owners (the companies' editors read and write in it too, but the notices, like
    every mail addressed to "the producer" or "the buyer", go to the owner) and its counsellor (the relations loaded: `producer__owner`, `buyer__owner`,
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
        return live & company_q(user, f"{prefix}{user.party_side}__")
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
