"""Outcomes changed by two people at the same moment (PostgreSQL only: SQLite has no row locks).
The services lock the match, so the second works on what the first wrote: the log is a chain
(each event's "before" is the previous one's "after") and nobody confirms a version they never
read."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from matchmaking import outcomes
from matchmaking.models import Match, MatchEvent, MatchStatus
from portal import outbox
from portal.exceptions import StateConflict as Conflict

from .lifecycle_support import make_counsellor, make_match

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.USING_POSTGRES, reason="row locks need PostgreSQL"),
]

WON = {"outcome": "won", "value": "185000", "currency": "USD", "note": "Signed"}
LOST = {"outcome": "lost", "note": "Fell through"}


def _race(calls: list) -> list:
    """Run the calls in threads released together; each result is None or the exception."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int, call) -> None:
        try:
            barrier.wait(timeout=10)
            call()
        except Exception as error:  # recorded, asserted on below
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


def _chain(match: Match) -> list[dict]:
    return [event.details for event in MatchEvent.objects.filter(match=match).order_by("at", "id")]


@pytest.fixture
def quiet(monkeypatch):
    monkeypatch.setattr(outbox, "send_safely", lambda *args, **kwargs: None)  # no emails here


@pytest.mark.django_db(transaction=True)
def test_both_companies_declaring_at_once_make_a_chain(quiet):
    match = make_match(status=MatchStatus.CONNECTED, counsellor=make_counsellor("IQ"))
    buyer, producer = match.buyer.owner, match.producer.owner
    results = _race(
        [
            lambda: outcomes.match_record_outcome(match=match, actor=buyer, **WON),
            lambda: outcomes.match_record_outcome(match=match, actor=producer, **LOST),
        ]
    )
    assert results == [None, None]
    first, second = _chain(match)
    assert (first["outcome"], first["before"]) == ("declared", None)
    assert second["outcome"] == "corrected" and second["before"] == first["after"]
    match.refresh_from_db()
    assert match.status == second["after"]["result"] and not outcomes.is_confirmed(match)


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_racing_a_correction_never_confirms_the_unread_version(quiet):
    match = make_match(status=MatchStatus.CONNECTED, counsellor=make_counsellor("IQ"))
    buyer, producer = match.buyer.owner, match.producer.owner
    outcomes.match_record_outcome(match=match, actor=buyer, **WON)
    seen = Match.objects.get(pk=match.pk).outcome_declared_at
    results = _race(
        [
            lambda: outcomes.match_confirm_outcome(match=match, actor=producer, declared_at=seen),
            lambda: outcomes.match_record_outcome(match=match, actor=buyer, **LOST),
        ]
    )
    confirmed, corrected = results
    assert corrected is None
    match.refresh_from_db()
    assert match.status == MatchStatus.LOST and not outcomes.is_confirmed(match)
    chain = _chain(match)
    if confirmed is None:  # confirmed first: the correction then asks again
        assert [d["outcome"] for d in chain] == ["declared", "confirmed", "corrected"]
    else:  # corrected first: the producer is told it changed
        assert isinstance(confirmed, Conflict)
        assert [d["outcome"] for d in chain] == ["declared", "corrected"]
