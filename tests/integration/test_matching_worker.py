"""Matching on a real worker, broker and PostgreSQL: triggers on commit, a sweep that
survives its worker being killed (SIGKILL) half-way, and a killed sweep that does not block the
next one: a working sweep follows within minutes, and the API says a sweep runs meanwhile."""

import time

import pytest
from django.core.cache import cache
from django.db.models import Count

from catalogue import services as catalogue_services
from matchmaking import services, sweeps, tasks
from matchmaking.models import Match, MatchEvent, MatchStatus
from tests.factories import UserFactory
from tests.integration.conftest import running_worker, wait_for
from tests.matchmaking.conftest import make_buyer, make_producer

CODES = ["841810", "841840", "8418", "845811", "8458", "845011", "84", "850440", "8516", "940360"]
COUNTRIES = ["IQ", "AM", "TR", "DE", "AF", "RU", "AZ", "GE"]


def test_an_edited_product_updates_the_matches_through_the_worker(worker, settings):
    settings.MATCHING_REMATCH_DEBOUNCE_SECONDS = 1
    producer = make_producer(("841810",), capacity="100")
    buyer = make_buyer(("8418",), demand="400")
    services.rematch_all()
    match = Match.objects.get(producer=producer, buyer=buyer)
    assert match.capacity_score == pytest.approx(0.25)

    product = producer.products.get()
    for capacity in ("200", "300", "400"):  # a burst of edits: one rematch
        catalogue_services.product_update(
            product=product,
            actor=producer.owner,
            data={"annual_capacity": capacity, "available_capacity": capacity},
        )

    wait_for(
        lambda: Match.objects.get(pk=match.pk).capacity_score == 1, timeout=60, what="the worker's rematch"
    )
    match.refresh_from_db()
    assert match.breakdown["capacity"]["capacity"] == 400
    assert match.status == MatchStatus.PROPOSED
    assert MatchEvent.objects.filter(match=match).count() == 1


@pytest.fixture
def slow_sweep_worker(transactional_db, monkeypatch):
    """A worker whose sweep runs in many small, slowed-down chunks, and whose broker hands a
    killed worker's unacknowledged tasks out again after a few seconds."""
    monkeypatch.setenv("MATCHING_SWEEP_CHUNK_SIZE", "2")
    monkeypatch.setenv("MATCHING_SWEEP_CHUNK_DELAY", "0.5")
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", "5")
    with running_worker() as process:
        yield process


def make_province():
    """30 producers and 40 buyers, written without the per-profile rematch their writes would
    enqueue (a verified certificate updates the standing, which tells the matcher): the sweep
    under test is the only thing that makes matches here."""
    with services.rematch_triggers_paused():
        for i in range(30):
            make_producer(
                (CODES[i % len(CODES)], CODES[(i * 7 + 3) % len(CODES)]),
                capacity=str(50 * (i + 1)),
                markets=[COUNTRIES[i % len(COUNTRIES)]],
                open_to_any_market=i % 5 == 0,
                certifications=["CE"] if i % 2 else [],
            )
        for i in range(40):
            make_buyer(
                (CODES[(i * 3) % len(CODES)],),
                country=COUNTRIES[(i + 2) % len(COUNTRIES)],
                demand=str(120 * (i + 1)),
                certifications=["CE"] if i % 4 == 0 else [],
            )


def assert_no_duplicate_and_nothing_missing(outcome: dict) -> None:
    duplicates = Match.objects.values("producer_id", "buyer_id").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicates.exists()
    created = MatchEvent.objects.filter(from_status="").values("match_id").annotate(n=Count("id"))
    assert {row["n"] for row in created} == {1}
    assert outcome["created"] == Match.objects.count() > 0

    # The same data swept synchronously changes nothing: nothing missing, nothing extra.
    counts = services.rematch_all()
    assert (counts.created, counts.updated, counts.reproposed, counts.withdrawn) == (0, 0, 0, 0)
    assert counts.unchanged == Match.objects.count() == counts.kept


