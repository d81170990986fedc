"""The site shell's own endpoints: /healthz (and /live, /ready), the public media files at
MEDIA_URL, and the pages' exports (downloads with a page's filters, a large export's progress
and file)."""

import os

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from django.views.static import was_modified_since

from . import exports, storage
from .health import health_report, readiness_report
from .models import ExportJob


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


# --- Exports (portal/exports.py): the pages' download links and a large export's progress ----


@login_required
@require_GET
def export_download(request: HttpRequest, name: str, file_format: str) -> HttpResponse:
    """A list's export with the page's filters (the query string): the file, or, for a large
    workbook, the page that follows its building. Counsellors (their scope) and staff."""
    export = exports.get(name)
    if export is None or file_format not in exports.FORMATS:
        raise Http404(_("No such export."))
    if not export.may_export(request.user):
        raise PermissionDenied(_("Exports are for trade counsellors and staff."))
    try:
        answer = exports.respond(export, request.user, request.GET, file_format)
    except exports.InvalidFilters as error:
        context = {"errors": error.errors}
        return render(request, "portal/export_invalid.html", context, status=400)
    if isinstance(answer, ExportJob):
        return redirect("export_job", pk=answer.pk)
    return answer


def _visible_job(request: HttpRequest, pk: int) -> ExportJob:
    job = exports.jobs_visible_to(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("No such export."))
    return job


@login_required
@require_GET
@never_cache
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A large export's progress, polled by htmx (`HX-Request`: the progress block alone) until
    its file is ready; its requester and staff (404 for anyone else)."""
    job = _visible_job(request, pk)
    template = (
        "portal/includes/export_progress.html"
        if request.headers.get("HX-Request")
        else "portal/export_job.html"
    )
    return render(request, template, {"job": job})


@login_required
@require_GET
def export_job_download(request: HttpRequest, pk: int):
    """A large export's file once built: its requester and staff (404 until then, and for others)."""
    response = exports.job_file_response(_visible_job(request, pk))
    if response is None:
        raise Http404(_("The file is not ready yet."))
    return response


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's own sign-in form would skip two-factor sign-in: everyone signs in through
    allauth's (the code asked when the account has an authenticator), `?next=` kept. Staff
    already signed in go to the admin; anyone else signed in may not use it: 403 (the sign-in
    page would send them straight back here)."""
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect("admin:index")
        raise PermissionDenied
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{reverse('account_login')}?{query}" if query else reverse("account_login"))
