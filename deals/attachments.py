"""Files on a message or a quote: judged by what they hold, not by their name, and kept private
(docs/design.md "Trust and media").

The checks are the portal's (portal/uploads.py): PDFs without active content, PNG, JPEG and
WebP images decoded in full and re-encoded without their metadata, and, on a message or a
quote only, plain UTF-8 text and CSV files named `.txt` or `.csv` (never markup). Everything
else is refused (Office files included: a zip is hard to vet; a PDF of it will do). Deals keep
their own limits: `DEALS_ATTACHMENT_MAX_BYTES` a file, `DEALS_ATTACHMENT_MAX_FILES` a call,
`DEALS_IMAGE_MAX_PIXELS` an image.

Every file of a call is checked before any is stored: a refused file leaves no row and no file.
A file is stored in the private store (portal/storage.py) under a random token
(`Attachment.file`), never under the name it came with, and served only by `deals:attachment`
to those who may read the match's conversation (deals/conversation_views.py).
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal import uploads
from portal.uploads import CheckedFile

from .models import Attachment, Message, Quote

NAME_LENGTH = Attachment._meta.get_field("name").max_length
TOKEN_BYTES = 24  # 32 URL-safe characters: the column's length
# What a message or a quote may carry.
KINDS = ("pdf", "image", "text")

__all__ = ["CheckedFile", "attach_files", "check_file", "check_files", "clean_name", "store_files"]


def max_bytes() -> int:
    return int(getattr(settings, "DEALS_ATTACHMENT_MAX_BYTES", uploads.default_max_bytes()))


def max_files() -> int:
    return int(getattr(settings, "DEALS_ATTACHMENT_MAX_FILES", 5))


def max_pixels() -> int:
    return int(getattr(settings, "DEALS_IMAGE_MAX_PIXELS", uploads.default_max_pixels()))


def upload_cap() -> int:
    """The largest multipart body a path taking attachments needs: every file at its largest,
    and room for the text and the form's framing."""
    return max_files() * max_bytes() + 1024 * 1024


def check_file(upload) -> CheckedFile:
    """`upload` (an uploaded file, or any file object with `name` and `read`) judged by its
    content, within the deals' limits; a ValidationError saying why it is refused."""
    checked = uploads.check_file(upload, kinds=KINDS, max_bytes=max_bytes(), max_pixels=max_pixels())
    return dataclasses.replace(checked, name=clean_name(getattr(upload, "name", ""), checked.content_type))


def clean_name(raw: str, content_type: str) -> str:
    """The name an attachment is offered under (portal.uploads.clean_name, at the column's
    length, "attachment" when it has none)."""
    return uploads.clean_name(raw, content_type, max_length=NAME_LENGTH, fallback="attachment")


# --- Many files, and storing them ------------------------------------------------------------


def as_files(files) -> list:
    if files is None:
        return []
    if isinstance(files, list | tuple):
        return list(files)
    return [files]


def check_files(files: Iterable, *, field: str = "files") -> list[CheckedFile]:
    """Every file judged (at most `DEALS_ATTACHMENT_MAX_FILES`); a ValidationError on `field`
    listing each refused one, and nothing stored."""
    files = as_files(files)
    if len(files) > max_files():
        raise ValidationError({field: [_("At most %(n)d files.") % {"n": max_files()}]})
    checked, problems = [], []
    for upload in files:
        try:
            checked.append(check_file(upload))
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError({field: problems})
    return checked


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def store_files(
    checked: Iterable[CheckedFile],
    *,
    match,
    uploaded_by,
    quote: Quote | None = None,
    message: Message | None = None,
) -> list[Attachment]:
    """Write files already checked: each to the storage under a random token, then its row.
    A failure part way removes what this call wrote."""
    if quote is not None and message is not None:
        raise ValueError("an attachment belongs to a quote or a message, not both")
    stored: list[Attachment] = []
    try:
        for item in checked:
            attachment = Attachment(
                match=match,
                quote=quote,
                message=message,
                uploaded_by=uploaded_by,
                token=new_token(),
                name=item.name,
                content_type=item.content_type,
                size=item.size,
            )
            attachment.file.save(attachment.token, item.content_file(), save=False)
            stored.append(attachment)
            attachment.save()
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored


def attach_files(*, match, files, uploaded_by, quote: Quote | None = None, message: Message | None = None):
    """Check `files` and store them on `quote` or `message` of `match` (for other services: a
    quote's documents). Raises ValidationError({"files": [...]}) before storing anything."""
    return store_files(check_files(files), match=match, uploaded_by=uploaded_by, quote=quote, message=message)


def delete_stored_file(sender, instance: Attachment, **kwargs) -> None:
    """An attachment's row deleted (its message or match with it): its file goes once the
    deletion commits (connected in deals/hooks.py)."""
    name = instance.file.name
    if name:
        storage = instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))
