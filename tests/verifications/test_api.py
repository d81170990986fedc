"""/api/v1/verifications/: multipart requests with real and hostile files, decisions, who sees
what; the checked download of the evidence."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts import verifications
from accounts.models import Verification, VerificationDocument
from accounts.verifications import DocumentInput

from .conftest import (
    EXECUTABLE,
    SVG_WITH_SCRIPT,
    image,
    in_days,
    licence,
    pdf,
    png_bomb,
    stored_files,
    truncated_jpeg,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/verifications/"


def body(*files, kinds=None, certificates=None, expiries=None, note="Please check"):
    data = {"documents": list(files), "kind": kinds or ["licence"] * len(files), "note": note}
    if certificates is not None:
        data["certificate"] = certificates
    if expiries is not None:
        data["expires_on"] = expiries
    return data


def test_a_producer_asks_with_a_licence_and_a_certificate(world, api, _media):
    scan = SimpleUploadedFile("iso.jpg", image("JPEG"), "image/jpeg")
    response = api(world.producer).post(
        URL,
        body(
            licence(),
            scan,
            kinds=["licence", "certificate"],
            certificates=["", "ISO 9001"],
            expiries=["", str(in_days(90))],
        ),
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "pending" and data["company"] == world.producer_profile.company_id
    assert data["reviewer"] is None and data["reason"] == "" and data["decided_at"] is None
    kinds = [(d["kind"], d["certificate"], d["expires_on"]) for d in data["documents"]]
    assert kinds == [("licence", "", None), ("certificate", "ISO9001", str(in_days(90)))]
    for document in data["documents"]:
        assert "/verifications/documents/" in document["url"] and "/media" not in document["url"]
    assert len(stored_files(_media)) == 2

    again = api(world.producer).post(URL, body(licence()), format="multipart")
    assert again.status_code == 409


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("setup.pdf", EXECUTABLE, "application/pdf"),
        SimpleUploadedFile("logo.png", SVG_WITH_SCRIPT, "image/png"),
        SimpleUploadedFile("bomb.png", png_bomb(), "image/png"),
        SimpleUploadedFile("cut.jpg", truncated_jpeg(), "image/jpeg"),
        SimpleUploadedFile("js.pdf", pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>"), "application/pdf"),
        SimpleUploadedFile("empty.pdf", b"", "application/pdf"),
    ],
    ids=["exe", "svg", "bomb", "truncated", "pdf-js", "empty"],
)
def test_hostile_files_are_a_400_and_nothing_is_stored(world, api, _media, upload):
    response = api(world.producer).post(
        URL, body(licence(), upload, kinds=["licence", "other"]), format="multipart"
    )
    assert response.status_code == 400
    assert "documents" in response.json()
    assert not Verification.objects.exists() and not VerificationDocument.objects.exists()
    assert stored_files(_media) == []


@pytest.mark.parametrize(
    "data",
    [
        {"note": "no files"},
        {"documents": "not a file", "kind": ["licence"]},
        {"kind": ["licence"]},
    ],
)
def test_garbage_is_a_400(world, api, data):
    response = api(world.producer).post(URL, data, format="multipart")
    assert response.status_code == 400
    assert not Verification.objects.exists()


def test_json_without_files_is_a_400(world, api):
    response = api(world.producer).post(URL, {"documents": [], "kind": []}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["counsellor", "staff", "anonymous"])
def test_only_producers_and_buyers_ask(world, api, who):
    response = api(world.user(who)).post(URL, body(licence()), format="multipart")
    assert response.status_code in (401, 403)
    assert not Verification.objects.exists()


def _pending(world):
    return verifications.verification_request(
        company=world.producer_profile.company,
        actor=world.producer,
        documents=[DocumentInput(file=licence(), kind="licence")],
    )


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("producer", True),
        ("editor", True),
        ("counsellor", True),
        ("staff", True),
        ("counsellor_out", False),
        ("other_producer", False),
        ("buyer", False),
    ],
)
def test_who_sees_a_request(world, api, who, sees):
    verification = _pending(world)
    listed = api(world.user(who)).get(URL).json()["results"]
    assert ([v["id"] for v in listed] == [verification.pk]) is sees
    detail = api(world.user(who)).get(f"{URL}{verification.pk}/")
    assert detail.status_code == (200 if sees else 404)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("counsellor", 200),
        ("staff", 200),
        ("counsellor_out", 404),
        ("producer", 403),
        ("other_producer", 404),
    ],
)
def test_who_verifies(world, api, who, status):
    verification = _pending(world)
    response = api(world.user(who)).post(f"{URL}{verification.pk}/verify/", {}, format="json")
    assert response.status_code == status
    verification.refresh_from_db()
    assert (verification.status == "verified") is (status == 200)
    if status == 200:
        data = response.json()
        assert data["reviewer"] in ("Sara Rahimi", "Export Bridge staff") and data["current"] is True
        producer = api(world.buyer).get(f"/api/v1/producers/{world.producer_profile.pk}/").json()
        assert producer["verified"] is True and producer["verified_at"]
        again = api(world.user(who)).post(
            f"{URL}{verification.pk}/refuse/", {"reason": "late"}, format="json"
        )
        assert again.status_code == 409


def test_refuse_needs_a_reason(world, api):
    verification = _pending(world)
    url = f"{URL}{verification.pk}/refuse/"
    assert api(world.counsellor).post(url, {}, format="json").status_code == 400
    assert api(world.counsellor).post(url, {"reason": "  "}, format="json").status_code == 400
    response = api(world.counsellor).post(url, {"reason": "Blurred scan"}, format="json")
    assert response.status_code == 200 and response.json()["reason"] == "Blurred scan"
    assert response.json()["status"] == "refused"


def test_buyer_objects_say_verified(world, api):
    buyer = world.buyer.buyer_profile
    data = api(world.buyer).get(f"/api/v1/buyers/{buyer.pk}/").json()
    assert data["verified"] is False and data["verified_at"] is None


# --- The download -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("producer", 200),
        ("editor", 200),
        ("counsellor", 200),
        ("staff", 200),
        ("counsellor_out", 404),
        ("other_producer", 404),
        ("buyer", 404),
        ("anonymous", 404),
    ],
)
def test_the_evidence_is_served_only_to_who_may_see_it(world, who, status, settings):
    verification = _pending(world)
    document = verification.documents.get()
    client = Client()
    if world.user(who) is not None:
        client.force_login(world.user(who))
    response = client.get(f"/verifications/documents/{document.token}/")
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "attachment" in response["Content-Disposition"]
    # Never at a storage URL.
    assert Client().get(settings.MEDIA_URL + document.file.name).status_code == 404


def test_an_unknown_token_is_a_404(world):
    client = Client()
    client.force_login(world.staff)
    assert client.get("/verifications/documents/not-a-token-at-all-00000/").status_code == 404
    assert client.get("/verifications/documents/x/").status_code == 404
