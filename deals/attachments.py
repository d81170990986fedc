"""Files on a message or a quote: judged by what they hold, not by their name, and kept private
(DESIGN.md "Trust and media").

Accepted:
- PDF: starts with `%PDF-`; refused when it names active content anywhere, its object streams
  included (`/JavaScript`, `/JS`, `/Launch`, `/EmbeddedFile(s)`, `/RichMedia`; a name spelled
  with `#xx` escapes is read as the name it spells), or when an object stream cannot be read;
- PNG, JPEG and WebP images: opened and fully decoded by Pillow (a truncated or broken file is
  refused), at most `DEALS_IMAGE_MAX_PIXELS` pixels (Pillow's decompression-bomb guard is an
  error here, not a warning), then re-encoded from their pixels alone: EXIF (GPS, camera),
  XMP, ICC and text chunks are not carried over, the EXIF orientation applied first;
- plain text and CSV: named `.txt` or `.csv`, UTF-8 without NUL or control characters, and not
  markup (an SVG or HTML file renamed `.txt` is refused).
Everything else is refused (Office files included: a zip is hard to vet; a PDF of it will do).

Each file's size is checked against `DEALS_ATTACHMENT_MAX_BYTES` before it is read, and every
file of a call is checked before any is stored: a refused file leaves no row and no file. A
file is stored through the default storage under a random token (`Attachment.file`), never
under the name it came with, and served only by `deals:attachment` to those who may read the
match's conversation (deals/conversation_views.py).
"""

from __future__ import annotations

import io
import logging
import re
import secrets
import warnings
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from portal.validation import single_line

from .models import Attachment, Message, Quote

try:  # Pillow: required for images; without it images are refused, the rest still works.
    from PIL import Image, ImageFile, ImageOps
except ImportError:  # pragma: no cover - the requirements install it
    Image = ImageFile = ImageOps = None

logger = logging.getLogger(__name__)

NAME_LENGTH = Attachment._meta.get_field("name").max_length
TOKEN_BYTES = 24  # 32 URL-safe characters: the column's length

PDF = "application/pdf"
PNG, JPEG, WEBP = "image/png", "image/jpeg", "image/webp"
TEXT, CSV = "text/plain; charset=utf-8", "text/csv; charset=utf-8"
IMAGE_FORMATS = {PNG: "PNG", JPEG: "JPEG", WEBP: "WEBP"}
# The extensions a stored name may end with for each type (the first is added when it has none).
EXTENSIONS = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    WEBP: (".webp",),
    TEXT: (".txt",),
    CSV: (".csv",),
}


