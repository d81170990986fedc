"""The email inviting someone to join a company (accounts.teams), in the invitee's language:
theirs when they have an account, else the language the inviter was using.

Transaction-aware (portal.tasks.TransactionAwareTask): sent by `accounts.teams.invite` inside
its transaction, it leaves once that commits. The link's token travels with the task (it is
stored nowhere but as its digest); a revoked, used or expired invitation sends nothing.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from portal import languages
from portal.tasks import MAIL_RETRY, TransactionAwareTask

from .models import CompanyKind, Invitation, User


def invitation_mail(invitation_id: int, token: str, language: str) -> int:
    """Mail the invitation's link; 1 when sent."""
    invitation = (
        Invitation.objects.select_related("company__producer", "company__buyer", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if (
        invitation is None
        or invitation.accepted_at
        or invitation.revoked_at
        or invitation.expires_at <= timezone.now()
    ):
        return 0
    company = invitation.company
    profile = getattr(company, "producer" if company.kind == CompanyKind.PRODUCER else "buyer", None)
    invitee = User.objects.filter(email__iexact=invitation.email).first()
    with translation.override(languages.supported_or_default(language)):
        context = {
            "user": invitee,
            "invitation": invitation,
            "company_name": str(profile) if profile is not None else "",
            "inviter_name": (invitation.invited_by.full_name or invitation.invited_by.email)
            if invitation.invited_by
            else "",
            "base_url": settings.PORTAL_BASE_URL,
            "join_url": settings.PORTAL_BASE_URL + reverse("accounts:team-join", args=[token]),
        }
        get_adapter().send_mail("accounts/email/team_invitation", invitation.email, context)
    return 1


@shared_task(base=TransactionAwareTask, **MAIL_RETRY)
def send_invitation(invitation_id: int, token: str, language: str) -> int:
    return invitation_mail(invitation_id, token, language)
