"""Staff set up two-factor sign-in before anything else (accounts/two_factor.py)."""

from functools import cache

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .two_factor import must_enrol


@cache
def _open_prefixes() -> tuple[str, ...]:
    """What a staff member without an authenticator app may still reach: its setup (and the
    re-entry of the password it may ask for), signing out, confirming their email (allauth
    sets up no second factor before), the language switch, static files and health checks.
    The API answers them itself (403, accounts.api.authentication)."""
    mfa_root = reverse("mfa_index")
    return (
        mfa_root,
        reverse("account_logout"),
        reverse("account_reauthenticate"),
        reverse("account_email"),
        reverse("account_email_verification_sent"),
        reverse("account_confirm_email", args=["key"]).rsplit("key", 1)[0],
        reverse("set_language"),
        reverse("healthz"),
        "/api/",
        settings.STATIC_URL,
        settings.MEDIA_URL,
    )


class TwoFactorEnrolmentMiddleware:
    """A signed-in staff member without an authenticator app is sent to its setup page from
    every other page (the admin included). One query per staff request, none for others."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(_open_prefixes()) and must_enrol(request.user):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
