"""The email that invites an imported producer to choose a password, and its record.

The import (catalogue/imports.py) sends it to each account it creates once the row commits. A
mail server that is down must not stop the import, so a failed send used to be only a line in
the command's output, and the producer never heard again. Each attempt is now recorded per
user (`ProducerInvitation`: sent or failed, when, why); `invitations_to_resend()` lists the
imported producers still waiting (failed, or never sent: imported with `--no-email`), and
`resend_invitations` sends them again, for staff on the import page and for
`import_producers --resend-invitations`. A producer who has signed in has no need of one.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import ProducerProfile, Role, User
from portal import languages

from .models import InvitationStatus, ProducerInvitation
from .policies import can_import_producers

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
INVITATION_TEMPLATE_PREFIX = "account/email/producer_invitation"
MAX_RESEND = 200  # invitations one request sends (the mail server answers each in turn)
_ERROR_LENGTH = 300


class BaseURLError(ValueError):
    """The site address for the links is not an http(s) URL."""


def default_base_url() -> str:
    return getattr(settings, "PORTAL_BASE_URL", "") or DEFAULT_BASE_URL


def clean_base_url(value: str | None) -> str:
    url = str(value or default_base_url()).strip().rstrip("/")
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", url):
        raise BaseURLError(
            _("The base URL must start with http:// or https://, e.g. https://exportbridge.example.")
        )
    return url


def producer_invitation_link(*, user: User, base_url: str) -> str:
    """An absolute link to allauth's set-password page, valid until the password changes or it expires."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return clean_base_url(base_url) + path


def send_producer_invitation(*, user: User, base_url: str) -> None:
    """Email an imported producer, in the user's language, a link to choose a password."""
    base_url = clean_base_url(base_url)
    language = languages.supported_or_default(user.preferred_language)
    company = ProducerProfile.objects.filter(owner=user).values_list("name", flat=True).first() or ""
    with translation.override(language):
        context = {
            "user": user,
            "company_name": company,
            "set_password_url": producer_invitation_link(user=user, base_url=base_url),
            "password_reset_url": base_url + reverse("account_reset_password"),
            "base_url": base_url,
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        }
        get_adapter().send_mail(INVITATION_TEMPLATE_PREFIX, user.email, context)


@transaction.atomic
def record_invitation(*, user_id: int, error: str = "") -> ProducerInvitation:
    """Record one attempt to send `user_id`'s invitation: sent, or failed with `error`."""
    now = timezone.now()
    invitation, _created = ProducerInvitation.objects.select_for_update().get_or_create(
        user_id=user_id, defaults={"status": InvitationStatus.FAILED, "last_attempt_at": now}
    )
    invitation.attempts += 1
    invitation.last_attempt_at = now
    if error:
        invitation.status = InvitationStatus.FAILED
        invitation.error = error[:_ERROR_LENGTH]
    else:
        invitation.status = InvitationStatus.SENT
        invitation.sent_at = now
        invitation.error = ""
    invitation.save()
    return invitation


def send_and_record(*, user: User, base_url: str) -> str:
    """Send `user`'s invitation and record the attempt; the error's text, or "" once sent. A
    mail server's refusal is recorded, never raised: the caller goes on with the others."""
    try:
        send_producer_invitation(user=user, base_url=base_url)
    except BaseURLError:
        raise
    except Exception as error:  # SMTP, DNS, a backend's own: recorded for staff to resend
        logger.exception("Invitation to %s failed", user.email)
        message = str(error) or type(error).__name__
        record_invitation(user_id=user.pk, error=message)
        return message
    record_invitation(user_id=user.pk)
    return ""


# --- Who is still waiting, and sending again --------------------------------------------------


def invitations_to_resend() -> QuerySet[User]:
    """Imported producers who have never signed in and whose invitation failed or was never
    sent, oldest import first, with `producer_invitation` and `producer_profile` at hand."""
    return (
        User.objects.filter(
            role=Role.PRODUCER,
            is_active=True,
            last_login__isnull=True,
            producer_profile__imported_at__isnull=False,
        )
        .filter(Q(producer_invitation__isnull=True) | Q(producer_invitation__status=InvitationStatus.FAILED))
        .select_related("producer_invitation", "producer_profile")
        .order_by("producer_profile__imported_at", "pk")
    )


@dataclass
class ResendReport:
    sent: list[str] = field(default_factory=list)  # emails
    failed: list[tuple[str, str]] = field(default_factory=list)  # (email, why)
    not_waiting: int = 0  # chosen, but no longer waiting for an invitation (signed in meanwhile)


def resend_invitations(
    *, actor, user_ids: list[int] | None = None, base_url: str | None = None
) -> ResendReport:
    """Send the invitation again to the chosen waiting producers (all of them when `user_ids`
    is None; at most MAX_RESEND at once). Staff, or the command (`actor=None`)."""
    if actor is not None and not can_import_producers(actor):
        raise PermissionDenied(_("Only staff may send producers their invitations."))
    base = clean_base_url(base_url)
    waiting = invitations_to_resend()
    report = ResendReport()
    if user_ids is not None:
        wanted = set(user_ids)
        waiting = waiting.filter(pk__in=wanted)
    chosen = list(waiting[:MAX_RESEND])
    if user_ids is not None:
        report.not_waiting = len(wanted - {user.pk for user in chosen})
    for user in chosen:
        error = send_and_record(user=user, base_url=base)
        if error:
            report.failed.append((user.email, error))
        else:
            report.sent.append(user.email)
    return report
