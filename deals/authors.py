"""Who wrote a message, as the others are told: a name (never an email address) and the
author's part in the match (producer, buyer, trade counsellor, staff). Pages, the API and the
emails say it the same way."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matchmaking.models import Match
from matchmaking.policies import side_acting

from .models import Message
from .policies import BUYER, COUNSELLOR, PRODUCER, STAFF

ROLES = (PRODUCER, BUYER, COUNSELLOR, STAFF)
ROLE_CHOICES = [(role, role) for role in ROLES]  # the API's enum (settings: AuthorRoleEnum)
ROLE_LABELS = {
    PRODUCER: gettext_lazy("Producer"),
    BUYER: gettext_lazy("Buyer"),
    COUNSELLOR: gettext_lazy("Trade counsellor"),
    STAFF: gettext_lazy("Export Bridge team"),
}


def author_role(message: Message, match: Match) -> str | None:
    """The author's part in `match` (its producer and buyer loaded): the side whose profile
    act for (owner or editor), else their role; None for a deleted user."""
    user = message.author
    if user is None:
        return None
    side = side_acting(user, match)
    if side is not None:
        return side
    if user.is_portal_staff:
        return STAFF
    if user.is_counsellor:
        return COUNSELLOR
    return None


def author_name(message: Message, match: Match) -> str:
    """The author's full name; without one, their company (a party) or their role's name."""
    user = message.author
    if user is None:
        return _("A former user")
    if user.full_name:
        return user.full_name
    role = author_role(message, match)
    if role == PRODUCER:
        return match.producer.name
    if role == BUYER:
        return match.buyer.company_name
    return str(ROLE_LABELS.get(role, _("A user")))


def role_label(role: str | None) -> str:
    return str(ROLE_LABELS[role]) if role in ROLE_LABELS else ""
