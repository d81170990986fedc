"""Every write to users goes through here: validated, atomic."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError

from .models import User


@transaction.atomic
def mark_email_verified(*, user: User) -> None:
    """Record the user's email as verified and primary (operator-made accounts)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email, "verified": True, "primary": True}
    )


def user_set_language(*, user: User, language: str | None) -> None:
    """Remember the language a signed-in user switched to; ignore unknown codes."""
    if language in dict(settings.LANGUAGES) and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


@transaction.atomic
def token_for_credentials(*, request, email: str, password: str) -> Token:
    """The user's API token, made on first use; a clear 400 when the credentials fail."""
    user = authenticate(request, email=email.strip().lower(), password=password)
    if user is None or not user.is_active:
        raise ValidationError({"non_field_errors": [_("Unable to sign in with these credentials.")]})
    token, _created = Token.objects.get_or_create(user=user)
    return token
