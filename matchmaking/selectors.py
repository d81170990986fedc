"""Reads of matches, with their related rows fetched up front."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from accounts.companies import company_q
from accounts.models import BuyerProfile, ProducerProfile, Role, User
from catalogue.models import Product
from matchmaking.actions import can_hand_over
from matchmaking.models import VISIBLE_TO_PARTIES, Match, MatchEvent, MatchStatus, PartyResponse
from matchmaking.policies import introduction_again_from, matches_visible_to
from taxonomy.models import Sector
from taxonomy.sectors import sector_q, tagged_with


def matches_for_api() -> QuerySet[Match]:
    """Matches with both profiles (and what their serializers read) and the event log."""
    return Match.objects.select_related("producer", "buyer", "outcome_declared_by").prefetch_related(
        "producer__declared_sectors",
        Prefetch(
            "producer__products",
            queryset=Product.objects.only("id", "producer_id", "hs_code_id", "is_active"),
        ),
        "buyer__sought_sectors",
        Prefetch("events", queryset=MatchEvent.objects.select_related("actor").order_by("at", "id")),
    )


def filter_by_sector(queryset: QuerySet[Match], code: str) -> QuerySet[Match]:
    """Matches where either side's HS codes (the buyer's sought sectors, the producer's
    declared sectors and listed products) meet `code` (`taxonomy.sectors.sector_q`) at, under
    or above it: a filter on "84" finds a buyer seeking 8418, and one on "8418" finds a buyer
    seeking chapter 84."""
    sought = tagged_with(BuyerProfile.sought_sectors, code, ancestors=True, outer="buyer_id")
    declared = tagged_with(ProducerProfile.declared_sectors, code, ancestors=True, outer="producer_id")
    listed = Product.objects.filter(
        sector_q(code, "hs_code", ancestors=True), is_active=True, producer_id=OuterRef("producer_id")
    )
    return queryset.filter(sought | declared | Exists(listed))


def is_sector_code(code: str) -> bool:
    return Sector.objects.filter(code=code).exists()


def party_match_summary(
    *, producer: ProducerProfile | None = None, buyer: BuyerProfile | None = None
) -> dict:
    """What a producer's or buyer's dashboard shows of its matches, in two queries: counts per
    visible status, how many await the counsellor's review (not the matches themselves: those
    stay hidden until forwarded), and the best forwarded ones."""
    own = (
        Match.objects.filter(producer=producer) if producer is not None else Match.objects.filter(buyer=buyer)
    )
    counts = own.aggregate(
        in_review=Count("pk", filter=Q(status=MatchStatus.PROPOSED)),
        forwarded=Count("pk", filter=Q(status=MatchStatus.FORWARDED)),
        connected=Count("pk", filter=Q(status=MatchStatus.CONNECTED)),
        won=Count("pk", filter=Q(status=MatchStatus.WON)),
        lost=Count("pk", filter=Q(status=MatchStatus.LOST)),
        declined=Count("pk", filter=Q(status=MatchStatus.DECLINED)),
    )
    counts["visible"] = sum(counts[s] for s in VISIBLE_TO_PARTIES)
    best = list(
        own.filter(status__in=(MatchStatus.FORWARDED, MatchStatus.CONNECTED, MatchStatus.WON))
        .select_related("producer", "buyer")
        .order_by("-score", "id")[:5]
    )
    return {"counts": counts, "best": best}


def staff_match_figures(user) -> dict[str, int]:
    """Counts per status of the matches a counsellor or staff member sees, in one query."""
    return matches_visible_to(user).aggregate(
        proposed=Count("pk", filter=Q(status=MatchStatus.PROPOSED)),
        forwarded=Count("pk", filter=Q(status=MatchStatus.FORWARDED)),
        connected=Count("pk", filter=Q(status=MatchStatus.CONNECTED)),
        won=Count("pk", filter=Q(status=MatchStatus.WON)),
    )


# --- Pages: one match, a party's matches, the counsellors to hand a match to ---------------


def match_page_queryset(user) -> QuerySet[Match]:
    """The matches `user` may open, with both profiles, the counsellor and the event log."""
    queryset = Match.objects.select_related(
        "producer__owner",
        "buyer__owner",
        "counsellor",
        "requested_product",
        "outcome_declared_by",
        "request",
        "request_line__sector",
    ).prefetch_related(
        Prefetch("events", queryset=MatchEvent.objects.select_related("actor").order_by("at", "id"))
    )
    return matches_visible_to(user, queryset)


def match_for_actions(user, pk: int) -> Match:
    """One match `user` may see, with what the action forms read; Match.DoesNotExist otherwise."""
    queryset = Match.objects.select_related("producer", "buyer", "counsellor")
    return matches_visible_to(user, queryset).get(pk=pk)


def party_matches(user, *, side: str, status: str | None = None) -> QuerySet[Match]:
    """A producer's leads or a buyer's introductions: its own matches once forwarded (never
    proposed ones), those awaiting its answer first, then the newest."""
    queryset = Match.objects.filter(**{f"{side}__owner": user}).select_related(
        "producer", "buyer", "counsellor", "requested_product", "request"
    )
    queryset = matches_visible_to(user, queryset)
    if status:
        queryset = queryset.filter(status=status)
    awaiting = Q(status=MatchStatus.FORWARDED, **{f"{side}_response": PartyResponse.PENDING})
    return queryset.annotate(
        awaiting_me=Case(When(awaiting, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("-awaiting_me", F("forwarded_at").desc(nulls_last=True), "-score", "id")


def active_counsellors() -> list[User]:
    """The trade counsellors a match can be handed to, by name."""
    return list(User.objects.filter(role=Role.COUNSELLOR, is_active=True).order_by("full_name", "email"))


def handover_counsellors(user, matches: Iterable[Match | None]) -> list[User]:
    """What a page's hand-over forms offer: the active counsellors, read (one query) only when
    `user` may hand one of `matches` to a colleague; [] otherwise."""
    if any(match is not None and can_hand_over(user, match) for match in matches):
        return active_counsellors()
    return []


def introduction_context(user, producer: ProducerProfile) -> dict:
    """What the "request an introduction" box of a producer's or product's page reads (the
    catalogue's pages ask through `catalogue.pages`, filled in `MatchmakingConfig.ready()`)."""
    existing = buyer_match_with(user, producer)
    again_from = introduction_again_from(existing) if existing is not None else None
    return {
        "existing_introduction": existing,
        "introduction_again_from": again_from,
        "introduction_open_again": again_from is not None and timezone.now() >= again_from,
    }


def buyer_match_with(user, producer: ProducerProfile) -> Match | None:
    """The signed-in buyer's match with `producer`, if any (its status and source only): the
    companies' pair, which an introduction request writes to (not a buying request's match)."""
    if not (user and user.is_authenticated and user.is_buyer):
        return None
    return (
        Match.objects.filter(company_q(user, "buyer__"), producer=producer, request__isnull=True)
        .only("id", "status", "source", "producer_id", "buyer_id", "updated_at")
        .first()
    )
