"""What the catalogue plugs into the apps below it, installed by `CatalogueConfig.ready()`
(NetBox wires each app's receivers and registry entries from its `ready()` the same way):
accounts never imports the catalogue, the catalogue listens to accounts."""

from django.db.models.signals import post_delete, pre_delete

from accounts.signals import producer_changed
from portal.request_guard import register_upload_route

from . import exports, onboarding_steps, pictures, receivers
from .models import Product, ProductImage


def install() -> None:
    # A producer's edited name, description or city re-indexes its products' search text.
    producer_changed.connect(
        receivers.reindex_producer_products, dispatch_uid="catalogue.reindex_producer_products"
    )
    # Accounts' onboarding, filled from above: the producer's products step.
    onboarding_steps.register()
    # A deleted photo's or product's files go with it, once the deletion commits.
    post_delete.connect(
        pictures.delete_image_files, sender=ProductImage, dispatch_uid="catalogue.image_files"
    )
    pre_delete.connect(
        pictures.delete_catalogue_file, sender=Product, dispatch_uid="catalogue.catalogue_file"
    )
    # The paths that take pictures and catalogues get a body cap that fits them (portal/request_guard.py).
    register_upload_route(r"^/api/v1/products/[0-9]+/images/$", pictures.image_upload_cap)
    register_upload_route(r"^/my/products/[0-9]+/photos/$", pictures.photos_upload_cap)
    register_upload_route(r"^/my/products/[0-9]+/catalogue/$", pictures.pdf_upload_cap)
    # The producers' export, built by name when a task makes a large one (portal.exports).
    exports.register()
