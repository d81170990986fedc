"""Product photos, catalogues and company logos: stored by their content, metadata stripped,
thumbnails made, hostile files refused with nothing stored, files deleted with their rows."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from accounts.logos import company_logo_remove, company_logo_set
from accounts.models import CompanyRole
from catalogue import pictures
from catalogue.models import ProductImage
from catalogue.signals import product_changed
from tests.catalogue.pictures_support import (
    HOSTILE,
    hostile,
    media,
    media_files,
    oversize,
    pdf,
    photo,
    upload,
)
from tests.factories import BuyerProfileFactory, ProducerProfileFactory, ProductFactory, UserFactory

__all__ = ["media"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return ProductFactory(name="Chest freezer")


def _opened(fieldfile) -> Image.Image:
    with fieldfile.open("rb") as handle:
        picture = Image.open(io.BytesIO(handle.read()))
        picture.load()
    return picture


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_photo_is_stored_at_three_sizes_without_its_metadata(product, media, fmt):
    owner = product.producer.owner
    image = pictures.product_image_add(
        product=product,
        actor=owner,
        upload=upload(photo(fmt, size=(2400, 1600), gps=True), name="IMG_0001.jpg"),
    )
    assert (image.width, image.height) == (1920, 1280)
    sizes = {name: _opened(getattr(image, name)).size for name in ("image", "medium", "thumbnail")}
    assert sizes == {"image": (1920, 1280), "medium": (960, 640), "thumbnail": (320, 213)}
    for name in ("image", "medium", "thumbnail"):
        stored = _opened(getattr(image, name))
        assert not stored.getexif(), "EXIF (GPS, camera) is not carried over"
        assert "exif" not in stored.info
        assert "IMG_0001" not in getattr(image, name).name, "the stored name is random"
    assert len(media_files(media)) == 3
    assert image.position == 0 and image.created_by == owner


def test_photos_go_last_and_are_limited_per_product(product, media, settings):
    settings.CATALOGUE_IMAGES_PER_PRODUCT = 2
    owner = product.producer.owner
    first = pictures.product_image_add(product=product, actor=owner, upload=upload(photo()))
    second = pictures.product_image_add(product=product, actor=owner, upload=upload(photo("PNG"), "b.png"))
    assert (first.position, second.position) == (0, 1)
    with pytest.raises(ValidationError) as refused:
        pictures.product_image_add(product=product, actor=owner, upload=upload(photo()))
    assert "image" in refused.value.message_dict
    assert product.images.count() == 2 and len(media_files(media)) == 6


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_file_is_refused_and_nothing_is_stored(product, media, kind):
    data, name = hostile(kind)
    with pytest.raises(ValidationError) as refused:
        pictures.product_image_add(product=product, actor=product.producer.owner, upload=upload(data, name))
    assert refused.value.message_dict["image"]
    assert not ProductImage.objects.exists()
    assert media_files(media) == []


def test_an_oversize_file_is_refused_before_it_is_read(product, media, settings):
    settings.CATALOGUE_IMAGE_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        pictures.product_image_add(
            product=product, actor=product.producer.owner, upload=upload(oversize(1024))
        )
    assert "image" in refused.value.message_dict
    assert media_files(media) == []


def test_reorder_and_delete(product, media, django_capture_on_commit_callbacks):
    owner = product.producer.owner
    a, b, c = (
        pictures.product_image_add(product=product, actor=owner, upload=upload(photo())) for _ in range(3)
    )
    pictures.product_images_reorder(product=product, actor=owner, order=[c.pk, a.pk, b.pk])
    assert list(product.images.values_list("pk", flat=True)) == [c.pk, a.pk, b.pk]
    pictures.product_image_move(image=ProductImage.objects.get(pk=b.pk), actor=owner, step=-1)
    assert list(product.images.values_list("pk", flat=True)) == [c.pk, b.pk, a.pk]
    with pytest.raises(ValidationError):
        pictures.product_images_reorder(product=product, actor=owner, order=[c.pk, a.pk])
    with django_capture_on_commit_callbacks(execute=True):
        pictures.product_image_delete(image=b, actor=owner)
    assert list(product.images.values_list("pk", flat=True)) == [c.pk, a.pk]
    assert len(media_files(media)) == 6


def test_files_go_after_the_commit_only(product, media, django_capture_on_commit_callbacks):
    owner = product.producer.owner
    image = pictures.product_image_add(product=product, actor=owner, upload=upload(photo()))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pictures.product_image_delete(image=image, actor=owner)
    assert len(media_files(media)) == 3, "nothing deleted before the commit"
    for callback in callbacks:
        callback()
    assert media_files(media) == []


def test_deleting_a_product_deletes_its_files(product, media, django_capture_on_commit_callbacks):
    from catalogue.services import product_delete

    owner = product.producer.owner
    pictures.product_image_add(product=product, actor=owner, upload=upload(photo()))
    pictures.product_catalogue_set(
        product=product, actor=owner, upload=upload(pdf(), "c.pdf", "application/pdf")
    )
    assert len(media_files(media)) == 4
    with django_capture_on_commit_callbacks(execute=True):
        product_delete(product=product, actor=owner)
    assert media_files(media) == []


def test_a_photo_change_is_announced(product, media):
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs["changed"])

    product_changed.connect(receiver, dispatch_uid="test.pictures")
    try:
        pictures.product_image_add(product=product, actor=product.producer.owner, upload=upload(photo()))
    finally:
        product_changed.disconnect(dispatch_uid="test.pictures")
    assert seen == [frozenset({"images"})]


def test_catalogue_pdf_set_replace_remove(product, media, django_capture_on_commit_callbacks):
    owner = product.producer.owner
    with django_capture_on_commit_callbacks(execute=True):
        pictures.product_catalogue_set(
            product=product, actor=owner, upload=upload(pdf(), "cat.pdf", "application/pdf")
        )
    product.refresh_from_db()
    first = product.catalogue_pdf.name
    assert first.endswith(".pdf") and "cat" not in first.rsplit("/", 1)[-1]
    assert product.catalogue_pdf_size == len(pdf())
    with django_capture_on_commit_callbacks(execute=True):
        pictures.product_catalogue_set(
            product=product, actor=owner, upload=upload(pdf(), "cat.pdf", "application/pdf")
        )
    assert len(media_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        pictures.product_catalogue_remove(product=product, actor=owner)
    product.refresh_from_db()
    assert not product.catalogue_pdf and media_files(media) == []


@pytest.mark.parametrize(
    "data",
    [pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>"), photo(), b"MZ\x90\x00not a pdf"],
    ids=["pdf with javascript", "a picture", "an executable"],
)
def test_a_catalogue_that_is_not_a_clean_pdf_is_refused(product, media, data):
    with pytest.raises(ValidationError) as refused:
        pictures.product_catalogue_set(
            product=product, actor=product.producer.owner, upload=upload(data, "c.pdf")
        )
    assert refused.value.message_dict["catalogue_pdf"]
    product.refresh_from_db()
    assert not product.catalogue_pdf and media_files(media) == []


def _editor_of(producer):
    return UserFactory(role="producer", company=producer.company, company_role=CompanyRole.EDITOR)


@pytest.mark.parametrize(
    "who,allowed",
    [
        ("owner", True),
        ("editor", True),
        ("staff", True),
        ("other", False),
        ("buyer", False),
        ("counsellor", False),
    ],
)
def test_who_may_add_photos(product, media, who, allowed):
    actor = {
        "owner": lambda: product.producer.owner,
        "editor": lambda: _editor_of(product.producer),
        "staff": lambda: UserFactory(role="staff"),
        "other": lambda: ProducerProfileFactory().owner,
        "buyer": lambda: BuyerProfileFactory().owner,
        "counsellor": lambda: UserFactory(role="counsellor"),
    }[who]()
    if allowed:
        pictures.product_image_add(product=product, actor=actor, upload=upload(photo()))
        assert product.images.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            pictures.product_image_add(product=product, actor=actor, upload=upload(photo()))
        assert media_files(media) == []


@pytest.mark.parametrize("side", ["producer", "buyer"])
def test_a_logo_is_stored_with_its_thumbnail_and_replaced(media, side, django_capture_on_commit_callbacks):
    profile = ProducerProfileFactory() if side == "producer" else BuyerProfileFactory()
    with django_capture_on_commit_callbacks(execute=True):
        company_logo_set(
            profile=profile, actor=profile.owner, upload=upload(photo("PNG", (1000, 500)), "logo.png")
        )
    profile.refresh_from_db()
    assert (profile.logo_width, profile.logo_height) == (512, 256)
    assert _opened(profile.logo_thumbnail).size == (128, 64)
    assert profile.logo_url.startswith("/media/") and profile.logo_url.endswith(".webp")
    with django_capture_on_commit_callbacks(execute=True):
        company_logo_set(
            profile=profile, actor=profile.owner, upload=upload(photo("JPEG", (300, 300), gps=True))
        )
    assert len(media_files(media)) == 2, "the old logo's files are gone"
    profile.refresh_from_db()
    assert not _opened(profile.logo).getexif()
    with django_capture_on_commit_callbacks(execute=True):
        company_logo_remove(profile=profile, actor=profile.owner)
    profile.refresh_from_db()
    assert not profile.logo and profile.logo_url == "" and media_files(media) == []


def test_a_logo_refused_or_forbidden_stores_nothing(media):
    profile = ProducerProfileFactory()
    with pytest.raises(ValidationError) as refused:
        company_logo_set(profile=profile, actor=profile.owner, upload=upload(*hostile("svg with script")))
    assert refused.value.message_dict["image"]
    with pytest.raises(PermissionDenied):
        company_logo_set(profile=profile, actor=ProducerProfileFactory().owner, upload=upload(photo()))
    editor = _editor_of(profile)
    company_logo_set(profile=profile, actor=editor, upload=upload(photo()))
    assert len(media_files(media)) == 2


def test_deleting_a_profile_deletes_its_logo(media, django_capture_on_commit_callbacks):
    profile = ProducerProfileFactory()
    company_logo_set(profile=profile, actor=profile.owner, upload=upload(photo()))
    with django_capture_on_commit_callbacks(execute=True):
        profile.delete()
    assert media_files(media) == []
