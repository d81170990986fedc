"""A buying request's matches written at the same moment by the engine, the producer and a
counsellor (PostgreSQL only: SQLite has no row locks). Every writer locks the request's row,
then the matches: one (producer, request) row, and nobody overwrites what another did."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from matchmaking import interest, lifecycle, request_matching
from matchmaking.models import Match, MatchSource, MatchStatus
from portal import outbox
from portal.exceptions import StateConflict

from .lifecycle_support import make_counsellor
from .request_support import make_request, make_supplier

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.USING_POSTGRES, reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def race(*actions) -> list:
    """Run the callables in threads released together; each result is None or the exception."""
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(index: int, action) -> None:
        try:
            barrier.wait(timeout=10)
            action()
        except Exception as error:  # recorded, asserted on below
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.fixture(autouse=True)
def _no_mail(monkeypatch):
    monkeypatch.setattr(outbox, "send_safely", lambda *args, **kwargs: None)


def test_the_engine_and_the_producer_at_once_make_one_match_and_keep_the_interest():
    producer = make_supplier("841370")
    request = make_request()

    def express():
        interest.express_interest(
            request=request.pk, product=producer.products.get(), actor=producer.owner, message="Ready"
        )

    outcomes = race(express, lambda: request_matching.rematch_request(request.pk))

    assert outcomes == [None, None]
    match = Match.objects.get(request=request)
    assert match.source == MatchSource.PRODUCER_INTEREST and match.request_message == "Ready"
    assert match.status == MatchStatus.PROPOSED


def test_the_same_interest_twice_at_once_makes_one_match():
    producer = make_supplier("841370")
    request = make_request()

    def express():
        interest.express_interest(request=request.pk, product=producer.products.get(), actor=producer.owner)

    outcomes = race(express, express)

    assert sorted(type(o).__name__ for o in outcomes) == ["NoneType", "StateConflict"]
    assert isinstance([o for o in outcomes if o is not None][0], StateConflict)
    assert Match.objects.filter(request=request).count() == 1


def test_a_forward_during_a_rematch_of_the_closed_request_is_not_undone():
    make_supplier("841370")
    request = make_request()
    request_matching.rematch_request(request.pk)
    match = Match.objects.get(request=request)
    desk = make_counsellor("IQ")
    type(request).objects.filter(pk=request.pk).update(status="closed")

    outcomes = race(
        lambda: lifecycle.match_forward(match=match, actor=desk),
        lambda: request_matching.rematch_request(request.pk),
    )

    match.refresh_from_db()
    if outcomes[0] is None:  # the forward went first: the rematch leaves it
        assert match.status == MatchStatus.FORWARDED
    else:  # the rematch withdrew it first: the forward is told
        assert isinstance(outcomes[0], StateConflict) and match.status == MatchStatus.WITHDRAWN
    assert outcomes[1] is None
