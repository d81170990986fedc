"""The dashboards' deal figures: the buying-request funnel (posted → published → quoted →
awarded) and the value of the deals won, by market and by HS chapter.

Who sees what: staff everything; a counsellor the requests of the buyers in their desk's markets
(whose approval is theirs) and the deals of the matches they hold; a buyer its own requests and
deals; a producer its own deals. Won value counts confirmed outcomes only (confirmed by the other
company, or recorded by a counsellor or staff: `matchmaking.outcomes.confirmed_q`), summed per
currency (different currencies are never added up), with the outcomes still awaiting confirmation
beside them. A fixed number of queries whatever the data: one for the funnel, one per breakdown,
one for the chapters' names (and the desk's markets, once per request, for a counsellor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Substr
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.companies import company_q
from accounts.policies import counsellor_markets
from deals.models import Quote
from matchmaking.models import Match, MatchStatus
from matchmaking.outcomes import confirmed_q
from matchmaking.policies import matches_visible_to
from portal.formatting import localize_digits
from sourcing.models import BuyingRequest, RequestStatus
from taxonomy.models import Sector

FUNNEL_STAGES = ("posted", "published", "quoted", "awarded")
CHAPTER_NAME_LENGTH = 60

# --- When each figure happened (a dashboard's period and its monthly series read these) ------

# A request is posted when it is created, awarded when the buyer accepts a quote (it closes).
REQUEST_POSTED_ON = "created_at"
REQUEST_AWARDED_ON = "closed_at"
# A match is proposed when the engine (or a buyer's request) creates it.
MATCH_PROPOSED_ON = "created_at"
MATCH_FORWARDED_ON = "forwarded_at"
WON_ON = "won_on"


def with_won_on(matches: QuerySet[Match]) -> QuerySet[Match]:
    """`matches` with `won_on`, the day a deal counts as won: when it was declared (by a party) or
    recorded (by the counsellor or staff); for one recorded before declarations were kept, when
    the companies were connected, else forwarded, else proposed."""
    return matches.annotate(
        won_on=Coalesce("outcome_declared_at", "connected_at", "forwarded_at", "created_at")
    )


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


# --- The request funnel ------------------------------------------------------------------------


def requests_in_scope(user) -> QuerySet[BuyingRequest] | None:
    """The buying requests whose funnel `user` sees; None for who sees no funnel (producers)."""
    if not _signed_in(user):
        return None
    if user.is_portal_staff:
        return BuyingRequest.objects.all()
    if user.is_counsellor:
        return BuyingRequest.objects.filter(buyer__country__in=counsellor_markets(user))
    if user.is_buyer:
        return BuyingRequest.objects.filter(company_q(user, "buyer__"))
    return None


def request_funnel(requests: QuerySet[BuyingRequest]) -> dict[str, int]:
    """How many of `requests` reached each stage (one query). A request counts in every stage
    it reached: published once approved (closed or awarded since, too), quoted once a producer
    quoted on it, awarded once the buyer accepted a quote."""
    return requests.aggregate(
        posted=Count("pk"),
        published=Count(
            "pk",
            filter=Q(published_at__isnull=False)
            | Q(status__in=(RequestStatus.PUBLISHED, RequestStatus.AWARDED)),
        ),
        quoted=Count("pk", filter=Exists(Quote.objects.filter(request=OuterRef("pk")))),
        awarded=Count("pk", filter=Q(status=RequestStatus.AWARDED)),
    )


def funnel_steps(funnel: dict[str, int]) -> list[dict]:
    """The funnel as rows: each stage's label, count and share of the previous and first stage."""
    labels = {
        "posted": _("Posted"),
        "published": _("Published"),
        "quoted": _("Quoted"),
        "awarded": _("Awarded"),
    }
    steps, first, previous = [], funnel.get("posted") or 0, None
    for key in FUNNEL_STAGES:
        count = funnel.get(key) or 0
        steps.append(
            {
                "key": key,
                "label": labels[key],
                "count": count,
                "of_first": round(100 * count / first) if first else None,
                "of_previous": round(100 * count / previous) if previous else None,
            }
        )
        previous = count
    return steps


def funnel_chart(steps: list[dict]) -> dict:
    """The funnel for counsellors/static/counsellors/charts.js (the table gives the same figures)."""
    return {
        "type": "bar",
        "title": _("Buying requests: posted, published, quoted, awarded"),
        "horizontal": True,
        "stacked": False,
        "labels": [str(step["label"]) for step in steps],
        "datasets": [{"key": "funnel", "label": _("Buying requests"), "data": [s["count"] for s in steps]}],
    }


