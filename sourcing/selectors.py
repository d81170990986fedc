"""Reads of buying requests for pages, the API and emails: querysets with their joins right.

Who sees which request is `sourcing.policies`; each list here costs a constant number of
queries however many requests it shows.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from accounts import companies
from accounts.companies import company_q
from accounts.models import ProducerProfile
from catalogue.models import Product
from taxonomy.sectors import sector_q

from .models import BuyingRequest, RequestEvent, RequestLine, RequestStatus
from .policies import board_q, requests_to_review, requests_visible_to


def requests_with_lines() -> QuerySet[BuyingRequest]:
    """Requests with their buyer (and its owner), lines (and their HS codes) and events."""
    return BuyingRequest.objects.select_related("buyer__owner", "reviewed_by").prefetch_related(
        Prefetch("lines", queryset=RequestLine.objects.select_related("sector").order_by("position", "id")),
        Prefetch("events", queryset=RequestEvent.objects.select_related("actor").order_by("at", "id")),
    )


def visible_requests(user) -> QuerySet[BuyingRequest]:
    return requests_visible_to(user, requests_with_lines())


def request_detail(*, user, pk: int) -> BuyingRequest:
    """One request `user` may see; BuyingRequest.DoesNotExist otherwise."""
    return visible_requests(user).get(pk=pk)


def own_requests(user, *, status: str | None = None) -> QuerySet[BuyingRequest]:
    """A buyer's requests, newest first (its own, whatever the visibility rules say of others)."""
    queryset = requests_with_lines().filter(company_q(user, "buyer__"))
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def review_queue(user) -> QuerySet[BuyingRequest]:
    """The pending requests `user` (a counsellor, staff) may approve: oldest first."""
    return requests_to_review(user, requests_with_lines()).order_by("created_at", "id")


def filter_by_hs(queryset: QuerySet[BuyingRequest], code: str) -> QuerySet[BuyingRequest]:
    """Requests with a line at, under or above `code` (a filter on 84 finds a line of 8418, one
    on 841810 a line of heading 8418), as `taxonomy.sectors.sector_q` says."""
    lines = RequestLine.objects.filter(sector_q(code, "sector", ancestors=True), request=OuterRef("pk"))
    return queryset.filter(Exists(lines))


# --- The producers' board ----------------------------------------------------------------


def producer_of(user) -> ProducerProfile | None:
    if not (user and user.is_authenticated and user.is_producer):
        return None
    return companies.producer_of(user)


def producer_codes(producer: ProducerProfile) -> set[str]:
    """A producer's HS codes: declared, and those of its listed products."""
    declared = producer.declared_sectors.values_list("code", flat=True)
    listed = Product.objects.filter(producer=producer, is_active=True).values_list("hs_code_id", flat=True)
    return {*declared, *listed}


def on_board(user, queryset: QuerySet[BuyingRequest]) -> QuerySet[BuyingRequest]:
    """`queryset` kept to a producer's board: requests in its sectors, bound for its markets
    (none without a company profile). Others' lists are left as they are."""
    if not (user and user.is_authenticated and user.is_producer):
        return queryset
    producer = producer_of(user)
    if producer is None:
        return queryset.none()
    return queryset.filter(board_q(producer, producer_codes(producer)))


def board(user, *, everything: bool = False) -> QuerySet[BuyingRequest]:
    """The published requests a producer's board shows, newest published first: those in its
    sectors and markets, or every published one (`everything`)."""
    queryset = visible_requests(user).filter(status=RequestStatus.PUBLISHED)
    if not everything:
        queryset = on_board(user, queryset)
    return queryset.order_by("-published_at", "-id")
