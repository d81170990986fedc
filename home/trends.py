"""The dashboards' monthly series over a period: matches proposed, forwarded and won, buying
requests posted and awarded, and the value won (per currency), each month in the reader's
calendar.

Each series is one figure of `home.deal_figures` dated by its own rule (`*_ON` there), in the
reader's scope: a match proposed is one the engine created (pairs it withdrew left out), and
only counsellors and staff see proposals; a match won counts once its outcome stands
(`matchmaking.outcomes.confirmed_q`), like the value won; requests are seen by staff,
counsellors (their markets) and buyers (their own), not by producers. One query per series
whatever the data: the rows are put in their month by a CASE over the months' first moments
and counted in the database. A period without a start ("all time") shows the last
`periods.MAX_MONTHS` months, with anything older in one "earlier" line when there is some.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matchmaking.models import MatchStatus
from matchmaking.outcomes import confirmed_q
from matchmaking.policies import matches_visible_to
from portal.dates import month_label
from sourcing.models import RequestStatus

from .deal_figures import (
    MATCH_FORWARDED_ON,
    MATCH_PROPOSED_ON,
    REQUEST_AWARDED_ON,
    REQUEST_POSTED_ON,
    WON_ON,
    requests_in_scope,
    with_won_on,
)
from .periods import Period, midnight

SERIES_LABELS = {
    "proposed": gettext_lazy("Matches proposed"),
    "forwarded": gettext_lazy("Matches forwarded"),
    "won": gettext_lazy("Deals won"),
    "posted": gettext_lazy("Requests posted"),
    "awarded": gettext_lazy("Requests awarded"),
}
MATCH_SERIES = ("proposed", "forwarded", "won")
REQUEST_SERIES = ("posted", "awarded")
EARLIER = -1


@dataclass
class MonthRow:
    """One month (or the "earlier" bucket, `first` None) of the series."""

    first: datetime.date | None
    last: datetime.date | None
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    won_value: dict[str, Decimal] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(self.counts.values()) and not self.won_value


@dataclass
class Trends:
    """The months oldest first, the series shown (keys of SERIES_LABELS), the currencies won."""

    months: list[MonthRow]
    series: list[str]
    currencies: list[str]

    def labels(self) -> dict[str, str]:
        return {key: str(SERIES_LABELS[key]) for key in self.series}

    def total(self, key: str) -> int:
        return sum(row.counts.get(key, 0) for row in self.months)

    def totals(self) -> dict[str, int]:
        return {key: self.total(key) for key in self.series}

    def won_total(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for row in self.months:
            for currency, value in row.won_value.items():
                totals[currency] = totals.get(currency, Decimal(0)) + value
        return dict(sorted(totals.items()))

    @property
    def any(self) -> bool:
        return any(not row.empty for row in self.months)

    def table(self) -> list[tuple[MonthRow, list[tuple[str, int]], list[Decimal | None]]]:
        """Each month with its counts in the order of `series` and its value won per currency."""
        return [
            (
                row,
                [(key, row.counts.get(key, 0)) for key in self.series],
                [row.won_value.get(currency) for currency in self.currencies],
            )
            for row in self.months
        ]


def _bucket(moment: str, bounds: list[datetime.datetime], open_start: bool):
    """The index of the month `moment` falls in (EARLIER before the first one when the period
    has no start): `bounds` are the months' first moments and the first moment after."""
    whens = [When(**{f"{moment}__lt": bound}, then=Value(index - 1)) for index, bound in enumerate(bounds)]
    if not open_start:
        whens = whens[1:]
    return Case(*whens, default=Value(None), output_field=IntegerField())


def _in_series(queryset: QuerySet, moment: str, period: Period, bounds) -> QuerySet:
    within = Q(**{f"{moment}__lt": bounds[-1]}, **{f"{moment}__isnull": False})
    if period.start is not None:
        within &= Q(**{f"{moment}__gte": bounds[0]})
    return queryset.filter(within).annotate(month=_bucket(moment, bounds, period.start is None))


