"""Everything under /api/v1/: each app's routes, the schema and its docs UI."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from portal.api.exports import ExportJobDownloadView, ExportJobView

# The docs pages run under the portal's Content-Security-Policy (settings): Swagger UI's init
# script is fetched from the same view (`?script`), ReDoc's is a static file. ReDoc (its
# styled-components) writes <style> elements, some of them before it can be given a nonce, so
# its page alone allows inline styles (scripts stay 'self' only); it runs its search in a
# worker made from a blob: URL of its own code.
swagger = SpectacularSwaggerSplitView.as_view(
    url_name="api-schema", template_name="portal/api/swagger_ui.html"
)
redoc = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})(
    SpectacularRedocView.as_view(url_name="api-schema", template_name="portal/api/redoc.html")
)

urlpatterns = [
    path("exports/jobs/<int:pk>/", ExportJobView.as_view(), name="api-export-job"),
    path("exports/jobs/<int:pk>/download/", ExportJobDownloadView.as_view(), name="api-export-job-download"),
    path("", include("accounts.api.urls")),
    path("", include("taxonomy.api.urls")),
    path("", include("catalogue.api.urls")),
    path("", include("sourcing.api.urls")),
    path("", include("matchmaking.api.urls")),
    path("", include("counsellors.api.urls")),
    path("", include("deals.api.urls")),
    path("", include("digests.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", swagger, name="api-docs"),
    path("redoc/", redoc, name="api-redoc"),
]
