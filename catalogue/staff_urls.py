"""Staff tools of the catalogue, under /staff/producers/: the producer import page."""

from django.urls import path

from . import import_pages

app_name = "producer_import"

urlpatterns = [
    path("import/", import_pages.producer_import, name="page"),
    path("import/commit/", import_pages.producer_import_commit, name="commit"),
    path("invitations/resend/", import_pages.invitations_resend, name="resend"),
]
