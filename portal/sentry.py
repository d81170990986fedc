"""Error reports to Sentry, or a self-hosted GlitchTip (the same DSN protocol), when
SENTRY_DSN is set (settings, "Error reports"); nothing is sent otherwise.

Events go through the same rule as the mails to ADMINS (portal/scrubbing.py): no contact,
credential, cookie or Authorization header leaves, and the user is named by id only.
sentry-sdk's own PII switch stays off (no client address, no user email, no request body).
"""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from portal.scrubbing import scrub_data


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """before_send (and before_send_transaction): the event, scrubbed; its user by id only."""
    user = event.get("user")
    scrubbed = scrub_data({key: value for key, value in event.items() if key != "user"})
    if isinstance(user, dict) and user.get("id") is not None:
        scrubbed["user"] = {"id": str(user["id"])}
    return scrubbed


def scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    return scrub_data(crumb)


def init_sentry(*, dsn: str, environment: str, release: str | None, traces_sample_rate: float = 0.0) -> bool:
    """Starts sentry-sdk with the Django and Celery integrations when `dsn` is set; True if so."""
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        # Request bodies (forms, JSON, uploads) are never attached.
        max_request_body_size="never",
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        traces_sample_rate=traces_sample_rate,
    )
    return True
