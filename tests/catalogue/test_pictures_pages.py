"""The pages: a producer adds, orders and deletes photos and a catalogue, sets a logo; the
catalogue, product and producer pages show them lazily, sized, with the product's name as alt
text in the reader's language."""

import re

import pytest
from django.urls import reverse

from accounts.logos import company_logo_set
from catalogue import pictures
from catalogue.models import Product, ProductImage
from tests.catalogue.pictures_support import hostile, media, media_files, pdf, photo, upload
from tests.factories import BuyerProfileFactory, ProducerProfileFactory, ProductFactory

__all__ = ["media"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    product = ProductFactory(name="Chest freezer", original_language="en")
    Product.objects.filter(pk=product.pk).update(name_en="Chest freezer", name_fa="فریزر صندوقی")
    product.refresh_from_db()
    return product


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_producer_uploads_orders_and_deletes_photos(client, product, media):
    english(client).force_login(product.producer.owner)
    edit = reverse("my_products:edit", kwargs={"pk": product.pk})
    page = client.get(edit).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="images"' in page and "multiple" in page
    response = client.post(
        reverse("my_products:photos", kwargs={"pk": product.pk}),
        {
            "images": [
                upload(photo(), "a.jpg"),
                upload(photo("PNG"), "b.png"),
                upload(*hostile("svg with script")),
            ]
        },
        follow=True,
    )
    text = response.content.decode()
    assert "2 photos added." in text and "photo.svg" in text and "was not added" in text
    first, second = product.images.all()
    client.post(
        reverse("my_products:photo", kwargs={"pk": product.pk, "image_id": second.pk}), {"action": "earlier"}
    )
    assert list(product.images.values_list("pk", flat=True)) == [second.pk, first.pk]
    client.post(
        reverse("my_products:photo", kwargs={"pk": product.pk, "image_id": first.pk}), {"action": "delete"}
    )
    assert list(product.images.values_list("pk", flat=True)) == [second.pk]
    page = client.get(edit).content.decode()
    assert 'alt="Chest freezer"' in page and 'data-testid="photo-list"' in page


def test_the_producer_sets_and_removes_the_catalogue(client, product, media):
    english(client).force_login(product.producer.owner)
    url = reverse("my_products:catalogue", kwargs={"pk": product.pk})
    refused = client.post(
        url, {"catalogue_pdf": upload(pdf(b"<< /OpenAction << /S /JavaScript >> >>"), "c.pdf")}, follow=True
    )
    assert "The catalogue was not saved" in refused.content.decode() and media_files(media) == []
    client.post(url, {"catalogue_pdf": upload(pdf(), "c.pdf", "application/pdf")})
    product.refresh_from_db()
    assert product.catalogue_pdf
    page = client.get(reverse("catalogue:product-detail", kwargs={"pk": product.pk})).content.decode()
    assert product.catalogue_pdf.url in page and "Product catalogue (PDF)" in page
    client.post(url, {"action": "remove"})
    product.refresh_from_db()
    assert not product.catalogue_pdf


def test_another_producer_cannot_reach_the_photo_pages(client, product, media):
    client.force_login(ProducerProfileFactory().owner)
    response = client.post(
        reverse("my_products:photos", kwargs={"pk": product.pk}), {"images": [upload(photo())]}
    )
    assert response.status_code == 404 and not ProductImage.objects.exists()
    client.force_login(BuyerProfileFactory().owner)
    response = client.post(
        reverse("my_products:photos", kwargs={"pk": product.pk}), {"images": [upload(photo())]}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("side", ["producer", "buyer"])
def test_a_company_sets_its_logo_on_its_profile_page(client, media, side):
    profile = ProducerProfileFactory() if side == "producer" else BuyerProfileFactory()
    english(client).force_login(profile.owner)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'id="logo"' in page and "Add your logo" in page
    refused = client.post(
        reverse("accounts:profile_logo"), {"image": upload(*hostile("renamed executable"))}, follow=True
    )
    assert "The logo was not saved" in refused.content.decode() and media_files(media) == []
    client.post(reverse("accounts:profile_logo"), {"image": upload(photo("PNG", (600, 300)), "logo.png")})
    profile.refresh_from_db()
    assert profile.logo and profile.logo_width == 512
    assert 'data-testid="current-logo"' in client.get(reverse("accounts:profile")).content.decode()
    client.post(reverse("accounts:profile_logo"), {"action": "remove"})
    profile.refresh_from_db()
    assert not profile.logo


def _imgs(page: str) -> list[str]:
    return re.findall(r"<img [^>]*>", page)


@pytest.mark.parametrize("language,alt", [("en", "Chest freezer"), ("fa", "فریزر صندوقی")])
def test_pages_show_the_photos_lazily_with_the_name_as_alt_text(client, product, media, language, alt):
    owner = product.producer.owner
    for _ in range(2):
        pictures.product_image_add(product=product, actor=owner, upload=upload(photo()))
    company_logo_set(profile=product.producer, actor=owner, upload=upload(photo("PNG"), "l.png"))
    client.cookies["django_language"] = language
    for url in (
        reverse("catalogue:product-list"),
        reverse("catalogue:product-detail", kwargs={"pk": product.pk}),
        reverse("catalogue:producer-detail", kwargs={"pk": product.producer_id}),
    ):
        images = _imgs(client.get(url).content.decode())
        photos = [tag for tag in images if "product-photo" in tag]
        assert photos, url
        for tag in photos:
            assert f'alt="{alt}"' in tag
            assert re.search(r'width="\d+" height="\d+"', tag) and "srcset=" in tag and "sizes=" in tag
        assert any('loading="lazy"' in tag for tag in photos)
        if "catalogue/products/" not in url or url.endswith(f"{product.pk}/"):
            logos = [tag for tag in images if "company-logo" in tag]
            assert all("alt=" in tag for tag in logos)


def test_a_product_without_photos_shows_no_picture_box(client, product):
    page = client.get(reverse("catalogue:product-list")).content.decode()
    assert "product-photo" not in page and "<img" not in page.split("<main", 1)[-1]
