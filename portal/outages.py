"""A clean answer when the database is gone: 503 with Retry-After, never a traceback or a 500.

PostgreSQL restarted, a backend terminated, a failover under way: the query raises Django's
OperationalError or InterfaceError. A view's error is answered by
`portal.middleware.DatabaseUnavailableMiddleware`; one raised outside a view (loading the
session or the user in a middleware, saving the session) reaches Django's 500 handler,
`server_error` here. Either way the API gets `{"detail": ...}` and a page a short page that
needs no database. The transaction the request had open is rolled back by the server (and by
`transaction.atomic` on the way out); the dead connection is dropped when the request ends
(errors_occurred) or at the next request's health check (CONN_HEALTH_CHECKS), so the next
request connects afresh.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

from portal import languages

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def is_outage(error: BaseException | None) -> bool:
    return isinstance(error, OUTAGE_ERRORS)


def database_unavailable(request: HttpRequest, error: BaseException | None = None) -> HttpResponse:
    logger.warning("The database is unavailable (%s %s): %s", request.method, request.path, error)
    # Without the database: no user lookup (portal.languages).
    language = languages.without_database(request)
    with translation.override(language):
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"detail": _("The service is briefly unavailable. Please try again in a moment.")}, status=503
            )
        else:
            page = render_to_string(
                "503.html",
                {
                    "LANGUAGE_CODE": language,
                    "LANGUAGE_BIDI": translation.get_language_bidi(),
                    # Its inline <style> is allowed by this nonce (django-csp's middleware).
                    "csp_nonce": getattr(request, "csp_nonce", ""),
                },
            )
            response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler (urls.handler500): a database outage becomes the 503 above."""
    error = sys.exc_info()[1]
    if is_outage(error):
        return database_unavailable(request, error)
    return defaults.server_error(request)
