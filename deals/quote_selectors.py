"""Reads of quotes, scoped by `deals.policies`, with what their pages and serializers show."""

from __future__ import annotations

from django.db.models import DecimalField, ExpressionWrapper, F, Prefetch, QuerySet

from matchmaking.models import Match
from sourcing.models import BuyingRequest

from .models import Attachment, Quote
from .policies import comparable_requests_q, quote_matches_visible_to, quotes_visible_to

# unit_price (2 decimals) × quantity (2 decimals): exact in 4 decimals, up to 10^26.
TOTAL = ExpressionWrapper(
    F("unit_price") * F("quantity"), output_field=DecimalField(max_digits=32, decimal_places=4)
)


def with_details(queryset: QuerySet[Quote]) -> QuerySet[Quote]:
    """Quotes with their match's two sides, request and line, their files, and `total_value`
    (for ordering)."""
    return (
        queryset.select_related(
            "match__producer__owner", "match__buyer__owner", "request", "line", "decided_by"
        )
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .annotate(total_value=TOTAL)
    )


def visible_quotes(user) -> QuerySet[Quote]:
    return with_details(quotes_visible_to(user))


def match_for_quotes(user, pk: int) -> Match:
    """A match whose quotes `user` sees, with what the quote services read; DoesNotExist otherwise."""
    queryset = Match.objects.select_related(
        "producer__owner", "buyer__owner", "counsellor", "request", "request_line"
    )
    return quote_matches_visible_to(user, queryset).get(pk=pk)


def quotes_of_match(user, match: Match) -> QuerySet[Quote]:
    """`match`'s quotes as `user` sees them, newest first."""
    return visible_quotes(user).filter(match=match).order_by("-created_at", "-id")


def request_for_comparison(user, pk: int) -> BuyingRequest:
    """A buying request whose quotes `user` may compare; DoesNotExist otherwise."""
    return BuyingRequest.objects.select_related("buyer").filter(comparable_requests_q(user)).get(pk=pk)


def quotes_of_request(user, request: BuyingRequest) -> QuerySet[Quote]:
    """All the quotes of `request` that `user` sees (the buyer: every one), cheapest total first."""
    return visible_quotes(user).filter(request=request).order_by("total_value", "id")
