"""The digest pages, mounted at /digests/."""

from django.urls import path

from . import views

app_name = "digests"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("preview/", views.preview, name="preview"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
