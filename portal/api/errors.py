"""Django's own error answers (urls.handler400/403/404/500) in the API's shape under /api/.

What fails before a DRF view answers — a path no route matches (`/api/v1/products/1%2F/`), too
many fields in a query or a form (Django's DATA_UPLOAD_MAX_NUMBER_FIELDS), a body over the
size limit, an unexpected error — is answered by Django's handlers, which render HTML pages.
Under /api/ the answer is `{"detail": ...}` in JSON with the same status, as the schema
declares for every operation (portal/api/schema.py); elsewhere the pages stay as they were.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from portal import outages


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": _("Malformed request.")}, status=400)
    # The portal's standalone 400 page, its inline style allowed by the request's CSP nonce.
    page = render_to_string("400.html", {"csp_nonce": getattr(request, "csp_nonce", "")})
    return HttpResponse(page, status=400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": _("You do not have permission to perform this action.")}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    response = outages.server_error(request)
    if is_api(request) and response.status_code == 500:
        return JsonResponse({"detail": _("A server error occurred.")}, status=500)
    return response
