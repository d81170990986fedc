"""Template helpers of the counsellors' pages: the match pages' factor and status filters
(one definition, in matchmaking_tags), status names, and id comparisons."""

from __future__ import annotations

from django import template

from matchmaking.models import MatchStatus
from matchmaking.templatetags.matchmaking_tags import factor_label, percent, status_badge

register = template.Library()
register.filter("factor_label", factor_label)
register.filter("status_badge", status_badge)
register.filter("percent", percent)


@register.filter
def status_label(status: str) -> str:
    try:
        return str(MatchStatus(status).label)
    except ValueError:
        return status


@register.filter
def as_text(value) -> str:
    """For membership tests against sets of posted (string) ids."""
    return "" if value is None else str(value)
