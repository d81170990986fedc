"""Who may see and review which match (docs/design.md, "Roles and what each may see").

Producers and buyers see their own matches once forwarded; counsellors those routed to
them plus the unassigned pool; staff everything. Used alike by the API, the pages and
the emails.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from accounts.companies import acts_for, company_q
from matchmaking.engine import default_regions
from matchmaking.models import REVEALS_CONTACTS, VISIBLE_TO_PARTIES, Match, MatchEvent, MatchStatus


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def side_acting(actor, match: Match) -> str | None:
    """The side of `match` whose company `actor` (a user, or None) acts for ("producer" or
    "buyer": its owner or an editor, `accounts.companies`), whatever their role now; None for
    anyone else (an event's actor, say, or a member who has since left the company)."""
    if actor is None:
        return None
    if acts_for(actor, match.producer):
        return "producer"
    if acts_for(actor, match.buyer):
        return "buyer"
    return None


def side_of(user, match: Match) -> str | None:
    """The side of `match` that `user` is on: "producer" or "buyer" when their role is that
    side's and they act for the match's company on it (owner or editor); None otherwise."""
    if not _signed_in(user):
        return None
    side = user.party_side
    if side is not None and acts_for(user, getattr(match, side)):
        return side
    return None


# The two parts of a counsellor's and of a party's sight, as filters (`prefix` reaches the
# match through a relation, e.g. "match__"); `matches_visible_to` and the digests' batched
# reads are built from them.


def in_pool_q(prefix: str = "") -> Q:
    """The unassigned pool: proposed matches routed to no counsellor (one that staff handled
    from the pool stays with staff)."""
    return Q(**{f"{prefix}counsellor__isnull": True, f"{prefix}status": MatchStatus.PROPOSED})


def visible_to_parties_q(prefix: str = "") -> Q:
    """The statuses in which a match's producer and buyer see it: from the forward on."""
    return Q(**{f"{prefix}status__in": VISIBLE_TO_PARTIES})


def _scoped(user, queryset: QuerySet[Match] | None, scope: Q | None) -> QuerySet[Match]:
    """`queryset` (all matches by default) as `user` reaches it: nothing signed out, all of it
    for staff, else what `scope` (evaluated for a signed-in non-staff user) lets through."""
    queryset = Match.objects.all() if queryset is None else queryset
    if not _signed_in(user):
        return queryset.none()
    if user.is_portal_staff:
        return queryset
    return queryset.none() if scope is None else queryset.filter(scope)


def matches_visible_to(user, queryset: QuerySet[Match] | None = None) -> QuerySet[Match]:
    """The matches `user` may see, as a filter of `queryset` (all matches by default)."""
    scope = None
    if _signed_in(user) and user.is_counsellor:
        # Routed to them (any status), or waiting for review in the unassigned pool.
        scope = Q(counsellor=user) | in_pool_q()
    elif _signed_in(user) and user.party_side is not None:
        scope = visible_to_parties_q() & company_q(user, f"{user.party_side}__")
    return _scoped(user, queryset, scope)


def visible_match_profile_ids(user, side: str) -> QuerySet:
    """The ids of the producers or buyers (`side`: "producer", "buyer") of the matches `user`
    may see, as a subquery. Registered in `accounts.policies` (`MatchmakingConfig.ready()`):
    a counsellor sees the profiles of the matches routed to them or in the pool."""
    return matches_visible_to(user).values_list(f"{side}_id", flat=True)


def can_view_match(user, match: Match) -> bool:
    """The per-object form of `matches_visible_to` (no query when the relations are loaded)."""
    if not _signed_in(user):
        return False
    if user.is_portal_staff:
        return True
    if user.is_counsellor:
        return match.counsellor_id == user.pk or (
            match.counsellor_id is None and match.status == MatchStatus.PROPOSED
        )
    return match.status in VISIBLE_TO_PARTIES and side_of(user, match) is not None


def can_review_match(user, match: Match) -> bool:
    """Forward or reject: staff, or a counsellor the match is routed to or who finds it in the pool."""
    if not _signed_in(user):
        return False
    if user.is_portal_staff:
        return True
    return user.is_counsellor and match.counsellor_id in (None, user.pk)


def matches_reviewable_by(user, queryset: QuerySet[Match] | None = None) -> QuerySet[Match]:
    """The queryset form of `can_review_match` (whatever the status: the lifecycle refuses what
    is no longer proposed): staff all; a counsellor those routed to them and the pool."""
    scope = None
    if _signed_in(user) and user.is_counsellor:
        scope = Q(counsellor=user) | Q(counsellor__isnull=True)
    return _scoped(user, queryset, scope)


def sees_engine_evidence(user) -> bool:
    """Who reads what the engine learnt about a company from others' decisions (a producer's
    unanswered introductions): the reviewers, counsellors and staff; never the parties."""
    return _signed_in(user) and (user.is_portal_staff or user.is_counsellor)


def can_record_outcome(user, match: Match) -> bool:
    """Record (or correct) a match's outcome, confirmed as recorded: staff, or the counsellor
    the match is with (matchmaking.outcomes has the statuses and the rest of the rules)."""
    if not _signed_in(user):
        return False
    return user.is_portal_staff or (user.is_counsellor and match.counsellor_id == user.pk)


def can_declare_outcome(user, match: Match) -> bool:
    """Declare, correct or confirm a match's outcome as one of its companies: its producer or
    its buyer (matchmaking.outcomes has the statuses and the rest of the rules)."""
    return side_of(user, match) is not None


def can_give_outcome(user, match: Match) -> bool:
    """Post an outcome at all: who records it and who declares it."""
    return can_record_outcome(user, match) or can_declare_outcome(user, match)


def can_respond_to_match(user, match: Match) -> bool:
    """Accept or decline: the producer or the buyer of the match (whatever its status; the
    lifecycle refuses a response to a match that is not forwarded)."""
    return side_of(user, match) is not None


def can_request_introduction(user) -> bool:
    """Ask to be introduced to a producer: buyers."""
    return _signed_in(user) and user.is_buyer


def declined_at(match: Match) -> datetime:
    """When `match` (declined) was declined: its last decline event (the row's last change
    where the log has none)."""
    at = getattr(match, "declined_at", None)  # annotated by a list (selectors)
    if at is None:
        event = MatchEvent.objects.filter(match=match, to_status=MatchStatus.DECLINED).order_by("-at").first()
        at = event.at if event is not None else match.updated_at
    return at


def introduction_again_from(match: Match) -> datetime | None:
    """When the buyer may ask again for the declined pair `match` (INTRODUCTION_REQUEST_AGAIN_DAYS
    after the decline, by either side); None for a match that is not declined."""
    if match.status != MatchStatus.DECLINED:
        return None
    return declined_at(match) + timedelta(days=settings.INTRODUCTION_REQUEST_AGAIN_DAYS)


def can_reassign_match(user, match: Match) -> bool:
    """Hand a match to a colleague: staff, or the counsellor who holds it or finds it in the pool."""
    return can_review_match(user, match)


def events_visible_to(user, match: Match, events) -> list:
    """The event log as `user` sees it: counsellors and staff all of it; the producer and the
    buyer what happened from the forward on, without the counsellors' internal handovers
    (an event that keeps the status is shown only when a party made it, a response, or when
    it changed the outcome: a correction or a confirmation). Before the forward a party sees
    none of it: not a rejection, its reason, nor an earlier round. Reads each event's actor
    (select it with the events)."""
    if user.is_portal_staff or user.is_counsellor:
        return list(events)
    start = match.forwarded_at
    if start is None:
        return []
    return [
        event
        for event in events
        if event.at >= start
        and (
            event.from_status != event.to_status
            or side_acting(event.actor, match) is not None
            or "outcome" in event.details
        )
    ]


def revealed_counterpart_ids(user) -> frozenset[int]:
    """Ids of the profiles whose contacts `user` sees through a match: a buyer, the producers
    of its forwarded (and later, undeclined) matches; a producer, those matches' buyers.

    Remembered on the user object, so a page or an API response asks once. Registered in
    `accounts.policies` (`MatchmakingConfig.ready()`), whose contact rules ask it.
    """
    if not _signed_in(user) or not (user.is_producer or user.is_buyer):
        return frozenset()
    cached = getattr(user, "_revealed_counterpart_ids", None)
    if cached is None:
        live = Match.objects.filter(status__in=REVEALS_CONTACTS)
        if user.is_buyer:
            cached = frozenset(live.filter(company_q(user, "buyer__")).values_list("producer_id", flat=True))
        else:
            cached = frozenset(live.filter(company_q(user, "producer__")).values_list("buyer_id", flat=True))
        user._revealed_counterpart_ids = cached
    return cached


# --- What the buying requests ask (registered in sourcing.policies) ------------------------


def revealed_request_ids(user, request_ids=None) -> frozenset[int]:
    """The buying requests (among `request_ids`; None: any) whose buyer a match forwarded to
    the producer `user` reveals: a match on that request, forwarded or further
    (REVEALS_CONTACTS). Registered in `sourcing.policies` (`MatchmakingConfig.ready()`)."""
    if not _signed_in(user) or not user.is_producer:
        return frozenset()
    matches = Match.objects.filter(
        company_q(user, "producer__"), request__isnull=False, status__in=REVEALS_CONTACTS
    )
    if request_ids is not None:
        matches = matches.filter(request_id__in=list(request_ids))
    return frozenset(matches.values_list("request_id", flat=True))


def same_region_markets(countries) -> frozenset[str]:
    """Every country in the world region (the engine's, UN M49) of one of `countries`.
    Registered in `sourcing.policies`: a producer's board reaches its target markets' regions."""
    regions = default_regions()
    wanted = {regions.market_region(code) for code in countries} - {None}
    return frozenset(code for code, region in regions.market_regions.items() if region in wanted)
