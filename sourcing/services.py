"""Every write to a buying request: validated, in a transaction, on a locked row, logged."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import StateConflict

from .models import BuyingRequest, RequestEvent, RequestStatus
from .signals import request_changed


def lock_request(request: BuyingRequest | int) -> BuyingRequest:
    """The request's row, locked until the caller's transaction ends (call inside one)."""
    pk = request.pk if isinstance(request, BuyingRequest) else request
    return BuyingRequest.objects.select_for_update().get(pk=pk)


def _transition(request: BuyingRequest, *, to_status: str, actor, note: str = "") -> None:
    """Move a locked `request` to `to_status`, log it and tell the apps above once committed."""
    from_status = request.status
    request.status = to_status
    RequestEvent.objects.create(
        request=request, actor=actor, from_status=from_status, to_status=to_status, note=note
    )
    transaction.on_commit(
        lambda: request_changed.send(sender=BuyingRequest, request=request, change=to_status)
    )


def award_request(request: BuyingRequest | int, *, actor, note: str = "") -> BuyingRequest:
    """Mark a published request awarded (its buyer accepted a quote): locks the row, refuses
    any other status with a StateConflict. Called inside the quote acceptance's transaction,
    so the quote and the award commit together or not at all."""
    with transaction.atomic():
        request = lock_request(request)
        if request.status != RequestStatus.PUBLISHED:
            raise StateConflict(
                _("This request is %(status)s: it can no longer be awarded.")
                % {"status": request.get_status_display().lower()}
            )
        request.closed_at = timezone.now()
        _transition(request, to_status=RequestStatus.AWARDED, actor=actor, note=note)
        request.save(update_fields=["status", "closed_at", "updated_at"])
    return request
