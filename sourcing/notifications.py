"""Emails about a buying request, each in its recipient's language, with absolute links.

The buyer hears when the counsellor approved its request (it is on the producers' board) or
returned it (with the counsellor's note). The tasks are transaction-aware: sent by a service
inside its transaction, they leave once it commits (portal.tasks.TransactionAwareTask), through
the outbox when the broker is down. An email is sent only while the request is still where the
event took it (a returned request already edited again needs no "returned" email).
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from portal import languages
from portal.tasks import MAIL_RETRY, TransactionAwareTask

from .models import RequestEvent, RequestStatus

TEMPLATES = "sourcing/email/"

# What each review is called in the templates' names.
KINDS = {RequestStatus.PUBLISHED: "approved", RequestStatus.REJECTED: "returned"}


def request_reviewed(event_id: int) -> int:
    """Tell the buyer that the counsellor approved or returned its request; 1 when sent."""
    event = RequestEvent.objects.select_related("request__buyer__owner", "actor").filter(pk=event_id).first()
    if event is None or event.from_status != RequestStatus.PENDING or event.to_status not in KINDS:
        return 0
    request = event.request
    if request.status != event.to_status:
        return 0
    user = request.buyer.owner
    if not user.is_active or not user.email:
        return 0
    with translation.override(languages.supported_or_default(user.preferred_language)):
        context = {
            "user": user,
            "buying_request": request,
            "note": event.note,
            "base_url": settings.PORTAL_BASE_URL,
            "request_url": settings.PORTAL_BASE_URL + reverse("sourcing:detail", args=[request.pk]),
            "edit_url": settings.PORTAL_BASE_URL + reverse("sourcing:edit", args=[request.pk]),
        }
        get_adapter().send_mail(TEMPLATES + KINDS[event.to_status], user.email, context)
    return 1


@shared_task(base=TransactionAwareTask, **MAIL_RETRY)
def notify_request_reviewed(event_id: int) -> int:
    return request_reviewed(event_id)
