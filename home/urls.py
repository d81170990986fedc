"""The home page, the dashboard and the language switch (no namespace: every page links them)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/download.<slug:file_format>", views.dashboard_download, name="dashboard_download"),
    path("i18n/setlang/", views.set_language, name="set_language"),
]
