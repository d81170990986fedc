"""The nightly sweep as a chord (here in process): chunks, the reduce, retries, the lock."""

import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from matchmaking import engine, services, shortlists, sweeps, tasks
from matchmaking.models import Match, MatchEvent
from portal.celery import app

from .conftest import make_buyer, make_producer

pytestmark = pytest.mark.django_db

CODES = ["841810", "841840", "8418", "845811", "8458", "845011", "84", "850440", "8516"]
COUNTRIES = ["IQ", "AM", "TR", "DE", "AF", "RU"]


@pytest.fixture
def province():
    for i in range(14):
        make_producer(
            (CODES[i % len(CODES)], CODES[(i * 3 + 1) % len(CODES)]) if i % 3 else (CODES[i % len(CODES)],),
            capacity=str(100 * (i + 1)),
            markets=[COUNTRIES[i % len(COUNTRIES)]],
            open_to_any_market=i % 4 == 0,
            certifications=["CE"] if i % 2 else [],
        )
    for i in range(11):
        make_buyer(
            (CODES[(i * 2) % len(CODES)],),
            country=COUNTRIES[(i + 1) % len(COUNTRIES)],
            demand=str(150 * (i + 1)),
            certifications=["CE"] if i % 3 == 0 else [],
        )


def state():
    return sorted(Match.objects.values_list("producer_id", "buyer_id", "score", "status", "breakdown"))


def small_config():
    return engine.MatchingConfig(top_k_per_buyer=3, top_k_per_producer=2, min_per_buyer=1)


def test_the_sweep_in_chunks_gives_what_rematch_all_gives(province, settings):
    settings.MATCHING_SWEEP_CHUNK_SIZE = 3
    from matchmaking.models import MatchingConfig

    MatchingConfig.objects.create(top_k_per_buyer=3, top_k_per_producer=2, min_per_buyer=1)
    services.rematch_all()
    expected, events = state(), MatchEvent.objects.count()
    Match.objects.all().delete()

    outcome = tasks.sweep_all.delay().get()

    assert outcome["chunks"] == 4 and outcome["buyers"] == 11
    assert state() == expected and MatchEvent.objects.count() == events
    assert cache.get(tasks.SWEEP_RUNNING_KEY) is None
    assert cache.get(tasks.SWEEP_LAST_KEY)["created"] == len(expected)
    tasks.sweep_all.delay().get()
    assert state() == expected and MatchEvent.objects.count() == events  # idempotent


def test_the_reduce_recomputes_a_lost_chunk_and_counts_a_repeated_one_once(province):
    config = small_config()
    services.rematch_all(config=config)
    expected = state()
    Match.objects.all().delete()
    chunks = services.sweep_chunks(chunk_size=4)
    payloads = [services.shortlist_chunk(i, chunk, config) for i, chunk in enumerate(chunks)]

    counts = services.reduce_and_persist([payloads[0], payloads[0], payloads[2], None], chunks, config)

    assert state() == expected and counts.created == len(expected)


def test_a_shortlist_survives_json():
    import json

    producers = engine.ProducerArrays.from_records(
        [engine.ProducerRecord(id=i, hs_codes=["841810"], target_markets={"IQ"}) for i in (3, 9)]
    )
    buyers = engine.BuyerArrays.from_records([engine.BuyerRecord(id=5, hs_codes=["8418"], country="IQ")])
    result = engine.shortlist(producers, buyers, engine.default_sections())
    payload = json.loads(json.dumps(shortlists.encode(0, [5], result)))
    decoded = shortlists.decode(payload, engine.MatchingConfig())
    assert list(decoded.producer_id) == list(result.producer_id) and list(decoded.score) == list(result.score)


def test_a_failing_chunk_is_retried_alone(province, settings, monkeypatch):
    settings.MATCHING_SWEEP_CHUNK_SIZE = 4
    calls = []
    real = services.shortlist_chunk

    def flaky(index, buyer_ids, config, **kwargs):
        calls.append(index)
        if index == 1 and calls.count(1) == 1:
            raise ConnectionError("database went away")
        return real(index, buyer_ids, config, **kwargs)

    monkeypatch.setattr(services, "shortlist_chunk", flaky)
    # In process, a retry runs again at once (a worker waits for the backoff); Celery only
    # retries eagerly when it does not propagate the error first.
    previous, app.conf.task_eager_propagates = app.conf.task_eager_propagates, False
    try:
        tasks.sweep_all.delay().get()
    finally:
        app.conf.task_eager_propagates = previous

    assert sorted(calls) == [0, 1, 1, 2]  # chunk 1 twice, the others once
    assert tasks.score_chunk.max_retries >= 3 and Exception in tasks.score_chunk.autoretry_for
    assert Match.objects.exists()


def test_a_sweep_is_skipped_while_another_one_runs(province):
    assert sweeps.claim("another") is True
    assert tasks.sweep_all.delay().get() is None
    assert not Match.objects.exists()


# --- The lease: a sweep whose worker died blocks the next one for minutes, not hours ---------


def test_the_default_lease_lets_a_dead_sweep_go_well_within_five_minutes():
    lease = django_settings.MATCHING_SWEEP_LEASE_SECONDS
    beat = django_settings.MATCHING_SWEEP_HEARTBEAT_SECONDS
    # Noticed at worst a lease plus a heartbeat after the worker's last beat, then sent again.
    assert lease + 2 * beat <= 200
    assert beat * 3 <= lease  # a live chunk beats several times within its mark's life


