"""Pages for producers and buyers: onboarding, their profile, a producer's products.

Sign-up, sign-in and the other account pages are allauth's (under /accounts/).
"""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("onboarding/", views.onboarding_start, name="onboarding"),
    path("onboarding/<slug:step>/", views.onboarding_step, name="onboarding_step"),
    path("my/profile/", views.profile_edit, name="profile"),
    path("my/products/", views.product_list, name="products"),
    path("my/products/new/", views.product_new, name="product_new"),
    path("my/products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("my/products/<int:pk>/delete/", views.product_remove, name="product_delete"),
]
