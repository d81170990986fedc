"""Reads of the files on quotes and messages: the one a caller may fetch by its token, for the
page (`deals:attachment`) and the API (`/api/v1/attachments/{token}/`) alike."""

from __future__ import annotations

import re

from .models import Attachment
from .policies import can_read_attachment

# What `attachments.new_token` makes (URL-safe base64), with room to spare; anything else is
# no file, answered without a query.
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def readable_attachment(user, token) -> Attachment | None:
    """The attachment `token` names when `user` may fetch it (deals.policies.can_read_attachment);
    None for a malformed or unknown token and for a file the user may not read, alike."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    found = (
        Attachment.objects.select_related("match__producer", "match__buyer", "match__counsellor")
        .filter(token=token)
        .first()
    )
    if found is None or not can_read_attachment(user, found):
        return None
    return found
