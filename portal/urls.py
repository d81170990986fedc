import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from . import views

admin.site.site_header = _("Export Bridge administration")
admin.site.site_title = _("Export Bridge")
# A lost database connection outside a view answers 503, anything else the usual 500; a path
# no route matches (a malformed id included) 404; under /api/ each of these answers is JSON, as the schema declares (portal/api/errors.py).
handler400 = "portal.api.errors.bad_request"
handler403 = "portal.api.errors.permission_denied"
handler404 = "portal.api.errors.page_not_found"
handler500 = "portal.api.errors.server_error"

urlpatterns = [
    path("", include("home.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("exports/<slug:name>.<slug:file_format>", views.export_download, name="export_download"),
    path("exports/jobs/<int:pk>/", views.export_job, name="export_job"),
    path("exports/jobs/<int:pk>/download/", views.export_job_download, name="export_job_download"),
    path("healthz/live", views.healthz_live, name="healthz-live"),
    path("healthz/ready", views.healthz_ready, name="healthz-ready"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("catalogue.my_urls")),
    path("catalogue/", include("catalogue.urls")),
    path("staff/producers/", include("catalogue.staff_urls")),
    path("", include("sourcing.urls")),
    path("", include("matchmaking.urls")),
    path("counsellor/", include("counsellors.urls")),
    path("", include("deals.urls")),
    path("digests/", include("digests.urls")),
    # Before the admin's own: its sign-in is allauth's (two-factor sign-in, the lockout).
    path("admin/login/", views.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api.urls")),
]
# The public store's files when it is a folder (portal/storage.py; a bucket serves its own).
if settings.MEDIA_URL.startswith("/") and not settings.MEDIA_URL.startswith("//"):
    urlpatterns.append(
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", views.public_media, name="media"
        )
    )
