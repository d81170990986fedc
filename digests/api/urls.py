from django.urls import path

from . import views

urlpatterns = [
    path("digests/preferences/", views.DigestPreferenceView.as_view(), name="digest-preferences"),
]
