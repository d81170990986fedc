"""Liveness of what the portal depends on, for /healthz and operators."""

import logging

from django.conf import settings
from django.db import DatabaseError, connections

from portal.celery import app

logger = logging.getLogger(__name__)


def database_status(connection=None) -> str:
    connection = connection or connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database does not answer.", exc_info=True)
        return "error"
    return "ok"


def broker_status() -> str:
    """`eager` when tasks run in process, else whether the broker answers now."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # kombu raises transport-specific errors
        logger.warning("Health check: the broker does not answer.", exc_info=True)
        return "error"
    return "ok"


def health_report() -> dict[str, str]:
    report = {"database": database_status(), "broker": broker_status()}
    report = {"status": "ok" if "error" not in report.values() else "error", **report}
    return report
