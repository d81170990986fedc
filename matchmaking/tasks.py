"""Celery tasks of the matching: thin wrappers over matchmaking.services.

The nightly sweep fans out as a chord: one `score_chunk` per chunk of buyers (each retried
on its own when it fails), then `reduce_and_persist_task` over their shortlists. With no
broker (a laptop, the unit tests) the same chord runs in process.
"""

from __future__ import annotations

import logging
import time
import uuid

from celery import chord, group, shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django.core.cache import cache

from accounts.models import BuyerProfile, ProducerProfile
from portal import outbox
from portal.locks import single_instance

from . import notifications, services

logger = logging.getLogger(__name__)

SWEEP_RUNNING_KEY = "matchmaking:sweep:running"
SWEEP_LAST_KEY = "matchmaking:sweep:last"
SWEEP_SEND_SECONDS = 60


@worker_process_init.connect
def warm_producer_cache(**kwargs) -> None:
    """Prepare the producers a buyer rematch reads (matchmaking.producer_cache) when a worker
    process starts, so its first buyer rematch does not pay for it. Best effort: a failure
    here only leaves the first rematch to build them."""
    from matchmaking import producer_cache
    from matchmaking.loading import load_sections

    if not producer_cache.enabled():
        return
    try:
        started = time.monotonic()
        producer_cache.prepared_producers(load_sections())
        logger.info("producer cache warmed in %.1f s", time.monotonic() - started)
    except Exception:
        logger.exception("could not warm the producer cache; the first buyer rematch will")


@shared_task
def rematch_producer_task(producer_id: int) -> dict | None:
    """Rematch one producer (sent debounced by the services); nothing if it is gone."""
    cache.delete(services.debounce_key("producer", producer_id))
    if not ProducerProfile.objects.filter(pk=producer_id).exists():
        return None
    return services.rematch_producer(producer_id).as_dict()


@shared_task
def rematch_buyer_task(buyer_id: int) -> dict | None:
    """Rematch one buyer (sent debounced by the services); nothing if it is gone."""
    cache.delete(services.debounce_key("buyer", buyer_id))
    if not BuyerProfile.objects.filter(pk=buyer_id).exists():
        return None
    return services.rematch_buyer(buyer_id).as_dict()


@shared_task
@single_instance
def sweep_all() -> dict | None:
    """The nightly sweep: split the ready buyers into chunks and fan them out (chord).

    Skipped while another sweep's chord is still running.
    """
    sweep_id = uuid.uuid4().hex
    # Marked before the chord is sent, for a minute only: a crash before it is sent must not
    # block the next sweeps for long. Once sent, the mark lasts until the reduce clears it
    # (`touch` extends it only if the reduce has not already finished and cleared it).
    if not cache.add(SWEEP_RUNNING_KEY, sweep_id, timeout=SWEEP_SEND_SECONDS):
        logger.info("a matching sweep is still running; this one is skipped")
        return None
    config = services.config_as_dict(services.get_matching_config())
    chunks = services.sweep_chunks()
    if chunks:
        header = group(score_chunk.s(sweep_id, i, chunk, config) for i, chunk in enumerate(chunks))
        chord(header)(reduce_and_persist_task.s(sweep_id, chunks, config))
    else:  # no buyer ready: the reduce alone withdraws whatever is still proposed
        reduce_and_persist_task.delay([], sweep_id, chunks, config)
    cache.touch(SWEEP_RUNNING_KEY, settings.MATCHING_SWEEP_LOCK_SECONDS)
    return {"sweep": sweep_id, "chunks": len(chunks), "buyers": sum(len(c) for c in chunks)}


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
)
def score_chunk(sweep_id: str, index: int, buyer_ids: list[int], config: dict) -> dict:
    """The map step of a sweep: the shortlist of one chunk of buyers, as JSON."""
    payload = services.shortlist_chunk(index, buyer_ids, services.config_from_dict(config), sweep_id=sweep_id)
    if settings.MATCHING_SWEEP_CHUNK_DELAY:
        time.sleep(settings.MATCHING_SWEEP_CHUNK_DELAY)
    return payload


@shared_task(acks_late=True)
def reduce_and_persist_task(
    payloads: list[dict], sweep_id: str, chunks: list[list[int]], config: dict
) -> dict:
    """The reduce step of a sweep: reciprocal selection over the shortlists, then the upsert."""
    try:
        counts = services.reduce_and_persist(payloads, chunks, services.config_from_dict(config)).as_dict()
    finally:
        if cache.get(SWEEP_RUNNING_KEY) == sweep_id:
            cache.delete(SWEEP_RUNNING_KEY)
    cache.set(SWEEP_LAST_KEY, {"sweep": sweep_id, **counts}, timeout=None)
    logger.info("matching sweep %s: %s", sweep_id, counts)
    return counts


# --- Notifications and follow-up -----------------------------------------------------------


def send_safely(task, match_id: int) -> None:
    """Enqueue a notification after a commit. A broker outage must not fail the request (the
    transition is committed) nor lose the email: the outbox records the task to send again."""
    try:
        outbox.send(task, [match_id])
    except Exception:
        # No broker: the notification ran in process, and failed (a mail server down).
        logger.exception("%s for match %s failed", task.name, match_id)


_MAIL_RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(**_MAIL_RETRY)
def notify_match_forwarded(match_id: int) -> int:
    return notifications.match_forwarded(match_id)


@shared_task(**_MAIL_RETRY)
def notify_match_connected(match_id: int) -> int:
    return notifications.match_connected(match_id)


@shared_task(**_MAIL_RETRY)
def notify_match_declined(match_id: int) -> int:
    return notifications.match_declined(match_id)


@shared_task(**_MAIL_RETRY)
def notify_introduction_requested(match_id: int) -> int:
    return notifications.introduction_requested(match_id)


@shared_task
@single_instance
def escalate_overdue_matches() -> int:
    """Daily: proposed matches past the second service-level age go to staff."""
    return notifications.escalate_overdue()


@shared_task
@single_instance
def send_outcome_checkins() -> int:
    """Daily: ask both sides of matches connected some weeks ago how it went."""
    return notifications.send_outcome_checkins()
