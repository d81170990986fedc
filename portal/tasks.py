"""Site-wide periodic tasks."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from . import outbox
from .locks import single_instance


@shared_task
@single_instance
def clear_expired_sessions() -> int:
    """Delete expired sessions (what `manage.py clearsessions` does); return how many."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def resend_pending_tasks() -> dict:
    """Every minute: publish the tasks the outbox recorded while the broker was down. No lock
    needed (rows are locked one by one and skipped by a concurrent run), and none wanted: the
    cache lock would skip the run whenever the cache is down."""
    return outbox.resend_pending().as_dict()
