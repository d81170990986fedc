"""A forwarded match and everyone around it, files good and hostile made in the test, and the
stored files kept in a temporary folder."""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import User
from matchmaking.models import Match, MatchStatus
from tests.factories import UserFactory
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match
from tests.upload_files import image, png_bomb, truncated_jpeg

try:
    from PIL import Image
except ImportError:  # pragma: no cover
    Image = None

needs_pillow = pytest.mark.skipif(Image is None, reason="Pillow is not installed")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Stored files land in a folder of the test's own (checked empty where nothing is kept)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def stored_files(media) -> list:
    return sorted(path for path in media.rglob("*") if path.is_file()) if media.exists() else []


@dataclass
class World:
    """A forwarded match of `producer` and `buyer` with `counsellor`; the people around it."""

    match: Match
    producer: User
    buyer: User
    counsellor: User
    other_producer: User
    other_buyer: User
    other_counsellor: User
    staff: User

    def role(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


ROLES = [
    "producer",
    "buyer",
    "counsellor",
    "other_producer",
    "other_buyer",
    "other_counsellor",
    "staff",
    "anonymous",
]
READERS = {"producer", "buyer", "counsellor", "staff"}


@pytest.fixture
def world(db) -> World:
    counsellor = make_counsellor("IQ", full_name="Sara Rahimi", preferred_language="en")
    other_counsellor = make_counsellor("IQ", full_name="Omid Karimi")
    producer = make_producer(name="Sahand Cooling")
    buyer = make_buyer(company_name="Basra Cold Chain")
    match = make_match(producer, buyer, status=MatchStatus.FORWARDED, counsellor=counsellor)
    # The others have matches of their own, forwarded too.
    other_producer, other_buyer = make_producer(), make_buyer()
    make_match(other_producer, other_buyer, status=MatchStatus.FORWARDED, counsellor=other_counsellor)
    return World(
        match=match,
        producer=producer.owner,
        buyer=buyer.owner,
        counsellor=counsellor,
        other_producer=other_producer.owner,
        other_buyer=other_buyer.owner,
        other_counsellor=other_counsellor,
        staff=UserFactory(role="staff"),
    )


def set_status(match: Match, status: str) -> Match:
    Match.objects.filter(pk=match.pk).update(status=status)
    match.refresh_from_db()
    return match


@pytest.fixture
def api():
    def client_for(user=None, language="en"):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        if language:
            client.credentials(HTTP_ACCEPT_LANGUAGE=language)
        return client

    return client_for


def messages_url(match) -> str:
    return f"/api/v1/matches/{match.pk}/messages/"


# --- Files, made here -----------------------------------------------------------------------


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf(body: bytes = b"") -> bytes:
    """A small, well-formed PDF (one empty page), with `body` added as an extra object."""
    objects = [
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n",
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n",
    ]
    if body:
        objects.append(b"4 0 obj\n" + body + b"\nendobj\n")
    out = b"%PDF-1.7\n"
    for obj in objects:
        out += obj
    return out + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def pdf_with_object_stream(hidden: bytes) -> bytes:
    """A PDF whose active content sits compressed inside an object stream."""
    data = zlib.compress(hidden)
    stream = (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(data)).encode()
        + b" >>\nstream\n"
        + data
        + b"\nendstream"
    )
    return pdf(stream)


def jpeg_with_gps() -> bytes:
    """A JPEG photo carrying EXIF: a camera model and a GPS position."""
    picture = Image.new("RGB", (80, 60), (10, 120, 40))
    exif = Image.Exif()
    exif[0x0110] = "Spy Camera 3000"  # Model
    exif[0x8825] = {1: "N", 2: (35.0, 41.0, 22.0), 3: "E", 4: (51.0, 23.0, 8.0)}  # GPSInfo
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    return out.getvalue()


EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode.\r\n"
    + b"\x00" * 200
)
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)

__all__ = [
    "EXECUTABLE",
    "READERS",
    "ROLES",
    "SVG_WITH_SCRIPT",
    "World",
    "image",
    "jpeg_with_gps",
    "make_buyer",
    "make_counsellor",
    "make_match",
    "make_producer",
    "messages_url",
    "needs_pillow",
    "pdf",
    "pdf_with_object_stream",
    "png_bomb",
    "set_status",
    "stored_files",
    "truncated_jpeg",
    "upload",
]
