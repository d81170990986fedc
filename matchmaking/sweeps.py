"""The lease of the running sweep, and how a sweep whose worker died is noticed within minutes.

One sweep runs at a time. It holds a lease in the shared cache (Redis) that lasts
`MATCHING_SWEEP_LEASE_SECONDS` and is renewed every `MATCHING_SWEEP_HEARTBEAT_SECONDS` by a
heartbeat thread in each of its running chunks (and in its reduce). Each running chunk also
keeps a short "alive" mark of its own. So:

- a sweep whose every worker died stops renewing: its lease expires within the lease time,
  and the next sweep may start;
- a sweep of which one chunk died while others run (or start later, on a new worker) is
  noticed by those others: a chunk that started, is no longer alive and did not finish is
  dead. The sweep is then *abandoned*: its lease is released at once, its other chunks and
  its reduce stop without writing, and the chunk that noticed it sends a new sweep (at most
  `MATCHING_SWEEP_MAX_ATTEMPTS` in a row), so a nightly sweep killed half-way is redone
  minutes later, not the next night;
- a sweep whose lease lapsed before it finished, with no chunk left to notice (every worker
  died, or its reduce did, or the chunks left ran to the end before a dead one's mark
  lapsed), is given up and sent again by `recover` (`matchmaking.tasks.recover_sweep`):
  beat runs it every minute, and a watchdog every half lease from when a sweep starts, or a
  worker starts, for as long as a sweep runs.

A chunk that fails is retried by Celery after a backoff: it clears its "started" mark before,
so a chunk waiting for its retry is not taken for dead. A dead worker's chunks come back from
the broker only after its visibility timeout (`CELERY_VISIBILITY_TIMEOUT`, 20 minutes by
default, kept long because countdowns and retries longer than it would run twice); by then
their sweep is abandoned or superseded (`is_live`), and they stop at once.

With the cache down (Redis unreachable) nothing can be known: a sweep runs without a lease
(logged), rather than not at all.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

RUNNING_KEY = "matchmaking:sweep:running"  # {"sweep", "started_at", "attempt"}, for the lease's time
LATEST_KEY = "matchmaking:sweep:latest"  # the id of the sweep started last, kept
LAST_KEY = "matchmaking:sweep:last"  # the outcome of the sweep that finished last, kept
REDUCE = "reduce"  # the reduce's marks are those of a chunk named so
_DAY = 24 * 3600


def lease_seconds() -> int:
    return max(1, int(settings.MATCHING_SWEEP_LEASE_SECONDS))


def heartbeat_seconds() -> float:
    return max(0.1, float(settings.MATCHING_SWEEP_HEARTBEAT_SECONDS))


def _key(sweep_id: str, *parts) -> str:
    return ":".join(("matchmaking:sweep", sweep_id, *map(str, parts)))


@dataclass(frozen=True)
class RunningSweep:
    sweep_id: str
    started_at: datetime
    attempt: int


def running() -> RunningSweep | None:
    """The sweep holding the lease now, if any (None too when the cache cannot say)."""
    value = cache.get(RUNNING_KEY)
    if not isinstance(value, dict) or not value.get("sweep"):
        return None
    try:
        started = datetime.fromisoformat(value["started_at"])
    except (KeyError, TypeError, ValueError):
        started = timezone.now()
    return RunningSweep(sweep_id=value["sweep"], started_at=started, attempt=int(value.get("attempt", 1)))


def claim(sweep_id: str, *, attempt: int = 1) -> bool | None:
    """Take the lease for a new sweep: True, False when another sweep holds it, None when the
    cache is down (the caller runs without a lease)."""
    value = {"sweep": sweep_id, "started_at": timezone.now().isoformat(), "attempt": attempt}
    claimed = cache.add(RUNNING_KEY, value, timeout=lease_seconds())
    cache.set(_key(sweep_id, "info"), value, timeout=_DAY)
    if claimed is None:
        logger.warning("the cache is unavailable: sweep %s runs without a lease", sweep_id)
        return None
    if claimed:
        cache.set(LATEST_KEY, sweep_id, timeout=None)
    return claimed


def is_live(sweep_id: str) -> bool:
    """Neither abandoned nor superseded by a later sweep (an unknown latest sweep, say with
    the cache down, supersedes nothing)."""
    if cache.get(_key(sweep_id, "abandoned")):
        return False
    latest = cache.get(LATEST_KEY)
    return latest is None or latest == sweep_id


def renew(sweep_id: str) -> bool:
    """Extend the sweep's lease (taking it again if it lapsed while the sweep is still the
    latest one); False when the sweep is no longer live."""
    if not is_live(sweep_id):
        return False
    value = cache.get(RUNNING_KEY)
    if isinstance(value, dict) and value.get("sweep") == sweep_id:
        cache.touch(RUNNING_KEY, lease_seconds())
    elif value is None:
        info = cache.get(_key(sweep_id, "info")) or {
            "sweep": sweep_id,
            "started_at": timezone.now().isoformat(),
            "attempt": 1,
        }
        cache.add(RUNNING_KEY, info, timeout=lease_seconds())
    return True


def release(sweep_id: str) -> None:
    value = cache.get(RUNNING_KEY)
    if isinstance(value, dict) and value.get("sweep") == sweep_id:
        cache.delete(RUNNING_KEY)


def abandon(sweep_id: str, reason: str) -> bool:
    """Give the sweep up and free the lease; True only for the caller that gave it up."""
    first = cache.add(_key(sweep_id, "abandoned"), reason, timeout=_DAY) is not False
    release(sweep_id)
    if first:
        logger.warning("matching sweep %s abandoned: %s", sweep_id, reason)
    return first


# --- Each chunk's marks ---------------------------------------------------------------------


def chunk_started(sweep_id: str, chunk) -> None:
    # Alive before started: a sibling reading the marks between the two writes must never
    # see a chunk that started and is not alive (it would give the whole sweep up).
    cache.set(_key(sweep_id, chunk, "alive"), 1, timeout=lease_seconds())
    cache.set(_key(sweep_id, chunk, "started"), 1, timeout=_DAY)


def chunk_alive(sweep_id: str, chunk) -> None:
    cache.touch(_key(sweep_id, chunk, "alive"), lease_seconds())


def chunk_done(sweep_id: str, chunk) -> None:
    cache.set(_key(sweep_id, chunk, "done"), 1, timeout=_DAY)
    cache.delete(_key(sweep_id, chunk, "alive"))


def chunk_failed(sweep_id: str, chunk) -> None:
    """A failure Celery retries later: the chunk counts as not started until then."""
    cache.delete_many([_key(sweep_id, chunk, "started"), _key(sweep_id, chunk, "alive")])


def dead_chunks(sweep_id: str, chunks: int) -> list:
    """The chunks (and the reduce) that started, are not alive and did not finish."""
    names = [*range(chunks), REDUCE]
    keys = [_key(sweep_id, name, mark) for name in names for mark in ("started", "alive", "done")]
    marks = cache.get_many(keys)
    return [
        name
        for name in names
        if _key(sweep_id, name, "started") in marks
        and _key(sweep_id, name, "alive") not in marks
        and _key(sweep_id, name, "done") not in marks
    ]


@dataclass
class Watch:
    """What a chunk's heartbeat saw: `abandoned` when this chunk gave its sweep up."""

    sweep_id: str
    chunks: int
    abandoned: bool = False
    lost: bool = False  # the sweep is no longer live (abandoned by another, or superseded)

    def check(self) -> bool:
        """One beat: keep this chunk alive and the lease renewed unless a sibling died."""
        if not is_live(self.sweep_id):
            self.lost = True
            return False
        dead = dead_chunks(self.sweep_id, self.chunks)
        if dead:
            self.lost = True
            names = ", ".join(map(str, dead))
            self.abandoned = self.abandoned or abandon(self.sweep_id, f"chunk(s) {names} died")
            return False
        return renew(self.sweep_id)


