"""A quote's files (its documents): sent with the quote over the API (multipart) and from the
page, judged before anything is written (a refused file: no quote, no file), shown on the match
page and the buyer's comparison, and downloaded, by the page view or the API's
`/api/v1/attachments/{token}/` (token or session), only by who sees the quote. The API's
download serves a message's files too, to who reads the conversation."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from deals import conversations, quotes
from deals.models import Attachment, Quote
from matchmaking.models import MatchStatus
from portal.exceptions import StateConflict
from tests.factories import UserFactory

from .conftest import (
    EXECUTABLE,
    image,
    jpeg_with_gps,
    needs_pillow,
    pdf,
    png_bomb,
    set_status,
    stored_files,
    upload,
)
from .quote_support import ROLES, make_cast, quote_input

pytestmark = pytest.mark.django_db

try:
    from PIL import Image
except ImportError:  # pragma: no cover
    Image = None

# Who sees the quotes of P1 ↔ B1 (forwarded), hence their files.
SEES = {"producer", "buyer", "counsellor", "staff"}


@pytest.fixture(autouse=True)
def _no_mail(monkeypatch):
    monkeypatch.setattr("deals.tasks.notify_quote_event.delay", lambda event_id: None)


@pytest.fixture
def cast():
    return make_cast()


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}", HTTP_ACCEPT_LANGUAGE="en"
    )
    return client


def page_for(user, language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def quotes_url(match) -> str:
    return f"/api/v1/matches/{match.pk}/quotes/"


def quote_with_files(cast, *files) -> Quote:
    return quotes.quote_create(
        match=cast.match,
        actor=cast.producer,
        data=quote_input(),
        files=list(files) or [upload("price list.pdf", pdf())],
    )


# --- The service ----------------------------------------------------------------------------


def test_the_service_stores_the_files_on_the_quote(cast, _media):
    quote = quote_with_files(cast, upload("price list.pdf", pdf()), upload("spec.csv", b"a,b\n1,2\n"))
    names = list(quote.attachments.order_by("id").values_list("name", "match", "message", "uploaded_by"))
    assert names == [
        ("price list.pdf", cast.match.pk, None, cast.producer.pk),
        ("spec.csv", cast.match.pk, None, cast.producer.pk),
    ]
    assert len(stored_files(_media)) == 2


def test_a_refused_file_leaves_no_quote_and_no_file(cast, _media):
    with pytest.raises(Exception) as error:
        quote_with_files(cast, upload("good.pdf", pdf()), upload("invoice.pdf", EXECUTABLE))
    assert list(error.value.message_dict) == ["files"]
    assert not Quote.objects.exists() and not Attachment.objects.exists() and stored_files(_media) == []


def test_field_and_file_errors_come_together(cast, _media):
    with pytest.raises(Exception) as error:
        quotes.quote_create(
            match=cast.match,
            actor=cast.producer,
            data=quote_input(unit_price="0"),
            files=[upload("invoice.pdf", EXECUTABLE)],
        )
    assert set(error.value.message_dict) == {"unit_price", "files"}
    assert not Quote.objects.exists() and stored_files(_media) == []


def test_a_conflict_stores_nothing(cast, _media):
    set_status(cast.match, MatchStatus.DECLINED)
    with pytest.raises(StateConflict):
        quote_with_files(cast)
    assert not Quote.objects.exists() and stored_files(_media) == []


# --- The API --------------------------------------------------------------------------------


@needs_pillow
def test_a_multipart_quote_with_a_pdf_and_a_photo(cast, _media):
    response = api_for(cast.producer).post(
        quotes_url(cast.match),
        {**quote_input(), "files": [upload("price list.pdf", pdf()), upload("site.jpg", jpeg_with_gps())]},
        format="multipart",
    )
    assert response.status_code == 201, response.content[:300]
    body = response.json()
    pdf_file, photo = body["attachments"]
    assert set(pdf_file) == {"token", "name", "size", "content_type", "url"}
    assert (pdf_file["name"], pdf_file["content_type"], pdf_file["size"]) == (
        "price list.pdf",
        "application/pdf",
        len(pdf()),
    )
    assert pdf_file["url"] == f"http://testserver/api/v1/attachments/{pdf_file['token']}/"
    assert photo["name"] == "site.jpg" and photo["content_type"] == "image/jpeg"
    # The photo is stored re-encoded, without its camera and position.
    stored = Attachment.objects.get(token=photo["token"])
    with stored.file.open("rb") as handle:
        data = handle.read()
    assert b"Spy Camera" not in data and b"Exif" not in data
    with Image.open(io.BytesIO(data)) as again:
        assert not again.getexif()
    # Read back: the quote's GET, its match's list and the comparison show the same files.
    quote_id = body["id"]
    buyer = api_for(cast.buyer)
    assert buyer.get(f"/api/v1/quotes/{quote_id}/").json()["attachments"] == body["attachments"]
    [listed] = buyer.get(quotes_url(cast.match)).json()["results"]
    assert listed["attachments"] == body["attachments"]
    [compared] = buyer.get(f"/api/v1/requests/{cast.request.pk}/quotes/").json()["results"]
    assert compared["attachments"] == body["attachments"]
    # The buyer downloads the PDF by its url.
    download = buyer.get(pdf_file["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf()


def test_json_still_works_and_shows_no_files(cast):
    response = api_for(cast.producer).post(quotes_url(cast.match), quote_input(), format="json")
    assert response.status_code == 201 and response.json()["attachments"] == []


def test_files_in_json_are_a_400(cast):
    response = api_for(cast.producer).post(
        quotes_url(cast.match), {**quote_input(), "files": ["not a file"]}, format="json"
    )
    assert response.status_code == 400 and "files" in response.json()
    assert not Quote.objects.exists()


@pytest.mark.parametrize(
    "hostile",
    [
        lambda: upload("invoice.pdf", EXECUTABLE, "application/pdf"),
        lambda: upload("a.pdf", pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>")),
        lambda: upload("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
        pytest.param(lambda: upload("bomb.png", png_bomb(), "image/png"), marks=needs_pillow),
    ],
    ids=["executable", "pdf-with-javascript", "svg", "decompression-bomb"],
)
def test_a_hostile_file_is_a_400_and_no_quote(cast, _media, hostile):
    response = api_for(cast.producer).post(
        quotes_url(cast.match),
        {**quote_input(), "files": [upload("good.pdf", pdf()), hostile()]},
        format="multipart",
    )
    assert response.status_code == 400, response.content[:300]
    assert list(response.json()) == ["files"]
    assert not Quote.objects.exists() and not Attachment.objects.exists() and stored_files(_media) == []


def test_more_files_than_allowed_is_a_400(cast, _media):
    files = [upload(f"{i}.pdf", pdf()) for i in range(6)]
    response = api_for(cast.producer).post(
        quotes_url(cast.match), {**quote_input(), "files": files}, format="multipart"
    )
    assert response.status_code == 400 and "files" in response.json()
    assert not Quote.objects.exists() and stored_files(_media) == []


def test_the_body_cap_fits_the_files_of_a_quote(cast, settings, _media):
    settings.REQUEST_MAX_BODY_BYTES = 5000
    settings.DEALS_ATTACHMENT_MAX_BYTES = 20_000
    document = upload("doc.pdf", pdf(b"(" + b"x" * 15_000 + b")"))
    response = api_for(cast.producer).post(
        quotes_url(cast.match), {**quote_input(), "files": [document]}, format="multipart"
    )
    assert response.status_code == 201, response.content[:300]
    document.seek(0)
    response = page_for(cast.producer).post(
        f"/matches/{cast.match.pk}/quotes/new/", {**quote_input(), "files": [document]}
    )
    assert response.status_code == 302 and Quote.objects.count() == 2


# --- The pages ------------------------------------------------------------------------------


@needs_pillow
def test_the_page_form_sends_a_quote_with_files(cast, _media):
    client = page_for(cast.producer)
    form = client.get(f"/matches/{cast.match.pk}/quotes/new/").content.decode()
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form and "multiple" in form
    response = client.post(
        f"/matches/{cast.match.pk}/quotes/new/",
        {**quote_input(), "files": [upload("list.pdf", pdf()), upload("photo.png", image("PNG"))]},
    )
    assert response.status_code == 302
    quote = Quote.objects.get()
    assert sorted(quote.attachments.values_list("name", flat=True)) == ["list.pdf", "photo.png"]
    assert len(stored_files(_media)) == 2


def test_the_match_page_form_takes_files(cast):
    html = page_for(cast.producer).get(f"/matches/{cast.match.pk}/").content.decode()
    section = html[html.index('data-testid="quote-form"') :]
    assert 'enctype="multipart/form-data"' in section and 'name="files"' in section


def test_the_page_shows_a_form_error_for_a_hostile_file_and_keeps_nothing(cast, _media):
    response = page_for(cast.producer).post(
        f"/matches/{cast.match.pk}/quotes/new/",
        {**quote_input(note="Keep this"), "files": [upload("cat.pdf", EXECUTABLE)]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "not accepted" in html and "Keep this" in html
    assert not Quote.objects.exists() and stored_files(_media) == []


def test_the_comparison_and_the_match_page_list_each_quotes_files(cast):
    quote = quote_with_files(cast, upload("price list.pdf", pdf()))
    token = quote.attachments.get().token
    for url in (f"/requests/{cast.request.pk}/quotes/", f"/matches/{cast.match.pk}/"):
        html = page_for(cast.buyer).get(url).content.decode()
        row = html[html.index(f'data-quote="{quote.pk}"') :]
        assert f'href="/deals/attachments/{token}/"' in row and "price list.pdf" in row, url


# --- Who downloads a quote's file -----------------------------------------------------------


@pytest.fixture
def quote_file(cast):
    return quote_with_files(cast).attachments.get()


@pytest.mark.parametrize("role", ROLES)
def test_who_downloads_a_quotes_file_from_the_page(cast, quote_file, role):
    response = page_for(cast.user(role)).get(f"/deals/attachments/{quote_file.token}/")
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role in SEES:
        assert response.status_code == 200 and b"".join(response.streaming_content) == pdf()
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_who_downloads_a_quotes_file_over_the_api(cast, quote_file, role):
    response = api_for(cast.user(role)).get(f"/api/v1/attachments/{quote_file.token}/")
    expected = 401 if role == "anonymous" else 200 if role in SEES else 404
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == pdf()
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "private" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"
    else:
        assert response.json()["detail"]


@pytest.mark.parametrize("role", ["producer", "buyer", "counsellor", "other_buyer", "other_counsellor"])
def test_a_token_client_downloads_what_it_may(cast, quote_file, role):
    response = token_client(cast.user(role)).get(f"/api/v1/attachments/{quote_file.token}/")
    assert response.status_code == (200 if role in SEES else 404)


def test_the_other_producer_on_the_same_request_gets_a_404(cast, quote_file):
    # P2 quotes the same request: it never sees P1's quote nor its files.
    assert api_for(cast.other_producer).get(f"/api/v1/attachments/{quote_file.token}/").status_code == 404


def test_a_counsellor_of_the_market_who_does_not_hold_the_match_gets_a_404(cast, quote_file):
    from tests.matchmaking.lifecycle_support import make_counsellor

    same_market = make_counsellor("IQ")
    assert api_for(same_market).get(f"/api/v1/attachments/{quote_file.token}/").status_code == 404


def test_a_quotes_file_hides_with_its_match(cast, quote_file):
    set_status(cast.match, MatchStatus.PROPOSED)
    assert api_for(cast.buyer).get(f"/api/v1/attachments/{quote_file.token}/").status_code == 404
    set_status(cast.match, MatchStatus.DECLINED)  # kept for the history
    assert api_for(cast.buyer).get(f"/api/v1/attachments/{quote_file.token}/").status_code == 200


@pytest.mark.parametrize("token", ["x", "a" * 32, "..%2F..%2Fetc", "%00" + "a" * 31, "a" * 300, "٣" * 32])
def test_an_unknown_or_malformed_token_is_a_404(cast, token):
    assert api_for(cast.staff).get(f"/api/v1/attachments/{token}/").status_code == 404


def test_anonymous_is_asked_to_sign_in_before_anything_is_looked_up(cast):
    assert api_for(None).get("/api/v1/attachments/" + "a" * 32 + "/").status_code == 401


def test_an_expired_or_foreign_token_header_is_refused(cast, quote_file):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get(f"/api/v1/attachments/{quote_file.token}/").status_code == 401


def test_a_file_missing_from_the_store_is_a_404(cast, quote_file):
    quote_file.file.storage.delete(quote_file.file.name)
    assert api_for(cast.buyer).get(f"/api/v1/attachments/{quote_file.token}/").status_code == 404


def test_whatever_the_client_accepts_it_gets_the_file(cast, quote_file):
    response = api_for(cast.buyer).get(f"/api/v1/attachments/{quote_file.token}/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    response = api_for(cast.other_buyer).get(
        f"/api/v1/attachments/{quote_file.token}/", HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


# --- A message's files over the API ---------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_messages_file_over_the_api_for_each_role(cast, role):
    message = conversations.post_message(
        match=cast.match, author=cast.buyer, body="Our drawing", files=[upload("drawing.pdf", pdf())]
    )
    token = message.attachments.get().token
    response = api_for(cast.user(role)).get(f"/api/v1/attachments/{token}/")
    expected = 401 if role == "anonymous" else 200 if role in SEES else 404
    assert response.status_code == expected


def test_a_user_without_a_company_gets_a_404(cast, quote_file):
    assert (
        api_for(UserFactory(role="buyer")).get(f"/api/v1/attachments/{quote_file.token}/").status_code == 404
    )
