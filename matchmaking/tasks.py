"""Celery tasks of the matching: thin wrappers over matchmaking.services.

The nightly sweep fans out as a chord: one `score_chunk` per chunk of buyers (each retried
on its own when it fails), then `reduce_and_persist_task` over their shortlists. With no
broker (a laptop, the unit tests) the same chord runs in process.

The reduce rematches the buying requests too (matchmaking.request_matching), after the
companies' pairs. The per-profile and per-request rematch tasks (`rematch_producer_task`,
`rematch_buyer_task`, `rematch_request_task`) are defined in matchmaking.services, with the triggers that send them, and imported here: a task module
that imports its services cannot be imported by them.
"""

from __future__ import annotations

import logging
import time
import uuid

from celery import chord, group, shared_task
from celery.signals import worker_process_init, worker_ready
from django.conf import settings
from django.core.cache import cache

from matchmaking import notifications, producer_cache, request_matching, services, sweeps
from matchmaking.loading import load_sections
from matchmaking.services import (  # noqa: F401 (see above)
    rematch_buyer_task,
    rematch_producer_task,
    rematch_request_task,
)
from portal import outbox
from portal.celery import app
from portal.locks import single_instance
from portal.tasks import MAIL_RETRY, TransactionAwareTask

logger = logging.getLogger(__name__)

SWEEP_RUNNING_KEY = sweeps.RUNNING_KEY
SWEEP_LAST_KEY = sweeps.LAST_KEY


@worker_process_init.connect
def warm_producer_cache(**kwargs) -> None:
    """Prepare the producers a buyer rematch reads (matchmaking.producer_cache) when a worker
    process starts, so its first buyer rematch does not pay for it. Best effort: a failure
    here only leaves the first rematch to build them."""
    if not producer_cache.enabled():
        return
    try:
        started = time.monotonic()
        producer_cache.prepared_producers(load_sections())
        logger.info("producer cache warmed in %.1f s", time.monotonic() - started)
    except Exception:
        logger.exception("could not warm the producer cache; the first buyer rematch will")


@shared_task
def sweep_all(attempt: int = 1) -> dict | None:
    """The nightly sweep: split the ready buyers into chunks and fan them out (chord).

    Skipped while another sweep holds the lease (matchmaking.sweeps); `attempt` counts the
    sweeps started again in a row after one was abandoned (its worker died).
    """
    sweep_id = uuid.uuid4().hex
    if sweeps.claim(sweep_id, attempt=attempt) is False:
        logger.info("a matching sweep is still running; this one is skipped")
        return None
    config = services.config_as_dict(services.get_matching_config())
    chunks = services.sweep_chunks()
    options = {"chunks": len(chunks), "attempt": attempt}
    if chunks:
        header = group(score_chunk.s(sweep_id, i, chunk, config, **options) for i, chunk in enumerate(chunks))
        chord(header)(reduce_and_persist_task.s(sweep_id, chunks, config, attempt=attempt))
    else:  # no buyer ready: the reduce alone withdraws whatever is still proposed
        reduce_and_persist_task.delay([], sweep_id, chunks, config, attempt=attempt)
    if not app_is_eager():
        _watch_sweep()
    return {"sweep": sweep_id, "chunks": len(chunks), "buyers": sum(len(c) for c in chunks)}


def app_is_eager() -> bool:
    return bool(app.conf.task_always_eager)


def _sweep_again(attempt: int) -> None:
    outbox.send(sweep_all, [attempt])


@shared_task
def recover_sweep(watch: bool = False) -> str | None:
    """Every minute (beat), and when a worker starts: a sweep that died unnoticed (its lease
    lapsed before it finished) is given up and sent again (matchmaking.sweeps.recover).

    With `watch`, the check is sent again half a lease later for as long as a sweep runs: a
    watchdog that needs no beat, started with each sweep and by each worker that starts."""
    recovered = sweeps.recover(_sweep_again)
    if watch and (recovered or sweeps.running() is not None):
        _watch_sweep()
    return recovered


def _watch_sweep() -> None:
    countdown = max(sweeps.heartbeat_seconds(), sweeps.lease_seconds() / 2)
    outbox.send(recover_sweep, [True], countdown=countdown)


