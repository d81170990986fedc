"""Two acceptances at the same moment (PostgreSQL only: SQLite has no row locks).

Accepting a quote for a buying request locks the request first (sourcing.services.award_request),
then the quote: of two quotes of one request accepted at once, one wins, the other waits on the
request's lock and finds it awarded (a StateConflict: 409); the request is awarded once, with
one award event. The same quote accepted twice at once succeeds once.
"""

import threading

import pytest
from django.conf import settings
from django.db import connection

from deals import quotes
from deals.models import Quote, QuoteStatus
from matchmaking.models import MatchEvent
from portal import outbox
from portal.exceptions import StateConflict
from sourcing.models import RequestEvent, RequestStatus

from .quote_support import make_cast, make_deal, make_quote, quote_input

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.USING_POSTGRES, reason="row locks need PostgreSQL"),
]


def _race(attempts: list) -> list:
    """Run the callables in threads released together; each result is None or the exception."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list = [None] * len(attempts)

    def run(index: int, attempt) -> None:
        try:
            barrier.wait(timeout=10)
            attempt()
        except Exception as error:  # recorded, asserted on below
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, attempt)) for index, attempt in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.fixture(autouse=True)
def _no_mail(monkeypatch):
    monkeypatch.setattr(outbox, "send_safely", lambda *args, **kwargs: None)  # no emails here


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", range(3))
def test_two_quotes_of_one_request_accepted_at_once_one_wins(run):
    cast = make_cast()
    first, second = make_quote(cast.match), make_quote(cast.other_match)

    outcomes = _race(
        [
            lambda: quotes.quote_accept(quote=first.pk, actor=cast.buyer),
            lambda: quotes.quote_accept(quote=second.pk, actor=cast.buyer),
        ]
    )

    winners = [index for index, outcome in enumerate(outcomes) if outcome is None]
    losers = [outcome for outcome in outcomes if outcome is not None]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and isinstance(losers[0], StateConflict), outcomes
    won, lost = (first, second) if winners == [0] else (second, first)
    won.refresh_from_db()
    lost.refresh_from_db()
    assert won.status == QuoteStatus.ACCEPTED
    assert lost.status == QuoteStatus.DECLINED  # by the winner's acceptance
    assert Quote.objects.filter(request=cast.request, status=QuoteStatus.ACCEPTED).count() == 1
    cast.request.refresh_from_db()
    assert cast.request.status == RequestStatus.AWARDED
    assert RequestEvent.objects.filter(request=cast.request, to_status=RequestStatus.AWARDED).count() == 1
    assert MatchEvent.objects.filter(details__action="accepted").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_request", [True, False])
def test_the_same_quote_accepted_twice_at_once_succeeds_once(with_request):
    match = make_deal(with_request=with_request)
    quote = make_quote(match)
    buyer = match.buyer.owner

    outcomes = _race([lambda: quotes.quote_accept(quote=quote.pk, actor=buyer) for _ in range(2)])

    assert outcomes.count(None) == 1, outcomes
    assert isinstance(next(o for o in outcomes if o is not None), StateConflict), outcomes
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert MatchEvent.objects.filter(details__quote=quote.pk, details__action="accepted").count() == 1
    if with_request:
        assert RequestEvent.objects.filter(to_status=RequestStatus.AWARDED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_acceptance_and_a_withdrawal_at_once_leave_one_consistent_end():
    match = make_deal()
    quote = make_quote(match)

    outcomes = _race(
        [
            lambda: quotes.quote_accept(quote=quote.pk, actor=match.buyer.owner),
            lambda: quotes.quote_withdraw(quote=quote.pk, actor=match.producer.owner),
        ]
    )

    assert outcomes.count(None) == 1 and all(o is None or isinstance(o, StateConflict) for o in outcomes)
    quote.refresh_from_db()
    match.request.refresh_from_db()
    if outcomes[0] is None:
        assert quote.status == QuoteStatus.ACCEPTED and match.request.status == RequestStatus.AWARDED
    else:
        assert quote.status == QuoteStatus.WITHDRAWN and match.request.status == RequestStatus.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_a_quote_sent_while_another_is_accepted_is_never_left_open_on_an_awarded_request():
    cast = make_cast()
    chosen = make_quote(cast.match)
    outcomes = _race(
        [
            lambda: quotes.quote_accept(quote=chosen.pk, actor=cast.buyer),
            lambda: quotes.quote_create(
                match=cast.other_match.pk, actor=cast.other_producer, data=quote_input()
            ),
        ]
    )

    assert outcomes[0] is None, outcomes
    assert outcomes[1] is None or isinstance(outcomes[1], StateConflict), outcomes
    assert not Quote.objects.filter(request=cast.request, status=QuoteStatus.OPEN).exists()
