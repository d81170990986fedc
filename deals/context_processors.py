"""The "Messages" link of the navigation and its unread badge, on every page."""

from __future__ import annotations

from functools import cached_property

from .conversation_selectors import unread_total
from .policies import counts_unread, sees_messages_page


class ConversationsNav:
    """`shown`: whether the link is there (no query); `unread`: the badge's count, asked of the
    database once, and only when a template reads it."""

    def __init__(self, user) -> None:
        self.user = user

    @cached_property
    def shown(self) -> bool:
        return sees_messages_page(self.user)

    @cached_property
    def unread(self) -> int:
        return unread_total(self.user) if counts_unread(self.user) else 0


def conversations(request) -> dict:
    user = getattr(request, "user", None)
    return {"conversations_nav": ConversationsNav(user)}
