"""`Authorization: Token <key>` for accounts that may use the API: the token has not expired
(API token settings, in the admin), the account is active and its email is verified (as
allauth requires to sign in on the pages). One query per request.

The token's user is known only here, after the language middleware ran: their preferred
language applies from now on unless the request chose one (Accept-Language, or the
switcher's cookie: portal.languages).

Staff who have not set up two-factor sign-in are refused (403) by token and by session alike
until they do (accounts/two_factor.py)."""

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token

from accounts.models import api_token_lifetime
from accounts.policies import email_verification_required, verified_email_addresses
from accounts.services import token_expires_at
from accounts.two_factor import enrolment_required_message, must_enrol
from portal import languages


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            languages.adopt_api_user_language(request, result[0])
            refuse_until_enrolled(result[0])
        return result

    def authenticate_credentials(self, key):
        token = (
            Token.objects.select_related("user")
            .annotate(
                verified=Exists(verified_email_addresses(OuterRef("user"), OuterRef("user__email"))),
                lifetime_days=api_token_lifetime(),
            )
            .filter(key=key)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if email_verification_required() and not token.verified:
            raise exceptions.AuthenticationFailed(_("Confirm your email address before using the API."))
        if token_expires_at(token, lifetime_days=token.lifetime_days) <= timezone.now():
            raise exceptions.AuthenticationFailed(
                _("This token has expired: ask for a new one at POST /api/v1/auth/token/.")
            )
        return token.user, token


class TwoFactorSessionAuthentication(SessionAuthentication):
    """DRF's session authentication (the pages' sign-in), refusing staff not yet enrolled."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            refuse_until_enrolled(result[0])
        return result


class TwoFactorSessionScheme(SessionScheme):
    """The schema describes it as the session cookie it is (drf-spectacular's cookieAuth)."""

    target_class = "accounts.api.authentication.TwoFactorSessionAuthentication"


def refuse_until_enrolled(user) -> None:
    if must_enrol(user):
        raise exceptions.PermissionDenied(enrolment_required_message())
