"""Reads of the home page and the dashboard."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from accounts.models import Role
from accounts.onboarding import completeness_for_user
from home.deal_figures import deal_figures
from home.next_steps import next_steps
from home.periods import PRESETS, Period, preset
from home.trends import monthly_trends, trend_charts
from matchmaking.selectors import party_match_summary


def portal_figures() -> dict[str, int]:
    """Head counts shown on the home page, in one query."""
    users = get_user_model().objects.filter(is_active=True)
    return users.aggregate(
        producers=Count("pk", filter=Q(role=Role.PRODUCER)),
        buyers=Count("pk", filter=Q(role=Role.BUYER)),
        counsellors=Count("pk", filter=Q(role=Role.COUNSELLOR)),
    )


def dashboard_for(user, period: Period | None = None) -> dict:
    """What the dashboard shows a user: a producer's or buyer's profile progress, else the figures;
    then what happened in `period` (default: all time) and, while they have nothing yet, what
    to do next (`home.next_steps`).

    A constant number of queries whatever the user owns: one for the profile with
    its counts and two for its matches (producers, buyers), one for the figures
    (counsellors, staff); then the deal figures (`home.deal_figures`: the request funnel and
    the value won, at most five more), the monthly series (`home.trends`, at most five) and
    at most one for the guide.
    """
    period = period or preset()
    completeness = completeness_for_user(user)
    if completeness is None:
        context = {"completeness": None, "figures": portal_figures(), "deals": deal_figures(user, period)}
    else:
        context = {"completeness": completeness, "profile": completeness.profile}
        if completeness.profile is not None:
            # Two more queries: the counts per status and the best forwarded matches.
            side = user.party_side
            context["matches"] = party_match_summary(**{side: completeness.profile})
            context["deals"] = deal_figures(user, period)
    if context.get("deals") is not None:
        trends = monthly_trends(user, period)
        context.update(trends=trends, trend_charts=trend_charts(trends))
    context.update(period=period, period_presets=list(PRESETS.items()), next_steps=next_steps(user, context))
    return context
