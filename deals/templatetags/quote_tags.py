"""Template helpers of the quote pages."""

from django import template

from deals.models import QuoteStatus

register = template.Library()

# Bootstrap badge classes, each with AA contrast for its text.
QUOTE_BADGES = {
    QuoteStatus.OPEN: "text-bg-primary",
    QuoteStatus.ACCEPTED: "text-bg-success",
    QuoteStatus.DECLINED: "text-bg-warning",
    QuoteStatus.EXPIRED: "text-bg-secondary",
    QuoteStatus.WITHDRAWN: "text-bg-light border",
}


@register.filter
def quote_badge(status: str) -> str:
    return QUOTE_BADGES.get(status, "text-bg-secondary")
