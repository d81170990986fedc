"""The demo's pictures: drawn by the seed itself, one logo per demo company and a photo per
demo product, checked like uploads; a second seed makes none."""

import pytest

from accounts.models import BuyerProfile, ProducerProfile, User
from catalogue.models import Product, ProductImage
from home.demo import STAFF_EMAIL, seed_demo_province
from home.demo_pictures import seed_pictures

pytestmark = pytest.mark.django_db


def test_every_demo_company_has_a_logo_and_every_product_a_photo(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    seed_demo_province()
    assert not ProducerProfile.objects.filter(logo="").exists()
    assert not BuyerProfile.objects.filter(logo="").exists()
    assert not Product.objects.filter(images__isnull=True).exists()
    photo = ProductImage.objects.first()
    assert (photo.width, photo.height) == (640, 480) and photo.thumbnail.name.endswith(".webp")
    stored = len([path for path in tmp_path.rglob("*") if path.is_file()])
    assert seed_pictures(staff=User.objects.get(email=STAFF_EMAIL)) == 0
    assert len([path for path in tmp_path.rglob("*") if path.is_file()]) == stored