def _counts(queryset: QuerySet, moment: str, period: Period, bounds) -> dict[int, int]:
    rows = _in_series(queryset, moment, period, bounds).values("month").annotate(n=Count("pk")).order_by()
    return {row["month"]: row["n"] for row in rows}


def monthly_trends(user, period: Period) -> Trends:
    """The series `user` sees over `period`, a month a row (at most five queries)."""
    starts = period.months()
    bounds = [midnight(day) for day in starts] + [period.until]
    if period.start is not None:
        bounds[0] = period.since
    matches = matches_visible_to(user)
    requests = requests_in_scope(user)
    series = list(MATCH_SERIES if (user.is_counsellor or user.is_portal_staff) else MATCH_SERIES[1:])
    counted: dict[str, dict[int, int]] = {}
    if "proposed" in series:
        counted["proposed"] = _counts(
            matches.exclude(status=MatchStatus.WITHDRAWN), MATCH_PROPOSED_ON, period, bounds
        )
    counted["forwarded"] = _counts(matches, MATCH_FORWARDED_ON, period, bounds)
    won = with_won_on(matches.filter(confirmed_q(), status=MatchStatus.WON))
    won_rows = list(
        _in_series(won, WON_ON, period, bounds)
        .values("month", "outcome_currency")
        .annotate(n=Count("pk"), total=Sum("outcome_value"))
        .order_by()
    )
    counted["won"] = {}
    for row in won_rows:
        counted["won"][row["month"]] = counted["won"].get(row["month"], 0) + row["n"]
    if requests is not None:
        series += REQUEST_SERIES
        counted["posted"] = _counts(requests, REQUEST_POSTED_ON, period, bounds)
        counted["awarded"] = _counts(
            requests.filter(status=RequestStatus.AWARDED), REQUEST_AWARDED_ON, period, bounds
        )
    months = [
        MonthRow(
            first=max(first, period.start) if period.start else first,
            last=min(next_first - datetime.timedelta(days=1), period.end),
            label=month_label(first, period.jalali),
        )
        for first, next_first in zip(
            starts, [*starts[1:], period.end + datetime.timedelta(days=1)], strict=True
        )
    ]
    earlier = MonthRow(first=None, last=starts[0] - datetime.timedelta(days=1), label=_("Earlier"))
    by_index = {EARLIER: earlier, **dict(enumerate(months))}
    for key in series:
        for index, count in counted[key].items():
            if index in by_index:
                by_index[index].counts[key] = count
    currencies = set()
    for row in won_rows:
        if row["month"] in by_index and row["total"] is not None and row["outcome_currency"]:
            target = by_index[row["month"]]
            currencies.add(row["outcome_currency"])
            target.won_value[row["outcome_currency"]] = (
                target.won_value.get(row["outcome_currency"], Decimal(0)) + row["total"]
            )
    for row in [earlier, *months]:
        for key in series:
            row.counts.setdefault(key, 0)
    if period.start is None:
        # "All time": from the first month with something in it.
        while months and months[0].empty and len(months) > 1:
            months.pop(0)
        if not earlier.empty:
            months.insert(0, earlier)
    return Trends(months=months, series=series, currencies=sorted(currencies))


def trend_chart(trends: Trends, keys, title: str) -> dict:
    """A line per series over the months, for counsellors/static/counsellors/charts.js."""
    return {
        "type": "line",
        "title": title,
        "horizontal": False,
        "stacked": False,
        "labels": [row.label for row in trends.months],
        "datasets": [
            {
                "key": key,
                "label": str(SERIES_LABELS[key]),
                "data": [row.counts.get(key, 0) for row in trends.months],
            }
            for key in keys
            if key in trends.series
        ],
    }


def trend_charts(trends: Trends) -> list[dict]:
    """The matches' chart and, for who sees requests, the requests' chart."""
    charts = [trend_chart(trends, MATCH_SERIES, _("Matches per month"))]
    if "posted" in trends.series:
        charts.append(trend_chart(trends, REQUEST_SERIES, _("Buying requests per month")))
    for index, chart in enumerate(charts):
        chart["json_id"] = f"chart-trend-{index}"
    return charts
