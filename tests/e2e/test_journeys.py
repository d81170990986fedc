"""The four journeys in a real browser, each from a clean database (issue 7).

1. A producer signs up, confirms the address from the captured email and onboards.
2. A buyer does the same, finds the product in Persian and in English, requests an introduction.
3. The trade counsellor, made by staff through the API, forwards it from the review queue.
4. Both sides accept, the match is connected, and each of the three gets a digest about it.

Journey n replays journeys 1..n-1 through the browser (tests/e2e/journeys.py). With
EB_SCREENSHOTS_DIR set (`make screenshots`) each journey saves its key pages in both languages.
"""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from tests.e2e import journeys
from tests.e2e.journeys import BUYER, COUNSELLOR, PRODUCER, Shots


@pytest.fixture
def clean_portal(transactional_db):
    """An empty portal as a fresh install has it: no users, the HS nomenclature loaded.

    A transactional test's flush empties every table, data migrations' rows included, so
    the nomenclature is loaded again when an earlier transactional test removed it.
    """
    journeys.ensure_hs_nomenclature()
    mail.outbox.clear()


@pytest.fixture
def shots():
    return Shots.from_environment()


def test_a_producer_signs_up_and_completes_the_profile(browser, live_server, clean_portal, shots):
    producer = journeys.producer_journey(browser, live_server.url, shots)
    profile = journeys.producer_profile(PRODUCER)
    product = profile.products.get()
    assert (product.hs_code_id, product.annual_capacity, product.available_capacity) == (
        journeys.PRODUCT_HS,
        24000,
        12000,
    )
    assert sorted(code.code for code in profile.target_markets) == ["AM", "AZ", "IQ"]
    assert profile.founded == 1998
    producer.close()


def test_a_buyer_finds_the_product_and_requests_an_introduction(browser, live_server, clean_portal, shots):
    from matchmaking.models import Match, MatchSource, MatchStatus

    producer = journeys.producer_journey(browser, live_server.url)
    buyer = journeys.buyer_journey(browser, live_server.url, shots)

    match = Match.objects.get()
    assert (match.producer, match.buyer) == (journeys.producer_profile(), journeys.buyer_profile())
    assert (match.status, match.source) == (MatchStatus.PROPOSED, MatchSource.BUYER_REQUEST)
    assert match.requested_product.name == journeys.PRODUCT_NAME
    assert match.request_message == journeys.REQUEST_MESSAGE
    assert journeys.user(BUYER).preferred_language == "en"
    producer.close()
    buyer.close()


def test_the_counsellor_forwards_the_request(browser, live_server, clean_portal, shots):
    from matchmaking.models import Match, MatchStatus

    producer = journeys.producer_journey(browser, live_server.url)
    buyer = journeys.buyer_journey(browser, live_server.url)
    sent_before = len(mail.outbox)
    counsellor = journeys.counsellor_journey(browser, live_server.url, shots)

    match = Match.objects.get()
    assert match.status == MatchStatus.FORWARDED
    assert match.counsellor == journeys.user(COUNSELLOR)
    assert match.forward_note == journeys.FORWARD_NOTE
    # Both sides are told by email that the match reached them.
    told = {address for message in mail.outbox[sent_before:] for address in message.to}
    assert {PRODUCER.email, BUYER.email} <= told
    for visitor in (producer, buyer, counsellor):
        visitor.close()


def test_both_accept_and_each_gets_a_digest(browser, live_server, clean_portal, shots):
    from matchmaking.models import Match, MatchStatus

    producer = journeys.producer_journey(browser, live_server.url)
    buyer = journeys.buyer_journey(browser, live_server.url)
    counsellor = journeys.counsellor_journey(browser, live_server.url)

    path = journeys.connect(producer, buyer, shots)
    match = Match.objects.get()
    assert match.status == MatchStatus.CONNECTED and path == f"/matches/{match.pk}/"

    # Producers and buyers hear weekly by default: both choose daily; counsellors are daily.
    for visitor in (producer, buyer):
        journeys.choose_daily_digests(visitor)
    journeys.preview_digest(producer, shots)

    mail.outbox.clear()
    call_command("send_digests", period="daily", stdout=StringIO())
    digests = {
        message.to[0]: message for message in mail.outbox if message.extra_headers.get("List-Unsubscribe")
    }
    assert set(digests) == {PRODUCER.email, BUYER.email, COUNSELLOR.email}, [m.to for m in mail.outbox]
    expected = {
        PRODUCER.email: (journeys.BUYER_COMPANY, "fa"),
        BUYER.email: (journeys.PRODUCER_COMPANY, "en"),
        COUNSELLOR.email: (f"{journeys.PRODUCER_COMPANY} ↔ {journeys.BUYER_COMPANY}", "fa"),
    }
    for address, (mentioned, language) in expected.items():
        # The names are bidi-isolated (FSI … PDI, invisible): the text as read.
        text = digests[address].body.replace("\u2068", "").replace("\u2069", "")
        assert mentioned in text, text
        assert f"/matches/{match.pk}/" in text, text
        assert journeys.translate(language, "Connected") in text, text
    for visitor in (producer, buyer, counsellor):
        visitor.close()
