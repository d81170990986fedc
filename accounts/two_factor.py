"""Two-factor sign-in (django-allauth's MFA): an authenticator app's six-digit codes, with
recovery codes for a lost phone (docs/operations.md, "Two-factor sign-in").

Required for staff (`policies.two_factor_required`): until they have an authenticator app, the
pages send them to its setup (`accounts.middleware.TwoFactorEnrolmentMiddleware`) and the API
refuses them (`accounts.api.authentication`). Offered to everyone else on the dashboard. Once a
user has one, allauth asks for a code at every sign-in on the pages, and the API's token
endpoint wants a `code` beside the password.
"""

from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import records_actor

from .models import User
from .policies import two_factor_required

# The kinds that are a second factor on their own (recovery codes only stand in for one).
FACTOR_TYPES = (Authenticator.Type.TOTP,)
CODE_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES)


def is_enrolled(user) -> bool:
    """Whether `user` has an authenticator app (remembered on the user object: one query)."""
    if not (user and user.is_authenticated):
        return False
    cached = getattr(user, "_two_factor_enrolled", None)
    if cached is None:
        cached = Authenticator.objects.filter(user_id=user.pk, type__in=FACTOR_TYPES).exists()
        user._two_factor_enrolled = cached
    return cached


def must_enrol(user) -> bool:
    """Staff without an authenticator app: nothing but its setup until they have one."""
    return two_factor_required(user) and not is_enrolled(user)


def enrolment_required_message() -> str:
    return _(
        "Staff accounts need two-factor sign-in. Set up an authenticator app on the website "
        "(Dashboard, “Two-factor sign-in”), then use the API again."
    )


def check_code(user, code: str) -> bool:
    """Whether `code` is a current code of the user's authenticator app or one of their unused
    recovery codes; a recovery code is spent by this. For the API's token endpoint (the pages
    use allauth's own form)."""
    code = (code or "").strip()
    if not code:
        return False
    for authenticator in Authenticator.objects.filter(user_id=user.pk, type__in=CODE_TYPES):
        if authenticator.wrap().validate_code(code):
            authenticator.record_usage()
            return True
    return False


def require_second_factor(user, code: str | None) -> None:
    """For a sign-in that is not allauth's (the API's token endpoint): PermissionDenied when
    the user must enrol first, ValidationError when their code is missing or wrong."""
    if must_enrol(user):
        raise PermissionDenied(enrolment_required_message())
    if is_enrolled(user) and not check_code(user, code or ""):
        raise ValidationError(
            {
                "code": [
                    _(
                        "Two-factor sign-in is on for this account: send a current code of the authenticator app."
                    )
                    if not code
                    else _("This code is not right (or was used already). Try the next one.")
                ]
            }
        )


@records_actor
@transaction.atomic
def reset_two_factor(*, user: User, actor=None) -> int:
    """Remove every authenticator of `user` (a lost phone and no recovery codes left), logged
    in the audit trail as `actor`'s. Staff then set up a new one at their next sign-in.
    Returns how many were removed."""
    authenticators = list(Authenticator.objects.select_for_update().filter(user=user))
    for authenticator in authenticators:
        authenticator.delete()  # one by one: each removal is an entry of the audit trail
    user._two_factor_enrolled = False
    return len(authenticators)


class TwoFactorAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter, with the portal's rules: staff cannot switch their second factor
    off (they may make new recovery codes), and the setup page works without a QR code
    library (the key is typed into the app instead of scanned)."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and two_factor_required(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)

    def build_totp_svg(self, url: str) -> str:
        try:
            return super().build_totp_svg(url)
        except ImportError:  # `qrcode` (allauth's "mfa" extra) not installed
            return ""