@contextmanager
def heartbeat(sweep_id: str, chunk, chunks: int) -> Iterator[Watch]:
    """Mark `chunk` of the sweep as running and beat for it in a thread while the block runs;
    done when the block ends, not started again when it raises (Celery retries it)."""
    watch = Watch(sweep_id, chunks)
    chunk_started(sweep_id, chunk)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(heartbeat_seconds()):
            try:
                chunk_alive(sweep_id, chunk)
                watch.check()
            except Exception:  # a beat must never take the work down with it
                logger.exception("matching sweep %s: heartbeat failed", sweep_id)

    thread = threading.Thread(target=beat, name=f"sweep-heartbeat-{chunk}", daemon=True)
    thread.start()
    try:
        yield watch
    except BaseException:
        stop.set()
        thread.join(timeout=10)
        chunk_failed(sweep_id, chunk)
        raise
    stop.set()
    thread.join(timeout=10)
    chunk_done(sweep_id, chunk)


def finished(sweep_id: str) -> bool:
    return bool(cache.get(_key(sweep_id, REDUCE, "done")))


def recover(send: Callable[[int], object]) -> str | None:
    """The latest sweep, if its lease lapsed before it finished and nobody gave it up: every
    worker that ran it died (or its reduce did). Give it up and send it again; its id, or None
    when there is nothing to recover."""
    latest = cache.get(LATEST_KEY)
    if not latest or running() is not None:
        return None
    if cache.get(_key(latest, "abandoned")) or finished(latest):
        return None
    if not abandon(latest, "its lease lapsed before it finished"):
        return None
    info = cache.get(_key(latest, "info")) or {}
    resend_after_abandon(send, int(info.get("attempt", 1)))
    return latest


def resend_after_abandon(send: Callable[[int], object], attempt: int) -> None:
    """Start the sweep again after this worker gave one up, a bounded number of times."""
    if attempt >= settings.MATCHING_SWEEP_MAX_ATTEMPTS:
        logger.error("matching sweep abandoned %d times in a row; not started again", attempt)
        return
    send(attempt + 1)
