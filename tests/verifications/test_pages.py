"""The pages: the company's verification page, the counsellor's queue, the badge (who and when,
Jalali on Persian pages) on the producer's page and the catalogue's cards."""

import pytest
from django.test import Client

from accounts.models import Verification
from portal.formatting import format_date

from .conftest import certificate_scan, in_days, licence

pytestmark = pytest.mark.django_db


def client_for(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_a_producer_asks_the_counsellor_verifies_and_buyers_see_who_and_when(world):
    producer = client_for(world.producer)
    page = producer.get("/my/verification/")
    assert page.status_code == 200 and b'enctype="multipart/form-data"' in page.content
    assert b'data-testid="not-verified"' in page.content

    response = producer.post(
        "/my/verification/",
        {
            "file_1": licence(),
            "kind_1": "licence",
            "file_2": certificate_scan(),
            "kind_2": "certificate",
            "certificate_2": "ISO9001",
            "expires_on_2": str(in_days(200)),
            "note": "Our documents",
        },
    )
    assert response.status_code == 302
    verification = Verification.objects.get()
    assert verification.status == "pending" and verification.documents.count() == 2
    assert "Waiting for review" in producer.get("/my/verification/").content.decode()

    out = client_for(world.counsellor_out)
    assert "Sahand Cooling" not in out.get("/counsellor/verifications/").content.decode()
    assert out.post(f"/counsellor/verifications/{verification.pk}/verify/", {}).status_code == 404

    counsellor = client_for(world.counsellor)
    queue = counsellor.get("/counsellor/verifications/").content.decode()
    assert "Sahand Cooling" in queue and "/verifications/documents/" in queue
    refused = counsellor.post(f"/counsellor/verifications/{verification.pk}/refuse/", {"reason": ""})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    verified = counsellor.post(f"/counsellor/verifications/{verification.pk}/verify/", {"note": ""})
    assert verified.status_code == 302
    verification.refresh_from_db()
    assert verification.status == "verified"

    pk = world.producer_profile.pk
    english = client_for(world.buyer).get(f"/catalogue/producers/{pk}/").content.decode()
    assert "Verified by <bdi>Sara Rahimi</bdi> on" in english and "ISO9001" in english
    persian = client_for(world.buyer, "fa").get(f"/catalogue/producers/{pk}/").content.decode()
    from django.utils import translation

    with translation.override("fa"):
        jalali = format_date(verification.decided_at)
    assert "تأییدشده توسط" in persian and jalali in persian
    listing = client_for(world.buyer).get("/catalogue/").content.decode()
    assert "Verified by <bdi>Sara Rahimi</bdi> on" in listing


def test_a_refusal_reason_is_shown_on_the_company_page(world):
    producer = client_for(world.producer)
    producer.post("/my/verification/", {"file_1": licence(), "kind_1": "licence"})
    verification = Verification.objects.get()
    client_for(world.staff).post(
        f"/counsellor/verifications/{verification.pk}/refuse/", {"reason": "The scan is blurred."}
    )
    page = producer.get("/my/verification/").content.decode()
    assert "The scan is blurred." in page and "Ask to be verified" in page


def test_a_hostile_file_is_a_form_error_and_nothing_is_stored(world, _media):
    from .conftest import EXECUTABLE, stored_files, upload

    response = client_for(world.producer).post(
        "/my/verification/", {"file_1": upload("licence.pdf", EXECUTABLE), "kind_1": "licence"}
    )
    assert response.status_code == 200 and "not accepted" in response.content.decode()
    assert not Verification.objects.exists() and stored_files(_media) == []
