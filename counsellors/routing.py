"""Which counsellor reviews a proposed match (docs/design.md, "Match lifecycle").

A match goes to a counsellor posted in the buyer's country, else to one whose covered
countries include it, else to one posted in the same world region (UN M49), else it stays
in the shared pool (no counsellor). Among several, the one with the shortest queue of
proposed matches, ties to the oldest profile. Counsellors who do not take new matches (on leave) are skipped.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accounts.models import Role
from counsellors.models import CounsellorProfile
from matchmaking.engine import default_regions
from matchmaking.models import Match, MatchStatus


@dataclass(frozen=True)
class Desk:
    """A counsellor as routing sees them."""

    user_id: int
    posted: str
    covered: frozenset[str]


def active_desks() -> list[Desk]:
    """Desks taking new matches: an active profile of an active user who is (still) a
    counsellor; a match routed to anyone else would sit where no counsellor sees it."""
    profiles = CounsellorProfile.objects.filter(
        is_active=True, user__is_active=True, user__role=Role.COUNSELLOR
    ).order_by("id")
    return [
        Desk(p.user_id, p.posted_country.code, frozenset(c.code for c in p.covered_countries))
        for p in profiles
    ]


def candidates_for(country: str, desks: Iterable[Desk]) -> list[int]:
    """The counsellors (user ids) a match with a buyer in `country` may go to, best tier only."""
    desks = list(desks)
    country = (country or "").upper()
    posted = [d.user_id for d in desks if d.posted == country]
    if posted:
        return posted
    covering = [d.user_id for d in desks if country in d.covered]
    if covering:
        return covering
    regions = default_regions()
    region = regions.market_region(country) if country else None
    if region is None:
        return []
    return [d.user_id for d in desks if regions.market_region(d.posted) == region]


def queue_sizes(user_ids: Iterable[int]) -> dict[int, int]:
    """Proposed matches waiting with each of these counsellors."""
    ids = list(user_ids)
    sizes = dict.fromkeys(ids, 0)
    rows = (
        Match.objects.filter(counsellor_id__in=ids, status=MatchStatus.PROPOSED)
        .values("counsellor_id")
        .annotate(n=Count("id"))
    )
    sizes.update({row["counsellor_id"]: row["n"] for row in rows})
    return sizes


def assign(countries: dict[int, str], desks: list[Desk], sizes: dict[int, int]) -> dict[int, int]:
    """Match id → counsellor user id for the matches (id → buyer's country) that have a
    candidate, each to the candidate with the shortest queue at that moment (`sizes` grows as
    matches are handed out). Pure: no query."""
    by_country: dict[str, list[int]] = defaultdict(list)
    for match_id, country in sorted(countries.items()):
        by_country[country].append(match_id)
    order = {desk.user_id: rank for rank, desk in enumerate(desks)}
    assigned: dict[int, int] = {}
    for country, match_ids in by_country.items():
        candidates = candidates_for(country, desks)
        if not candidates:
            continue
        heap = [(sizes.get(user_id, 0), order[user_id], user_id) for user_id in candidates]
        heapq.heapify(heap)
        for match_id in match_ids:
            size, rank, user_id = heapq.heappop(heap)
            assigned[match_id] = user_id
            sizes[user_id] = size + 1
            heapq.heappush(heap, (size + 1, rank, user_id))
    return assigned


def route_unassigned(queryset: QuerySet[Match] | None = None) -> int:
    """Give each proposed match in `queryset` that has no counsellor to the right one; return
    how many were routed. A match no counsellor covers stays in the shared pool."""
    desks = active_desks()
    if not desks:
        return 0
    queryset = Match.objects.all() if queryset is None else queryset
    pending = dict(
        queryset.filter(status=MatchStatus.PROPOSED, counsellor__isnull=True).values_list(
            "id", "buyer__country"
        )
    )
    if not pending:
        return 0
    assigned = assign(pending, desks, queue_sizes(d.user_id for d in desks))
    by_counsellor: dict[int, list[int]] = defaultdict(list)
    for match_id, user_id in assigned.items():
        by_counsellor[user_id].append(match_id)
    routed = 0
    for user_id, match_ids in by_counsellor.items():
        for start in range(0, len(match_ids), 5000):
            batch = match_ids[start : start + 5000]
            # Guarded: a match someone acted on meanwhile keeps its counsellor.
            routed += Match.objects.filter(
                Q(pk__in=batch), status=MatchStatus.PROPOSED, counsellor__isnull=True
            ).update(counsellor_id=user_id)
    return routed
