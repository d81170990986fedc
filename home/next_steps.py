"""What a newcomer to the dashboard does next, per role, while they have nothing to show yet.

A producer or buyer has nothing yet while no match has reached them or awaits review and (a
buyer) no buying request is posted; a counsellor while no match was ever routed to them; staff
while no producer or buyer has registered. The guide lists the role's first steps as links,
each marked done when it is; it goes once the user has something on the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from matchmaking.models import Match

from .deal_figures import requests_in_scope


@dataclass(frozen=True)
class NextStep:
    key: str
    label: str | Promise
    hint: str | Promise
    url: str
    done: bool = False


def _step_done(completeness, key: str) -> bool:
    return any(step.key == key and step.done for step in completeness.steps)


def _producer_steps(completeness) -> list[NextStep]:
    profile = completeness.profile
    steps = []
    if profile is None:
        steps.append(
            NextStep(
                "company",
                _("Describe your company"),
                _("Its name, city and what it makes: buyers and counsellors read it first."),
                reverse("accounts:onboarding"),
            )
        )
    steps += [
        NextStep(
            "products",
            _("Add your products"),
            _("Each with its HS code and the capacity you have free for export: matches are found by them."),
            reverse("my_products:new") if profile is not None else reverse("accounts:onboarding"),
            _step_done(completeness, "products"),
        ),
        NextStep(
            "markets",
            _("Choose your target markets"),
            _("The countries you want to sell to, or open to any market."),
            reverse("accounts:onboarding_step", kwargs={"step": "markets"}),
            _step_done(completeness, "markets"),
        ),
        NextStep(
            "verification",
            _("Ask to be verified"),
            _("Send your business licence or chamber membership: buyers trust a verified badge."),
            reverse("accounts:verification"),
            bool(profile is not None and profile.verified),
        ),
        NextStep(
            "board",
            _("Read the buyers’ requests"),
            _("Published buying requests you can show interest in, without waiting for a match."),
            reverse("sourcing:board"),
        ),
    ]
    return steps


def _buyer_steps(completeness) -> list[NextStep]:
    profile = completeness.profile
    return [
        NextStep(
            "demand",
            _("Choose the sectors you buy from"),
            _("HS codes of what you buy: the matching engine proposes producers of them."),
            reverse("accounts:onboarding_step", kwargs={"step": "demand"})
            if profile is not None
            else reverse("accounts:onboarding"),
            _step_done(completeness, "demand"),
        ),
        NextStep(
            "catalogue",
            _("Search the catalogue"),
            _("The province’s producers and products; ask for an introduction to any of them."),
            reverse("catalogue:product-list"),
        ),
        NextStep(
            "request",
            _("Post a buying request"),
            _("What you want, how much and by when: the trade counsellor publishes it to the producers."),
            reverse("sourcing:new"),
        ),
    ]


def _counsellor_steps() -> list[NextStep]:
    return [
        NextStep(
            "desk",
            _("Set up your desk"),
            _(
                "Your sectors, languages and phone. The countries you cover are set by the portal’s staff: "
                "ask them if a market is missing."
            ),
            reverse("counsellors:desk"),
        ),
        NextStep(
            "pool",
            _("Take proposals from the shared pool"),
            _("Proposals no counsellor is posted for wait in the review queue’s shared pool."),
            reverse("counsellors:queue"),
        ),
        NextStep(
            "brief",
            _("Write a market brief"),
            _("What producers should know about your market: read on every producer’s dashboard."),
            reverse("counsellors:brief_create"),
        ),
    ]


def _staff_steps() -> list[NextStep]:
    return [
        NextStep(
            "producers",
            _("Bring in the province’s producers"),
            _(
                "Add them in the administration, or import a chamber of commerce’s list (CSV or Excel) "
                "with the import_producers command (docs/import_producers.md)."
            ),
            reverse("admin:accounts_producerprofile_changelist"),
        ),
        NextStep(
            "counsellors",
            _("Add the trade counsellors"),
            _("Each with the country they are posted to and the countries they cover."),
            reverse("admin:counsellors_counsellorprofile_changelist"),
        ),
        NextStep(
            "settings",
            _("Check the matching settings"),
            _("The weights and the minimum score of the matching engine."),
            reverse("admin:matchmaking_matchingconfig_changelist"),
        ),
    ]


def next_steps(user, context: dict) -> list[NextStep]:
    """The guide for `user` given what the dashboard already read (`context`); empty once they
    have something (at most one more query)."""
    completeness = context.get("completeness")
    if user.is_producer and completeness is not None:
        counts = (context.get("matches") or {}).get("counts") or {}
        if counts.get("visible") or counts.get("in_review"):
            return []
        return _producer_steps(completeness)
    if user.is_buyer and completeness is not None:
        counts = (context.get("matches") or {}).get("counts") or {}
        if counts.get("visible") or counts.get("in_review"):
            return []
        if completeness.profile is not None and requests_in_scope(user).exists():
            return []
        return _buyer_steps(completeness)
    if user.is_counsellor:
        return [] if Match.objects.filter(counsellor=user).exists() else _counsellor_steps()
    if user.is_portal_staff:
        figures = context.get("figures") or {}
        return [] if figures.get("producers") or figures.get("buyers") else _staff_steps()
    return []
