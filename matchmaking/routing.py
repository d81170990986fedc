"""Who reviews a new proposed match: a hook the matcher calls and the counsellors' app fills.

The matcher sits below the counsellors (docs/design.md "Layout") yet each proposed match it
writes, by a rematch or a buyer's request, must reach the counsellor for the buyer's market
in the same transaction (the queue never shows a match a moment unrouted). So it calls
`route_new_matches` here, and `counsellors` registers its router
(`counsellors.routing.route_unassigned`) in `CounsellorsConfig.ready()`, the way NetBox apps
fill its registry at start-up. Without a router the matches stay unassigned, in the pool.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from matchmaking.models import Match

Router = Callable[[QuerySet[Match]], int]

_router: Router | None = None


def register_router(router: Router) -> None:
    """Make `router` the one that routes proposed matches: it gets a queryset of matches,
    gives each proposed one without a counsellor to the right counsellor, and returns how
    many it routed. One router only (registering the same one again changes nothing)."""
    global _router
    if _router is not None and _router is not router:
        raise ImproperlyConfigured(f"A match router is already registered: {_router!r}.")
    _router = router


def route_new_matches(queryset: QuerySet[Match]) -> int:
    """Route the proposed, unassigned matches of `queryset` (in the caller's transaction);
    return how many were routed: none when no router is registered."""
    return 0 if _router is None else _router(queryset)
