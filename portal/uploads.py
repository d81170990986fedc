"""SHIM until media-core's portal.uploads lands (the lead takes media-core's version).

Files judged by their content: `check_image` (PNG/JPEG/WebP fully decoded by Pillow, a pixel
cap, decompression bombs refused, EXIF orientation applied, re-encoded without metadata) and
`check_pdf` (a real PDF without active content). A refusal is a translated ValidationError.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps

PDF = "application/pdf"
PNG, JPEG, WEBP = "image/png", "image/jpeg", "image/webp"
IMAGE_FORMATS = {PNG: "PNG", JPEG: "JPEG", WEBP: "WEBP"}
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", WEBP: ".webp"}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
ACTIVE_NAMES = frozenset({b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia"})
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


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
        """A copy at most `max_side` pixels on its longer side (this image if already so)."""
        if max(self.width, self.height) <= max_side:
            return self
        image_format = IMAGE_FORMATS[self.content_type]
        with Image.open(io.BytesIO(self.data), formats=[image_format]) as image:
            image.load()
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            return CheckedImage(
                name=self.name,
                content_type=self.content_type,
                data=_encode(image, image_format),
                width=image.width,
                height=image.height,
            )


def _max_pixels() -> int:
    return int(getattr(settings, "DEALS_IMAGE_MAX_PIXELS", 40_000_000))


def _read(upload, max_bytes: int | None) -> bytes:
    limit = max_bytes or DEFAULT_MAX_BYTES
    too_large = _("The file is too large (at most %(size)s MB).") % {"size": f"{limit / (1024 * 1024):g}"}
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise ValidationError(too_large)
    if not hasattr(upload, "read"):
        raise ValidationError(_("This is not a file."))
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if not isinstance(data, bytes):
        raise ValidationError(_("This is not a file."))
    if len(data) > limit:
        raise ValidationError(too_large)
    if not data:
        raise ValidationError(_("The file is empty."))
    return data


def _sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


def check_image(upload, *, max_bytes: int | None = None) -> CheckedImage:
    data = _read(upload, max_bytes)
    content_type = _sniff_image(data)
    if content_type is None:
        raise ValidationError(_("This is not an image. Send a PNG, JPEG or WebP picture."))
    image_format = IMAGE_FORMATS[content_type]
    broken = _("The image is damaged or incomplete.")
    bomb = _("The image is too large (at most %(n)s million pixels).") % {
        "n": f"{_max_pixels() / 1_000_000:g}"
    }
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise ValidationError(broken)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[image_format]) as probe:
                if probe.size[0] * probe.size[1] > _max_pixels():
                    raise ValidationError(bomb)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[image_format]) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                clean = _encode(image, image_format)
                width, height = image.size
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(bomb) from None
    except Exception:  # Pillow raises many kinds for a hostile file: each is a refusal
        raise ValidationError(broken) from None
    return CheckedImage(
        name=f"image{EXTENSIONS[content_type]}",
        content_type=content_type,
        data=clean,
        width=width,
        height=height,
    )


def _encode(image, image_format: str) -> bytes:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if image_format == "JPEG":
        mode = "L" if image.mode in ("1", "L") else "RGB"
    elif image.mode in ("L", "RGB") or (image.mode in ("LA", "RGBA") and image_format == "PNG"):
        mode = image.mode
    else:
        mode = "RGBA" if has_alpha else "RGB"
    pixels = image.convert(mode) if image.mode != mode else image
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if image_format == "JPEG":
        clean.save(out, "JPEG", quality=85, optimize=True)
    elif image_format == "WEBP":
        clean.save(out, "WEBP", quality=85, method=4)
    else:
        clean.save(out, "PNG")
    return out.getvalue()


def _active_name(data: bytes) -> bool:
    for match in _NAME.finditer(data):
        name = match.group(1)
        if b"#" in name:
            name = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        if name in ACTIVE_NAMES:
            return True
    return False


def check_pdf(upload, *, max_bytes: int | None = None) -> CheckedFile:
    data = _read(upload, max_bytes)
    if not data.startswith(b"%PDF-"):
        raise ValidationError(_("This is not a PDF."))
    if _active_name(data) or b"/ObjStm" in data:
        raise ValidationError(
            _("The PDF holds active content (scripts, launched programs or embedded files).")
        )
    return CheckedFile(name="document.pdf", content_type=PDF, data=data)


def check_file(upload, *, kinds=("pdf", "image"), max_bytes: int | None = None) -> CheckedFile:
    data = _read(upload, max_bytes)
    if "pdf" in kinds and data.startswith(b"%PDF-"):
        return check_pdf(upload, max_bytes=max_bytes)
    if "image" in kinds:
        return check_image(upload, max_bytes=max_bytes)
    raise ValidationError(_("This type of file is not accepted."))
