"""Product photos and a product's catalogue (PDF): every write, by the product's company or
staff (docs/design.md "Trust and media").

A photo is judged by its content (`portal.uploads.check_image`: decoded in full, re-encoded
without its metadata, EXIF GPS included) and kept at three sizes for `srcset` (at most
`ProductImage.LARGE`, `MEDIUM` and `SMALL` pixels on the longer side), at most
`CATALOGUE_IMAGES_PER_PRODUCT` a product, ordered by `position`. A catalogue is a PDF without
active content (`portal.uploads.check_pdf`). Both are public (anyone who sees the product sees
them) and stored under random names. A refused file stores nothing and writes no row; the
files of a deleted photo, catalogue or product go once the deletion commits (the receivers
below, connected by `catalogue.hooks`).
"""

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from portal.pictures import delete_after_commit, delete_now, save_file
from portal.uploads import check_image, check_pdf

from .models import Product, ProductImage
from .policies import can_edit_product
from .signals import product_changed


def max_images() -> int:
    return int(getattr(settings, "CATALOGUE_IMAGES_PER_PRODUCT", 8))


def image_max_bytes() -> int:
    return int(getattr(settings, "CATALOGUE_IMAGE_MAX_BYTES", 10 * 1024 * 1024))


def pdf_max_bytes() -> int:
    return int(getattr(settings, "CATALOGUE_PDF_MAX_BYTES", 20 * 1024 * 1024))


def image_upload_cap() -> int:
    """The largest multipart body a path taking one photo needs (portal/request_guard.py)."""
    return image_max_bytes() + 1024 * 1024


def photos_upload_cap() -> int:
    """The largest multipart body of the page's form adding several photos at once."""
    return max_images() * image_max_bytes() + 1024 * 1024


def pdf_upload_cap() -> int:
    return pdf_max_bytes() + 1024 * 1024


def _check_may_edit(actor, product: Product) -> None:
    if not can_edit_product(actor, product):
        raise PermissionDenied(_("You may not change this product."))


def _locked(product: Product) -> Product:
    return Product.objects.select_related("producer").select_for_update(of=("self",)).get(pk=product.pk)


def _touched(product: Product, field: str) -> None:
    """Stamp the product as updated and tell the apps above (catalogue.signals) what changed."""
    product.save(update_fields=["updated_at"])
    product_changed.send(sender=Product, product=product, deleted=False, changed=frozenset({field}))


def _field_error(field: str, error: ValidationError) -> ValidationError:
    return ValidationError({field: error.messages})


# --- Photos --------------------------------------------------------------------------------


@transaction.atomic
def product_image_add(*, product: Product, actor, upload) -> ProductImage:
    """Add `upload` as the product's last photo; ValidationError({"image": ...}) when it is not
    a picture the portal accepts or the product has its `max_images()` already."""
    _check_may_edit(actor, product)
    product = _locked(product)
    held = product.images.aggregate(count=Count("id"), last=Max("position"))
    if held["count"] >= max_images():
        raise ValidationError({"image": [_("A product has at most %(n)d photos.") % {"n": max_images()}]})
    try:
        checked = check_image(upload, max_bytes=image_max_bytes())
    except ValidationError as error:
        raise _field_error("image", error) from None
    large = checked.thumbnail(ProductImage.LARGE)
    medium = large.thumbnail(ProductImage.MEDIUM)
    small = medium.thumbnail(ProductImage.SMALL)
    image = ProductImage(
        product=product,
        position=0 if held["last"] is None else held["last"] + 1,
        width=large.width,
        height=large.height,
        created_by=actor,
    )
    storage = image.image.storage
    try:
        save_file(image.image, large)
        save_file(image.medium, medium)
        save_file(image.thumbnail, small)
        image.save()
    except BaseException:
        delete_now(storage, image.files())
        raise
    _touched(product, "images")
    return image


