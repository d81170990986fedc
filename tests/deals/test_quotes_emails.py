"""Quote emails (deals.quote_notifications): a new quote to the buyer, an accepted or declined
one to its producer, each once, after the commit, in the recipient's language, with names
isolated and absolute links; nothing when the transaction rolls back or the quote moved on."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from deals import quote_notifications, quotes
from deals.models import QuoteStatus
from matchmaking.models import MatchEvent, MatchNotice
from portal.bidi import isolate
from portal.exceptions import StateConflict
from portal.formatting import format_date, format_number
from tests.factories import UserFactory
from tests.matchmaking.conftest import make_buyer, make_producer

from .quote_support import in_days, make_deal, make_quote, make_request, quote_input

pytestmark = pytest.mark.django_db

PRODUCER, RIVAL, BUYER = "Azar Pumps", "Sahand Hydraulics", "Basra Water Works"


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


@pytest.fixture
def deal():
    """A forwarded match for a request: the producer reads English, the buyer Arabic; a rival
    producer (Russian) on the same request."""
    buyer = make_buyer(
        company_name=BUYER,
        owner=UserFactory(role="buyer", preferred_language="ar", email="buyer@basra.example.com"),
    )
    request, line = make_request(buyer, title="Centrifugal pumps")
    producer = make_producer(
        name=PRODUCER,
        owner=UserFactory(role="producer", preferred_language="en", email="sales@azar.example.com"),
    )
    rival = make_producer(
        name=RIVAL,
        owner=UserFactory(role="producer", preferred_language="ru", email="sales@sahand.example.com"),
    )
    match = make_deal(producer, buyer, request=request, line=line)
    rival_match = make_deal(rival, buyer, request=request, line=line)
    return match, rival_match


def html_of(message) -> str:
    (content, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return content


def to(outbox, email: str):
    sent = [message for message in outbox if message.to == [email]]
    assert len(sent) == 1, [m.to for m in outbox]
    return sent[0]


def test_a_new_quote_emails_the_buyer_in_arabic(deal, mailoutbox, on_commit):
    match, _rival = deal
    with translation.override("fa"):  # the producer's page runs in Persian: the mail must not follow
        quote = on_commit(
            quotes.quote_create, match=match, actor=match.producer.owner, data=quote_input(unit_price="1250")
        )
    assert len(mailoutbox) == 1
    mail = to(mailoutbox, "buyer@basra.example.com")
    html = html_of(mail)
    assert '<html lang="ar" dir="rtl">' in html
    assert isolate(PRODUCER) in mail.subject and isolate(PRODUCER) in mail.body
    assert f"<bdi>{PRODUCER}</bdi>" in html
    assert isolate("Centrifugal pumps") in mail.body
    compare = settings.PORTAL_BASE_URL + reverse("deals:request-quotes", args=[match.request_id])
    assert compare in mail.body and f'href="{compare}"' in html
    assert 'href="/' not in html
    with translation.override("ar"):
        assert format_number(quote.unit_price) in mail.body  # Arabic-Indic digits
        assert format_date(quote.valid_until) in mail.body
    assert "Packed on pallets." in mail.body
    assert MatchNotice.objects.filter(recipient=match.buyer.owner, kind="quote_sent").count() == 1


def test_a_quote_on_a_match_without_request_links_the_match_page(mailoutbox, on_commit):
    match = make_deal(with_request=False)
    on_commit(quotes.quote_create, match=match, actor=match.producer.owner, data=quote_input())
    (mail,) = mailoutbox
    url = settings.PORTAL_BASE_URL + reverse("matchmaking:match_detail", args=[match.pk])
    assert url in mail.body and "/quotes/" not in mail.body


def test_accepting_emails_the_producer_and_the_declined_rival_each_in_their_language(
    deal, mailoutbox, on_commit
):
    match, rival_match = deal
    chosen = make_quote(match)
    make_quote(rival_match)
    on_commit(quotes.quote_accept, quote=chosen, actor=match.buyer.owner, note="See you in Basra.")

    assert len(mailoutbox) == 2
    accepted = to(mailoutbox, "sales@azar.example.com")
    assert '<html lang="en" dir="ltr">' in html_of(accepted)
    assert accepted.subject.endswith(f"{isolate(BUYER)} accepted your quote")
    assert "See you in Basra." in accepted.body
    assert f"accepted your quote #{chosen.pk}" in accepted.body
    declined = to(mailoutbox, "sales@sahand.example.com")
    assert '<html lang="ru" dir="ltr">' in html_of(declined)
    assert "See you in Basra." not in declined.body  # the buyer's note was for the winner
    assert PRODUCER not in declined.body and PRODUCER not in html_of(declined)  # the winner unnamed


def test_declining_emails_the_producer_with_the_note(deal, mailoutbox, on_commit):
    match, _rival = deal
    quote = make_quote(match)
    on_commit(quotes.quote_decline, quote=quote, actor=match.buyer.owner, note="Too dear.")
    mail = to(mailoutbox, "sales@azar.example.com")
    assert mail.subject.endswith(f"{isolate(BUYER)} declined your quote")
    assert "Too dear." in mail.body and "Too dear." in html_of(mail)
    assert "send a new quote" in mail.body


def test_withdrawing_and_expiring_email_nobody(deal, mailoutbox, on_commit):
    match, _rival = deal
    quote = make_quote(match)
    on_commit(quotes.quote_withdraw, quote=quote, actor=match.producer.owner)
    assert mailoutbox == []


def test_nothing_is_sent_when_the_transaction_rolls_back(deal, mailoutbox, on_commit):
    match, _rival = deal
    quote = make_quote(match, valid_until=in_days(-1))
    with pytest.raises(StateConflict):
        on_commit(quotes.quote_accept, quote=quote, actor=match.buyer.owner)
    assert mailoutbox == []


def test_a_task_run_again_sends_nothing_twice(deal, mailoutbox, on_commit):
    match, _rival = deal
    quote = on_commit(quotes.quote_create, match=match, actor=match.producer.owner, data=quote_input())
    event = MatchEvent.objects.get(details__quote=quote.pk)
    assert quote_notifications.quote_event(event.pk) == 0  # the outbox delivered the task again
    assert len(mailoutbox) == 1


def test_a_quote_withdrawn_before_the_task_runs_is_not_announced(
    deal, mailoutbox, django_capture_on_commit_callbacks
):
    match, _rival = deal
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        quote = quotes.quote_create(match=match, actor=match.producer.owner, data=quote_input())
    quotes.quote_withdraw(quote=quote, actor=match.producer.owner)
    for callback in callbacks:
        callback()
    assert mailoutbox == []


def test_unknown_or_foreign_events_send_nothing(deal, mailoutbox):
    match, _rival = deal
    event = MatchEvent.objects.create(match=match, from_status="forwarded", to_status="forwarded")
    assert quote_notifications.quote_event(event.pk) == 0
    assert quote_notifications.quote_event(10**9) == 0
    event.details = {"quote": 10**9, "action": "created"}
    event.save()
    assert quote_notifications.quote_event(event.pk) == 0
    assert mailoutbox == []


def test_an_inactive_buyer_gets_nothing(deal, mailoutbox, on_commit):
    match, _rival = deal
    match.buyer.owner.is_active = False
    match.buyer.owner.save(update_fields=["is_active"])
    on_commit(quotes.quote_create, match=match, actor=match.producer.owner, data=quote_input())
    assert mailoutbox == []
    assert match.quotes.get().status == QuoteStatus.OPEN
