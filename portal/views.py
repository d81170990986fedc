"""The site shell's own endpoints: /healthz (and /live, /ready), and the public media files at MEDIA_URL."""

import os

from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotModified, JsonResponse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from django.views.static import was_modified_since

from . import storage
from .health import health_report, readiness_report


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@never_cache
@require_GET
def healthz_live(request: HttpRequest) -> JsonResponse:
    """200 while the process serves: no database, broker or cache is asked (portal/health.py)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def healthz_ready(request: HttpRequest) -> JsonResponse:
    """200 when the database, the broker and the shared cache answer; 503 naming the one that
    does not."""
    report = readiness_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@require_safe
def public_media(request: HttpRequest, path: str) -> FileResponse:
    """A file of the public store when it is a folder (portal/storage.py): cached for a year
    (names are random tokens, never reused), never sniffed. 404 for anything else: a path out
    of the folder, a file of the private store, any path when the public store is a bucket."""
    full = storage.public_file_path(path)
    if full is None:
        raise Http404(_("No such file."))
    stat = os.stat(full)
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), int(stat.st_mtime)):
        response = HttpResponseNotModified()
    else:
        content_type = storage.public_content_type(full)
        response = FileResponse(
            open(full, "rb"),  # noqa: SIM115 - FileResponse closes it
            content_type=content_type or "application/octet-stream",
            as_attachment=content_type is None,
        )
        response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = storage.PUBLIC_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response