@transaction.atomic
def product_images_reorder(*, product: Product, actor, order: Sequence[int]) -> list[ProductImage]:
    """Put the product's photos in the order of `order` (their ids, each once, all of them)."""
    _check_may_edit(actor, product)
    product = _locked(product)
    images = list(product.images.all())
    try:
        wanted = [int(pk) for pk in order]
    except (TypeError, ValueError):
        raise ValidationError({"order": [_("Give the photos' ids.")]}) from None
    if sorted(wanted) != sorted(image.pk for image in images):
        raise ValidationError({"order": [_("Give each of the product's photos once.")]})
    by_id = {image.pk: image for image in images}
    ordered = [by_id[pk] for pk in wanted]
    for position, image in enumerate(ordered):
        image.position = position
    ProductImage.objects.bulk_update(ordered, ["position"])
    _touched(product, "images")
    return ordered


@transaction.atomic
def product_image_move(*, image: ProductImage, actor, step: int) -> list[ProductImage]:
    """Move a photo one place earlier (`step` -1) or later (+1) among its product's."""
    product = image.product
    ids = list(product.images.values_list("id", flat=True))
    if image.pk not in ids:
        raise ValidationError({"order": [_("This photo is no longer there.")]})
    index = ids.index(image.pk)
    target = min(max(index + (1 if step > 0 else -1), 0), len(ids) - 1)
    ids.insert(target, ids.pop(index))
    return product_images_reorder(product=product, actor=actor, order=ids)


@transaction.atomic
def product_image_delete(*, image: ProductImage, actor) -> None:
    """Delete a photo; its files go once the deletion commits."""
    product = image.product
    _check_may_edit(actor, product)
    product = _locked(product)
    ProductImage.objects.filter(pk=image.pk).delete()  # the receiver deletes the files
    _touched(product, "images")


# --- The product's catalogue (PDF) ---------------------------------------------------------


@transaction.atomic
def product_catalogue_set(*, product: Product, actor, upload) -> Product:
    """Make `upload` the product's catalogue; ValidationError({"catalogue_pdf": ...}) when it is
    not a PDF the portal accepts (nothing stored)."""
    _check_may_edit(actor, product)
    try:
        checked = check_pdf(upload, max_bytes=pdf_max_bytes())
    except ValidationError as error:
        raise _field_error("catalogue_pdf", error) from None
    product = _locked(product)
    storage = product.catalogue_pdf.storage
    old = product.catalogue_pdf.name
    try:
        save_file(product.catalogue_pdf, checked)
        product.catalogue_pdf_size = len(checked.data)
        product.save(update_fields=["catalogue_pdf", "catalogue_pdf_size", "updated_at"])
    except BaseException:
        if product.catalogue_pdf.name != old:
            delete_now(storage, [product.catalogue_pdf.name])
        raise
    delete_after_commit(storage, [old])
    product_changed.send(sender=Product, product=product, deleted=False, changed=frozenset({"catalogue_pdf"}))
    return product


@transaction.atomic
def product_catalogue_remove(*, product: Product, actor) -> Product:
    """Remove the product's catalogue (nothing to do without one)."""
    _check_may_edit(actor, product)
    product = _locked(product)
    old = product.catalogue_pdf.name
    if not old:
        return product
    product.catalogue_pdf = ""
    product.catalogue_pdf_size = None
    product.save(update_fields=["catalogue_pdf", "catalogue_pdf_size", "updated_at"])
    delete_after_commit(product.catalogue_pdf.storage, [old])
    product_changed.send(sender=Product, product=product, deleted=False, changed=frozenset({"catalogue_pdf"}))
    return product


# --- Files follow their rows (connected by catalogue.hooks) --------------------------------


def delete_image_files(sender, instance: ProductImage, **kwargs) -> None:
    """A photo's row deleted (by itself or with its product): its files go after the commit."""
    delete_after_commit(instance.image.storage, instance.files())


def delete_catalogue_file(sender, instance: Product, **kwargs) -> None:
    """A product about to be deleted: its catalogue's file goes once the deletion commits. The
    name is read from the row (the instance deleted may predate the catalogue)."""
    names = (
        Product.objects.filter(pk=instance.pk)
        .exclude(catalogue_pdf="")
        .values_list("catalogue_pdf", flat=True)
    )
    delete_after_commit(instance.catalogue_pdf.storage, list(names))
