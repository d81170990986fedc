"""The conversation's pages: a match's thread (/matches/<pk>/conversation/), the "Messages"
list of one's conversations (/messages/), the files (/deals/attachments/<token>/), and the
conversation's box on the match page (registered in deals/hooks.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.companies import acts_for
from accounts.forms import add_service_errors
from matchmaking.models import Match
from matchmaking.policies import matches_visible_to
from portal.exceptions import StateConflict
from portal.storage import serve_private

from . import conversations
from .attachment_selectors import readable_attachment
from .authors import author_name, author_role, role_label
from .conversation_forms import MessageForm
from .conversation_selectors import conversation_list, conversation_messages, last_read, unread_count
from .policies import (
    POSTING_STATUSES,
    can_post_message,
    can_read_conversation,
    counts_unread,
    has_conversation,
    is_participant,
    sees_messages_page,
)

MESSAGES_PER_PAGE = 50
CONVERSATIONS_PER_PAGE = 20


def _match(request: HttpRequest, pk: int) -> Match:
    """A match `request.user` may open that has a conversation (forwarded or later)."""
    queryset = Match.objects.select_related("producer__owner", "buyer__owner", "counsellor")
    match = matches_visible_to(request.user, queryset).filter(pk=pk).first()
    if match is None or not has_conversation(match):
        raise Http404(_("No such conversation."))
    return match


def _closed_note(match: Match) -> str:
    """Why a match's conversation takes no messages ("" when it does)."""
    if match.status in POSTING_STATUSES:
        return ""
    return _("This match was declined: its conversation is kept, but closed to new messages.")


def _shown(items, match: Match, user, read_up_to: int) -> list:
    """The page's messages, each with its author's name and part, and whether it is new."""
    first_new = True
    for message in items:
        message.author_name = author_name(message, match)
        message.author_role = author_role(message, match)
        message.role_label = role_label(message.author_role)
        message.mine = message.author_id == user.pk
        message.is_new = not message.mine and message.pk > read_up_to
        message.first_new = message.is_new and first_new
        if message.is_new:
            first_new = False
    return items


@login_required
@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    """The thread, oldest first (the latest page shown first), the form to write; opening it
    marks it read."""
    match = _match(request, pk)
    url = reverse("deals:conversation", args=[match.pk])
    form = MessageForm()
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                message = conversations.post_message(
                    match=match,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["files"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except StateConflict as conflict:
                messages.error(request, conflict.message)
                return redirect(url)
            else:
                return redirect(f"{url}#message-{message.pk}")
        messages.error(request, _("The message was not sent; see below."))

    read_up_to = last_read(request.user, match)
    conversations.mark_read(match=match, user=request.user)
    paginator = Paginator(conversation_messages(match), MESSAGES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page") or paginator.num_pages)
    context = {
        "match": match,
        "page": page,
        "items": _shown(list(page.object_list), match, request.user, read_up_to),
        "form": form,
        "can_post": can_post_message(request.user, match),
        "closed_note": _closed_note(match),
        "watching": not is_participant(request.user, match),
    }
    return render(request, "deals/conversation/thread.html", context)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """One's conversations, the latest message first, with the unread counts."""
    if not sees_messages_page(request.user):
        raise PermissionDenied(_("This page is for producers, buyers and trade counsellors."))
    page = Paginator(conversation_list(request.user), CONVERSATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for match in page.object_list:
        match.other_name = _other_name(request.user, match)
    context = {"page": page, "counts_unread": counts_unread(request.user)}
    return render(request, "deals/conversation/inbox.html", context)


def _other_name(user, match: Match) -> str:
    """Whom the conversation is with, for `user`: the other company, or both for the rest."""
    if user.is_producer and acts_for(user, match.producer):
        return match.buyer.company_name
    if user.is_buyer and acts_for(user, match.buyer):
        return match.producer.name
    return ""


@login_required
@require_GET
def attachment(request: HttpRequest, token: str) -> FileResponse:
    """A file of a message or a quote, to those who may read the message's conversation or see
    the quote (`can_read_attachment`; 404 for anyone else): always a download, under its cleaned original name, never sniffed or cached
    by a shared cache."""
    found = readable_attachment(request.user, token)
    if found is None:
        raise Http404(_("No such file."))
    # Always a download (portal/storage.py): private, never sniffed, never allowed to run.
    return serve_private(found.file, filename=found.name, content_type=found.content_type)


# --- The match page's box -------------------------------------------------------------------


def match_page_section(request: HttpRequest, match: Match) -> dict | None:
    """The conversation's box on the match page: how many messages, how many unread, the last
    one, and the link; nothing before the forward."""
    user = request.user
    if not has_conversation(match) or not can_read_conversation(user, match):
        return None
    thread = conversation_messages(match)
    last = thread.order_by("-created_at", "-id").first()
    if last is not None:
        last.author_name = author_name(last, match)
        last.role_label = role_label(author_role(last, match))
    return {
        "url": reverse("deals:conversation", args=[match.pk]),
        "count": thread.count() if last is not None else 0,
        "unread": unread_count(user, match),
        "last": last,
        "can_post": can_post_message(user, match),
        "closed_note": _closed_note(match),
    }
