"""A buyer's own introduction requests, as the buyer sees them (the page /my/introductions/).

A request is a companies' match the buyer asked for (source `buyer_request`). The buyer reads
where it stands in five words, never more than a party may know: the counsellor's review is
one "pending", however it goes inside; a request the counsellor did not take forward, or the
engine withdrew, has "expired" (no reason, no who: `matchmaking.policies.events_visible_to`
keeps the log from a party until the forward), and may be asked for again at once; a
declined one may be asked for again once INTRODUCTION_REQUEST_AGAIN_DAYS have passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.companies import company_q
from matchmaking.models import Match, MatchEvent, MatchSource, MatchStatus
from matchmaking.policies import introduction_again_from

PENDING, FORWARDED, CONNECTED, DECLINED, EXPIRED = "pending", "forwarded", "connected", "declined", "expired"

# What each match status reads as to the buyer.
BUYER_STATUS = {
    MatchStatus.PROPOSED: PENDING,
    MatchStatus.FORWARDED: FORWARDED,
    MatchStatus.CONNECTED: CONNECTED,
    MatchStatus.WON: CONNECTED,
    MatchStatus.LOST: CONNECTED,
    MatchStatus.DECLINED: DECLINED,
    MatchStatus.REJECTED: EXPIRED,
    MatchStatus.WITHDRAWN: EXPIRED,
}
LABELS = {
    PENDING: _("Pending"),
    FORWARDED: _("Forwarded"),
    CONNECTED: _("Connected"),
    DECLINED: _("Declined"),
    EXPIRED: _("Expired"),
}


@dataclass(frozen=True)
class RequestRow:
    """One of the buyer's requests as its page lists it."""

    match: Match
    status: str
    since: datetime | None  # when it reached that status, where the buyer may know it
    again_from: datetime | None  # a declined request: when it may be asked for again

    @property
    def label(self):
        return LABELS[self.status]

    @property
    def may_ask_again(self) -> bool:
        return self.status == EXPIRED or (self.again_from is not None and timezone.now() >= self.again_from)

    @property
    def opens_match(self) -> bool:
        """The buyer may open the match itself (from the forward on)."""
        return self.status in (FORWARDED, CONNECTED, DECLINED)


def buyer_requests(user) -> QuerySet[Match]:
    """The introduction requests of the buyer `user` acts for (its owner or an editor), newest
    first, with the producer, the product and, for a declined one, when it was declined."""
    if not (user and user.is_authenticated and user.is_buyer):
        return Match.objects.none()
    last_decline = MatchEvent.objects.filter(match=OuterRef("pk"), to_status=MatchStatus.DECLINED).order_by(
        "-at"
    )
    return (
        Match.objects.filter(
            company_q(user, "buyer__"), source=MatchSource.BUYER_REQUEST, request__isnull=True
        )
        .select_related("producer", "requested_product")
        .annotate(declined_at=Subquery(last_decline.values("at")[:1]))
        .order_by("-created_at", "-id")
    )


def request_row(match: Match) -> RequestRow:
    status = BUYER_STATUS[MatchStatus(match.status)]
    since = {
        FORWARDED: match.forwarded_at,
        CONNECTED: match.connected_at or match.forwarded_at,
        DECLINED: match.declined_at if hasattr(match, "declined_at") else None,
    }.get(status)
    return RequestRow(match=match, status=status, since=since, again_from=introduction_again_from(match))
