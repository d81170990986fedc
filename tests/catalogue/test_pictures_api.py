"""Product photos and producer logos over the API: multipart `image`, judged by its content,
per role; the product and the producers and buyers show them."""

import pytest
from rest_framework.test import APIClient

from accounts.logos import company_logo_set
from accounts.models import CompanyRole
from catalogue import pictures
from catalogue.models import ProductImage
from tests.catalogue.pictures_support import HOSTILE, hostile, media, media_files, photo, upload
from tests.factories import BuyerProfileFactory, ProducerProfileFactory, ProductFactory, UserFactory

__all__ = ["media"]

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def product():
    return ProductFactory(name="Chest freezer")


def images_url(product) -> str:
    return f"/api/v1/products/{product.pk}/images/"


def test_the_owner_adds_a_photo_and_everyone_sees_it(product, media):
    response = client_for(product.producer.owner).post(
        images_url(product), {"image": upload(photo("JPEG", (1600, 1200), gps=True))}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "url", "thumbnail_url", "width", "height"}
    assert (body["width"], body["height"]) == (1600, 1200)
    assert body["url"].startswith("http://testserver/media/") and body["url"].endswith(
        ".webp"
    )  # sizes are WebP (portal.uploads)
    listed = client_for().get(images_url(product)).json()
    assert listed == [body]
    shown = client_for().get(f"/api/v1/products/{product.pk}/").json()
    assert shown["images"] == [body] and shown["catalogue_pdf_url"] is None
    in_list = client_for().get("/api/v1/products/").json()["results"][0]
    assert in_list["images"] == [body]


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_not_an_image_by_content_is_a_400_and_nothing_is_stored(product, media, kind):
    data, name = hostile(kind)
    response = client_for(product.producer.owner).post(
        images_url(product), {"image": upload(data, name)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["image"], response.json()
    assert not ProductImage.objects.exists() and media_files(media) == []


@pytest.mark.parametrize(
    "body,fmt",
    [
        ({}, "multipart"),
        ({"image": "not a file"}, "multipart"),
        ({"image": "x"}, "json"),
        ({"other": "1"}, "json"),
    ],
)
def test_garbage_bodies_are_400(product, media, body, fmt):
    response = client_for(product.producer.owner).post(images_url(product), body, format=fmt)
    assert response.status_code == 400 and "image" in response.json()
    assert media_files(media) == []


def test_a_broken_multipart_body_is_a_400(product, media):
    response = client_for(product.producer.owner).generic(
        "POST",
        images_url(product),
        b'--xx\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n\x89PNG',
        content_type="multipart/form-data; boundary=xx",
    )
    assert response.status_code == 400


def test_the_ninth_photo_is_refused(product, media, settings):
    settings.CATALOGUE_IMAGES_PER_PRODUCT = 1
    client = client_for(product.producer.owner)
    assert client.post(images_url(product), {"image": upload(photo())}, format="multipart").status_code == 201
    response = client.post(images_url(product), {"image": upload(photo())}, format="multipart")
    assert response.status_code == 400 and "at most 1 photo" in response.json()["image"][0]


def _actor(who: str, product):
    producer = product.producer
    return {
        "anonymous": lambda: None,
        "owner": lambda: producer.owner,
        "editor": lambda: UserFactory(
            role="producer", company=producer.company, company_role=CompanyRole.EDITOR
        ),
        "other producer": lambda: ProducerProfileFactory().owner,
        "buyer": lambda: BuyerProfileFactory().owner,
        "counsellor": lambda: UserFactory(role="counsellor"),
        "staff": lambda: UserFactory(role="staff"),
    }[who]()


EXPECTED = {
    "anonymous": (401, 401, 401, 401),
    "owner": (201, 204, 200, 204),
    "editor": (201, 204, 200, 204),
    "other producer": (403, 403, 403, 403),
    "buyer": (403, 403, 403, 403),
    "counsellor": (403, 403, 403, 403),
    "staff": (201, 204, 200, 204),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_who_may_write_photos_and_logos(product, media, who):
    add, delete, put_logo, delete_logo = EXPECTED[who]
    client = client_for(_actor(who, product))
    assert client.get(images_url(product)).status_code == 200
    assert client.post(images_url(product), {"image": upload(photo())}, format="multipart").status_code == add
    image = pictures.product_image_add(product=product, actor=product.producer.owner, upload=upload(photo()))
    assert client.delete(f"{images_url(product)}{image.pk}/").status_code == delete
    logo_url = f"/api/v1/producers/{product.producer_id}/logo/"
    assert (
        client.put(logo_url, {"image": upload(photo("PNG"), "l.png")}, format="multipart").status_code
        == put_logo
    )
    company_logo_set(profile=product.producer, actor=product.producer.owner, upload=upload(photo()))
    assert client.delete(logo_url).status_code == delete_logo


def test_an_unlisted_products_photos_are_404_to_others(product, media):
    product.is_active = False
    product.save()
    assert client_for().get(images_url(product)).status_code == 404
    assert client_for(BuyerProfileFactory().owner).get(images_url(product)).status_code == 404
    assert client_for(product.producer.owner).get(images_url(product)).status_code == 200
    assert client_for(UserFactory(role="staff")).get(images_url(product)).status_code == 200


def test_another_products_photo_is_404(product, media):
    other = ProductFactory(producer=product.producer)
    image = pictures.product_image_add(product=other, actor=other.producer.owner, upload=upload(photo()))
    response = client_for(product.producer.owner).delete(f"{images_url(product)}{image.pk}/")
    assert response.status_code == 404 and ProductImage.objects.filter(pk=image.pk).exists()


def test_the_logo_is_set_and_shown_on_producers_and_buyers(media):
    producer = ProducerProfileFactory()
    response = client_for(producer.owner).put(
        f"/api/v1/producers/{producer.pk}/logo/",
        {"image": upload(photo("WEBP", (900, 300)), "l.webp")},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["width"], body["height"]) == (512, 171) and body["logo_url"].endswith(".webp")
    assert client_for().get(f"/api/v1/producers/{producer.pk}/").json()["logo_url"] == body["logo_url"]
    refused = client_for(producer.owner).put(
        f"/api/v1/producers/{producer.pk}/logo/",
        {"image": upload(*hostile("renamed executable"))},
        format="multipart",
    )
    assert refused.status_code == 400 and refused.json()["image"]
    buyer = BuyerProfileFactory()
    company_logo_set(profile=buyer, actor=buyer.owner, upload=upload(photo()))
    shown = client_for(buyer.owner).get(f"/api/v1/buyers/{buyer.pk}/").json()
    assert shown["logo_url"].startswith("http://testserver/media/")
    assert client_for(BuyerProfileFactory().owner).get("/api/v1/buyers/me/").json()["logo_url"] is None
