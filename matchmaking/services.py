"""Every write to matches: rematches (one profile, everything, or a sweep in chunks), the
rematch triggers enqueued on commit, and the review transitions.

The per-profile rematch tasks and the buying request's one (its rematch:
matchmaking.request_matching) live here, with the triggers that send them and the
rematches they run (as pretix keeps a service's tasks in its module): matchmaking.tasks,
which calls these services, re-exports them, and nothing here imports it back."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import logging
from collections.abc import Iterable, Sequence

import numpy as np
from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from accounts.models import BuyerProfile, ProducerProfile
from matchmaking import engine, producer_cache, shortlists
from matchmaking.engine.result import concatenate_results, empty_result
from matchmaking.learning import load_responsiveness
from matchmaking.loading import (
    Fingerprints,
    SectorRoots,
    load_buyers,
    load_producers,
    load_sections,
    ready_buyer_ids,
)
from matchmaking.models import MatchSource, MatchStatus, get_matching_config
from matchmaking.persistence import RematchCounts, Scope, persist
from matchmaking.request_matching import rematch_request
from matchmaking.routing import route_new_matches
from portal import outbox
from portal.tasks import TransactionAwareTask
from sourcing.models import BuyingRequest

logger = logging.getLogger(__name__)


def _persist(result, scope, producers, buyers, config) -> RematchCounts:
    """Write the result, route the scope's new proposed matches to their counsellors, and
    count the profiles and pairs the run covered."""
    counts = persist(
        result,
        scope=scope,
        producer_fps=Fingerprints.of_producers(producers),
        buyer_fps=Fingerprints.of_buyers(buyers),
        config=config,
    )
    counts.routed = route_new_matches(scope.queryset())
    counts.producers, counts.buyers = len(producers), len(buyers)
    counts.pairs_scored = counts.producers * counts.buyers
    return counts


def _reaching(result: engine.MatchResult, config: engine.MatchingConfig, keep_anyway: np.ndarray):
    milli = np.rint(result.score * engine.config.SCORE_SCALE)
    return result.take((milli >= config.min_score_milli) | keep_anyway)


def _with_stale_pairs(
    result: engine.MatchResult,
    producers: engine.ProducerArrays,
    buyers: engine.BuyerArrays,
    sections: dict[str, str],
    config: engine.MatchingConfig,
    scope: Scope,
    *,
    engine_pairs_too: bool,
    responsiveness: engine.Responsiveness | None = None,
) -> engine.MatchResult:
    """Add the still-proposed matches in scope that `result` left out, re-scored on current
    data: buyers' requests always (the engine did not make them, it only scores them), and
    the engine's own while they reach min_score when `engine_pairs_too` (a one-profile
    rematch cannot apply the other side's caps; the nightly sweep does)."""
    kept = set(zip(result.producer_id.tolist(), result.buyer_id.tolist(), strict=True))
    stale = scope.queryset().filter(status=MatchStatus.PROPOSED)
    if not engine_pairs_too:
        stale = stale.filter(source=MatchSource.BUYER_REQUEST)
    rows = [
        (p, b, s) for p, b, s in stale.values_list("producer_id", "buyer_id", "source") if (p, b) not in kept
    ]
    if not rows or not len(producers) or not len(buyers):
        return result
    requested = {(p, b) for p, b, s in rows if s == MatchSource.BUYER_REQUEST}
    # Only the profiles of these pairs are prepared for them: a pair's scores depend on its
    # two profiles alone, and preparing every loaded profile again would cost more.
    producer_ids, buyer_ids = [r[0] for r in rows], [r[1] for r in rows]
    rescored = engine.score_pairs(
        producers.take(np.flatnonzero(np.isin(producers.ids, producer_ids))),
        buyers.take(np.flatnonzero(np.isin(buyers.ids, buyer_ids))),
        sections,
        producer_ids,
        buyer_ids,
        config,
        responsiveness=responsiveness,
    )
    by_request = np.array(
        [
            (p, b) in requested
            for p, b in zip(rescored.producer_id.tolist(), rescored.buyer_id.tolist(), strict=True)
        ],
        dtype=bool,
    )
    return concatenate_results([result, _reaching(rescored, config, by_request)], config)


