"""Pages for producers and buyers: onboarding and their profile.

Sign-up, sign-in and the other account pages are allauth's (under /accounts/); a
producer's product pages (/my/products/) are the catalogue's (catalogue/my_urls.py).
"""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("onboarding/", views.onboarding_start, name="onboarding"),
    path("onboarding/<slug:step>/", views.onboarding_step, name="onboarding_step"),
    path("my/profile/", views.profile_edit, name="profile"),
    path("my/verification/", views.verification, name="verification"),
    path("verifications/documents/<str:token>/", views.verification_document, name="verification_document"),
    path("my/profile/logo/", views.profile_logo, name="profile_logo"),
]
