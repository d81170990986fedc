from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import storage, views

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
    path("media/public/<path:path>", storage.serve_public, name="public-media"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("catalogue.my_urls")),
    path("catalogue/", include("catalogue.urls")),
    path("", include("sourcing.urls")),
    path("", include("matchmaking.urls")),
    path("counsellor/", include("counsellors.urls")),
    path("", include("deals.urls")),
    path("digests/", include("digests.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api.urls")),
]
