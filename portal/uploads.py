"""Uploaded files judged by what they hold, not by their name or declared type (docs/design.md "Trust
and media"): every upload of the portal (logos, product photos, catalogues, certificates,
verification evidence, deal attachments) passes here before anything is stored.

- `check_image(upload)`: a PNG, JPEG or WebP image, opened and fully decoded by Pillow (a
  truncated or broken file is refused), at most `UPLOAD_IMAGE_MAX_PIXELS` pixels (Pillow's
  decompression-bomb guard is an error here, not a warning), its EXIF orientation applied,
  then encoded again from its pixels alone: EXIF (GPS, camera), XMP, ICC (the colours are
  converted to sRGB first) and text chunks are not carried over. An SVG, HTML, GIF, HEIC or
  anything else is not an accepted image, whatever it is named.
- `check_pdf(upload)`: starts with `%PDF-` and ends with `%%EOF`; refused when it names active
  content anywhere, its object streams included (`/JavaScript`, `/JS`, `/Launch`,
  `/EmbeddedFile(s)`, `/RichMedia`, `/XFA`; a name spelled with `#xx` escapes is read as the
  name it spells), or when an object stream cannot be read.
- `check_file(upload, kinds=...)`: whichever of the kinds ("pdf", "image", "text") the content
  is; "text" is plain UTF-8 named `.txt` or `.csv`, never markup.

The size is checked against `max_bytes` (default `UPLOAD_MAX_BYTES`, 10 MB) before the file is
read (its declared size), and no more than the cap plus one byte is ever read. Each refusal is
a `ValidationError` naming the file and why, translated.

Thumbnails (`CheckedImage.thumbnail(max_side)`) are encoded as WebP: a third smaller than a
JPEG of the same quality, it keeps a logo's transparency (JPEG cannot), and every browser the
portal supports shows it. Without WebP in Pillow they fall back to JPEG (PNG with alpha).
`THUMBNAIL_SIDES` are the two sizes a page's `srcset` offers.

Why our own small pipeline rather than sorl-thumbnail or django-imagekit: both make thumbnails
lazily, when a template first asks, keyed by the source's name in a cache or a table of their
own, and check the store for each on render (a HEAD request per image on S3). The portal needs
the opposite: two fixed sizes made once, at upload, from an image already decoded and
cleaned here, stored under random names beside the original, with no state of their own. That
is thirty lines of Pillow, which the portal pins anyway.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
import warnings
import zlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from portal.validation import single_line

try:  # Pillow: required for images; without it images are refused, the rest still works.
    from PIL import Image, ImageCms, ImageFile, ImageOps, features
except ImportError:  # pragma: no cover - the requirements install it
    Image = ImageCms = ImageFile = ImageOps = features = None

logger = logging.getLogger(__name__)

PDF = "application/pdf"
PNG, JPEG, WEBP = "image/png", "image/jpeg", "image/webp"
TEXT, CSV = "text/plain; charset=utf-8", "text/csv; charset=utf-8"
IMAGE_FORMATS = {PNG: "PNG", JPEG: "JPEG", WEBP: "WEBP"}
# The extensions a name may end with for each type (the first is added when it has none).
EXTENSIONS = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    WEBP: (".webp",),
    TEXT: (".txt",),
    CSV: (".csv",),
}
KINDS = {"pdf": (PDF,), "image": tuple(IMAGE_FORMATS), "text": (TEXT, CSV)}
# The widths (and heights) of the thumbnails a page offers in its srcset.
THUMBNAIL_SIDES = (320, 960)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
NAME_LENGTH = 150


def default_max_bytes() -> int:
    """The largest upload, in bytes (`UPLOAD_MAX_BYTES`)."""
    return int(getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def default_max_pixels() -> int:
    """The most pixels an image may have (`UPLOAD_IMAGE_MAX_PIXELS`)."""
    return int(getattr(settings, "UPLOAD_IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS))


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed: what will be stored (an image re-encoded), its type and clean name."""

    name: str
    content_type: str
    data: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def extension(self) -> str:
        """The extension of its real type (".pdf", ".jpg", ".webp"...)."""
        return EXTENSIONS[self.content_type][0]

    def content_file(self) -> ContentFile:
        """Its bytes as a file to hand to a storage (S3 stores the content type with it)."""
        content = ContentFile(self.data, name=self.name)
        content.content_type = self.content_type.split(";")[0]
        return content