def test_a_sweep_killed_half_way_ends_with_no_duplicate_and_no_missing_match(slow_sweep_worker):
    make_province()
    sent = tasks.sweep_all.delay()
    assert sent.get(timeout=30)["chunks"] == 20
    time.sleep(2.5)  # a few chunks done, most still to run (0.5 s each, two at a time)
    slow_sweep_worker.kill()
    assert cache.get(tasks.SWEEP_LAST_KEY) is None and not Match.objects.exists()  # killed mid-sweep

    # The broker hands out a dead worker's unacknowledged tasks once they are older than the
    # visibility timeout (5 s here), when a worker starts polling and then every ~100 s.
    time.sleep(6)
    slow_sweep_worker.start()
    outcome = wait_for(lambda: cache.get(tasks.SWEEP_LAST_KEY), timeout=120, what="the sweep to finish")
    time.sleep(1)  # a duplicated reduce, if any, would land now
    assert_no_duplicate_and_nothing_missing(outcome)


@pytest.fixture(params=["short lease", "production lease"])
def leased_sweep_worker(request, transactional_db, monkeypatch, settings):
    """A worker whose sweep runs in many small, slowed-down chunks, with the broker's production
    visibility timeout (20 minutes: a killed worker's chunks do not come back during the test);
    under a short lease (6 s, a beat a second), or the production one (2 minutes, 20 s)."""
    lease = {"MATCHING_SWEEP_LEASE_SECONDS": "6", "MATCHING_SWEEP_HEARTBEAT_SECONDS": "1"}
    for name, value in (
        ("MATCHING_SWEEP_CHUNK_SIZE", "2"),
        ("MATCHING_SWEEP_CHUNK_DELAY", "0.5"),
        *(lease.items() if request.param == "short lease" else ()),
    ):
        monkeypatch.setenv(name, value)
    for name in ("CELERY_VISIBILITY_TIMEOUT", *(lease if request.param == "production lease" else ())):
        monkeypatch.delenv(name, raising=False)
    if request.param == "short lease":
        settings.MATCHING_SWEEP_LEASE_SECONDS = 6
    with running_worker() as process:
        yield process


def last_sweep_other_than(*sweep_ids):
    outcome = cache.get(tasks.SWEEP_LAST_KEY)
    return outcome if outcome and outcome["sweep"] not in sweep_ids else None


def test_a_killed_sweep_is_followed_by_a_working_sweep_within_five_minutes(leased_sweep_worker):
    from rest_framework.test import APIClient

    make_province()
    staff = APIClient()
    staff.force_authenticate(UserFactory(role="staff"))
    rematch = "/api/v1/matches/rematch/"

    killed = tasks.sweep_all.delay().get(timeout=30)
    assert killed["chunks"] == 20
    time.sleep(2.5)  # a few chunks done, most still to run
    leased_sweep_worker.kill()
    killed_at = time.monotonic()
    assert cache.get(tasks.SWEEP_LAST_KEY) is None and not Match.objects.exists()

    # Asked for another sweep now, the API says one runs, and since when; nothing is queued.
    response = staff.post(rematch, {}, format="json")
    assert response.status_code == 409, response.content
    assert response.json()["sweep"] == killed["sweep"] and response.json()["started_at"]

    # A new worker: the dead sweep is noticed (its chunks' marks lapse, or its lease) and a
    # new sweep runs to the end, though the killed chunks stay with the broker for 20 minutes.
    leased_sweep_worker.start()
    outcome = wait_for(
        lambda: last_sweep_other_than(killed["sweep"]), timeout=300, what="a new sweep to finish"
    )
    assert time.monotonic() - killed_at < 300
    assert sweeps.running() is None and not sweeps.is_live(killed["sweep"])
    time.sleep(1)
    assert_no_duplicate_and_nothing_missing(outcome)

    # And a sweep asked for by staff now is accepted and runs to the end.
    response = staff.post(rematch, {}, format="json")
    assert response.status_code == 202, response.content
    wait_for(
        lambda: last_sweep_other_than(killed["sweep"], outcome["sweep"]),
        timeout=120,
        what="the staff's sweep to finish",
    )
    assert time.monotonic() - killed_at < 300
