"""Reads for the counsellors' pages: the review queue, the dashboards' figures, the briefs.

Every function here runs a fixed number of queries whatever the number of matches: rows
come with their related profiles in one query, aggregations are grouped in the database
and HS names are looked up once per page.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.text import Truncator
from django_countries import countries

from counsellors.briefs import briefs_for_reader, briefs_relevant_to_producer
from counsellors.models import CounsellorProfile, MarketBrief
from matchmaking.ageing import AGEING, OVERDUE, ageing_q, overdue_q, service_state
from matchmaking.models import Match, MatchEvent, MatchSource, MatchStatus, RejectReason
from matchmaking.outcomes import confirmed_q
from matchmaking.policies import can_review_match, matches_visible_to
from matchmaking.reasons import render_breakdown, render_responsiveness, sector_codes, sector_names
from portal import dates
from portal.formatting import localize_digits, uses_jalali
from taxonomy.models import Sector

# The statuses the pipeline tables count, in the order of the lifecycle (withdrawn pairs were
# dropped by the engine before anyone looked at them: left out).
PIPELINE_STATUSES = (
    MatchStatus.PROPOSED,
    MatchStatus.FORWARDED,
    MatchStatus.CONNECTED,
    MatchStatus.WON,
    MatchStatus.LOST,
    MatchStatus.DECLINED,
    MatchStatus.REJECTED,
)
# A match that reached a stage stays counted there once it moves on.
REACHED_FORWARDED = (
    MatchStatus.FORWARDED,
    MatchStatus.DECLINED,
    MatchStatus.CONNECTED,
    MatchStatus.WON,
    MatchStatus.LOST,
)
REACHED_CONNECTED = (MatchStatus.CONNECTED, MatchStatus.WON, MatchStatus.LOST)
CHAPTER_NAME_LENGTH = 60


# --- The review queue ---------------------------------------------------------------------


# The queue's order, in the database and in Python alike: what a person asked for first (a
# buyer's introduction request, a producer's interest in a buying request), then the best
# score, then the oldest id.
ASKED_FOR = (MatchSource.BUYER_REQUEST, MatchSource.PRODUCER_INTEREST)


def in_queue_order(queryset: QuerySet[Match]) -> QuerySet[Match]:
    """`queryset` in the queue's order."""
    return queryset.annotate(
        request_rank=Case(
            When(source__in=ASKED_FOR, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("request_rank", "-score", "id")


def queue_sort_key(*, source: str, score, pk: int) -> tuple:
    """The queue's order as a sort key, for rows already read (`in_queue_order`'s twin)."""
    return (source not in ASKED_FOR, -score, pk)


def review_queue(user) -> QuerySet[Match]:
    """The matches `user` reviews (a counsellor: routed to them plus the unassigned pool;
    staff: all), with both companies (and a buying request's line) fetched, in the queue's
    order."""
    queryset = Match.objects.select_related(
        "producer", "buyer", "counsellor", "requested_product", "request", "request_line__sector"
    )
    return in_queue_order(
        matches_visible_to(user, queryset).annotate(
            # A buyer asked again for a pair rejected before: the queue says so.
            rejected_before=Exists(
                MatchEvent.objects.filter(match=OuterRef("pk"), to_status=MatchStatus.REJECTED)
            ),
        )
    )


@dataclass
class QueueRow:
    """A match as the queue shows it."""

    match: Match
    reasons: dict[str, dict]
    evidence: str | None  # what the engine learnt from decisions (a producer not answering)
    age_days: int
    ageing: bool
    overdue: bool
    can_review: bool
    # What the pair is about, for the queue's one line: the HS code of the request's line or
    # of the engine's sector reason, with its name in the active language ("" when unknown).
    hs_code: str = ""
    hs_name: str = ""

    @property
    def is_request(self) -> bool:
        """A buyer's introduction request."""
        return self.match.source == MatchSource.BUYER_REQUEST

    @property
    def is_interest(self) -> bool:
        """A producer's interest in a buying request."""
        return self.match.source == MatchSource.PRODUCER_INTEREST

    @property
    def for_request(self) -> bool:
        """Made for a buying request (by the engine from one of its lines, or a producer's
        interest): the row shows the request and its line."""
        return self.match.request_id is not None

    @property
    def asked_again(self) -> bool:
        """A buyer's request (still to review) for a pair a counsellor rejected before."""
        match = self.match
        return (
            self.is_request
            and match.status == MatchStatus.PROPOSED
            and getattr(match, "rejected_before", False)
        )


def queue_rows(matches, user, now: datetime.datetime | None = None) -> list[QueueRow]:
    """The page's matches with their reasons in the active language (one query for the HS
    names) and their age against the service levels."""
    now = now or timezone.now()
    matches = list(matches)
    codes = {match.pk: _hs_code(match) for match in matches}
    names = sector_names(sector_codes(match.breakdown for match in matches) | set(codes.values()) - {""})
    rows = []
    for match in matches:
        state = service_state(
            status=match.status, created_at=match.created_at, escalated_at=match.escalated_at, now=now
        )
        rows.append(
            QueueRow(
                match=match,
                reasons=render_breakdown(match.breakdown, names),
                evidence=render_responsiveness(match.breakdown),
                age_days=max(0, (now - match.created_at).days),
                ageing=state == AGEING,
                overdue=state == OVERDUE,
                can_review=match.status == MatchStatus.PROPOSED and can_review_match(user, match),
                hs_code=codes[match.pk],
                hs_name=names.get(codes[match.pk], ""),
            )
        )
    return rows


def _hs_code(match: Match) -> str:
    """The HS code a match is about: its buying request line's, else the engine's sector reason's."""
    if match.request_line_id is not None and match.request_line is not None:
        return str(match.request_line.sector_id or "")
    entry = (match.breakdown or {}).get("sector") or {}
    return str(entry.get("hs") or "")


# --- Dashboards -----------------------------------------------------------------------------


def month_start(now: datetime.datetime | None = None, *, jalali: bool | None = None) -> datetime.datetime:
    """The first moment of the current month in local time: the Jalali month for readers of
    the Jalali calendar (Persian), the Gregorian one otherwise."""
    local = timezone.localtime(now or timezone.now())
    jalali = uses_jalali() if jalali is None else jalali
    first = dates.month_start(local.date(), jalali)
    return local.replace(
        year=first.year, month=first.month, day=first.day, hour=0, minute=0, second=0, microsecond=0
    )


def _status_counts(prefix: str = "") -> dict:
    """Count(…) per pipeline status, for .aggregate() or .annotate()."""
    return {f"{prefix}{status}": Count("pk", filter=Q(status=status)) for status in PIPELINE_STATUSES}


def _reason_counts(condition: Q | None = None) -> dict:
    """Count(…) of rejected matches per reason code (`rejected_<code>`), for .aggregate()."""
    rejected = Q(status=MatchStatus.REJECTED) & (condition or Q())
    return {
        f"rejected_{code}": Count("pk", filter=rejected & Q(reject_reason=code))
        for code in RejectReason.values
    }


def rejections_by_reason(figures: dict) -> list[dict]:
    """The rejected matches per reason, in RejectReason's order, taken out of an aggregate
    that took `_reason_counts`: [{"code", "label", "count"}, …]; empty when none was rejected."""
    rows = [
        {"code": code, "label": str(label), "count": figures.pop(f"rejected_{code}", 0) or 0}
        for code, label in RejectReason.choices
    ]
    return rows if any(row["count"] for row in rows) else []


def _chapter_expression():
    """The HS chapter a match is about: the code both sides share (from the engine's
    breakdown), else the requested product's, else the producer's code the sector factor read."""
    return Substr(
        Coalesce(
            KT("breakdown__sector__hs"),
            F("requested_product__hs_code_id"),
            KT("breakdown__sector__producer_hs"),
            output_field=CharField(),
        ),
        1,
        2,
    )


@dataclass
class PipelineRow:
    """One line of a pipeline table: a key, its label and its counts per status."""

    key: str
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    extra: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cells(self) -> list[int]:
        return [self.counts.get(status, 0) for status in PIPELINE_STATUSES]


def _pipeline_rows(rows, key_name: str, label) -> list[PipelineRow]:
    result = []
    for row in rows:
        counts = {status: row[status] for status in PIPELINE_STATUSES}
        key = row[key_name] or ""
        result.append(PipelineRow(key=key, label=label(key, row), counts=counts))
    return result


def short_name(name: str, length: int = CHAPTER_NAME_LENGTH) -> str:
    """An HS name's first clause ("Nuclear reactors, boilers, machinery; parts…" → "Nuclear
    reactors, boilers, machinery"), cut to `length` characters."""
    return Truncator(re.split("[;؛]", name)[0].strip()).chars(length)


def pipeline_by_chapter(scope: QuerySet[Match]) -> list[PipelineRow]:
    """Counts per status for each HS chapter, biggest first (two queries)."""
    rows = list(
        scope.exclude(status=MatchStatus.WITHDRAWN)
        .annotate(chapter=_chapter_expression())
        .values("chapter")
        .annotate(**_status_counts())
        .order_by("chapter")
    )
    chapters = {row["chapter"] for row in rows if row["chapter"]}
    names = {
        sector.code: short_name(sector.display_name) for sector in Sector.objects.filter(code__in=chapters)
    }

    def label(code, row):
        if not code:
            return ""
        shown = localize_digits(code)
        name = names.get(code, "")
        return f"{shown} — {name}" if name else shown

    result = _pipeline_rows(rows, "chapter", label)
    return sorted(result, key=lambda row: (-row.total, row.key == "", row.key))


def pipeline_by_country(scope: QuerySet[Match]) -> list[PipelineRow]:
    """Counts per status for each buyer country, biggest first (one query)."""
    rows = (
        scope.exclude(status=MatchStatus.WITHDRAWN)
        .values("buyer__country")
        .annotate(**_status_counts())
        .order_by("buyer__country")
    )
    result = _pipeline_rows(rows, "buyer__country", lambda code, row: str(countries.name(code)) or code)
    return sorted(result, key=lambda row: (-row.total, row.label))


def pipeline_by_counsellor(scope: QuerySet[Match]) -> list[PipelineRow]:
    """Counts per status for each counsellor, every active counsellor listed (idle ones
    too) with where they are posted, the shared pool last (two queries)."""
    rows = (
        scope.exclude(status=MatchStatus.WITHDRAWN)
        .values("counsellor_id", "counsellor__full_name", "counsellor__email")
        .annotate(**_status_counts())
        .order_by("counsellor_id")
    )
    result: dict[int | None, PipelineRow] = {}
    for row in rows:
        pk = row["counsellor_id"]
        result[pk] = PipelineRow(
            key=str(pk or ""),
            label=(row["counsellor__full_name"] or row["counsellor__email"] or "") if pk else "",
            counts={status: row[status] for status in PIPELINE_STATUSES},
        )
    for profile in CounsellorProfile.objects.select_related("user").filter(
        Q(is_active=True, user__is_active=True) | Q(user_id__in=[pk for pk in result if pk])
    ):
        line = result.setdefault(
            profile.user_id,
            PipelineRow(
                key=str(profile.user_id),
                label=profile.user.get_full_name(),
                counts=dict.fromkeys(PIPELINE_STATUSES, 0),
            ),
        )
        line.extra = str(profile.posted_country.name)
    pool = result.pop(None, None)
    ordered = sorted(result.values(), key=lambda row: (-row.total, row.label))
    return ordered + ([pool] if pool is not None else [])


def won_values(scope: QuerySet[Match]) -> list[dict]:
    """Deals won and confirmed (by the other company, or recorded by a counsellor or staff:
    matchmaking.outcomes): their value summed per currency, and how many (one query)."""
    rows = (
        scope.filter(confirmed_q(), status=MatchStatus.WON)
        .values("outcome_currency")
        .annotate(total=Sum("outcome_value"), deals=Count("pk"))
        .order_by("outcome_currency")
    )
    return [
        {"currency": row["outcome_currency"], "total": row["total"] or Decimal(0), "deals": row["deals"]}
        for row in rows
    ]


def counsellor_dashboard(user, now: datetime.datetime | None = None) -> dict:
    """A counsellor's figures (staff: everyone's), in five queries: the queue (routed to
    them, the pool) and how much of it is ageing, what they forwarded and connected this
    month, what they rejected and why, the value of the deals won and the matches by HS
    chapter."""
    now = now or timezone.now()
    since = month_start(now)
    visible = matches_visible_to(user)
    mine = Q() if user.is_portal_staff else Q(counsellor=user)
    proposed = Q(status=MatchStatus.PROPOSED)
    figures = visible.aggregate(
        queue=Count("pk", filter=proposed),
        routed=Count("pk", filter=proposed & Q(counsellor__isnull=False)),
        pool=Count("pk", filter=proposed & Q(counsellor__isnull=True)),
        ageing=Count("pk", filter=ageing_q(now)),
        overdue=Count("pk", filter=overdue_q(now)),
        forwarded_month=Count("pk", filter=mine & Q(forwarded_at__gte=since)),
        connected_month=Count("pk", filter=mine & Q(connected_at__gte=since)),
        won=Count("pk", filter=mine & Q(status=MatchStatus.WON)),
        **_reason_counts(mine),
    )
    handled = visible.filter(mine)
    rejections = rejections_by_reason(figures)
    return {
        "figures": figures,
        "rejections": rejections,
        "month_start": since,
        "won_values": won_values(handled),
        "by_chapter": pipeline_by_chapter(visible),
    }


def province_dashboard() -> dict:
    """The province's pipeline for staff, in seven queries: by buyer country, HS chapter and
    counsellor, the funnel proposed → forwarded → connected → won (with the rejections by
    reason) and the value won."""
    scope = Match.objects.all()
    funnel = scope.exclude(status=MatchStatus.WITHDRAWN).aggregate(
        proposed=Count("pk"),
        forwarded=Count("pk", filter=Q(status__in=REACHED_FORWARDED)),
        connected=Count("pk", filter=Q(status__in=REACHED_CONNECTED)),
        won=Count("pk", filter=Q(status=MatchStatus.WON)),
        **_reason_counts(),
    )
    rejections = rejections_by_reason(funnel)
    return {
        "funnel": funnel,
        "rejections": rejections,
        "by_country": pipeline_by_country(scope),
        "by_chapter": pipeline_by_chapter(scope),
        "by_counsellor": pipeline_by_counsellor(scope),
        "won_values": won_values(scope),
    }


def funnel_steps(funnel: dict) -> list[dict]:
    """The funnel as steps with the share of the first and of the previous step (percent)."""
    steps = []
    first = funnel.get("proposed") or 0
    previous = None
    for key in ("proposed", "forwarded", "connected", "won"):
        count = funnel.get(key) or 0
        steps.append(
            {
                "key": key,
                "count": count,
                "of_first": round(100 * count / first) if first else None,
                "of_previous": round(100 * count / previous) if previous else None,
            }
        )
        previous = count
    return steps


def status_totals(rows: list[PipelineRow]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        for status, count in row.counts.items():
            totals[status] += count
    return dict(totals)


# --- Market briefs --------------------------------------------------------------------------


def briefs_for_list(user, *, show_all: bool) -> tuple[QuerySet[MarketBrief], bool]:
    """The briefs a reader's list starts from, and whether it is narrowed to the producer's
    markets and sectors (a producer's default; `show_all` lifts it)."""
    if user.is_producer and not show_all:
        return briefs_relevant_to_producer(user), True
    return briefs_for_reader(user), False