@dataclass(frozen=True)
class CheckedImage(CheckedFile):
    """An image that passed, re-encoded without metadata, and its size in pixels."""

    width: int = 0
    height: int = 0

    def thumbnail(self, max_side: int) -> CheckedImage:
        """A copy at most `max_side` pixels wide and high (never enlarged), encoded again (WebP)."""
        if max_side < 1:
            raise ValueError("max_side must be positive")
        with Image.open(io.BytesIO(self.data), formats=[IMAGE_FORMATS[self.content_type]]) as image:
            if image.format == "JPEG":
                image.draft("RGB", (max_side, max_side))  # decode at a fraction: faster, as good
            image.load()
            copy = image.copy()
        copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
        content_type, data = _encode_thumbnail(copy)
        stem = self.name.rsplit(".", 1)[0] if "." in self.name else self.name
        return CheckedImage(
            name=f"{stem}-{max_side}{EXTENSIONS[content_type][0]}",
            content_type=content_type,
            data=data,
            width=copy.width,
            height=copy.height,
        )

    def thumbnails(self, sides=THUMBNAIL_SIDES) -> dict[int, CheckedImage]:
        """A thumbnail for each of `sides`, by side."""
        return {side: self.thumbnail(side) for side in sides}


def random_name(checked: CheckedFile, *, folder: str = "") -> str:
    """A name to store `checked` under: a random token (never the uploaded name) with the
    extension of its real type, in `folder`."""
    name = secrets.token_urlsafe(24) + checked.extension
    return f"{folder.strip('/')}/{name}" if folder.strip("/") else name


# --- The checks -----------------------------------------------------------------------------


def check_image(upload, *, max_bytes: int | None = None, max_pixels: int | None = None) -> CheckedImage:
    """`upload` (an uploaded file, or any file object with `name` and `read`) if it is a PNG,
    JPEG or WebP image, re-encoded without metadata; else a ValidationError saying why."""
    return check_file(upload, kinds=("image",), max_bytes=max_bytes, max_pixels=max_pixels)


def check_pdf(upload, *, max_bytes: int | None = None) -> CheckedFile:
    """`upload` if it is a PDF without active content; else a ValidationError saying why."""
    return check_file(upload, kinds=("pdf",), max_bytes=max_bytes)


def check_file(
    upload,
    *,
    kinds=("pdf", "image"),
    max_bytes: int | None = None,
    max_pixels: int | None = None,
) -> CheckedFile:
    """`upload` judged by its content as one of `kinds` ("pdf", "image", "text"): a
    CheckedFile (a CheckedImage for an image), or a ValidationError saying why it is refused."""
    unknown = set(kinds) - set(KINDS)
    if unknown or not kinds:
        raise ValueError(f"unknown kinds of file: {sorted(unknown) or 'none'}")
    shown = _shown_name(upload)
    data = _read(upload, shown, max_bytes if max_bytes is not None else default_max_bytes())
    content_type = _sniff(data, getattr(upload, "name", "") or "")
    if content_type is None or not any(content_type in KINDS[kind] for kind in kinds):
        raise _refuse(_not_accepted(kinds), shown)
    name = clean_name(getattr(upload, "name", ""), content_type)
    if content_type == PDF:
        problem = _pdf_problem(data)
        if problem:
            raise _refuse(problem, shown)
        return CheckedFile(name=name, content_type=content_type, data=data)
    if content_type in IMAGE_FORMATS:
        pixels = max_pixels if max_pixels is not None else default_max_pixels()
        data, width, height = _clean_image(data, IMAGE_FORMATS[content_type], shown, pixels)
        return CheckedImage(name=name, content_type=content_type, data=data, width=width, height=height)
    problem = _text_problem(data)
    if problem:
        raise _refuse(problem, shown)
    return CheckedFile(name=name, content_type=content_type, data=data)


def _refuse(message: str, name: str) -> ValidationError:
    return ValidationError(_("“%(name)s”: %(problem)s") % {"name": name, "problem": message})


def _shown_name(upload) -> str:
    name = single_line(getattr(upload, "name", "") or "")
    name = re.split(r"[/\\]", name)[-1]
    return (name[:60] + "…") if len(name) > 60 else (name or _("the file"))


def _read(upload, name: str, limit: int) -> bytes:
    """The file's bytes, its declared size checked first; never more than the cap read."""
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise _refuse(_too_large(limit), name)
    if not callable(getattr(upload, "read", None)):
        raise _refuse(_("This is not a file."), name)
    if callable(getattr(upload, "seek", None)):
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


def _not_accepted(kinds) -> str:
    kinds = set(kinds)
    if kinds == {"image"}:
        return _("This is not an accepted image. Send a PNG, JPEG or WebP image.")
    if kinds == {"pdf"}:
        return _("This is not a PDF file. Send a PDF.")
    if "text" in kinds:
        return _(
            "This type of file is not accepted. Send a PDF, a PNG, JPEG or WebP image, "
            "or a plain text (.txt) or CSV file."
        )
    return _("This type of file is not accepted. Send a PDF or a PNG, JPEG or WebP image.")


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

