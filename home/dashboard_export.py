"""The dashboard as a download: what the page shows for the chosen period, as CSV or XLSX.

Three tables, read from the very context the page renders (`selectors.dashboard_for`), so the
file and the page cannot disagree and the reader's scope holds: the figures (the period, the
head counts staff and counsellors see, the period's totals and the request funnel), the value
won by market and HS chapter per currency, and the monthly series. Cells are written by
`portal.exports` (text neutralised against formulas, dates in ISO 8601, numbers as numbers).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import exports

from .periods import Period


def _figure_rows(context: dict) -> list[list]:
    period: Period = context["period"]
    rows: list[list] = [
        [_("Period"), period.label, ""],
        [_("From"), period.start, ""],
        [_("To"), period.end, ""],
    ]
    figures = context.get("figures")
    if figures:
        rows += [
            [_("Producers"), figures["producers"], ""],
            [_("Foreign buyers"), figures["buyers"], ""],
            [_("Trade counsellors"), figures["counsellors"], ""],
        ]
    trends = context.get("trends")
    if trends is not None:
        labels = trends.labels()
        rows += [[labels[key], count, ""] for key, count in trends.totals().items()]
        rows += [
            [_("Value won (confirmed)"), total, currency] for currency, total in trends.won_total().items()
        ]
    deals = context.get("deals") or {}
    for step in deals.get("steps") or []:
        rows.append([_("Buying requests: %(stage)s") % {"stage": step["label"]}, step["count"], ""])
    return rows


def _won_rows(context: dict) -> list[list]:
    won = (context.get("deals") or {}).get("won")
    if won is None:
        return []
    tables = [(_("Buyer's market"), won.by_market or []), (_("HS chapter"), won.by_chapter)]
    return [
        [
            breakdown,
            row.key,
            row.label,
            row.currency,
            row.confirmed_total,
            row.confirmed_deals,
            row.unconfirmed_total,
            row.unconfirmed_deals,
        ]
        for breakdown, rows in tables
        for row in rows
    ]


def _monthly(context: dict) -> exports.Table:
    trends = context.get("trends")
    series = trends.series if trends is not None else []
    currencies = trends.currencies if trends is not None else []
    header = [_("Month"), _("From"), _("To")]
    header += [trends.labels()[key] for key in series] if trends is not None else []
    header += [_("Value won (confirmed), %(currency)s") % {"currency": currency} for currency in currencies]
    rows = [
        [row.label, row.first, row.last]
        + [row.counts.get(key, 0) for key in series]
        + [row.won_value.get(currency, 0) for currency in currencies]
        for row in (trends.months if trends is not None else [])
    ]
    return exports.Table(_("Monthly trends"), header, rows)


def dashboard_tables(context: dict) -> list[exports.Table]:
    return [
        exports.Table(_("Figures"), [_("Figure"), _("Value"), _("Currency")], _figure_rows(context)),
        exports.Table(
            _("Value won"),
            [
                _("Breakdown"),
                _("Code"),
                _("Name"),
                _("Currency"),
                _("Value won (confirmed)"),
                _("Confirmed deals"),
                _("Awaiting confirmation"),
                _("Deals awaiting confirmation"),
            ],
            _won_rows(context),
        ),
        _monthly(context),
    ]


def dashboard_download(context: dict, file_format: str) -> HttpResponse:
    period: Period = context["period"]
    filename = f"dashboard-{period.kind}-{timezone.localdate().isoformat()}.{file_format}"
    tables = dashboard_tables(context)
    if file_format == exports.XLSX:
        return exports.tables_xlsx_response(tables, filename)
    return exports.tables_csv_response(tables, filename)
