"""Who may see and act on which buying request (docs/design.md "From match to deal", "Roles").

- The buyer sees its own requests in every status; it edits them while they are open to
  edits (`EDITABLE`) and closes them.
- Counsellors see the requests of the buyers in their markets (`counsellor_markets`: the
  desk's posted and covered countries), in every status, and approve, return or close them;
  staff see and do everything.
- Producers see published requests, and a closed or awarded one whose buyer is revealed to
  them; never one awaiting the counsellor or returned.
- Anonymous visitors see none.

The buyer of a request is withheld from a producer until a match on that request is
forwarded to them. Which matches reveal which buyer is the matcher's fact, one floor up:
it registers a revealer here (`register_buyer_revealer`) from its `ready()`. With none
registered every buyer stays withheld. The same holds for the world regions the board's
market rule reads (`register_market_regions`): with none, a producer's board keeps to its
target markets (or every market when it is open to any).

Used alike by the API, the pages and the emails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.companies import acts_for, company_q
from accounts.policies import counsellor_markets
from portal import content
from portal.normalization import normalize_text
from taxonomy.sectors import sector_q

from .models import EDITABLE, BuyingRequest, RequestLine, RequestStatus

# --- What the apps above contribute ------------------------------------------------------

# (user, request ids or None for all) -> the ids among them whose buyer the user may see.
BuyerRevealer = Callable[..., Iterable[int]]
# country codes -> every country sharing a world region with one of them.
MarketRegions = Callable[[Iterable[str]], Iterable[str]]

_buyer_revealers: list[BuyerRevealer] = []
_market_regions: list[MarketRegions] = []


def _register(providers: list, provider) -> None:
    if provider not in providers:  # ready() may run again (tests): once is enough
        providers.append(provider)


def register_buyer_revealer(provider: BuyerRevealer) -> None:
    """Filled by matchmaking: `provider(user, request_ids)` gives the ids among `request_ids`
    (None: any request) whose buyer a match forwarded to `user` reveals."""
    _register(_buyer_revealers, provider)


def register_market_regions(provider: MarketRegions) -> None:
    """Filled by matchmaking (whose engine holds the UN M49 regions): the countries in the
    same world region as any of the given ones."""
    _register(_market_regions, provider)


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


# --- Seeing requests ---------------------------------------------------------------------

# What a producer may see of a request that is no longer published, once its buyer is revealed.
_AFTER_PUBLICATION = (RequestStatus.CLOSED, RequestStatus.AWARDED)


def revealed_request_ids(user, request_ids: Iterable[int] | None = None) -> frozenset[int]:
    """The requests (among `request_ids`; None: any) whose buyer a forwarded match reveals to
    `user`. Asked once per list: the page or the response passes its requests' ids."""
    if not _signed_in(user) or not user.is_producer:
        return frozenset()
    ids = None if request_ids is None else list(request_ids)
    if ids is not None and not ids:
        return frozenset()
    return frozenset(pk for provider in _buyer_revealers for pk in provider(user, ids))


def in_counsellor_scope(user, request: BuyingRequest) -> bool:
    """The counsellor of the buyer's market: the request's buyer is in one of their markets."""
    return _signed_in(user) and user.is_counsellor and request.buyer.country.code in counsellor_markets(user)


def requests_visible_to(user, queryset: QuerySet[BuyingRequest] | None = None) -> QuerySet[BuyingRequest]:
    """The requests `user` may see, as a filter of `queryset` (all requests by default)."""
    queryset = BuyingRequest.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return queryset.none()
    if user.is_portal_staff:
        return queryset
    if user.is_counsellor:
        return queryset.filter(buyer__country__in=counsellor_markets(user))
    if user.is_buyer:
        return queryset.filter(company_q(user, "buyer__"))
    if user.is_producer:
        revealed = revealed_request_ids(user)
        return queryset.filter(
            Q(status=RequestStatus.PUBLISHED) | Q(status__in=_AFTER_PUBLICATION, pk__in=revealed)
        )
    return queryset.none()


def can_view_request(user, request: BuyingRequest) -> bool:
    """The per-object form of `requests_visible_to`."""
    if not _signed_in(user):
        return False
    if user.is_portal_staff:
        return True
    if user.is_counsellor:
        return in_counsellor_scope(user, request)
    if user.is_buyer:
        return acts_for(user, request.buyer)
    if user.is_producer:
        if request.status == RequestStatus.PUBLISHED:
            return True
        return request.status in _AFTER_PUBLICATION and request.pk in revealed_request_ids(user, [request.pk])
    return False


