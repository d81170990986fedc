"""Template helpers of the match pages and emails.

`{% match_panel match as panel %}` gives the action forms the viewer may use on a match
(`matchmaking/includes/match_actions.html` calls it; the view puts the counsellors a match
may be handed to in the context as `handover_counsellors`, `selectors.handover_counsellors`);
the filters name factors and statuses in the active language. The tags read no rows: what
they show comes from the view's context.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from accounts.models import BuyerProfile, ProducerProfile
from accounts.policies import can_view_buyer_contacts, can_view_producer_contacts
from matchmaking import lifecycle
from matchmaking.actions import available_actions
from matchmaking.forms import ForwardForm, OutcomeForm, ReassignForm, RejectForm, RespondForm
from matchmaking.models import MatchStatus

register = template.Library()

FACTOR_LABELS = {
    "sector": _("Sector"),
    "capacity": _("Capacity"),
    "market": _("Market"),
    "certifications": _("Certifications"),
    "deadline": _("Deadline"),
}

# Bootstrap badge classes, each with AA contrast for its text.
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
def percent(value) -> int:
    """A score in [0, 1] as a whole percentage."""
    try:
        return round(float(value) * 100)
    except (TypeError, ValueError):
        return 0


@register.simple_tag
def contacts_visible(user, profile) -> bool:
    """Whether `user` sees `profile`'s contacts (accounts.policies)."""
    if isinstance(profile, ProducerProfile):
        return can_view_producer_contacts(user, profile)
    if isinstance(profile, BuyerProfile):
        return can_view_buyer_contacts(user, profile)
    return False


class _Panel:
    def __init__(self, actions, forms):
        self.actions = actions
        self.forms = forms


@register.simple_tag(takes_context=True)
def match_panel(context, match):
    """The actions the signed-in user may take on `match`, each with its form (the form that
    just failed, bound with its errors, when the page is shown again for it)."""
    actions = available_actions(context.get("user"), match)
    failed = context.get("failed_form")
    forms = {}

    def form(cls, **kwargs):
        if failed is not None and isinstance(failed, cls) and context.get("failed_match_id") == match.pk:
            return failed
        return cls(match=match, **kwargs)

    if actions.review:
        forms["forward"] = form(ForwardForm)
        forms["reject"] = form(RejectForm)
    if actions.respond:
        forms["respond"] = form(RespondForm)
    if actions.outcome:
        forms["outcome"] = form(OutcomeForm)
    if actions.reassign:
        forms["reassign"] = form(ReassignForm, counsellors=context.get("handover_counsellors", ()))
    return _Panel(actions, forms)


@register.simple_tag(takes_context=True)
def event_actor(context, event) -> str:
    """Who did it, as the viewer may know: counsellors and staff read names, the companies read
    roles ("You", "The trade counsellor", "The buyer")."""
    user = context.get("user")
    actor = event.actor
    if actor is None:
        return str(_("Matching engine"))
    if user is not None and actor.pk == user.pk:
        return str(_("You"))
    if user is not None and (user.is_portal_staff or user.is_counsellor):
        return f"{actor.get_full_name()} ({actor.get_role_display()})"
    if actor.is_counsellor:
        return str(_("The trade counsellor"))
    if actor.is_portal_staff:
        return str(_("Export Bridge staff"))
    if actor.is_producer:
        return str(_("The producer"))
    if actor.is_buyer:
        return str(_("The buyer"))
    return str(_("Someone"))


RESPONSES = {
    ("producer", "accept"): _("The producer accepted."),
    ("producer", "decline"): _("The producer declined."),
    ("buyer", "accept"): _("The buyer accepted."),
    ("buyer", "decline"): _("The buyer declined."),
}


@register.simple_tag
def event_response(event, match) -> str:
    """What a party's response event decided, in the reader's language ("" for other events)."""
    response = lifecycle.event_response(event, match)
    return str(RESPONSES[response]) if response else ""
