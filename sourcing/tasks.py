"""Celery tasks of the buying requests: thin wrappers over sourcing.services.

The email task (`notify_request_reviewed`) is defined in sourcing.notifications, beside what
it sends, and imported here: the services send it, and a task module that imports its
services cannot be imported by them.
"""

from __future__ import annotations

from celery import shared_task

from portal.locks import single_instance

from . import services
from .notifications import notify_request_reviewed  # noqa: F401 (see above)


@shared_task
@single_instance
def close_expired_requests() -> int:
    """Daily: close the published requests whose deadline has passed."""
    return services.close_expired_requests()