def rematch_all(*, config: engine.MatchingConfig | None = None) -> RematchCounts:
    """Score every ready producer against every ready buyer, in process, and write the result."""
    config = config or get_matching_config()
    sections = load_sections()
    producers, buyers = load_producers(), load_buyers()
    responsiveness = load_responsiveness()
    result = engine.score_all(producers, buyers, sections, config, responsiveness=responsiveness)
    scope = Scope.all()
    result = _with_stale_pairs(
        result,
        producers,
        buyers,
        sections,
        config,
        scope,
        engine_pairs_too=False,
        responsiveness=responsiveness,
    )
    return _persist(result, scope, producers, buyers, config)


def rematch_producer(producer_id: int, *, config: engine.MatchingConfig | None = None) -> RematchCounts:
    """Score one producer against every buyer and write its matches; a producer that is not
    ready to match (or gone) keeps none of its still-proposed engine matches."""
    config = config or get_matching_config()
    sections = load_sections()
    producers = load_producers([producer_id])
    scope = Scope(producer_id=producer_id)
    if not len(producers):
        buyers = load_buyers([])
        result = empty_result(config)
    else:
        buyers = load_buyers(roots=SectorRoots.of(producers.hs_codes[0], sections))
        responsiveness = load_responsiveness([producer_id])
        result = engine.score_one_producer(producers, buyers, sections, config, responsiveness=responsiveness)
        result = _with_stale_pairs(
            result,
            producers,
            buyers,
            sections,
            config,
            scope,
            engine_pairs_too=True,
            responsiveness=responsiveness,
        )
    return _persist(result, scope, producers, buyers, config)


def rematch_buyer(buyer_id: int, *, config: engine.MatchingConfig | None = None) -> RematchCounts:
    """Score one buyer against every producer and write its matches (see rematch_producer)."""
    config = config or get_matching_config()
    sections = load_sections()
    buyers = load_buyers([buyer_id])
    scope = Scope(buyer_id=buyer_id)
    if not len(buyers):
        return _persist(empty_result(config), scope, load_producers([]), buyers, config)
    roots = SectorRoots.of(buyers.hs_codes[0], sections)
    responsiveness = load_responsiveness()
    if not producer_cache.enabled():
        producers = load_producers(roots=roots)
        result = engine.score_one_buyer(producers, buyers, sections, config, responsiveness=responsiveness)
        result = _with_stale_pairs(
            result,
            producers,
            buyers,
            sections,
            config,
            scope,
            engine_pairs_too=True,
            responsiveness=responsiveness,
        )
        return _persist(result, scope, producers, buyers, config)
    # Every ready producer, kept prepared by this process: the HS index skips those outside
    # the buyer's roots, so the pairs are the same as when loading under them alone.
    prepared = producer_cache.prepared_producers(sections)
    result = engine.score_one_buyer(prepared, buyers, sections, config, responsiveness=responsiveness)
    result = _with_stale_pairs(
        result,
        prepared.arrays,
        buyers,
        sections,
        config,
        scope,
        engine_pairs_too=True,
        responsiveness=responsiveness,
    )
    counts = _persist(result, scope, prepared.arrays, buyers, config)
    counts.producers = producer_cache.producers_under(prepared, roots)
    counts.pairs_scored = counts.producers * counts.buyers
    return counts


# --- The nightly sweep, fanned out: map (one chunk of buyers) and reduce --------------


def config_as_dict(config: engine.MatchingConfig) -> dict:
    return dataclasses.asdict(config)


def config_from_dict(data: dict) -> engine.MatchingConfig:
    return engine.MatchingConfig(**data)


def sweep_chunks(chunk_size: int | None = None) -> list[list[int]]:
    """The ready buyers' ids split into chunks, the map steps of a sweep."""
    size = max(1, chunk_size or settings.MATCHING_SWEEP_CHUNK_SIZE)
    ids = ready_buyer_ids()
    return [ids[start : start + size] for start in range(0, len(ids), size)]


# The producers prepared for the chunks of one sweep, per worker process: a worker running
# several chunks of a sweep loads and indexes the producers once.
_prepared_for_sweep: dict[str, tuple] = {}


