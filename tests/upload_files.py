"""Files for upload tests, real and hostile, all made here (nothing downloaded): for
tests/portal/test_uploads.py and any test of a page or endpoint that takes files."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# A GPS position and a camera, to find (or not) in a file's bytes.
CAMERA = "Spy Camera 3000"
GPS = {1: "N", 2: (35.0, 41.0, 22.0), 3: "E", 4: (51.0, 23.0, 8.0)}
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="35,41.37N"'
    b' exif:OwnerName="Private Person"/></rdf:RDF></x:xmpmeta>'
)


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def exif(orientation: int | None = None) -> Image.Exif:
    tags = Image.Exif()
    tags[0x0110] = CAMERA  # Model
    tags[0x8825] = GPS  # GPSInfo
    if orientation:
        tags[0x0112] = orientation
    return tags


def photo(fmt: str = "JPEG", size=(80, 60), *, orientation: int | None = None, mode: str = "RGB") -> bytes:
    """A picture carrying EXIF (camera, GPS, maybe an orientation) and, where the format
    takes it, XMP. Its left half is red, its right half blue (to see a rotation)."""
    picture = Image.new(mode, size, (200, 30, 30, 255)[: len(mode)] if mode != "L" else 90)
    picture.paste(
        (30, 30, 200, 255)[: len(mode)] if mode != "L" else 200, (size[0] // 2, 0, size[0], size[1])
    )
    out = io.BytesIO()
    options = {"exif": exif(orientation)}
    if fmt in ("JPEG", "WEBP"):
        options["xmp"] = XMP
    picture.save(out, fmt, **options)
    return out.getvalue()


def image(fmt: str = "PNG", size=(64, 48), mode: str = "RGB", **save) -> bytes:
    picture = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else 128)
    out = io.BytesIO()
    picture.save(out, fmt, **save)
    return out.getvalue()


def png_bomb(side: int = 30_000) -> bytes:
    """A real decompression bomb: a `side`×`side` black PNG (900 million pixels) of ~100 kB."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload))
            + kind
            + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1 bit grey
    row = b"\x00" * (1 + (side + 7) // 8)
    packer = zlib.compressobj(9)
    compressed = b"".join(packer.compress(row * 1000) for _ in range(side // 1000)) + packer.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", compressed) + chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    data = image("JPEG", size=(400, 300), quality=95)
    return data[: len(data) // 2]


# A Windows program (an MZ header and its DOS stub) and a Linux one (an ELF header).
PE_EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + struct.pack("<I", 0x80)
    + b"This program cannot be run in DOS mode.\r\n$"
    + b"\x00" * 40
    + b"PE\x00\x00\x4c\x01"
    + b"\x00" * 200
)
ELF_EXECUTABLE = (
    b"\x7fELF\x02\x01\x01\x00"
    + b"\x00" * 8
    + struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x401000, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    + b"\x00" * 200
)
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)
HTML_PAGE = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def pdf(body: bytes = b"") -> bytes:
    """A small, well-formed PDF (one empty page), with `body` added as an extra object."""
    objects = [
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n",
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n",
    ]
    if body:
        objects.append(b"4 0 obj\n" + body + b"\nendobj\n")
    return b"%PDF-1.7\n" + b"".join(objects) + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def pdf_with_object_stream(hidden: bytes) -> bytes:
    """A PDF whose `hidden` objects sit compressed inside an object stream."""
    data = zlib.compress(hidden)
    return pdf(
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(data)).encode()
        + b" >>\nstream\n"
        + data
        + b"\nendstream"
    )


def zip_file() -> bytes:
    """A real zip archive (one text member)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


class CountingFile:
    """A file of `total` bytes (a PNG signature, then zeros) made as it is read, that counts
    what was read; `size` None is a file that does not say how large it is."""

    def __init__(self, name: str, total: int, *, size: int | None = None):
        self.name, self.total, self.size = name, total, size
        self.position = self.bytes_read = 0

    def seek(self, position: int, whence: int = 0) -> int:
        self.position = position
        return position

    def read(self, limit: int = -1) -> bytes:
        left = self.total - self.position
        count = left if limit is None or limit < 0 else min(limit, left)
        head = b"\x89PNG\r\n\x1a\n"
        data = (
            (head[self.position :] + b"\x00" * count)[:count]
            if self.position < len(head)
            else b"\x00" * count
        )
        self.position += count
        self.bytes_read += count
        return data
