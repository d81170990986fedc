"""Files for the picture tests: real pictures made with Pillow, hostile files, and the folder
the stored files land in (each test its own)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.deals.conftest import (
    EXECUTABLE,
    SVG_WITH_SCRIPT,
    image,
    jpeg_with_gps,
    pdf,
    png_bomb,
    truncated_jpeg,
)

__all__ = [
    "EXECUTABLE",
    "SVG_WITH_SCRIPT",
    "HOSTILE",
    "image",
    "jpeg_with_gps",
    "media_files",
    "pdf",
    "photo",
    "upload",
]


def photo(fmt: str = "JPEG", size=(1200, 800), gps: bool = False) -> bytes:
    """A photo-like picture (a gradient) in `fmt`, with EXIF GPS when `gps`."""
    width, height = size
    picture = Image.linear_gradient("L").resize(size).convert("RGB")
    extra = {}
    if gps:
        exif = Image.Exif()
        exif[0x0110] = "Spy Camera 3000"
        exif[0x8825] = {1: "N", 2: (38.0, 4.0, 49.0), 3: "E", 4: (46.0, 17.0, 30.0)}
        extra["exif"] = exif
    out = io.BytesIO()
    picture.save(out, fmt, **extra)
    assert picture.size == (width, height)
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def oversize(limit: int) -> bytes:
    """A JPEG-looking file one byte over `limit`."""
    return b"\xff\xd8\xff\xe0" + b"\x00" * limit


# name -> (bytes, file name): each must be refused and leave nothing stored.
HOSTILE = {
    "renamed executable": (EXECUTABLE, "photo.jpg"),
    "svg with script": (SVG_WITH_SCRIPT, "photo.svg"),
    "truncated jpeg": (None, "photo.jpg"),  # made per test (Pillow)
    "decompression bomb": (None, "photo.png"),
    "empty": (b"", "photo.png"),
    "pdf as image": (pdf(), "photo.png"),
}


def hostile(name: str) -> tuple[bytes, str]:
    data, filename = HOSTILE[name]
    if name == "truncated jpeg":
        data = truncated_jpeg()
    elif name == "decompression bomb":
        data = png_bomb()
    return data, filename


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def media_files(media) -> list:
    return sorted(path for path in media.rglob("*") if path.is_file()) if media.exists() else []
