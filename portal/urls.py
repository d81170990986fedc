from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views

admin.site.site_header = _("Export Bridge administration")
admin.site.site_title = _("Export Bridge")
# A lost database connection outside a view answers 503, anything else the usual 500.
handler500 = "portal.outages.server_error"
# A path no route matches (a malformed id included): JSON under /api/, the 404 page elsewhere.
handler404 = "portal.request_guard.not_found"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("catalogue/", include("catalogue.urls")),
    path("", include("matchmaking.urls")),
    path("counsellor/", include("counsellors.urls")),
    path("digests/", include("digests.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api.urls")),
]
