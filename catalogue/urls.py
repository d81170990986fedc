"""Catalogue pages (HTML)."""

from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns: list = [
    path("hs-picker/", views.hs_picker, name="hs-picker"),
    path("", views.product_list, name="product-list"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("producers/<int:pk>/", views.producer_detail, name="producer-detail"),
]
