"""Template helpers of the counsellors' pages: factor and status names, badge colours."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from matchmaking.models import MatchStatus

register = template.Library()

FACTOR_LABELS = {
    "sector": _("Sector"),
    "capacity": _("Capacity"),
    "market": _("Market"),
    "certifications": _("Certifications"),
}

# Bootstrap badge classes, each with AA contrast between its text and background.
STATUS_BADGES = {
    MatchStatus.PROPOSED: "text-bg-secondary",
    MatchStatus.FORWARDED: "text-bg-primary",
    MatchStatus.CONNECTED: "text-bg-success",
    MatchStatus.WON: "text-bg-success",
    MatchStatus.LOST: "text-bg-dark",
    MatchStatus.DECLINED: "text-bg-warning",
    MatchStatus.REJECTED: "text-bg-danger",
    MatchStatus.WITHDRAWN: "text-bg-light border",
}


@register.filter
def factor_label(factor: str) -> str:
    return str(FACTOR_LABELS.get(factor, factor))


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-secondary")


@register.filter
def status_label(status: str) -> str:
    try:
        return str(MatchStatus(status).label)
    except ValueError:
        return status


@register.filter
def percent(value) -> int:
    """A score in [0, 1] as a whole percentage."""
    try:
        return round(float(value) * 100)
    except (TypeError, ValueError):
        return 0


@register.filter
def as_text(value) -> str:
    """For membership tests against sets of posted (string) ids."""
    return "" if value is None else str(value)
