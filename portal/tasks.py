"""Site-wide periodic tasks."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from .locks import single_instance


@shared_task
@single_instance
def clear_expired_sessions() -> int:
    """Delete expired sessions (what `manage.py clearsessions` does); return how many."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
