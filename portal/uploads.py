"""TEMPORARY SHIM (issue 17, helper "verify"): the interface of media-core's `portal.uploads`
(COMMON17.md "Uploads"), enough for verification evidence. The lead replaces this module with
media-core's; nothing here is meant to stay. The checks follow deals/attachments.py (which
portal may not import: it sits above).
"""

from __future__ import annotations

import io
import re
import warnings
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps

from portal.validation import single_line

PDF = "application/pdf"
IMAGE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}
EXTENSIONS = {PDF: ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class CheckedImage(CheckedFile):
    width: int = 0
    height: int = 0

    def thumbnail(self, max_side: int) -> CheckedImage:
        with Image.open(io.BytesIO(self.data)) as image:
            image.load()
            image.thumbnail((max_side, max_side))
            out = io.BytesIO()
            image.save(out, IMAGE_FORMATS[self.content_type])
            return CheckedImage(self.name, self.content_type, out.getvalue(), image.width, image.height)


def _default_max_bytes() -> int:
    return int(getattr(settings, "DEALS_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def _max_pixels() -> int:
    return int(getattr(settings, "DEALS_IMAGE_MAX_PIXELS", 40_000_000))


def _shown(upload) -> str:
    name = re.split(r"[/\\]", single_line(getattr(upload, "name", "") or ""))[-1]
    return (name[:60] + "…") if len(name) > 60 else (name or _("the file"))


def _refuse(message: str, shown: str) -> ValidationError:
    return ValidationError(_("“%(name)s”: %(problem)s") % {"name": shown, "problem": message})


def _read(upload, limit: int, shown: str) -> bytes:
    too_large = _("The file is too large (at most %(size)s MB).") % {"size": f"{limit / (1024 * 1024):g}"}
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise _refuse(too_large, shown)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if not isinstance(data, bytes):
        raise _refuse(_("This is not a file."), shown)
    if len(data) > limit:
        raise _refuse(too_large, shown)
    if not data:
        raise _refuse(_("The file is empty."), shown)
    return data


def _name(upload, content_type: str) -> str:
    name = re.split(r"[/\\]", single_line(getattr(upload, "name", "") or ""))[-1].strip().lstrip(".")
    extension = EXTENSIONS[content_type]
    if not name.lower().endswith(extension):
        name = f"{name or 'file'}{extension}"
    return name[-150:]


_ACTIVE = frozenset({b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia"})
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _active(data: bytes) -> bool:
    for match in _NAME.finditer(data):
        name = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        if name in _ACTIVE:
            return True
    return False


def _pdf_problem(data: bytes) -> str | None:
    refused = _("The PDF holds active content (scripts, launched programs or embedded files).")
    if _active(data):
        return refused
    budget = 64 * 1024 * 1024
    for match in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", match.end())
        raw = data[match.end() : end if end != -1 else len(data)]
        inflater = zlib.decompressobj()
        try:
            expanded = inflater.decompress(raw, budget + 1)
        except zlib.error:
            continue  # not a deflated stream
        budget -= len(expanded)
        if budget < 0:
            return _("The PDF could not be checked (it expands beyond what the portal reads).")
        if _active(expanded):
            return refused
    return None


def check_pdf(upload, *, max_bytes: int | None = None) -> CheckedFile:
    shown = _shown(upload)
    data = _read(upload, max_bytes or _default_max_bytes(), shown)
    if not data.startswith(b"%PDF-"):
        raise _refuse(_("This is not a PDF."), shown)
    problem = _pdf_problem(data)
    if problem:
        raise _refuse(problem, shown)
    return CheckedFile(name=_name(upload, PDF), content_type=PDF, data=data)


def _image_type(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _decode(data: bytes, content_type: str, shown: str) -> CheckedImage:
    image_format = IMAGE_FORMATS[content_type]
    broken = _("The image is damaged or incomplete.")
    bomb = _("The image is too large (at most %(n)s million pixels).") % {
        "n": f"{_max_pixels() / 1_000_000:g}"
    }
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise _refuse(broken, shown)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[image_format]) as probe:
                if probe.size[0] * probe.size[1] > _max_pixels():
                    raise _refuse(bomb, shown)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[image_format]) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                mode = "RGB" if image_format == "JPEG" else ("RGBA" if "A" in image.mode else "RGB")
                pixels = image.convert(mode)
                clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
                out = io.BytesIO()
                clean.save(out, image_format)
                return CheckedImage("", content_type, out.getvalue(), clean.width, clean.height)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(bomb, shown) from None
    except Exception:  # a hostile file raises many kinds: each a refusal, not a 500
        raise _refuse(broken, shown) from None


def check_image(upload, *, max_bytes: int | None = None) -> CheckedImage:
    shown = _shown(upload)
    data = _read(upload, max_bytes or _default_max_bytes(), shown)
    content_type = _image_type(data)
    if content_type is None:
        raise _refuse(_("This is not a PNG, JPEG or WebP image."), shown)
    image = _decode(data, content_type, shown)
    return CheckedImage(_name(upload, content_type), content_type, image.data, image.width, image.height)


def check_file(upload, *, kinds=("pdf", "image"), max_bytes: int | None = None) -> CheckedFile:
    shown = _shown(upload)
    data = _read(upload, max_bytes or _default_max_bytes(), shown)
    if "pdf" in kinds and data.startswith(b"%PDF-"):
        return check_pdf(upload, max_bytes=max_bytes)
    if "image" in kinds and _image_type(data):
        return check_image(upload, max_bytes=max_bytes)
    raise _refuse(_("This type of file is not accepted. Send a PDF or a PNG, JPEG or WebP image."), shown)
