"""Pictures for the demo, drawn here with Pillow (nothing downloaded): a logo per demo company
(its initials on a colour) and a photo-like picture per demo product (a gradient, shapes and
the product's English name). Each goes through the same services as an upload, so it is
checked, re-encoded and thumbnailed like a real one. Idempotent: a company with a logo or a
product with a photo is left as it is.
"""

from __future__ import annotations

import hashlib
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from accounts.logos import company_logo_set
from accounts.models import BuyerProfile, ProducerProfile, User
from catalogue.models import Product
from catalogue.pictures import product_image_add

# Dark enough for white letters (WCAG AA large text), one picked per company by its name.
PALETTE = ["#0b4f6c", "#7a1f3d", "#1f6f43", "#5b3a8e", "#8a4b08", "#234e9a", "#6b2c2c", "#2f5d62"]
LOGO_SIDE = 160
PHOTO_SIZE = (640, 480)


def _colour(seed: str, offset: int = 0) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return PALETTE[(digest[0] + offset) % len(PALETTE)]


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def _initials(name: str) -> str:
    words = [word for word in name.replace("&", " ").split() if word[:1].isalnum()]
    letters = "".join(word[0] for word in words[:2]).upper()
    return letters or "EB"


def _png(picture: Image.Image, name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    picture.save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _jpeg(picture: Image.Image, name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=82)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def logo_picture(name: str) -> Image.Image:
    """A square logo: the name's initials in white on a rounded square of a colour of its own."""
    picture = Image.new("RGBA", (LOGO_SIDE, LOGO_SIDE), (255, 255, 255, 0))
    draw = ImageDraw.Draw(picture)
    draw.rounded_rectangle((8, 8, LOGO_SIDE - 8, LOGO_SIDE - 8), radius=32, fill=_colour(name))
    draw.text((LOGO_SIDE / 2, LOGO_SIDE / 2), _initials(name), fill="white", font=_font(68), anchor="mm")
    return picture


def product_picture(name: str, variant: int = 0) -> Image.Image:
    """A photo-like picture: a diagonal gradient between two colours, a few shapes, and the name."""
    width, height = PHOTO_SIZE
    start, end = Image.new("RGB", PHOTO_SIZE, _colour(name, variant)), Image.new("RGB", PHOTO_SIZE, "#f1f3f5")
    mask = Image.linear_gradient("L").rotate(45 + 90 * variant, expand=False).resize(PHOTO_SIZE)
    picture = Image.composite(end, start, mask)
    draw = ImageDraw.Draw(picture)
    seed = hashlib.sha256(f"{name}/{variant}".encode()).digest()
    for index in range(4):
        x, y, r = seed[index] * width // 256, seed[index + 4] * height // 256, 24 + seed[index + 8] % 80
        shape = (x - r, y - r, x + r, y + r)
        if index % 2:
            draw.ellipse(shape, outline="white", width=6)
        else:
            draw.rectangle(shape, fill=_colour(name, index + 1))
    draw.rectangle((0, height - 80, width, height), fill=(0, 0, 0))
    draw.text((24, height - 40), name[:40], fill="white", font=_font(34), anchor="lm")
    return picture


def seed_pictures(*, staff: User, photos_per_product: int = 1) -> int:
    """Give each demo company without a logo its logo and each demo product without a photo
    its photos; return how many pictures were made."""
    made = 0
    for profile in [*ProducerProfile.objects.filter(logo=""), *BuyerProfile.objects.filter(logo="")]:
        if not profile.owner.email.endswith("@demo.exportbridge.ir"):
            continue
        english = getattr(profile, "name_en", None) or getattr(profile, "company_name_en", None)
        label = english or profile.owner.email.split("@")[0].replace(".", " ")
        company_logo_set(profile=profile, actor=staff, upload=_png(logo_picture(label), "logo.png"))
        made += 1
    products = Product.objects.filter(
        producer__owner__email__endswith="@demo.exportbridge.ir", images__isnull=True
    ).select_related("producer")
    for product in products:
        label = product.name_en or product.hs_code_id
        for variant in range(photos_per_product):
            product_image_add(
                product=product, actor=staff, upload=_jpeg(product_picture(label, variant), "photo.jpg")
            )
            made += 1
    return made