def _prepared_producers(sweep_id: str | None, sections: dict[str, str]) -> engine.PreparedProducers:
    if sweep_id is not None:
        cached = _prepared_for_sweep.get(sweep_id)
        if cached is not None and cached[0] == sections:
            return cached[1]
    prepared = engine.prepare_producers(load_producers(), sections)
    if sweep_id is not None:
        _prepared_for_sweep.clear()
        _prepared_for_sweep[sweep_id] = (sections, prepared)
    return prepared


def shortlist_chunk(
    index: int, buyer_ids: Sequence[int], config: engine.MatchingConfig, *, sweep_id: str | None = None
) -> dict:
    """The map step: one chunk of buyers against every producer → a JSON-ready shortlist."""
    sections = load_sections()
    producers = _prepared_producers(sweep_id, sections)
    buyers = load_buyers(list(buyer_ids))
    result = engine.shortlist(producers, buyers, sections, config, responsiveness=load_responsiveness())
    return shortlists.encode(index, buyer_ids, result)


def reduce_and_persist(
    payloads: Iterable[dict | None], chunks: Sequence[Sequence[int]], config: engine.MatchingConfig
) -> RematchCounts:
    """The reduce step: reciprocal top-K over the chunks' shortlists, then the upsert.

    A chunk whose shortlist is missing (a result lost to a crash) is computed here; one that
    arrives twice (a task run again after a crash) counts once.
    """
    by_chunk: dict[int, dict] = {}
    for payload in payloads:
        if payload and 0 <= payload.get("chunk", -1) < len(chunks):
            by_chunk.setdefault(payload["chunk"], payload)
    missing = [i for i in range(len(chunks)) if i not in by_chunk]
    if missing:
        logger.warning("sweep: recomputing %d chunk(s) whose shortlist did not arrive", len(missing))
        for i in missing:
            by_chunk[i] = shortlist_chunk(i, chunks[i], config)
    selected = engine.select_reciprocal(
        [shortlists.decode(by_chunk[i], config) for i in sorted(by_chunk)], config
    )

    sections = load_sections()
    producers, buyers = load_producers(), load_buyers()
    responsiveness = load_responsiveness()
    # Score the kept pairs again on current data, with their inputs, so they can be explained.
    result = engine.score_pairs(
        producers,
        buyers,
        sections,
        selected.producer_id,
        selected.buyer_id,
        config,
        responsiveness=responsiveness,
    )
    result = _reaching(result, config, np.zeros(len(result), dtype=bool))
    scope = Scope.all()
    result = _with_stale_pairs(
        result,
        producers,
        buyers,
        sections,
        config,
        scope,
        engine_pairs_too=False,
        responsiveness=responsiveness,
    )
    counts = _persist(result, scope, producers, buyers, config)
    counts.producers, counts.buyers = len(producers), sum(len(c) for c in chunks)
    counts.pairs_scored = counts.producers * counts.buyers
    return counts


# --- Triggers: a profile or product changed → rematch that profile, debounced ---------

PRODUCER_MATCHING_FIELDS = frozenset(
    {
        "name",
        "sectors",
        "target_markets",
        "open_to_any_market",
        "export_experience",
        "certifications",
        "verified",
    }
)
BUYER_MATCHING_FIELDS = frozenset(
    {
        "company_name",
        "country",
        "sought_sectors",
        "seeks_parts",
        "annual_demand",
        "demand_unit",
        "typical_order",
        "required_certifications",
    }
)
PRODUCT_MATCHING_FIELDS = frozenset(
    {
        "hs_code",
        "annual_capacity",
        "available_capacity",
        "capacity_unit",
        "moq",
        "certifications",
        "is_active",
    }
)


_triggers_paused: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "rematch_triggers_paused", default=False
)


@contextlib.contextmanager
def rematch_triggers_paused():
    """Enqueue no per-profile rematch for writes made inside (a seed or a bulk import that
    rematches everything once at the end)."""
    token = _triggers_paused.set(True)
    try:
        yield
    finally:
        _triggers_paused.reset(token)


def debounce_key(kind: str, profile_id: int) -> str:
    return f"matchmaking:rematch:{kind}:{profile_id}"


