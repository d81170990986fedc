"""The nightly sweep as a chord (here in process): chunks, the reduce, retries, the lock."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from matchmaking import engine, services, shortlists, tasks
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
    cache.set(tasks.SWEEP_RUNNING_KEY, "another", 60)
    assert tasks.sweep_all.delay().get() is None
    assert not Match.objects.exists()


def test_the_nightly_sweep_is_in_the_beat_schedule():
    entry = django_settings.CELERY_BEAT_SCHEDULE["matchmaking-nightly-sweep"]
    assert entry["task"] == "matchmaking.tasks.sweep_all"
    assert entry["schedule"].hour == {2}
