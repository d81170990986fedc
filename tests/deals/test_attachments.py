"""Files on messages: judged by their content, hostile ones refused with a clear error and
nothing kept (no row, no file), images re-encoded without their metadata, and every file
served only to those who may read the conversation, as a download."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from deals import attachments, conversations
from deals.attachments import attach_files, check_file, clean_name
from deals.models import Attachment, Message
from matchmaking.models import MatchStatus

from .conftest import (
    EXECUTABLE,
    READERS,
    ROLES,
    SVG_WITH_SCRIPT,
    image,
    jpeg_with_gps,
    messages_url,
    needs_pillow,
    pdf,
    pdf_with_object_stream,
    png_bomb,
    set_status,
    stored_files,
    truncated_jpeg,
    upload,
)

pytestmark = pytest.mark.django_db

try:
    from PIL import Image
except ImportError:  # pragma: no cover
    Image = None


@pytest.fixture(autouse=True)
def _english():
    """The services' messages in English, the language these tests read them in (the portal's
    default is Persian, whose catalogue translates them)."""
    with translation.override("en"):
        yield


# --- What is accepted -----------------------------------------------------------------------


def test_a_pdf_is_kept_as_it_came():
    data = pdf(b"<< /Title (Price list) >>")
    checked = check_file(upload("price list.pdf", data))
    assert (checked.content_type, checked.data, checked.name) == ("application/pdf", data, "price list.pdf")


@needs_pillow
@pytest.mark.parametrize(
    ("fmt", "name", "content_type"),
    [
        ("PNG", "chart.png", "image/png"),
        ("JPEG", "photo.jpg", "image/jpeg"),
        ("WEBP", "pic.webp", "image/webp"),
    ],
)
def test_images_are_decoded_and_encoded_again(fmt, name, content_type):
    checked = check_file(upload(name, image(fmt)))
    assert checked.content_type == content_type and checked.name == name
    with Image.open(io.BytesIO(checked.data)) as again:
        assert again.format == fmt and again.size == (64, 48)


@needs_pillow
def test_a_photo_loses_its_exif_and_gps():
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get(0x0110) == "Spy Camera 3000"
    checked = check_file(upload("site.jpeg", original))
    with Image.open(io.BytesIO(checked.data)) as after:
        assert not after.getexif() and "exif" not in after.info
    assert b"Spy Camera" not in checked.data and b"Exif" not in checked.data


@needs_pillow
def test_a_png_with_transparency_and_text_chunks_keeps_its_alpha_not_its_text():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Someone private")
    picture = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    out = io.BytesIO()
    picture.save(out, "PNG", pnginfo=info)
    checked = check_file(upload("logo.png", out.getvalue()))
    assert b"Someone private" not in checked.data
    with Image.open(io.BytesIO(checked.data)) as again:
        assert again.mode == "RGBA"


def test_text_and_csv_files_by_their_name_when_their_content_is_plain_text():
    assert (
        check_file(upload("notes.txt", "قیمت‌ها\nprices\n".encode())).content_type
        == "text/plain; charset=utf-8"
    )
    assert (
        check_file(upload("lines.CSV", b"\xef\xbb\xbfhs,qty\n8418,2000\n")).content_type
        == "text/csv; charset=utf-8"
    )


def test_a_name_is_cleaned_and_ends_with_the_real_type():
    assert clean_name("../../etc/passwd.pdf", "application/pdf") == "passwd.pdf"
    assert clean_name("C:\\Users\\me\\قیمت.pdf", "application/pdf") == "قیمت.pdf"
    assert clean_name("invoice.pdf", "image/png") == "invoice.pdf.png"
    assert clean_name("...hidden.png", "image/png") == "hidden.png"
    assert clean_name("a\u202eb\r\nc.txt", "text/plain; charset=utf-8") == "ab c.txt"
    assert clean_name("", "application/pdf") == "attachment.pdf"
    long = clean_name("x" * 400 + ".pdf", "application/pdf")
    assert len(long) == 150 and long.endswith(".pdf")


# --- What is refused ------------------------------------------------------------------------

HOSTILE = {
    "an executable renamed .pdf": lambda: upload("invoice.pdf", EXECUTABLE, "application/pdf"),
    "a PDF with JavaScript": lambda: upload("a.pdf", pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>")),
    "a PDF with an escaped name": lambda: upload("b.pdf", pdf(b"<< /S /J#61vaScript /J#53 (x) >>")),
    "a PDF that launches": lambda: upload("c.pdf", pdf(b"<< /S /Launch /F (cmd.exe) >>")),
    "a PDF with an embedded file": lambda: upload("d.pdf", pdf(b"<< /Type /EmbeddedFile /Length 3 >>")),
    "a PDF hiding /JS in an object stream": lambda: upload(
        "e.pdf", pdf_with_object_stream(b"5 0 << /S /JavaScript /JS (app.alert(1)) >>")
    ),
    "a PDF with an unreadable object stream": lambda: upload(
        "f.pdf", pdf(b"<< /Type /ObjStm /N 1 /Length 9 >>\nstream\nnot zlib!\nendstream")
    ),
    "an SVG with a script": lambda: upload("logo.svg", SVG_WITH_SCRIPT, "image/svg+xml"),
    "an SVG renamed .txt": lambda: upload("logo.txt", SVG_WITH_SCRIPT, "text/plain"),
    "an HTML page renamed .png": lambda: upload(
        "x.png", b"<html><script>alert(1)</script></html>", "image/png"
    ),
    "a text file with NUL bytes": lambda: upload("a.txt", b"abc\x00def"),
    "a text file not in UTF-8": lambda: upload("a.csv", "سعر".encode("cp1256")),
    "an empty file": lambda: upload("empty.pdf", b""),
    "a zip": lambda: upload("doc.docx", b"PK\x03\x04" + b"\x00" * 100),
}
IMAGE_HOSTILE = {
    "a decompression bomb": lambda: upload("bomb.png", png_bomb(), "image/png"),
    "a truncated JPEG": lambda: upload("half.jpg", truncated_jpeg(), "image/jpeg"),
    "a PNG with a broken body": lambda: upload("broken.png", image("PNG")[:60] + b"\x00" * 40, "image/png"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_with_a_clear_error(case):
    made = HOSTILE[case]()
    with pytest.raises(ValidationError) as error:
        check_file(made)
    assert error.value.messages and made.name[:20] in error.value.messages[0], error.value.messages


@needs_pillow
@pytest.mark.parametrize("case", sorted(IMAGE_HOSTILE))
def test_hostile_images_are_refused_with_a_clear_error(case):
    with pytest.raises(ValidationError) as error:
        check_file(IMAGE_HOSTILE[case]())
    messages = " ".join(error.value.messages)
    assert ("too large" in messages) if case == "a decompression bomb" else ("damaged" in messages)


def test_an_oversize_file_is_refused_before_it_is_read(settings):
    settings.DEALS_ATTACHMENT_MAX_BYTES = 1000

    class Huge:
        name = "huge.pdf"
        size = 10**9

        def read(self, *args):
            raise AssertionError("read although too large")

    with pytest.raises(ValidationError, match="too large"):
        check_file(Huge())
    with pytest.raises(ValidationError, match="too large"):  # a size it does not say: read up to the cap
        check_file(io.BytesIO(pdf(b"(" + b"x" * 2000 + b")")))


def test_every_file_is_checked_before_any_is_stored(world, _media):
    files = [upload("good.pdf", pdf()), upload("bad.pdf", EXECUTABLE)]
    with pytest.raises(ValidationError) as error:
        attach_files(match=world.match, files=files, uploaded_by=world.producer)
    assert list(error.value.message_dict) == ["files"] and "bad.pdf" in error.value.message_dict["files"][0]
    assert not Attachment.objects.exists() and stored_files(_media) == []


def test_at_most_five_files(world, _media):
    with pytest.raises(ValidationError, match="At most 5 files"):
        attach_files(
            match=world.match, files=[upload(f"{i}.pdf", pdf()) for i in range(6)], uploaded_by=world.producer
        )
    assert stored_files(_media) == []


def test_attach_files_stores_under_a_random_token_for_other_services(world, _media):
    message = Message.objects.create(match=world.match, author=world.producer, body="See attached")
    stored = attach_files(
        match=world.match,
        files=[upload("../price list.pdf", pdf())],
        uploaded_by=world.producer,
        message=message,
    )
    [attachment] = stored
    assert attachment.name == "price list.pdf" and attachment.size == len(pdf())
    assert attachment.file.name == f"deals/{world.match.pk}/{attachment.token}"
    assert len(attachment.token) == 32 and "price" not in attachment.file.name
    assert [path.name for path in stored_files(_media)] == [attachment.token]


def test_deleting_an_attachment_deletes_its_file(world, _media, django_capture_on_commit_callbacks):
    message = conversations.post_message(
        match=world.match, author=world.producer, body="x", files=[upload("a.pdf", pdf())]
    )
    assert len(stored_files(_media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        message.delete()
    assert stored_files(_media) == []


# --- Over the API and the page: a 400 or a form error, nothing kept --------------------------


def _all_hostile():
    cases = dict(HOSTILE)
    if Image is not None:
        cases.update(IMAGE_HOSTILE)
    return cases


@pytest.mark.parametrize("case", sorted(_all_hostile()))
def test_the_api_answers_a_hostile_file_with_a_400_and_keeps_nothing(world, api, _media, case):
    made = _all_hostile()[case]()
    response = api(world.buyer).post(
        messages_url(world.match), {"body": "Here is the document", "files": [made]}, format="multipart"
    )
    assert response.status_code == 400, response.content[:300]
    assert "files" in response.json()
    assert not Message.objects.exists() and not Attachment.objects.exists()
    assert stored_files(_media) == []


def test_the_api_refuses_an_oversize_file_with_a_400(world, api, settings, _media):
    settings.DEALS_ATTACHMENT_MAX_BYTES = 2000
    big = upload("big.pdf", pdf(b"(" + b"x" * 5000 + b")"))
    response = api(world.buyer).post(
        messages_url(world.match), {"body": "Big", "files": [big]}, format="multipart"
    )
    assert response.status_code == 400 and "too large" in response.json()["files"][0]
    assert stored_files(_media) == []


def test_the_body_cap_of_the_request_guard_fits_the_files_on_these_paths_only(world, api, settings):
    settings.REQUEST_MAX_BODY_BYTES = 5000
    settings.DEALS_ATTACHMENT_MAX_BYTES = 20_000
    document = upload("doc.pdf", pdf(b"(" + b"x" * 15_000 + b")"))
    response = api(world.buyer).post(
        messages_url(world.match), {"body": "Doc", "files": [document]}, format="multipart"
    )
    assert response.status_code == 201, response.content[:300]
    # Elsewhere the common cap holds, multipart or not.
    response = api(world.buyer).patch("/api/v1/buyers/me/", {"description": "x" * 6000}, format="multipart")
    assert response.status_code == 413
    settings.DEALS_ATTACHMENT_MAX_BYTES = 1000  # the body passes the guard, the file is judged
    document.seek(0)
    response = api(world.buyer).post(
        messages_url(world.match), {"body": "Doc", "files": [document]}, format="multipart"
    )
    assert response.status_code == 400 and "too large" in response.json()["files"][0]


@needs_pillow
def test_the_page_shows_a_form_error_for_a_hostile_file_and_keeps_nothing(world, client, _media):
    client.force_login(world.producer)
    client.cookies["django_language"] = "en"
    url = f"/matches/{world.match.pk}/conversation/"
    response = client.post(
        url,
        {"body": "Our catalogue", "files": [upload("cat.pdf", EXECUTABLE), upload("bomb.png", png_bomb())]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "not accepted" in page and "too large" in page and "Our catalogue" in page  # typed text kept
    assert not Message.objects.exists() and stored_files(_media) == []


@needs_pillow
def test_the_page_and_the_api_store_good_files(world, api, client, _media):
    client.force_login(world.producer)
    url = f"/matches/{world.match.pk}/conversation/"
    response = client.post(
        url, {"body": "Photos", "files": [upload("site.jpg", jpeg_with_gps()), upload("list.pdf", pdf())]}
    )
    assert response.status_code == 302
    response = api(world.buyer).post(
        messages_url(world.match),
        {"body": "Our spec", "files": [upload("spec.csv", b"a,b\n1,2\n")]},
        format="multipart",
    )
    assert response.status_code == 201
    [file] = response.json()["attachments"]
    assert (
        file["name"] == "spec.csv" and file["content_type"] == "text/csv; charset=utf-8" and file["size"] == 8
    )
    assert file["url"].endswith(f"/api/v1/attachments/{Attachment.objects.get(name='spec.csv').token}/")
    assert Attachment.objects.count() == 3 and len(stored_files(_media)) == 3


# --- Serving --------------------------------------------------------------------------------


@pytest.fixture
def stored(world):
    message = conversations.post_message(
        match=world.match, author=world.producer, body="x", files=[upload('قیمت "2025".pdf', pdf())]
    )
    return message.attachments.get()


@pytest.mark.parametrize("role", ROLES)
def test_a_file_is_served_to_the_conversations_readers_only(world, stored, role):
    client = Client()
    user = world.role(role)
    if user is not None:
        client.force_login(user)
    response = client.get(f"/deals/attachments/{stored.token}/")
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role in READERS:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == pdf()
    else:
        assert response.status_code == 404


def test_a_served_file_is_a_private_download_under_its_clean_name(world, stored, client):
    client.force_login(world.buyer)
    response = client.get(f"/deals/attachments/{stored.token}/")
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition
    assert "%D9%82%DB%8C%D9%85%D8%AA" in disposition  # قیمت, RFC 6266 / 5987
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_declined_matchs_files_are_still_served_and_a_proposed_matchs_never(world, stored, client):
    client.force_login(world.buyer)
    set_status(world.match, MatchStatus.DECLINED)
    assert client.get(f"/deals/attachments/{stored.token}/").status_code == 200
    set_status(world.match, MatchStatus.PROPOSED)
    assert client.get(f"/deals/attachments/{stored.token}/").status_code == 404


@pytest.mark.parametrize("token", ["x", "a" * 32, "../../etc/passwd", "%00" + "a" * 31, "a" * 300, "٣" * 32])
def test_unknown_or_malformed_tokens_are_404(world, client, token):
    client.force_login(world.staff)
    assert client.get(f"/deals/attachments/{token}/").status_code == 404


def test_a_file_missing_from_the_storage_is_a_404(world, stored, client):
    stored.file.storage.delete(stored.file.name)
    client.force_login(world.buyer)
    assert client.get(f"/deals/attachments/{stored.token}/").status_code == 404


def test_media_files_are_not_served_under_media_url(world, stored, client, settings):
    client.force_login(world.staff)
    assert client.get(settings.MEDIA_URL + stored.file.name).status_code == 404


def test_the_module_limits_read_the_settings(settings):
    settings.DEALS_ATTACHMENT_MAX_BYTES = 123
    settings.DEALS_ATTACHMENT_MAX_FILES = 2
    assert attachments.max_bytes() == 123 and attachments.upload_cap() == 2 * 123 + 1024 * 1024


@needs_pillow
def test_images_over_the_configured_pixels_are_refused(settings):
    settings.DEALS_IMAGE_MAX_PIXELS = 1000
    with pytest.raises(ValidationError, match="too large"):
        check_file(upload("wide.png", image("PNG", size=(64, 48))))
