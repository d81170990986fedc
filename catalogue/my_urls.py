"""A producer's own product pages, at /my/products/ beside its profile (/my/profile/).

Included at the site's root (portal/urls.py), apart from the catalogue's public
pages under /catalogue/ (catalogue/urls.py), in a namespace of their own.
"""

from django.urls import path

from . import product_pages

app_name = "my_products"

urlpatterns = [
    path("my/products/", product_pages.product_list, name="list"),
    path("my/products/new/", product_pages.product_new, name="new"),
    path("my/products/<int:pk>/edit/", product_pages.product_edit, name="edit"),
    path("my/products/<int:pk>/delete/", product_pages.product_remove, name="delete"),
    path("my/products/<int:pk>/photos/", product_pages.product_photos_add, name="photos"),
    path("my/products/<int:pk>/photos/<int:image_id>/", product_pages.product_photo_change, name="photo"),
    path("my/products/<int:pk>/catalogue/", product_pages.product_catalogue, name="catalogue"),
]
