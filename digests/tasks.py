"""Celery tasks of the digests: thin wrappers over digests.delivery.

Beat runs `send_due_digests("daily")` every day and `send_due_digests("weekly")` once a week
at DIGEST_SEND_HOUR (settings.CELERY_BEAT_SCHEDULE). It claims the due rows and fans them out
in batches of DIGEST_BATCH_SIZE (`send_digest_batch`: one `build_digests` call per window and
language, then one message per row, each row on its own). A row whose send fails goes to
`send_digest_delivery`, retried with exponential backoff; `recover_stale_deliveries` takes
back rows whose worker died. With no broker (a laptop, the unit tests) all of it runs in
process.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import Retry
from django.conf import settings
from django.utils import timezone

from portal import outbox
from portal.locks import cache_lock, single_instance

from . import delivery

logger = logging.getLogger(__name__)


def enqueue_retry(delivery_id: int) -> None:
    """Hand a row whose send failed to the retry task (first retry after the base backoff).

    Never raises: a broker outage must not stop the batch (the outbox records the retry and
    sends it when the broker is back). Whatever happens, the row stays claimed until sent or
    failed, and recovery takes it after the lease. With no broker (tasks
    run in process, errors propagated) the retry runs at once and its own failure comes back
    here: the row is then left to the next run after the lease.
    """
    try:
        outbox.send(send_digest_delivery, [delivery_id], countdown=settings.DIGEST_RETRY_BACKOFF)
    except (Retry, *delivery.RETRYABLE) as error:
        logger.warning(
            "digest delivery %s failed again in process (%s); the next run after the lease retries it",
            delivery_id,
            error,
        )
    except Exception:
        logger.exception("could not hand digest delivery %s to its retry task", delivery_id)


def _fan_out(ids: list[int]) -> int:
    batches = delivery.chunked(ids, settings.DIGEST_BATCH_SIZE)
    for batch in batches:
        # A broker down here: the outbox keeps the batch (its rows stay claimed meanwhile; a
        # re-send finds them sent or claimed, never sends one twice).
        outbox.send(send_digest_batch, [batch])
    return len(batches)


@shared_task(acks_late=True)
def send_due_digests(frequency: str) -> dict | None:
    """Periodic: claim the digests due at `frequency` now and enqueue them in batches.

    One run per frequency at a time (a lock per frequency: the daily and the weekly runs may
    start together on the weekly day); a concurrent `send_digests` command is safe anyway
    (the unique row decides who claims).
    """
    delivery.check_frequency(frequency)
    with cache_lock(f"digests.send_due_digests.{frequency}") as acquired:
        if not acquired:
            logger.info("the %s digests are already being sent; this run is skipped", frequency)
            return None
        ids, counts = delivery.claim_run(frequency=frequency, now=timezone.now())
        batches = _fan_out(ids)
    logger.info("%s digests: %s, in %d batches", frequency, counts.as_dict(), batches)
    return {**counts.as_dict(), "batches": batches}


@shared_task(acks_late=True)
def send_digest_batch(delivery_ids: list[int]) -> dict:
    """Build and send a batch of claimed rows; each failure is that row's alone."""
    return delivery.deliver_batch(delivery_ids, retry=enqueue_retry).as_dict()


@shared_task(
    bind=True,
    autoretry_for=delivery.RETRYABLE,
    retry_backoff=settings.DIGEST_RETRY_BACKOFF,
    retry_backoff_max=settings.DIGEST_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=settings.DIGEST_SEND_RETRIES,
    acks_late=True,
)
def send_digest_delivery(self, delivery_id: int) -> str:
    """One row, sent again after an SMTP failure; after the last retry it is marked failed
    with the error."""
    try:
        return delivery.deliver_one(delivery_id)
    except delivery.RETRYABLE as error:
        if self.request.retries >= self.max_retries:
            delivery.mark_failed(delivery_id, error)
        raise


@shared_task
@single_instance
def recover_stale_deliveries() -> int:
    """Every few minutes: rows still claimed after the lease (a worker died before or during
    the send) are sent again, with the same Message-ID."""
    ids = delivery.reclaim_stale(now=timezone.now())
    _fan_out(ids)
    return len(ids)