def sees_buyer(user, request: BuyingRequest, revealed: Iterable[int] | None = None) -> bool:
    """Whether `user` may know whose request this is: its buyer, counsellors in scope, staff,
    and a producer once a match on this request is forwarded to them. `revealed`: the ids
    `revealed_request_ids` gave for a list (asked here when not given)."""
    if not _signed_in(user):
        return False
    if user.is_portal_staff or acts_for(user, request.buyer):
        return True
    if user.is_counsellor:
        return in_counsellor_scope(user, request)
    if not user.is_producer:
        return False
    if revealed is None:
        revealed = revealed_request_ids(user, [request.pk])
    return request.pk in revealed


def sees_history(user, request: BuyingRequest) -> bool:
    """The request's events, reviewer and note: its buyer, counsellors in scope and staff (a
    producer's view has no actor to name and no note to read)."""
    return _signed_in(user) and (
        user.is_portal_staff or acts_for(user, request.buyer) or in_counsellor_scope(user, request)
    )


def shown_port(request: BuyingRequest, withheld: bool) -> str | None:
    """The destination port, or None where the buyer is withheld and the port names the
    company (a buyer's own wharf or warehouse)."""
    port = request.destination_port
    if not withheld or not port:
        return port
    folded = normalize_text(port)
    names = {normalize_text(name) for name in _company_names(request.buyer)}
    if any(len(name) >= 3 and name in folded for name in names):
        return None
    return port


def _company_names(buyer) -> list[str]:
    fields = [content.localized_name("company_name", code) for code in content.portal_languages()]
    return [
        buyer.__dict__.get("company_name") or "",
        *(getattr(buyer, field, None) or "" for field in fields),
    ]


# --- Acting on requests ------------------------------------------------------------------


def can_create_request(user) -> bool:
    """Post a buying request: buyers (with a company profile; the service says so) and staff."""
    return _signed_in(user) and (user.is_buyer or user.is_portal_staff)


def can_edit_request(user, request: BuyingRequest) -> bool:
    """Change or close: its buyer and staff (the service refuses a status not in EDITABLE)."""
    return _signed_in(user) and (user.is_portal_staff or acts_for(user, request.buyer))


def can_review_request(user, request: BuyingRequest) -> bool:
    """Approve or return: the counsellor of the buyer's market, and staff."""
    return _signed_in(user) and (user.is_portal_staff or in_counsellor_scope(user, request))


def can_close_request(user, request: BuyingRequest) -> bool:
    return can_edit_request(user, request) or can_review_request(user, request)


def is_editable(request: BuyingRequest) -> bool:
    return request.status in EDITABLE


def requests_to_review(user, queryset: QuerySet[BuyingRequest] | None = None) -> QuerySet[BuyingRequest]:
    """The pending requests `user` may approve: in a counsellor's markets; all for staff."""
    queryset = BuyingRequest.objects.all() if queryset is None else queryset
    if not _signed_in(user) or not (user.is_portal_staff or user.is_counsellor):
        return queryset.none()
    return requests_visible_to(user, queryset.filter(status=RequestStatus.PENDING))


# --- The producers' board ----------------------------------------------------------------


def fits_sectors_q(codes: Iterable[str]) -> Q:
    """Requests with a line whose HS code and one of `codes` lie under one another (the line at
    or under the code, or above it: `taxonomy.sectors.sector_q` with its ancestors)."""
    condition = Q()
    for code in sorted(set(codes)):
        condition |= sector_q(code, "sector", ancestors=True)
    if not condition:
        return Q(pk__in=[])
    return Q(Exists(RequestLine.objects.filter(condition, request=OuterRef("pk"))))


def fits_markets_q(producer) -> Q:
    """Requests bound for a producer's market: any when it is open to any market, else one of
    its target markets or a country in the same world region as one of them."""
    if producer.open_to_any_market:
        return Q()
    targets = {country.code for country in producer.target_markets}
    markets = set(targets)
    for provider in _market_regions:
        markets.update(provider(targets))
    return Q(destination_country__in=sorted(markets))


def board_q(producer, codes: Iterable[str]) -> Q:
    """What the board shows a producer by default: requests in its sectors (`codes`: its
    declared codes and its listed products') and bound for its markets."""
    return fits_sectors_q(codes) & fits_markets_q(producer)
