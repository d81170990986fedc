"""Celery tasks of accounts: thin wrappers over its services.

The verification emails (`notify_decision`, `notify_expiry`) are defined in
accounts.verification_notices, beside what they send, and imported here so the worker knows
them: the services send them, and a task module that imports its services cannot be imported
by them.
"""

from __future__ import annotations

from celery import shared_task

from portal.locks import single_instance

from . import verifications
from .verification_notices import notify_decision, notify_expiry  # noqa: F401 (see above)


@shared_task
@single_instance
def expire_verifications() -> dict:
    """Daily: expired certificates stop counting, expired licences take the badge away."""
    return verifications.expire_verifications()
