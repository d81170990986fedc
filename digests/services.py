"""Digest preferences and the signed unsubscribe link.

Every user has a preference, stored or not: without a row, producers and buyers get a weekly
digest and counsellors and staff a daily one, in their preferred language. Writes go through
`preference_update` (the page and the API) and `unsubscribe` (the link in each digest).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from portal import languages

from .models import DigestPreference, Frequency

UNSUBSCRIBE_SALT = "digests.unsubscribe"


# --- Preferences ------------------------------------------------------------------------------


def default_frequency(user: User) -> str:
    """Counsellors and staff work a queue every day; producers and buyers hear once a week."""
    if user.is_portal_staff or user.role in (Role.COUNSELLOR, Role.STAFF):
        return Frequency.DAILY
    return Frequency.WEEKLY


def default_frequency_expression() -> Case:
    """`default_frequency` as an SQL expression over the user table (for the due-user query)."""
    return Case(
        When(
            Q(is_superuser=True) | Q(role__in=[Role.COUNSELLOR, Role.STAFF]),
            then=Value(Frequency.DAILY.value),
        ),
        default=Value(Frequency.WEEKLY.value),
    )


def stored_preference(user: User) -> DigestPreference | None:
    return DigestPreference.objects.filter(user=user).first() if user.pk else None


def preference_for(user: User) -> DigestPreference:
    """The user's stored preference, or the role's default (unsaved; language "" = the user's)."""
    preference = getattr(user, "digest_preference", None) if user.pk else None
    if preference is not None:
        return preference
    return DigestPreference(user=user, frequency=default_frequency(user), language="")


def _supported_languages() -> set[str]:
    return set(languages.codes())


def digest_language(user: User, preference: DigestPreference | None = None) -> str:
    """The language a user's digest is written in: the chosen one, else the user's preferred
    language, else the portal's default."""
    if preference is None:
        preference = preference_for(user)
    supported = _supported_languages()
    for language in (preference.language, user.preferred_language):
        if language in supported:
            return language
    return settings.LANGUAGE_CODE


def check_preference(*, frequency, language) -> tuple[str, str]:
    """(frequency, language) once valid; else ValidationError({field: [...]}) for each bad one."""
    errors: dict[str, list[str]] = {}
    if isinstance(frequency, str):
        frequency = frequency.strip()
    if language is None:
        language = ""
    if isinstance(language, str):
        language = language.strip()
    if frequency not in Frequency.values:
        errors["frequency"] = [_("Choose daily, weekly or off.")]
    if not isinstance(language, str) or (language and language not in _supported_languages()):
        choices = ", ".join(sorted(_supported_languages()))
        errors["language"] = [
            _("Choose one of %(languages)s, or leave it empty for your preferred language.")
            % {"languages": choices}
        ]
    if errors:
        raise ValidationError(errors)
    return frequency, language


@transaction.atomic
def preference_update(*, user: User, frequency: str, language: str) -> DigestPreference:
    """Set how often `user` gets a digest and in which language ("" = their preferred one).

    Choosing daily or weekly again after an unsubscribe clears the unsubscribe mark.
    """
    if not user.is_authenticated or not user.pk:
        raise ValidationError(_("Sign in to choose your digests."))
    frequency, language = check_preference(frequency=frequency, language=language)
    # Lock the user's row: two saves at once end as one row, the last one winning.
    User.objects.select_for_update().filter(pk=user.pk).first()
    preference = DigestPreference.objects.filter(user=user).first() or DigestPreference(user=user)
    preference.frequency = frequency
    preference.language = language
    if frequency != Frequency.OFF:
        preference.unsubscribed_at = None
    preference.save()
    user.digest_preference = preference
    return preference


@transaction.atomic
def unsubscribe(*, user: User) -> DigestPreference:
    """No more digests for `user` (the one-click link): frequency off, when it was recorded.

    Idempotent: a second click keeps the first time.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()
    preference = DigestPreference.objects.filter(user=user).first()
    if preference is None:
        preference = DigestPreference(user=user, language="")
    if preference.frequency != Frequency.OFF or preference.unsubscribed_at is None:
        preference.frequency = Frequency.OFF
        preference.unsubscribed_at = preference.unsubscribed_at or timezone.now()
        preference.save()
    return preference


# --- The signed unsubscribe link --------------------------------------------------------------


class UnsubscribeLinkExpired(Exception):
    """A genuine link, older than DIGEST_UNSUBSCRIBE_MAX_AGE_DAYS."""


class UnsubscribeLinkInvalid(Exception):
    """Not a link we made (tampered, truncated), or its user is gone."""


class _IssuedAt(signing.TimestampSigner):
    """Timestamps with a given moment instead of now."""

    def __init__(self, *, issued_at: datetime, **kwargs):
        super().__init__(**kwargs)
        self._issued_at = int(issued_at.timestamp())

    def timestamp(self) -> str:
        return signing.b62_encode(self._issued_at)


def unsubscribe_token(user: User, *, issued_at: datetime | None = None) -> str:
    """A token carrying the user id, signed with SECRET_KEY (salted) and timestamped.

    `issued_at` (a digest's delivery row) makes the token, and so the message, the same
    each time that delivery is sent again after a crash."""
    if issued_at is None:
        return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=False)
    signer = _IssuedAt(issued_at=issued_at, salt=UNSUBSCRIBE_SALT)
    return signer.sign_object({"u": user.pk}, compress=False)


def unsubscribe_max_age() -> timedelta:
    return timedelta(days=settings.DIGEST_UNSUBSCRIBE_MAX_AGE_DAYS)


def user_for_unsubscribe_token(token: str) -> User:
    """The user a token was made for; UnsubscribeLinkExpired or UnsubscribeLinkInvalid."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=unsubscribe_max_age())
    except signing.SignatureExpired as error:
        raise UnsubscribeLinkExpired(str(error)) from error
    except signing.BadSignature as error:
        raise UnsubscribeLinkInvalid(str(error)) from error
    user_id = payload.get("u") if isinstance(payload, dict) else None
    user = User.objects.filter(pk=user_id).first() if isinstance(user_id, int) else None
    if user is None:
        raise UnsubscribeLinkInvalid("no such user")
    return user
