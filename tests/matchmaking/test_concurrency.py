"""Two reviewers acting on one proposed match at the same moment (PostgreSQL only: SQLite
has no row locks). The lifecycle locks the row, so one wins, the other is told the match
has moved on, and the log holds one event for the transition."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from matchmaking import lifecycle
from matchmaking.models import Match, MatchEvent, MatchStatus
from portal import outbox
from portal.exceptions import StateConflict as Conflict
from tests.factories import UserFactory

from .lifecycle_support import make_counsellor, make_match

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.USING_POSTGRES, reason="row locks need PostgreSQL"),
]


def _act(action: str, match: Match, actor) -> None:
    if action == "forward":
        lifecycle.match_forward(match=match, actor=actor, note="Go ahead")
    else:
        lifecycle.match_reject(match=match, actor=actor, reason="Not a fit")


def _race(match: Match, attempts: list[tuple[str, object]]) -> list:
    """Run the attempts in threads released together; each result is None or the exception."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list = [None] * len(attempts)

    def run(index: int, action: str, actor) -> None:
        try:
            barrier.wait(timeout=10)
            _act(action, match, actor)
        except Exception as error:  # recorded, asserted on below
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, action, actor))
        for index, (action, actor) in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("first", "second"), [("forward", "forward"), ("forward", "reject"), ("reject", "reject")]
)
def test_one_of_two_simultaneous_reviews_wins(monkeypatch, first, second):
    monkeypatch.setattr(outbox, "send_safely", lambda *args, **kwargs: None)  # no emails here
    match = make_match()  # in the pool: both counsellors may review it
    one, other = make_counsellor("IQ"), make_counsellor("TR")
    staff = UserFactory(role="staff")
    actors = [one, other] if first == second else [one, staff]

    outcomes = _race(match, [(first, actors[0]), (second, actors[1])])

    winners = [index for index, outcome in enumerate(outcomes) if outcome is None]
    losers = [outcome for outcome in outcomes if outcome is not None]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and isinstance(losers[0], Conflict), outcomes
    won_with = (first, second)[winners[0]]
    expected = MatchStatus.FORWARDED if won_with == "forward" else MatchStatus.REJECTED
    match.refresh_from_db()
    assert match.status == expected
    log = MatchEvent.objects.filter(match=match, from_status=MatchStatus.PROPOSED)
    assert log.count() == 1
    assert log.get().actor_id == actors[winners[0]].pk


@pytest.mark.django_db(transaction=True)
def test_the_same_introduction_requested_twice_at_once_makes_one_match(monkeypatch):
    from .conftest import make_buyer, make_producer

    monkeypatch.setattr(outbox, "send_safely", lambda *args, **kwargs: None)
    producer, buyer = make_producer(), make_buyer()
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            lifecycle.request_introduction(actor=buyer.owner, producer=producer, message="Hello")
        except Exception as error:  # recorded, asserted on below
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == [None, None]
    match = Match.objects.get(producer=producer, buyer=buyer)
    assert match.status == MatchStatus.PROPOSED
