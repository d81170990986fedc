"""Who may do what on a forwarded match's deal (DESIGN.md "From match to deal"): one place for
the pages, the API and the emails.

A match's parties are its producer's owner and its buyer's owner (`matchmaking.policies.side_of`),
its counsellor the one it is routed to (`match.counsellor`); staff see every match. Nothing of
the deal shows before the match reaches the parties: only in the statuses the parties see it
(forwarded, connected, won, lost, and declined for the history).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from matchmaking.models import VISIBLE_TO_PARTIES, Match, MatchStatus
from matchmaking.policies import side_of

from .models import Quote


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
        return request.buyer.owner_id == user.pk
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
        return Q(buyer__owner=user)
    if user.is_counsellor:
        return Q(pk__in=Match.objects.filter(counsellor=user, request__isnull=False).values("request_id"))
    return Q(pk__in=[])
