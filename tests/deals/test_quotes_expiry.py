"""Quotes expire once their validity has passed: the daily task (deals.tasks.expire_quotes),
its service (deals.quote_expiry) and its place in the beat schedule."""

from __future__ import annotations

import pytest
from django.conf import settings

from deals import quote_expiry, tasks
from deals.models import QuoteStatus
from matchmaking.models import MatchEvent, MatchStatus
from matchmaking.policies import events_visible_to
from portal.celery import app
from tests.factories import UserFactory

from .quote_support import in_days, make_deal, make_quote, today

pytestmark = pytest.mark.django_db


def test_open_quotes_past_their_validity_expire_once(mailoutbox):
    match = make_deal()
    past = make_quote(match, valid_until=in_days(-1))
    long_past = make_quote(match, valid_until=in_days(-40))
    last_day = make_quote(match, valid_until=today())
    accepted_past = make_quote(match, valid_until=in_days(-3), status=QuoteStatus.ACCEPTED)
    withdrawn_past = make_quote(match, valid_until=in_days(-3), status=QuoteStatus.WITHDRAWN)

    assert quote_expiry.expire_quotes() == 2

    for quote in (past, long_past, last_day, accepted_past, withdrawn_past):
        quote.refresh_from_db()
    assert past.status == long_past.status == QuoteStatus.EXPIRED
    assert last_day.status == QuoteStatus.OPEN  # valid through its last day
    assert accepted_past.status == QuoteStatus.ACCEPTED and withdrawn_past.status == QuoteStatus.WITHDRAWN
    events = MatchEvent.objects.filter(details__action="expired")
    assert {event.details["quote"] for event in events} == {past.pk, long_past.pk}
    assert all(
        event.actor is None and event.from_status == event.to_status == MatchStatus.FORWARDED
        for event in events
    )
    assert quote_expiry.expire_quotes() == 0
    assert mailoutbox == []  # nobody is emailed


def test_tomorrow_the_last_day_has_passed():
    quote = make_quote(make_deal(), valid_until=today())
    assert quote_expiry.expire_quotes(today=in_days(1)) == 1
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.EXPIRED


def test_many_quotes_expire_in_batches(monkeypatch):
    monkeypatch.setattr(quote_expiry, "BATCH", 2)
    match = make_deal()
    for _ in range(5):
        make_quote(match, valid_until=in_days(-1))
    assert quote_expiry.expire_quotes() == 5


def test_the_parties_read_the_status_not_the_portals_expiry_event():
    match = make_deal()
    make_quote(match, valid_until=in_days(-1))
    quote_expiry.expire_quotes()
    events = list(match.events.all())
    assert events_visible_to(match.producer.owner, match, events) == []
    assert len(events_visible_to(UserFactory(role="staff"), match, events)) == 1


def test_the_task_runs_the_service():
    make_quote(make_deal(), valid_until=in_days(-2))
    assert tasks.expire_quotes.delay().get() == 1


def test_the_task_is_in_the_beat_schedule_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["deals-expire-quotes"]
    assert entry["task"] == "deals.tasks.expire_quotes"
    assert entry["task"] in app.tasks
    schedule = entry["schedule"]
    assert schedule.hour == {0} and schedule.minute == {20}