# --- Won value --------------------------------------------------------------------------------------


@dataclass
class WonRow:
    """The deals won in one market or chapter, in one currency."""

    key: str
    label: str
    currency: str
    confirmed_total: Decimal = Decimal(0)
    confirmed_deals: int = 0
    unconfirmed_total: Decimal = Decimal(0)
    unconfirmed_deals: int = 0


@dataclass
class WonValues:
    """The won value by market and by chapter (None: not shown to this reader)."""

    by_market: list[WonRow] | None = None
    by_chapter: list[WonRow] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.by_chapter)

    @property
    def confirmed(self) -> bool:
        return any(row.confirmed_deals for row in self.by_chapter)

    @property
    def unconfirmed(self) -> bool:
        return any(row.unconfirmed_deals for row in self.by_chapter)


def _chapter():
    """The HS chapter of a match's deal: its request line's, else the requested product's, else
    the code both sides share (the engine's breakdown), else the producer's code it read."""
    return Substr(
        Coalesce(
            F("request_line__sector_id"),
            F("requested_product__hs_code_id"),
            KT("breakdown__sector__hs"),
            KT("breakdown__sector__producer_hs"),
            output_field=CharField(),
        ),
        1,
        2,
    )


def _won_rows(matches: QuerySet[Match], key: str, label) -> list[WonRow]:
    confirmed = confirmed_q()
    rows = (
        matches.values(key, "outcome_currency")
        .annotate(
            confirmed_total=Sum("outcome_value", filter=confirmed),
            confirmed_deals=Count("pk", filter=confirmed),
            unconfirmed_total=Sum("outcome_value", filter=~confirmed),
            unconfirmed_deals=Count("pk", filter=~confirmed),
        )
        .order_by(key, "outcome_currency")
    )
    return [
        WonRow(
            key=row[key] or "",
            label=label(row[key] or ""),
            currency=row["outcome_currency"],
            confirmed_total=row["confirmed_total"] or Decimal(0),
            confirmed_deals=row["confirmed_deals"],
            unconfirmed_total=row["unconfirmed_total"] or Decimal(0),
            unconfirmed_deals=row["unconfirmed_deals"],
        )
        for row in rows
    ]


def _short(name: str) -> str:
    return Truncator(re.split("[;؛]", name)[0].strip()).chars(CHAPTER_NAME_LENGTH)


def won_values(user, period=None) -> WonValues:
    """The value of the deals won in the matches `user` sees, in `period` (a `home.periods.Period`;
    None: all time) (three queries; two for a buyer, whose deals are all in its own market)."""
    won = matches_visible_to(user).filter(status=MatchStatus.WON, outcome_value__isnull=False)
    if period is not None:
        won = with_won_on(won).filter(period.q(WON_ON))
    result = WonValues()
    if not (_signed_in(user) and user.is_buyer):
        result.by_market = sorted(
            _won_rows(won, "buyer__country", lambda code: str(countries.name(code)) or code),
            key=lambda row: (row.label, row.currency),
        )
    chapter_rows = _won_rows(won.annotate(chapter=_chapter()), "chapter", lambda code: code)
    codes = {row.key for row in chapter_rows if row.key}
    names = {sector.code: _short(sector.display_name) for sector in Sector.objects.filter(code__in=codes)}
    for row in chapter_rows:
        if row.key:
            shown = localize_digits(row.key)
            row.label = f"{shown} — {names[row.key]}" if names.get(row.key) else shown
    result.by_chapter = sorted(chapter_rows, key=lambda row: (row.key == "", row.key, row.currency))
    return result


def deal_figures(user, period=None) -> dict:
    """What the dashboard shows `user` of requests and deals: the requests posted in `period`
    (None: all time) and how far they went, the deals won in it."""
    requests = requests_in_scope(user)
    figures: dict = {"funnel": None, "won": won_values(user, period)}
    if requests is not None:
        if period is not None:
            requests = requests.filter(period.q(REQUEST_POSTED_ON))
        funnel = request_funnel(requests)
        steps = funnel_steps(funnel)
        figures.update(funnel=funnel, steps=steps, funnel_chart=funnel_chart(steps))
    return figures
