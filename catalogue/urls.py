"""Catalogue pages (HTML); the HS picker's fragment (the taxonomy's view) is served here too."""

from django.urls import path

from taxonomy.views import hs_picker

from . import views

app_name = "catalogue"

urlpatterns: list = [
    path("hs-picker/", hs_picker, name="hs-picker"),
    path("", views.product_list, name="product-list"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("producers/<int:pk>/", views.producer_detail, name="producer-detail"),
]
