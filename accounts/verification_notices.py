"""Emails about a company's verification, each to every member of the company in their own
language: verified (what now counts), refused (the reviewer's reason) and expired (the badge
went with the licence). The tasks are transaction-aware (portal.tasks.TransactionAwareTask):
sent by accounts.verifications inside its transaction, they leave once it commits, and retry
on an SMTP failure (portal.tasks.MAIL_RETRY). An email goes only while the request is still
where the event took it."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from portal import languages
from portal.tasks import MAIL_RETRY, TransactionAwareTask

from .models import User, VerificationEvent, VerificationStatus

TEMPLATES = "accounts/email/verification_"


def members(company) -> list[User]:
    """The company's active members with an address: its users and its profile's owner."""
    profile = getattr(company, company.kind, None)
    condition = Q(company=company)
    if profile is not None:
        condition |= Q(pk=profile.owner_id)
    return list(User.objects.filter(condition, is_active=True).exclude(email="").order_by("pk"))


def _send(event: VerificationEvent, kind: str) -> int:
    verification = event.verification
    sent = 0
    for user in members(verification.company):
        with translation.override(languages.supported_or_default(user.preferred_language)):
            context = {
                "user": user,
                "verification": verification,
                "company_name": str(verification.company),
                "reason": verification.reason,
                "base_url": settings.PORTAL_BASE_URL,
                "page_url": settings.PORTAL_BASE_URL + reverse("accounts:verification"),
            }
            get_adapter().send_mail(TEMPLATES + kind, user.email, context)
        sent += 1
    return sent


def _event(event_id: int) -> VerificationEvent | None:
    return VerificationEvent.objects.select_related("verification__company").filter(pk=event_id).first()


def decision(event_id: int) -> int:
    """Tell the company's members that its request was verified or refused; how many emails."""
    event = _event(event_id)
    if event is None or event.action not in (
        VerificationEvent.Action.VERIFIED,
        VerificationEvent.Action.REFUSED,
    ):
        return 0
    if event.verification.status != event.action:  # moved on meanwhile (cannot today; kept honest)
        return 0
    return _send(event, "verified" if event.action == VerificationStatus.VERIFIED else "refused")


def expiry(event_id: int) -> int:
    """Tell the company's members that its verification expired with its licence."""
    event = _event(event_id)
    if event is None or event.action != VerificationEvent.Action.EXPIRED:
        return 0
    return _send(event, "expired")


@shared_task(base=TransactionAwareTask, **MAIL_RETRY)
def notify_decision(event_id: int) -> int:
    return decision(event_id)


@shared_task(base=TransactionAwareTask, **MAIL_RETRY)
def notify_expiry(event_id: int) -> int:
    return expiry(event_id)