@shared_task(base=TransactionAwareTask, name="matchmaking.tasks.rematch_producer_task")
def rematch_producer_task(producer_id: int) -> dict | None:
    """Rematch one producer (sent debounced by the triggers); nothing if it is gone."""
    cache.delete(debounce_key("producer", producer_id))
    if not ProducerProfile.objects.filter(pk=producer_id).exists():
        return None
    return rematch_producer(producer_id).as_dict()


@shared_task(base=TransactionAwareTask, name="matchmaking.tasks.rematch_request")
def rematch_request_task(request_id: int) -> dict | None:
    """Rematch one buying request: re-score it while it is published, else withdraw its
    still-proposed matches (sent debounced when the request changes); nothing if it is gone."""
    cache.delete(debounce_key("request", request_id))
    if not BuyingRequest.objects.filter(pk=request_id).exists():
        return None
    return rematch_request(request_id).as_dict()


@shared_task(base=TransactionAwareTask, name="matchmaking.tasks.rematch_buyer_task")
def rematch_buyer_task(buyer_id: int) -> dict | None:
    """Rematch one buyer (sent debounced by the triggers); nothing if it is gone."""
    cache.delete(debounce_key("buyer", buyer_id))
    if not BuyerProfile.objects.filter(pk=buyer_id).exists():
        return None
    return rematch_buyer(buyer_id).as_dict()


def _send_debounced(kind: str, profile_id: int) -> None:
    """Enqueue one rematch of the profile unless one is already waiting: the first edit of a
    burst sends the task with a countdown, the others find the key and add nothing. The task
    deletes the key before it reads anything, so an edit made while it runs sends another.
    A broker outage neither fails the request (the write is committed) nor loses the rematch:
    the outbox records it and sends it again when the broker is back. (Sent on commit by
    hand, not by the task's own wait: the debounce key is taken after the commit, so a
    rolled-back edit holds no key that would swallow the next edit's rematch.)"""
    delay = settings.MATCHING_REMATCH_DEBOUNCE_SECONDS
    key = debounce_key(kind, profile_id)
    # False: a rematch already waits. None: the cache is down (django-redis logged it) and
    # cannot tell, so send one: a rematch too many costs time, one too few a stale match list.
    if cache.add(key, 1, timeout=delay + settings.MATCHING_REMATCH_DEBOUNCE_GRACE) is False:
        return
    task = {"producer": rematch_producer_task, "buyer": rematch_buyer_task, "request": rematch_request_task}[
        kind
    ]
    try:
        sent = outbox.send(task, [profile_id], countdown=delay)
    except Exception:
        # No broker: the rematch ran in process, and failed; the request must not.
        cache.delete(key)
        logger.exception("the rematch of %s %s failed", kind, profile_id)
        return
    if not sent.queued and not sent.recorded:  # neither sent nor recorded: let the next edit try
        cache.delete(key)


def schedule_producer_rematch(*, producer_id: int, changed: Iterable[str] | None = None) -> None:
    """After this transaction commits, rematch the producer (debounced); `changed`, when
    given, are the fields written: nothing is enqueued unless one matters to matching."""
    if changed is not None and not PRODUCER_MATCHING_FIELDS & set(changed):
        return
    if not _triggers_paused.get():
        transaction.on_commit(lambda: _send_debounced("producer", producer_id))


def schedule_producer_rematch_for_product(*, producer_id: int, changed: Iterable[str] | None = None) -> None:
    """A product was created, changed (`changed`: its fields written) or deleted."""
    if changed is not None and not PRODUCT_MATCHING_FIELDS & set(changed):
        return
    if not _triggers_paused.get():
        transaction.on_commit(lambda: _send_debounced("producer", producer_id))


def schedule_buyer_rematch(*, buyer_id: int, changed: Iterable[str] | None = None) -> None:
    """After this transaction commits, rematch the buyer (debounced)."""
    if changed is not None and not BUYER_MATCHING_FIELDS & set(changed):
        return
    if not _triggers_paused.get():
        transaction.on_commit(lambda: _send_debounced("buyer", buyer_id))


def schedule_request_rematch(*, request_id: int) -> None:
    """After this transaction commits (at once outside one: sourcing sends its signal once
    the write committed), rematch the buying request (debounced): published or edited, it is
    re-scored; closed, returned or awarded, its still-proposed matches are withdrawn."""
    if not _triggers_paused.get():
        transaction.on_commit(lambda: _send_debounced("request", request_id))