# Names that make a PDF act (run a script, start a program, carry another file, an XFA form's
# scripts).
ACTIVE_NAMES = frozenset(
    {b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia", b"XFA"}
)
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n")
# An object stream's dictionary holds /Type /ObjStm (names escaped or not), before "stream".
_OBJSTM = re.compile(rb"/(?:Type|#54#79#70#65)\s*/(?:ObjStm|#4F#62#6A#53#74#6D)", re.I)
# Object streams decompressed to look inside, in all: beyond this the file is refused.
PDF_EXPANSION_LIMIT = 64 * 1024 * 1024
# A PDF ends with %%EOF within its last kilobyte (what readers accept after it).
PDF_TRAILER_WINDOW = 1024


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
    if b"%%EOF" not in data[-PDF_TRAILER_WINDOW:]:
        return _("The PDF is damaged or incomplete.")
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


def _clean_image(data: bytes, image_format: str, shown: str, pixel_cap: int) -> tuple[bytes, int, int]:
    """The image decoded in full and encoded again from its pixels alone (no metadata), with
    its width and height."""
    if Image is None:
        logger.error("Pillow is not installed: images are refused")
        raise _refuse(_("Images cannot be accepted at the moment."), shown)
    broken = _("The image is damaged or incomplete.")
    bomb = _("The image is too large (at most %(n)s million pixels).") % {"n": f"{pixel_cap / 1_000_000:g}"}
    if ImageFile.LOAD_TRUNCATED_IMAGES:  # a truncated image must fail, whoever set this
        raise _refuse(broken, shown)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[image_format]) as probe:
                width, height = probe.size
                if width * height > pixel_cap:
                    raise _refuse(bomb, shown)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[image_format]) as image:
                image.load()
                clean = _clean_pixels(image)
                return _encode(clean, image_format), clean.width, clean.height
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(bomb, shown) from None
    except Exception:
        # Pillow's decoders raise many kinds for a hostile file (OSError, SyntaxError,
        # ValueError, EOFError, IndexError, struct.error...): each is a refusal, not a 500.
        raise _refuse(broken, shown) from None


def _clean_pixels(image):
    """A new image from `image`'s pixels alone, upright and in sRGB: nothing of its `info`
    (EXIF, XMP, ICC, text) comes along."""
    image = ImageOps.exif_transpose(image)
    image = _to_srgb(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image.mode in ("1", "L", "RGB", "RGBA", "LA"):
        mode = "L" if image.mode == "1" else image.mode
    elif image.mode.startswith("I"):  # 16/32-bit grey: scaled to 8 bits
        image = image.convert("I").point(lambda value: value / 256).convert("L")
        mode = "L"
    else:
        mode = "RGBA" if has_alpha else "RGB"
    pixels = image.convert(mode) if image.mode != mode else image
    return Image.frombytes(mode, pixels.size, pixels.tobytes())


def _to_srgb(image):
    """`image` with its embedded colour profile applied (then dropped with the rest)."""
    icc = image.info.get("icc_profile")
    if not icc or ImageCms is None or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, target, outputMode=mode)
    except Exception:  # a broken profile: the pixels as they are
        return image


def _encode(clean, image_format: str) -> bytes:
    out = io.BytesIO()
    if image_format == "JPEG":
        if clean.mode not in ("L", "RGB"):
            clean = clean.convert("L" if clean.mode == "LA" else "RGB")
        clean.save(out, "JPEG", quality=90, optimize=True)
    elif image_format == "WEBP":
        if clean.mode not in ("RGB", "RGBA"):
            clean = clean.convert("RGBA" if clean.mode == "LA" else "RGB")
        clean.save(out, "WEBP", quality=90, method=4)
    else:
        clean.save(out, "PNG")
    return out.getvalue()


def _encode_thumbnail(image) -> tuple[str, bytes]:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    out = io.BytesIO()
    if features is not None and features.check("webp"):
        image.convert("RGBA" if has_alpha else "RGB").save(out, "WEBP", quality=80, method=4)
        return WEBP, out.getvalue()
    if has_alpha:  # pragma: no cover - Pillow's wheels have WebP
        image.convert("RGBA").save(out, "PNG", optimize=True)
        return PNG, out.getvalue()
    image.convert("RGB").save(out, "JPEG", quality=82, optimize=True)  # pragma: no cover
    return JPEG, out.getvalue()  # pragma: no cover


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


def clean_name(raw: str, content_type: str, *, max_length: int = NAME_LENGTH, fallback: str = "file") -> str:
    """The name a file is offered under: its last path part, on one line, without leading dots,
    at most `max_length` long, ending with an extension of its real type (one is added when
    the name claims another: "invoice.pdf" holding a PNG becomes "invoice.pdf.png")."""
    name = re.split(r"[/\\]", single_line(raw or ""))[-1]
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    extensions = EXTENSIONS[content_type]
    if not name.lower().endswith(extensions):
        name = f"{name or fallback}{extensions[0]}"
    if len(name) > max_length:
        extension = name[name.rfind(".") :]
        name = name[: max_length - len(extension)].rstrip() + extension
    return name
