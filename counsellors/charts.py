"""The dashboards' charts as plain data for `json_script`: labels in the reader's language,
one dataset per status. counsellors/static/counsellors/charts.js draws them with Chart.js;
the pages show the same figures as tables for readers who do not see the charts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from counsellors.selectors import PIPELINE_STATUSES, PipelineRow
from matchmaking.models import MatchStatus


def row_label(row: PipelineRow, blank: str) -> str:
    return row.label or blank


def pipeline_chart(rows: list[PipelineRow], *, title: str, blank: str, statuses=PIPELINE_STATUSES) -> dict:
    """A horizontal stacked bar per row (country, chapter, counsellor), one colour per status."""
    return {
        "type": "bar",
        "title": title,
        "horizontal": True,
        "stacked": True,
        "labels": [row_label(row, blank) for row in rows],
        "datasets": [
            {
                "key": str(status),
                "label": str(MatchStatus(status).label),
                "data": [row.counts.get(status, 0) for row in rows],
            }
            for status in statuses
        ],
    }


def funnel_chart(steps: list[dict], labels: dict[str, str]) -> dict:
    return {
        "type": "bar",
        "title": _("Conversion funnel"),
        "horizontal": True,
        "stacked": False,
        "labels": [labels[step["key"]] for step in steps],
        "datasets": [{"key": "funnel", "label": _("Matches"), "data": [step["count"] for step in steps]}],
    }


def rejections_chart(rejections: list[dict]) -> dict:
    """One bar per reason a counsellor gave for rejecting (selectors.rejections_by_reason)."""
    return {
        "type": "bar",
        "title": _("Rejected matches by reason"),
        "horizontal": True,
        "stacked": False,
        "labels": [row["label"] for row in rejections],
        "datasets": [
            {"key": "rejected", "label": _("Rejected"), "data": [row["count"] for row in rejections]}
        ],
    }


def funnel_labels() -> dict[str, str]:
    return {
        "proposed": _("Proposed"),
        "forwarded": _("Forwarded"),
        "connected": _("Connected"),
        "won": _("Deal won"),
    }
