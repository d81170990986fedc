"""Uploads judged by their content (portal/uploads.py): real images accepted and re-encoded
without their metadata, thumbnails made, and every hostile file refused with a clear,
translated error before anything could be stored."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image

from portal import uploads
from portal.uploads import CheckedFile, CheckedImage, check_file, check_image, check_pdf
from tests.upload_files import (
    CAMERA,
    ELF_EXECUTABLE,
    HTML_PAGE,
    PE_EXECUTABLE,
    SVG_WITH_SCRIPT,
    CountingFile,
    image,
    pdf,
    pdf_with_object_stream,
    photo,
    png_bomb,
    truncated_jpeg,
    upload,
    zip_file,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refusal(check, made, **options) -> str:
    with pytest.raises(ValidationError) as error:
        check(made, **options)
    [message] = error.value.messages
    return message


# --- Real images ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name", "content_type"),
    [("PNG", "logo.png", "image/png"), ("JPEG", "site.jpg", "image/jpeg"), ("WEBP", "p.webp", "image/webp")],
)
def test_a_photo_is_re_encoded_without_exif_gps_or_xmp(fmt, name, content_type):
    original = photo(fmt)
    with Image.open(io.BytesIO(original)) as before:  # the test's file does carry them
        assert before.getexif().get(0x0110) == CAMERA and before.getexif().get(0x8825)
    checked = check_image(upload(name, original))
    assert isinstance(checked, CheckedImage)
    assert (checked.name, checked.content_type, checked.width, checked.height) == (name, content_type, 80, 60)
    with Image.open(io.BytesIO(checked.data)) as after:
        assert after.format == fmt and after.size == (80, 60)
        assert not after.getexif() and not (
            {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile"} & set(after.info)
        )
    for secret in (CAMERA.encode(), b"Exif", b"xmpmeta", b"Private Person", b"GPS"):
        assert secret not in checked.data


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    checked = check_image(upload("turned.jpg", photo("JPEG", (80, 60), orientation=6)))
    assert (checked.width, checked.height) == (60, 80)  # turned upright
    with Image.open(io.BytesIO(checked.data)) as after:
        assert after.size == (60, 80) and 0x0112 not in after.getexif()
        red, blue = after.getpixel((30, 5)), after.getpixel((30, 75))
    assert red[0] > 150 and blue[2] > 150  # the left half (red) is now on top


def test_a_logo_keeps_its_transparency_and_a_grey_image_its_mode():
    checked = check_image(upload("logo.png", image("PNG", (40, 40), mode="RGBA")))
    with Image.open(io.BytesIO(checked.data)) as again:
        assert again.mode == "RGBA"
    checked = check_image(upload("grey.jpg", image("JPEG", (40, 40), mode="L")))
    with Image.open(io.BytesIO(checked.data)) as again:
        assert again.mode == "L"


def test_a_colour_profile_is_applied_then_dropped():
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (120, 60, 200)).save(out, "PNG", icc_profile=profile)
    checked = check_image(upload("wide.png", out.getvalue()))
    with Image.open(io.BytesIO(checked.data)) as again:
        assert "icc_profile" not in again.info


def test_thumbnails_are_smaller_webp_copies_for_srcset():
    checked = check_image(upload("wide photo.jpg", photo("JPEG", (2000, 1000))))
    thumbs = checked.thumbnails()
    assert list(thumbs) == list(uploads.THUMBNAIL_SIDES) == [320, 960]
    for side, thumb in thumbs.items():
        assert isinstance(thumb, CheckedImage) and thumb.content_type == "image/webp"
        assert (thumb.width, thumb.height) == (side, side // 2) and thumb.name == f"wide photo-{side}.webp"
        assert thumb.size < checked.size
        with Image.open(io.BytesIO(thumb.data)) as again:
            assert again.format == "WEBP" and again.size == (side, side // 2) and not again.getexif()
    # Never enlarged; a transparent logo stays transparent.
    small = check_image(upload("icon.png", image("PNG", (100, 50), mode="RGBA"))).thumbnail(320)
    assert (small.width, small.height) == (100, 50)
    with Image.open(io.BytesIO(small.data)) as again:
        assert again.mode == "RGBA"
    with pytest.raises(ValueError):
        checked.thumbnail(0)


def test_a_pdf_is_kept_as_it_came():
    data = pdf(b"<< /Title (Catalogue 2026) /URI (https://example.com) >>")
    checked = check_pdf(upload("catalogue.pdf", data))
    assert type(checked) is CheckedFile
    assert (checked.name, checked.content_type, checked.data, checked.size) == (
        "catalogue.pdf",
        "application/pdf",
        data,
        len(data),
    )


def test_check_file_takes_the_kinds_it_is_asked_for():
    assert check_file(upload("a.pdf", pdf())).content_type == "application/pdf"
    assert isinstance(check_file(upload("a.png", image("PNG"))), CheckedImage)
    assert check_file(upload("n.txt", b"plain"), kinds=("text",)).content_type.startswith("text/plain")
    message = refusal(check_file, upload("n.txt", b"plain"))  # text not asked for
    assert "not accepted" in message and "PDF" in message
    assert "not a PDF" in refusal(check_file, upload("a.png", image("PNG")), kinds=("pdf",))
    with pytest.raises(ValueError):
        check_file(upload("a.pdf", pdf()), kinds=("exe",))


def test_names_are_cleaned_and_a_storage_name_is_random():
    checked = check_file(upload("../../etc/قیمت.pdf.png", image("PNG")))
    assert checked.name == "قیمت.pdf.png"
    assert check_file(upload("invoice.pdf", image("JPEG"))).name == "invoice.pdf.jpg"
    first, second = (
        uploads.random_name(checked, folder="logos/"),
        uploads.random_name(checked, folder="logos"),
    )
    assert first != second and first.startswith("logos/") and first.endswith(".png") and "قیمت" not in first
    assert len(first.split("/")[1]) == 32 + len(".png")
    content = checked.content_file()
    assert content.read() == checked.data and content.content_type == "image/png"


# --- Hostile files --------------------------------------------------------------------------

HOSTILE_IMAGES = {
    "a Windows program renamed .jpg": (
        upload("photo.jpg", PE_EXECUTABLE, "image/jpeg"),
        "not an accepted image",
    ),
    "a Linux program renamed .jpg": (
        upload("photo.jpg", ELF_EXECUTABLE, "image/jpeg"),
        "not an accepted image",
    ),
    "an SVG with a script named .png": (
        upload("logo.png", SVG_WITH_SCRIPT, "image/png"),
        "not an accepted image",
    ),
    "an SVG with a script named .svg": (
        upload("logo.svg", SVG_WITH_SCRIPT, "image/svg+xml"),
        "not an accepted",
    ),
    "an HTML page named .webp": (upload("x.webp", HTML_PAGE, "image/webp"), "not an accepted image"),
    "a GIF": (upload("a.gif", image("GIF")), "not an accepted image"),
    "a decompression bomb": (upload("bomb.png", png_bomb(), "image/png"), "too large"),
    "a truncated JPEG": (upload("half.jpg", truncated_jpeg(), "image/jpeg"), "damaged"),
    "a PNG with a broken body": (upload("b.png", image("PNG")[:60] + b"\x00" * 40), "damaged"),
    "a JPEG header and nothing": (upload("c.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20), "damaged"),
    "a WebP header and nothing": (upload("d.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8), "damaged"),
    "an empty file": (upload("empty.png", b""), "empty"),
    "a PDF": (upload("doc.png", pdf()), "not an accepted image"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_IMAGES))
def test_hostile_images_are_refused_with_a_clear_error(case):
    made, expected = HOSTILE_IMAGES[case]
    message = refusal(check_image, made)
    assert expected in message and made.name in message, message


HOSTILE_PDFS = {
    "JavaScript": pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>"),
    "JavaScript spelled with #xx escapes": pdf(b"<< /S /J#61va#53cript /J#53 (app.alert(1)) >>"),
    "JavaScript inside an object stream": pdf_with_object_stream(
        b"5 0 << /S /JavaScript /JS (app.alert(1)) >>"
    ),
    "escaped JavaScript inside an object stream": pdf_with_object_stream(b"5 0 << /S /#4Aava#53cript >>"),
    "a Launch action": pdf(b"<< /S /Launch /F (cmd.exe) >>"),
    "an embedded file": pdf(b"<< /Type /EmbeddedFile /Length 3 >>"),
    "an XFA form": pdf(b"<< /XFA 9 0 R >>"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_PDFS))
def test_a_pdf_with_active_content_is_refused(case):
    message = refusal(check_pdf, upload("brochure.pdf", HOSTILE_PDFS[case]))
    assert "active content" in message and "brochure.pdf" in message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (zip_file(), "not a PDF"),  # a zip (a .docx) named .pdf
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "damaged"),  # cut short: no %%EOF
        (pdf(b"<< /Type /ObjStm /N 1 /Length 9 >>\nstream\nnot zlib!\nendstream"), "could not be checked"),
        (b"", "empty"),
        (PE_EXECUTABLE, "not a PDF"),
    ],
    ids=["zip", "truncated", "unreadable object stream", "empty", "program"],
)
def test_a_file_that_is_not_a_sound_pdf_is_refused(data, expected):
    assert expected in refusal(check_pdf, upload("catalogue.pdf", data, "application/pdf"))


def test_a_50_mb_file_is_refused_before_it_is_read(settings):
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    declared = CountingFile("huge.png", 50 * 1024 * 1024, size=50 * 1024 * 1024)
    assert "too large (at most 10 MB)" in refusal(check_image, declared)
    assert declared.bytes_read == 0  # its declared size was enough
    silent = CountingFile("huge.png", 50 * 1024 * 1024)  # a stream that does not say its size
    assert "too large" in refusal(check_image, silent)
    assert silent.bytes_read == 10 * 1024 * 1024 + 1  # the cap and one byte, not 50 MB


def test_the_limits_come_from_the_settings_or_the_call(settings):
    settings.UPLOAD_MAX_BYTES = 100
    assert "too large" in refusal(check_pdf, upload("a.pdf", pdf()))
    assert check_pdf(upload("a.pdf", pdf()), max_bytes=10_000).size == len(pdf())
    settings.UPLOAD_MAX_BYTES = 10_000_000
    settings.UPLOAD_IMAGE_MAX_PIXELS = 1000
    assert "at most 0.001 million pixels" in refusal(check_image, upload("w.png", image("PNG", (64, 48))))
    assert check_image(upload("w.png", image("PNG", (64, 48))), max_pixels=5000).width == 64


def test_a_truncated_image_is_refused_even_when_pillow_is_told_to_load_truncated_images(monkeypatch):
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    assert "damaged" in refusal(check_image, upload("half.jpg", truncated_jpeg()))


def test_something_that_is_not_a_file_is_refused():
    class NotAFile:
        name = "x.png"

    assert "not a file" in refusal(check_image, NotAFile())


def test_refusals_are_translated():
    with translation.override("fa"):
        message = refusal(check_image, upload("photo.jpg", PE_EXECUTABLE))
    assert "photo.jpg" in message and "PNG" in message and "This is not" not in message
