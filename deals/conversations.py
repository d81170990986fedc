"""The writes of a conversation: post a message (with its files), mark it read.

A message is posted on the locked match, while it is live (deals.policies.POSTING_STATUSES:
a declined match's thread is read-only, a proposed one has none yet: `StateConflict`, 409).
Once the post commits, a notice task is queued with a countdown (`DEALS_MESSAGE_NOTICE_DELAY`):
when it runs, each other participant gets one email for everything they have neither read nor
been told of (deals/notices.py), so a burst of messages makes one email. The message rows are
the conversation's log; the match's event log is left to the match's own transitions.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from matchmaking.models import Match
from portal import validation as rules
from portal.content import guess_language
from portal.exceptions import StateConflict

from . import attachments, tasks
from .conversation_selectors import newest_message_id
from .models import ConversationState, Message
from .policies import POSTING_STATUSES, can_read_conversation, conversation_role, is_participant

BODY_LENGTH = rules.max_length(Message, "body")
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


def notice_delay() -> int:
    """Seconds between a post and the email telling the others of it (and of what follows)."""
    return max(0, int(getattr(settings, "DEALS_MESSAGE_NOTICE_DELAY", 600)))


def _body(value) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationError(_("Enter text."))
    if value and not rules.is_printable_text(value):
        raise ValidationError(_("Null characters are not allowed."))
    return rules.text_field(value, max_length=BODY_LENGTH, required=True, lines=True)


def _language(value, body: str, author) -> str:
    if value in (None, ""):
        return guess_language(body, default=getattr(author, "preferred_language", None))
    if not isinstance(value, str) or value not in LANGUAGES:
        raise ValidationError(_("“%(code)s” is not a language of the portal.") % {"code": rules.shown(value)})
    return value


def _locked(match: Match | int) -> Match:
    pk = match.pk if isinstance(match, Match) else match
    return Match.objects.select_for_update().get(pk=pk)


def _refuse_status(match: Match) -> StateConflict:
    if match.status in POSTING_STATUSES:  # pragma: no cover - callers check first
        return StateConflict(_("This conversation takes messages."))
    if match.forwarded_at is None:
        return StateConflict(_("The conversation opens once a trade counsellor forwards the match."))
    return StateConflict(
        _("This match is %(status)s: its conversation is closed to new messages.")
        % {"status": match.get_status_display()}
    )


@transaction.atomic
def post_message(*, match: Match, author, body, language=None, files=()) -> Message:
    """`author` writes `body` (required, at most 5,000 characters; its language guessed unless
    given) with up to `DEALS_ATTACHMENT_MAX_FILES` files on `match`'s conversation.

    Raises ValidationError (field errors: body, language, files) before anything is written,
    PermissionDenied for who may not write there, StateConflict when the match is not live."""
    errors = rules.FieldErrors()
    text = errors.check("body", _body, body)
    chosen = errors.check("language", _language, language, text or "", author)
    # Every file judged (images re-encoded) before the match is locked: nothing is kept of a
    # post that fails, and the lock is not held while the files are read.
    checked = []
    try:
        checked = attachments.check_files(files)
    except ValidationError as error:
        errors.merge(error)
    errors.raise_if_any()

    match = _locked(match)
    if not can_read_conversation(author, match) or conversation_role(author, match) is None:
        raise PermissionDenied(_("You may not write in this conversation."))
    if match.status not in POSTING_STATUSES:
        raise _refuse_status(match)
    message = Message.objects.create(match=match, author=author, body=text, language=chosen)
    attachments.store_files(checked, match=match, message=message, uploaded_by=author)
    if is_participant(author, match):
        # Writing answers what came before: the author has read up to their own message.
        _advance(match, author, message.pk)
    tasks.notify_new_messages.apply_async((match.pk,), countdown=notice_delay())
    return message


def _advance(match: Match, user, message_id: int) -> None:
    """Move `user`'s last read message forward to `message_id` (never back)."""
    state, _created = ConversationState.objects.get_or_create(match=match, user=user)
    ConversationState.objects.filter(pk=state.pk, last_read__lt=message_id).update(last_read=message_id)


@transaction.atomic
def mark_read(*, match: Match, user) -> int:
    """`user` has read `match`'s conversation up to its newest message; returns that message's
    id (0: none). Staff watching a conversation leave no trace (they are not in it)."""
    if not can_read_conversation(user, match):
        raise PermissionDenied(_("You may not read this conversation."))
    newest = newest_message_id(match)
    if newest and is_participant(user, match):
        _advance(match, user, newest)
    return newest
