"""Pictures and trust in a real browser (issue 17): a producer uploads a logo and two product
photos and asks to be verified with its business licence; the counsellor of its market
verifies it; a buyer sees the photos and the badge (who verified, and when) on the catalogue
and product pages, in Persian and English, on a phone 375 px wide (no horizontal scroll),
lazily loaded with the product's name as alt text. axe checks every page visited
(tests/e2e/checks.py)."""

import io
import re

import pytest
from django.core import mail
from PIL import Image
from playwright.sync_api import expect

from catalogue.services import product_create
from tests.e2e import journeys
from tests.e2e.journeys import no_horizontal_scroll, signed_in
from tests.factories import BuyerProfileFactory, ProducerProfileFactory
from tests.matchmaking.lifecycle_support import make_counsellor

NAME = {"fa": "فریزر صندوقی ۳۰۰ لیتری", "en": "Chest freezer 300 l"}
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    journeys.ensure_hs_nomenclature()
    mail.outbox.clear()
    producer = ProducerProfileFactory(name="سرمایش سهند", target_markets=["IQ"])
    product = product_create(
        producer=producer,
        actor=producer.owner,
        data={
            "name": NAME["fa"],
            "hs_code": "841830",
            "annual_capacity": "5000",
            "capacity_unit": "units",
            "translations": {"en": {"name": NAME["en"]}},
        },
    )
    buyer = BuyerProfileFactory(company_name="Baghdad Cold Chain")
    counsellor = make_counsellor("IQ", full_name="Dariush Karimi")  # the producer targets Iraq
    return producer, product, buyer, counsellor


LICENCE = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def picture(colour: str, size=(1200, 900), fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def test_a_producer_uploads_pictures_is_verified_and_a_buyer_sees_both_on_a_phone(
    browser, live_server, world
):
    producer, product, buyer, counsellor = world
    t = lambda msgid: journeys.translate("fa", msgid)  # noqa: E731

    page = signed_in(browser, live_server.url, producer.owner, "fa")
    page.goto("/my/profile/")
    logo = page.locator("#logo")
    logo.locator("input[type=file]").set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": picture("#0b4f6c", (600, 300), "PNG")}
    )
    logo.get_by_role("button", name=t("Upload")).click()
    expect(page.get_by_test_id("current-logo")).to_be_visible()

    page.goto(f"/my/products/{product.pk}/edit/")
    photos = page.locator("#photos")
    photos.locator("input[type=file]").set_input_files(
        [
            {"name": "front.jpg", "mimeType": "image/jpeg", "buffer": picture("#7a1f3d")},
            {"name": "side.jpg", "mimeType": "image/jpeg", "buffer": picture("#1f6f43", (900, 1200))},
        ]
    )
    photos.get_by_role("button", name=t("Upload")).click()
    expect(page.get_by_test_id("photo-list").locator("img")).to_have_count(2)

    # The producer asks to be verified with its business licence (slot 1 is a licence).
    page.goto("/my/verification/")
    page.locator("input[name=file_1]").set_input_files(
        {"name": "licence.pdf", "mimeType": "application/pdf", "buffer": LICENCE}
    )
    page.get_by_role("button", name=t("Send for review")).click()
    expect(page.locator(".alert-danger")).to_have_count(0)
    page.context.close()

    # The counsellor of the producer's market verifies it.
    page = signed_in(browser, live_server.url, counsellor, "fa")
    page.goto("/counsellor/verifications/")
    page.get_by_role("button", name=t("Verify the company")).click()
    expect(page.locator(".alert-danger")).to_have_count(0)
    page.context.close()
    producer.refresh_from_db()
    assert producer.verified and producer.verified_at

    for language in ("fa", "en"):
        page = signed_in(browser, live_server.url, buyer.owner, language, viewport=PHONE)
        page.goto("/catalogue/")
        card_photo = page.locator("img.product-photo").first
        expect(card_photo).to_have_attribute("alt", NAME[language])
        expect(card_photo).to_have_attribute("loading", "lazy")
        expect(card_photo).to_have_attribute("width", re.compile(r"^\d+$"))
        card_photo.scroll_into_view_if_needed()
        expect(card_photo).to_be_visible()
        assert card_photo.evaluate("image => image.complete && image.naturalWidth > 0")
        expect(page.get_by_test_id("verification-badge").first).to_contain_text("Dariush Karimi")
        no_horizontal_scroll(page)

        page.goto(f"/catalogue/products/{product.pk}/")
        gallery = page.get_by_test_id("product-photos").locator("img")
        expect(gallery).to_have_count(2)
        for index in range(2):
            expect(gallery.nth(index)).to_have_attribute("alt", NAME[language])
        assert gallery.first.evaluate("image => image.complete && image.naturalWidth > 0")
        expect(page.locator("img.company-logo")).to_have_count(1)
        badge = page.get_by_test_id("verification-badge")
        expect(badge).to_contain_text("Dariush Karimi")
        verified_by = journeys.translate(language, "Verified by %(by)s on %(on)s").split("%(by)s")[0].strip()
        expect(badge).to_contain_text(verified_by)
        no_horizontal_scroll(page)

        page.goto(f"/catalogue/producers/{producer.pk}/")
        expect(page.locator("img.company-logo")).to_be_visible()
        expect(page.locator("img.product-photo").first).to_have_attribute("alt", NAME[language])
        no_horizontal_scroll(page)
        page.context.close()
