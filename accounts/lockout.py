"""Sign-in brute force protection (django-axes): who is counted, and what a locked-out client sees.

Failures are counted per email and client address together (AXES_LOCKOUT_PARAMETERS), the
same for the sign-in page (allauth's form posts `login`) and the API token endpoint (`email`);
after AXES_FAILURE_LIMIT failures that pair is refused for AXES_COOLOFF_TIME, even with the
right password. Staff lift a lockout early with `manage.py axes_reset_username EMAIL`.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def username_from_request(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The email a sign-in attempt is for, normalised as accounts are (stripped, lower case)."""
    value = None
    if credentials:
        value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value:
        data = getattr(request, "data", None)
        if not hasattr(data, "get"):
            data = getattr(request, "POST", None)
        if hasattr(data, "get"):
            value = data.get("login") or data.get("email")
    if not value or not isinstance(value, str):
        return None
    return value.strip().lower() or None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind our own proxies (DJANGO_BEHIND_PROXY) the
    address the outermost of them saw, counted from the right of X-Forwarded-For so that a
    client cannot choose it."""
    remote = request.META.get("REMOTE_ADDR")
    hops = getattr(settings, "AXES_TRUSTED_PROXY_COUNT", 0)
    if not hops:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) >= hops and _is_address(forwarded[-hops]):
        return forwarded[-hops]
    return remote


def _is_address(text: str) -> bool:
    """An IP address as the lockout's table stores it (anything else would be a database error)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def cool_off_seconds() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    if isinstance(cool_off, timedelta):
        return int(cool_off.total_seconds())
    if isinstance(cool_off, int | float):
        return int(cool_off * 3600)  # axes reads a number as hours
    return 0


def lockout_message() -> str:
    return _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.") % {
        "minutes": max(1, cool_off_seconds() // 60)
    }


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """429 for a locked-out client: JSON under /api/, else the portal's own page."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    seconds = cool_off_seconds()
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=status)
    else:
        response = render(
            request,
            "account/lockout.html",
            {"cooloff_minutes": max(1, seconds // 60), "failure_limit": settings.AXES_FAILURE_LIMIT},
            status=status,
        )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