def max_bytes() -> int:
    return int(getattr(settings, "DEALS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def max_files() -> int:
    return int(getattr(settings, "DEALS_ATTACHMENT_MAX_FILES", 5))


def max_pixels() -> int:
    return int(getattr(settings, "DEALS_IMAGE_MAX_PIXELS", 40_000_000))


def upload_cap() -> int:
    """The largest multipart body a path taking attachments needs: every file at its largest,
    and room for the text and the form's framing."""
    return max_files() * max_bytes() + 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed: what will be stored (an image re-encoded), its type and clean name."""

    name: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


# --- One file -------------------------------------------------------------------------------


def _refuse(message: str, name: str) -> ValidationError:
    return ValidationError(_("“%(name)s”: %(problem)s") % {"name": name, "problem": message})


def _shown_name(upload) -> str:
    name = single_line(getattr(upload, "name", "") or "")
    name = re.split(r"[/\\]", name)[-1]
    return (name[:60] + "…") if len(name) > 60 else (name or _("the file"))


def _read(upload, name: str) -> bytes:
    """The file's bytes, its declared size checked first; never more than the cap read."""
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise _refuse(_too_large(limit), name)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if not isinstance(data, bytes):
        raise _refuse(_("This is not a file."), name)
    if len(data) > limit:
        raise _refuse(_too_large(limit), name)
    if not data:
        raise _refuse(_("The file is empty."), name)
    return data


def _too_large(limit: int) -> str:
    megabytes = limit / (1024 * 1024)
    return _("The file is too large (at most %(size)s MB).") % {"size": f"{megabytes:g}"}


def _not_accepted() -> str:
    return _(
        "This type of file is not accepted. Send a PDF, a PNG, JPEG or WebP image, "
        "or a plain text (.txt) or CSV file."
    )


def check_file(upload) -> CheckedFile:
    """`upload` (an uploaded file, or any file object with `name` and `read`) judged by its
    content; a ValidationError saying why it is refused."""
    shown = _shown_name(upload)
    data = _read(upload, shown)
    content_type = _sniff(data, getattr(upload, "name", "") or "")
    if content_type is None:
        raise _refuse(_not_accepted(), shown)
    if content_type == PDF:
        problem = _pdf_problem(data)
        if problem:
            raise _refuse(problem, shown)
    elif content_type in IMAGE_FORMATS:
        data = _clean_image(data, IMAGE_FORMATS[content_type], shown)
    else:
        problem = _text_problem(data)
        if problem:
            raise _refuse(problem, shown)
    return CheckedFile(
        name=clean_name(getattr(upload, "name", ""), content_type), content_type=content_type, data=data
    )


def _sniff(data: bytes, name: str) -> str | None:
    """The type the content says (text: the name's extension says which of the two)."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    extension = _extension(name)
    if extension == ".txt":
        return TEXT
    if extension == ".csv":
        return CSV
    return None


def _extension(name: str) -> str:
    name = single_line(name).lower()
    return name[name.rfind(".") :] if "." in name else ""


# --- PDF ------------------------------------------------------------------------------------

# Names that make a PDF act (run a script, start a program, carry another file).
ACTIVE_NAMES = frozenset({b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia"})
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n")
# An object stream's dictionary holds /Type /ObjStm (names escaped or not), before "stream".
_OBJSTM = re.compile(rb"/(?:Type|#54#79#70#65)\s*/(?:ObjStm|#4F#62#6A#53#74#6D)", re.I)
# Object streams decompressed to look inside, in all: beyond this the file is refused.
PDF_EXPANSION_LIMIT = 64 * 1024 * 1024


def _active_name(data: bytes) -> bytes | None:
    for match in _NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        if name in ACTIVE_NAMES:
            return name
    return None


def _object_streams(data: bytes):
    """The raw bytes of each object stream (its dictionary says /Type /ObjStm)."""
    for match in _STREAM.finditer(data):
        start = match.end()
        head = data[max(0, match.start() - 2048) : match.start()]
        head = head[head.rfind(b"obj") :] if b"obj" in head else head
        if not _OBJSTM.search(head):
            continue
        end = data.find(b"endstream", start)
        yield data[start : end if end != -1 else len(data)]


def _pdf_problem(data: bytes) -> str | None:
    """Why the PDF is refused, or None."""
    refused = _("The PDF holds active content (scripts, launched programs or embedded files).")
    if _active_name(data):
        return refused
    budget = PDF_EXPANSION_LIMIT
    for raw in _object_streams(data):
        inflater = zlib.decompressobj()
        try:
            expanded = inflater.decompress(raw, budget + 1)
        except zlib.error:
            return _("The PDF could not be checked (an unreadable or encrypted object stream).")
        budget -= len(expanded)
        if budget < 0 or inflater.unconsumed_tail:
            return _("The PDF could not be checked (it expands beyond what the portal reads).")
        if _active_name(expanded):
            return refused
    return None


# --- Images ---------------------------------------------------------------------------------


def _clean_image(data: bytes, image_format: str, shown: str) -> bytes:
    """The image decoded in full and encoded again from its pixels alone (no metadata)."""
    if Image is None:
        logger.error("Pillow is not installed: images are refused")
        raise _refuse(_("Images cannot be accepted at the moment."), shown)
    broken = _("The image is damaged or incomplete.")
    bomb = _("The image is too large (at most %(n)s million pixels).") % {
        "n": f"{max_pixels() / 1_000_000:g}"
    }
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # a truncated image must fail, whoever set this
        raise _refuse(broken, shown)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[image_format]) as probe:
                width, height = probe.size
                if width * height > max_pixels():
                    raise _refuse(bomb, shown)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[image_format]) as image:
                image.load()
                return _encode(image, image_format)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(bomb, shown) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, MemoryError, Exception):
        # Pillow's decoders raise many kinds for a hostile file: each is a refusal, not a 500.
        raise _refuse(broken, shown) from None


def _encode(image, image_format: str) -> bytes:
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image_format == "JPEG":
        mode = "L" if image.mode in ("1", "L") else "RGB"
    elif image.mode in ("L", "RGB") or (image.mode in ("LA", "RGBA") and image_format == "PNG"):
        mode = image.mode
    else:
        mode = "RGBA" if has_alpha else "RGB"
    pixels = image.convert(mode) if image.mode != mode else image
    # A new image from the pixels alone: nothing of the original's `info` comes along.
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if image_format == "JPEG":
        clean.save(out, "JPEG", quality=90, optimize=True)
    elif image_format == "WEBP":
        clean.save(out, "WEBP", quality=90, method=4)
    else:
        clean.save(out, "PNG", optimize=False)
    return out.getvalue()


# --- Text -----------------------------------------------------------------------------------

_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _text_problem(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _("A text or CSV file must be plain UTF-8 text.")
    if _TEXT_CONTROLS.search(text):
        return _("A text or CSV file must be plain UTF-8 text.")
    if text.lstrip()[:1] == "<":
        return _("Markup (HTML, SVG, XML) is not accepted as a text file.")
    return None


# --- Names ----------------------------------------------------------------------------------


def clean_name(raw: str, content_type: str) -> str:
    """The name a file is offered under: its last path part, on one line, without leading dots,
    at most the column's length, ending with an extension of its real type (one is added when
    the name claims another: "invoice.pdf" holding a PNG becomes "invoice.pdf.png")."""
    name = re.split(r"[/\\]", single_line(raw or ""))[-1]
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    extensions = EXTENSIONS[content_type]
    if not name.lower().endswith(extensions):
        name = f"{name or 'attachment'}{extensions[0]}"
    if len(name) > NAME_LENGTH:
        extension = name[name.rfind(".") :]
        name = name[: NAME_LENGTH - len(extension)].rstrip() + extension
    return name


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
            attachment.file.save(attachment.token, ContentFile(item.data), save=False)
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