def test_a_dead_sweeps_lease_lapses_and_the_next_sweep_runs(province, settings):
    settings.MATCHING_SWEEP_LEASE_SECONDS = 1
    assert sweeps.claim("dead") is True  # its worker was killed: nothing renews it
    assert tasks.sweep_all.delay().get() is None
    time.sleep(1.2)
    outcome = tasks.sweep_all.delay().get()
    assert outcome["chunks"] >= 1 and Match.objects.exists()
    assert cache.get(tasks.SWEEP_LAST_KEY)["sweep"] == outcome["sweep"]
    assert sweeps.running() is None


def test_a_chunk_that_finds_a_dead_sibling_abandons_the_sweep_and_sends_it_again(province, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks, "_sweep_again", lambda attempt: sent.append(attempt))
    assert sweeps.claim("broken", attempt=1)
    sweeps.chunk_started("broken", 0)
    cache.delete("matchmaking:sweep:broken:0:alive")  # chunk 0 started, then its worker died
    config = services.config_as_dict(services.get_matching_config())
    buyers = services.sweep_chunks()[0]

    assert tasks.score_chunk.run("broken", 1, buyers, config, chunks=2, attempt=1) is None
    assert sent == [2] and sweeps.running() is None and not sweeps.is_live("broken")
    # Its other chunks, and its reduce (when the broker hands them out again), stop at once.
    assert tasks.score_chunk.run("broken", 0, buyers, config, chunks=2, attempt=1) is None
    assert tasks.reduce_and_persist_task.run([None, None], "broken", [buyers, []], config) is None
    assert sent == [2] and not Match.objects.exists()


def test_a_sweep_whose_lease_lapsed_unfinished_is_recovered_once(province, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks, "_sweep_again", lambda attempt: sent.append(attempt))
    assert tasks.recover_sweep.run() is None  # no sweep yet
    assert sweeps.claim("alive")
    assert tasks.recover_sweep.run() is None and sent == []  # holds its lease: running
    sweeps.release("alive")  # its lease lapsed: every worker running it died
    assert tasks.recover_sweep.run() == "alive" and sent == [2]
    assert tasks.recover_sweep.run() is None and sent == [2]  # given up once, sent again once
    outcome = tasks.sweep_all.delay().get()  # a sweep that finishes is not recovered
    assert tasks.recover_sweep.run() is None and sent == [2] and outcome["chunks"]


def test_the_sweep_recovery_is_in_the_beat_schedule():
    entry = django_settings.CELERY_BEAT_SCHEDULE["matchmaking-recover-sweep"]
    assert entry["task"] == "matchmaking.tasks.recover_sweep" and entry["schedule"] <= 60


def test_a_sweep_is_sent_again_only_a_few_times_in_a_row(settings):
    sent = []
    settings.MATCHING_SWEEP_MAX_ATTEMPTS = 3
    sweeps.resend_after_abandon(sent.append, 2)
    sweeps.resend_after_abandon(sent.append, 3)
    assert sent == [3]


def test_a_superseded_sweep_writes_nothing(province):
    assert sweeps.claim("old")
    sweeps.release("old")
    assert sweeps.claim("new")  # the old one's lease had lapsed; a new sweep runs
    config = services.config_as_dict(services.get_matching_config())
    buyers = services.sweep_chunks()[0]
    assert tasks.score_chunk.run("old", 0, buyers, config, chunks=1) is None
    assert tasks.reduce_and_persist_task.run([None], "old", [buyers], config) is None
    assert not Match.objects.exists() and sweeps.running().sweep_id == "new"


def test_a_failed_chunk_waiting_for_its_retry_is_not_taken_for_dead(province):
    assert sweeps.claim("s")
    with pytest.raises(ConnectionError), sweeps.heartbeat("s", 0, 2):
        raise ConnectionError("database went away")
    assert sweeps.dead_chunks("s", 2) == []
    with sweeps.heartbeat("s", 1, 2):
        pass
    assert sweeps.dead_chunks("s", 2) == [] and sweeps.is_live("s")


def test_a_running_chunk_renews_the_lease_and_a_stalled_one_is_noticed(settings):
    settings.MATCHING_SWEEP_LEASE_SECONDS = 1
    settings.MATCHING_SWEEP_HEARTBEAT_SECONDS = 0.2
    assert sweeps.claim("s")
    with sweeps.heartbeat("s", 0, 2) as watch:
        time.sleep(1.5)  # longer than the lease: the heartbeat kept it
        assert sweeps.running().sweep_id == "s"
        sweeps.chunk_started("s", 1)  # a sibling that started...
        cache.delete("matchmaking:sweep:s:1:alive")  # ...and died
        time.sleep(0.5)
    assert watch.abandoned and sweeps.running() is None and not sweeps.is_live("s")


def test_the_nightly_sweep_is_in_the_beat_schedule():
    entry = django_settings.CELERY_BEAT_SCHEDULE["matchmaking-nightly-sweep"]
    assert entry["task"] == "matchmaking.tasks.sweep_all"
    assert entry["schedule"].hour == {2}
