"""What no view should see: a request whose metadata or size no field of the portal accepts.

PostgreSQL refuses a NUL character in any text it is sent, so a NUL that reaches a query is a
server error wherever the value lands: a token looked up, a session key, an HS code in a path,
a search in the query string. Rather than hoping every view and library checks, this
middleware, first in the chain, answers before any of them runs:

- a NUL in the path: 404 (no object has such a name);
- a NUL in the query string or in a form body's names, values or file names: 400, with the
  field errors as JSON under /api/ (`{"q": ["Null characters are not allowed."]}`), the 400
  page elsewhere;
- a NUL in the Authorization header: 401 under /api/ (the token is not valid), else 400;
  in any other header or a cookie: 400;
- a body larger than `REQUEST_MAX_BODY_BYTES` (default: DATA_UPLOAD_MAX_MEMORY_SIZE, which
  Django enforces for forms but DRF's parsers, reading the stream, bypass), or a
  Content-Length that is not a number: 413 or 400, before the body is read. A path that takes
  files (registered by its app: `register_upload_route`) has its own cap for multipart bodies.

Its answers touch neither the database nor the session.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from portal import languages
from portal.api.errors import is_api, page_not_found

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


# The paths that take files, each with the largest multipart body it takes (a callable, read
# per request, so the settings it follows can change). Filled by the apps that take files, from
# their hooks (deals: a message's attachments); a multipart body elsewhere keeps the common cap.
_upload_routes: list[tuple[re.Pattern, Callable[[], int]]] = []


def register_upload_route(pattern: str, max_bytes: Callable[[], int]) -> None:
    """Let multipart bodies posted to paths matching `pattern` (a regex on the path) be up to
    `max_bytes()` long (registering the same pattern again replaces it)."""
    compiled = re.compile(pattern)
    _upload_routes[:] = [route for route in _upload_routes if route[0].pattern != pattern]
    _upload_routes.append((compiled, max_bytes))


def max_body_bytes(request: HttpRequest | None = None) -> int:
    configured = getattr(settings, "REQUEST_MAX_BODY_BYTES", None)
    cap = configured if configured is not None else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if request is not None and request.content_type == "multipart/form-data":
        for pattern, upload_cap in _upload_routes:
            if pattern.match(request.path_info):
                return max(cap, upload_cap())
    return cap


def null_message() -> str:
    return _("Null characters are not allowed.")


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with translation.override(languages.without_database(request)):
            refusal = self.refusal(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isascii() or not length.strip().isdigit():
            return bad_request(request, {"detail": _("The Content-Length header is not a number.")})
        if int(length) > (cap := max_body_bytes(request)):
            message = _("The request body is too large (at most %(n)d bytes).") % {"n": cap}
            return error(request, {"detail": message}, status=413)
        if NUL in request.path_info or NUL in request.path:
            return page_not_found(request)
        for key, value in request.META.items():
            if not isinstance(value, str) or NUL not in value:
                continue
            if key == "HTTP_AUTHORIZATION" and is_api(request):
                return error(request, {"detail": _("Invalid token.")}, status=401)
            if key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                return bad_request(request, {"detail": _("A request header holds a null character.")})
        fields = _null_fields(request.GET)
        if not fields and request.method == "POST" and request.content_type in FORM_TYPES:
            fields = _null_fields(request.POST) or [
                name for name, files in request.FILES.lists() if any(NUL in (f.name or "") for f in files)
            ]
        if fields:
            return bad_request(request, {name: [null_message()] for name in fields})
        return None


def _null_fields(data) -> list[str]:
    names = []
    for name, values in data.lists():
        if NUL in name or any(NUL in value for value in values if isinstance(value, str)):
            names.append(name.replace(NUL, "") or "non_field_errors")
    return names


def error(request: HttpRequest, body: dict, *, status: int) -> HttpResponse:
    if is_api(request):
        response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        problems = [m for value in body.values() for m in (value if isinstance(value, list) else [value])]
        page = render_to_string(
            "400.html",
            {
                "status": status,
                "problems": problems,
                "LANGUAGE_CODE": translation.get_language(),
                "LANGUAGE_BIDI": translation.get_language_bidi(),
                "csp_nonce": getattr(request, "csp_nonce", ""),
            },
        )
        response = HttpResponse(page, status=status)
    if status == 401:
        response["WWW-Authenticate"] = "Token"
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request: HttpRequest, body: dict) -> HttpResponse:
    return error(request, body, status=400)
