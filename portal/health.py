"""What the portal depends on, for the health endpoints and operators.

Three answers (docs/api.md, "Operations"; docs/operations.md, "Health checks"):
- `/healthz/live`: the process serves requests. Checks nothing else, so a container's health
  check on it restarts a hung process, never one that only waits for Redis or PostgreSQL.
- `/healthz/ready`: the database answers, and so do the broker and the shared cache when they
  are configured; 503 with the failing one named otherwise. For a load balancer or an
  orchestrator deciding where to send traffic, and for whatever must wait for a working site.
- `/healthz`: the database and the broker, as it always answered.
Every check is bounded in time: a server that hangs costs at most a few seconds.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connections
from django_redis.cache import RedisCache

from portal.celery import app

logger = logging.getLogger(__name__)

# A check that does not answer within this many seconds has failed.
CHECK_TIMEOUT_SECONDS = 2


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
        with app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
            connection.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)
    except Exception:  # kombu raises transport-specific errors
        logger.warning("Health check: the broker does not answer.", exc_info=True)
        return "error"
    return "ok"


def cache_status(alias: str = "default") -> str:
    """`local` when the cache is each process's memory, else whether Redis answers a PING.

    The cache itself hides a Redis that is down (a miss, by design: settings, "Cache"), so the
    check asks the server directly, within the cache's own socket timeouts."""
    cache = caches[alias]
    if not isinstance(cache, RedisCache):
        return "local"
    try:
        if not cache.client.get_client(write=True).ping():
            return "error"
    except Exception:  # redis-py raises its own ConnectionError, TimeoutError...
        logger.warning("Health check: the cache (Redis) does not answer.", exc_info=True)
        return "error"
    return "ok"


def _with_status(report: dict[str, str]) -> dict[str, str]:
    return {"status": "ok" if "error" not in report.values() else "error", **report}


def health_report() -> dict[str, str]:
    """/healthz: the database and the broker."""
    return _with_status({"database": database_status(), "broker": broker_status()})


def readiness_report() -> dict[str, str]:
    """/healthz/ready: the database, the broker and the shared cache."""
    return _with_status({"database": database_status(), "broker": broker_status(), "cache": cache_status()})