@worker_ready.connect
def recover_sweep_at_start(**kwargs) -> None:
    """A worker started (perhaps in place of one that was killed): look for a dead sweep now,
    and keep looking while one runs."""
    try:
        outbox.send(recover_sweep, [True])
    except Exception:
        logger.exception("could not send the sweep recovery at worker start")


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
)
def score_chunk(
    sweep_id: str, index: int, buyer_ids: list[int], config: dict, chunks: int = 0, attempt: int = 1
) -> dict | None:
    """The map step of a sweep: the shortlist of one chunk of buyers, as JSON. Nothing (at
    once) when the sweep was abandoned or superseded, or when a sibling chunk died."""
    watch = sweeps.Watch(sweep_id, chunks)
    if not watch.check():
        if watch.abandoned:
            sweeps.resend_after_abandon(_sweep_again, attempt)
        logger.info("matching sweep %s is no longer running; chunk %d skipped", sweep_id, index)
        return None
    with sweeps.heartbeat(sweep_id, index, chunks) as watch:
        payload = services.shortlist_chunk(
            index, buyer_ids, services.config_from_dict(config), sweep_id=sweep_id
        )
        if settings.MATCHING_SWEEP_CHUNK_DELAY:
            time.sleep(settings.MATCHING_SWEEP_CHUNK_DELAY)
    if watch.abandoned:
        sweeps.resend_after_abandon(_sweep_again, attempt)
    return payload


@shared_task(acks_late=True)
def reduce_and_persist_task(
    payloads: list[dict | None], sweep_id: str, chunks: list[list[int]], config: dict, attempt: int = 1
) -> dict | None:
    """The reduce step of a sweep: reciprocal selection over the shortlists, then the upsert.
    Nothing is written for a sweep that was abandoned or superseded meanwhile."""
    watch = sweeps.Watch(sweep_id, len(chunks))
    if not watch.check():
        if watch.abandoned:
            sweeps.resend_after_abandon(_sweep_again, attempt)
        logger.info("matching sweep %s is no longer running; its reduce is skipped", sweep_id)
        return None
    try:
        with sweeps.heartbeat(sweep_id, sweeps.REDUCE, len(chunks)):
            counts = services.reduce_and_persist(
                payloads, chunks, services.config_from_dict(config)
            ).as_dict()
            counts["requests"] = request_matching.rematch_requests(
                config=services.config_from_dict(config)
            ).as_dict()
    finally:
        sweeps.release(sweep_id)
    cache.set(SWEEP_LAST_KEY, {"sweep": sweep_id, **counts}, timeout=None)
    logger.info("matching sweep %s: %s", sweep_id, counts)
    return counts


# --- Notifications and follow-up -----------------------------------------------------------
# The lifecycle sends these inside its transactions: they wait for the commit by themselves.


@shared_task(base=TransactionAwareTask, **MAIL_RETRY)
def notify_match_forwarded(match_id: int) -> int:
    return notifications.match_forwarded(match_id)


@shared_task(base=TransactionAwareTask, **MAIL_RETRY)
def notify_match_connected(match_id: int) -> int:
    return notifications.match_connected(match_id)


@shared_task(base=TransactionAwareTask, **MAIL_RETRY)
def notify_match_declined(match_id: int) -> int:
    return notifications.match_declined(match_id)


@shared_task(base=TransactionAwareTask, **MAIL_RETRY)
def notify_match_reassigned(event_id: int) -> int:
    return notifications.match_reassigned(event_id)


@shared_task(base=TransactionAwareTask, **MAIL_RETRY)
def notify_introduction_requested(match_id: int) -> int:
    return notifications.introduction_requested(match_id)


@shared_task(base=TransactionAwareTask, **MAIL_RETRY)
def notify_interest_expressed(match_id: int) -> int:
    return notifications.interest_expressed(match_id)


@shared_task(base=TransactionAwareTask, **MAIL_RETRY)
def notify_match_outcome(event_id: int) -> int:
    return notifications.match_outcome(event_id)


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
