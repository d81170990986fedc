"""The batched email about new messages (deals/conversations.py queues it after each post).

For each participant of the match (its producer's and buyer's owners, its counsellor: as they
may open it now), one email covering every message others wrote after both the last one the
participant read and the last one an email already told them of; then `last_notified` moves
to the newest covered. The participant's `ConversationState` row is locked while this is
decided and sent, so two runs at once (ten posts queue ten tasks) send it once: the second
finds nothing left. Read before the task runs: nothing to send. The mail goes out in the
recipient's language, names isolated, with a link to the conversation; the bodies are shown
(a forwarded match's parties know each other).
"""

from __future__ import annotations

import logging

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from matchmaking.models import Match
from portal import languages

from .authors import author_name, author_role, role_label
from .conversation_selectors import pending_notice
from .models import ConversationState
from .policies import BUYER, PRODUCER, conversation_participants, conversation_role, has_conversation

logger = logging.getLogger(__name__)

TEMPLATES = "deals/email/"
MAX_SHOWN = 10  # messages quoted in one email; the rest are counted
BODY_SHOWN = 1500  # characters of each quoted message


def _load(match_id: int) -> Match | None:
    return (
        Match.objects.select_related("producer__owner", "buyer__owner", "counsellor")
        .filter(pk=match_id)
        .first()
    )


def send_message_notices(match_id: int) -> int:
    """Tell each participant of `match_id` what they missed; the number of emails sent."""
    match = _load(match_id)
    if match is None or not has_conversation(match):
        return 0
    return sum(_notify(match, user) for user in conversation_participants(match))


def _locked_state(match: Match, user) -> ConversationState:
    ConversationState.objects.get_or_create(match=match, user=user)
    return ConversationState.objects.select_for_update().get(match=match, user=user)


def _notify(match: Match, user) -> bool:
    if not user.is_active or not user.email:
        return False
    with transaction.atomic():
        state = _locked_state(match, user)
        pending = pending_notice(user, match, after=max(state.last_read, state.last_notified))
        if not pending:
            return False
        _send(user, match, pending)
        state.last_notified = pending[-1].pk
        state.notified_at = timezone.now()
        state.save(update_fields=["last_notified", "notified_at"])
    return True


def _counterpart(match: Match, role: str | None) -> str:
    if role == PRODUCER:
        return match.buyer.company_name
    if role == BUYER:
        return match.producer.name
    return ""


def _send(user, match: Match, messages: list) -> None:
    language = languages.supported_or_default(user.preferred_language)
    with translation.override(language):
        role = conversation_role(user, match)
        shown = [
            {
                "author": author_name(message, match),
                "role": role_label(author_role(message, match)),
                "at": message.created_at,
                "body": message.body if len(message.body) <= BODY_SHOWN else message.body[:BODY_SHOWN] + "…",
                "files": message.files,
            }
            for message in messages[-MAX_SHOWN:]
        ]
        context = {
            "user": user,
            "match": match,
            "role": role,
            "counterpart": _counterpart(match, role),
            "producer": match.producer,
            "buyer": match.buyer,
            "messages": shown,
            "count": len(messages),
            "more": max(0, len(messages) - MAX_SHOWN),
            "base_url": settings.PORTAL_BASE_URL,
            "conversation_url": settings.PORTAL_BASE_URL + reverse("deals:conversation", args=[match.pk]),
        }
        get_adapter().send_mail(TEMPLATES + "messages", user.email, context)
