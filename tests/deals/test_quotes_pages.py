"""Quote pages from the outside: the match page's "Quotes" section for each role, the producer's
form, the buyer's decisions and the producer's withdrawal (each back with a message, never a
404), the buyer's comparison of a request's quotes (sorted, in Persian digits and Jalali dates),
and that a quote's event is not read as a party's response (match history, digests)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from deals import quotes
from deals.models import Quote, QuoteStatus
from digests.builders import build_digest
from matchmaking.models import MatchStatus
from portal.formatting import format_date, format_number
from sourcing.models import RequestStatus

from .quote_support import ROLES, in_days, make_cast, make_deal, make_quote, quote_input

pytestmark = pytest.mark.django_db

SEES = {"producer", "buyer", "counsellor", "staff"}


@pytest.fixture(autouse=True)
def _no_mail(monkeypatch):
    monkeypatch.setattr("deals.tasks.notify_quote_event.delay", lambda event_id: None)


@pytest.fixture
def cast():
    return make_cast()


def client_for(user, language: str = "en") -> Client:
    """A browser signed in as `user` (None: anonymous) that chose `language` with the switcher."""
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = language
    if user is not None:
        client.force_login(user)
    return client


def page_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- The match page's section ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["producer", "buyer", "counsellor", "staff"])
def test_the_match_page_shows_the_quotes_to_who_may_see_them(cast, role):
    quote = make_quote(cast.match, note="Packed on pallets.")
    response = client_for(cast.user(role)).get(f"/matches/{cast.match.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="quotes"' in html and f'data-quote="{quote.pk}"' in html
    assert "<bdi>Packed on pallets.</bdi>" in html
    assert ('data-testid="quote-form"' in html) == (role == "producer")
    assert (f"/quotes/{quote.pk}/accept/" in html) == (role == "buyer")
    assert (f"/quotes/{quote.pk}/decline/" in html) == (role == "buyer")
    assert (f"/quotes/{quote.pk}/withdraw/" in html) == (role == "producer")
    assert (f"/requests/{cast.request.pk}/quotes/" in html) == (role in ("buyer", "counsellor", "staff"))


@pytest.mark.parametrize("role", ["other_producer", "other_buyer", "other_counsellor"])
def test_the_others_do_not_reach_the_match_page(cast, role):
    make_quote(cast.match)
    assert client_for(cast.user(role)).get(f"/matches/{cast.match.pk}/").status_code == 404


def test_a_proposed_match_has_no_quotes_section_for_its_counsellor(cast):
    response = client_for(cast.counsellor).get(f"/matches/{cast.matches['proposed'].pk}/")
    assert response.status_code == 200
    assert 'data-testid="quotes"' not in response.content.decode()


def test_the_form_is_prefilled_from_the_request(cast):
    html = client_for(cast.producer).get(f"/matches/{cast.match.pk}/").content.decode()
    assert 'name="quantity" value="2000"' in html
    assert 'name="currency" value="USD"' in html
    assert '<option value="CIF" selected>' in html and '<option value="units" selected>' in html
    assert f'name="valid_until" value="{in_days(30).isoformat()}"' in html
    assert "No quotes yet" not in html and "You have not sent a quote" in html


def test_a_declined_match_says_why_there_is_no_form(cast):
    html = client_for(cast.producer).get(f"/matches/{cast.matches['declined'].pk}/").content.decode()
    assert 'data-testid="quote-refusal"' in html and 'data-testid="quote-form"' not in html


def test_a_closed_request_says_why_there_is_no_form(cast):
    cast.request.status = RequestStatus.AWARDED
    cast.request.save(update_fields=["status"])
    html = client_for(cast.producer).get(f"/matches/{cast.match.pk}/").content.decode()
    assert 'data-testid="quote-refusal"' in html and "takes no more quotes" in html


def test_the_buyer_sees_an_empty_state(cast):
    html = client_for(cast.buyer).get(f"/matches/{cast.match.pk}/").content.decode()
    assert 'data-testid="no-quotes"' in html


def test_a_quote_event_is_not_read_as_a_response(cast):
    with translation.override("en"):  # the event's note is written in the actor's language
        quotes.quote_create(match=cast.match, actor=cast.producer, data=quote_input())
    html = client_for(cast.buyer).get(f"/matches/{cast.match.pk}/").content.decode()
    assert "sent: 2,000 units at 125.50 USD per unit" in html  # in the history
    assert 'data-testid="event-response"' not in html


def test_a_quote_event_is_not_in_the_digest_as_a_response(cast):
    since = timezone.now() - timedelta(minutes=1)
    quote = quotes.quote_create(match=cast.match, actor=cast.producer, data=quote_input())
    quotes.quote_decline(quote=quote, actor=cast.buyer)
    until = timezone.now() + timedelta(minutes=1)
    for user in (cast.buyer, cast.producer, cast.counsellor):
        keys = [section.key for section in build_digest(user, since=since, until=until).sections]
        assert "introduction_changes" not in keys and "lead_changes" not in keys
        assert not any("response" in key for key in keys), keys


# --- The producer's form -----------------------------------------------------------------------


def _expected_form(role: str, status: str = "forwarded") -> int:
    if role == "anonymous":
        return 302
    if status == "proposed" or role not in SEES:
        return 404
    return 200 if role == "producer" else 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", ["proposed", "forwarded"])
def test_who_opens_the_quote_form(cast, role, status):
    match = cast.matches[status]
    response = client_for(cast.user(role)).get(f"/matches/{match.pk}/quotes/new/")
    assert response.status_code == _expected_form(role, status)
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ROLES)
def test_who_sends_a_quote_from_the_page(cast, role):
    response = client_for(cast.user(role)).post(f"/matches/{cast.match.pk}/quotes/new/", quote_input())
    expected = 302 if role in ("producer", "anonymous") else _expected_form(role)
    assert response.status_code == expected
    assert Quote.objects.exists() == (role == "producer")
    if role == "producer":
        assert response["Location"] == f"/matches/{cast.match.pk}/#quotes"
        assert page_messages(response) == ["Your quote is sent. The buyer has been emailed."]


def test_a_bad_quote_shows_the_form_again_with_the_errors_and_what_was_typed(cast):
    response = client_for(cast.producer).post(
        f"/matches/{cast.match.pk}/quotes/new/",
        quote_input(unit_price="0.004", lead_time_days="800", note="Keep this"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The smallest quantity is 0.01." in html and "between 0 and 730" in html
    assert "Keep this" in html and 'aria-invalid="true"' in html
    assert not Quote.objects.exists()


def test_a_declined_match_sends_the_producer_back_with_a_message(cast):
    match = cast.matches["declined"]
    client = client_for(cast.producer)
    for response in (
        client.get(f"/matches/{match.pk}/quotes/new/"),
        client.post(f"/matches/{match.pk}/quotes/new/", quote_input()),
    ):
        assert response.status_code == 302 and response["Location"] == f"/matches/{match.pk}/#quotes"
        assert "takes no more quotes" in page_messages(response)[0]
    assert client.get(f"/matches/{match.pk}/").status_code == 200  # where it leads: no 404


# --- Decisions and withdrawal ------------------------------------------------------------------

ACTIONS = {
    "accept": ("buyer", QuoteStatus.ACCEPTED),
    "decline": ("buyer", QuoteStatus.DECLINED),
    "withdraw": ("producer", QuoteStatus.WITHDRAWN),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_who_acts_on_a_quote_from_the_page(cast, role, action):
    quote = make_quote(cast.match)
    allowed, to_status = ACTIONS[action]
    response = client_for(cast.user(role)).post(f"/quotes/{quote.pk}/{action}/", {"note": "Thanks."})
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    elif role not in SEES:
        assert response.status_code == 404
    elif role != allowed:
        assert response.status_code == 403
    else:
        assert response.status_code == 302 and response["Location"] == f"/matches/{cast.match.pk}/#quotes"
        assert page_messages(response)
    quote.refresh_from_db()
    assert quote.status == (to_status if role == allowed else QuoteStatus.OPEN)


def test_the_actions_take_only_posts(cast):
    quote = make_quote(cast.match)
    client = client_for(cast.buyer)
    for action in ACTIONS:
        assert client.get(f"/quotes/{quote.pk}/{action}/").status_code == 405


def test_a_conflict_goes_back_with_a_message_never_a_404(cast):
    chosen, rival = make_quote(cast.match), make_quote(cast.other_match)
    client = client_for(cast.buyer)
    compare = f"/requests/{cast.request.pk}/quotes/"
    response = client.post(f"/quotes/{chosen.pk}/accept/", {"note": "", "next": compare})
    assert response["Location"] == compare
    assert "the request is awarded" in page_messages(response)[0]
    response = client.post(f"/quotes/{rival.pk}/accept/", {"next": compare}, follow=True)
    assert response.status_code == 200
    assert "is declined: it can no longer change" in response.content.decode()
    rival.refresh_from_db()
    assert rival.status == QuoteStatus.DECLINED


def test_an_outside_next_is_not_followed(cast):
    quote = make_quote(cast.match)
    response = client_for(cast.buyer).post(f"/quotes/{quote.pk}/decline/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/matches/{cast.match.pk}/#quotes"


def test_a_note_too_long_is_refused_with_a_message(cast):
    quote = make_quote(cast.match)
    response = client_for(cast.buyer).post(f"/quotes/{quote.pk}/decline/", {"note": "n" * 2001})
    assert response.status_code == 302 and page_messages(response)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.OPEN


def test_a_quote_past_its_validity_offers_decline_only(cast):
    quote = make_quote(cast.match, valid_until=in_days(-1))
    html = client_for(cast.buyer).get(f"/matches/{cast.match.pk}/").content.decode()
    assert f"/quotes/{quote.pk}/decline/" in html and f"/quotes/{quote.pk}/accept/" not in html
    assert "Past its validity" in html


# --- The buyer's comparison --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_the_comparison(cast, role):
    make_quote(cast.match)
    response = client_for(cast.user(role)).get(f"/requests/{cast.request.pk}/quotes/")
    expected = {"anonymous": 302, "buyer": 200, "counsellor": 200, "staff": 200}.get(role, 404)
    assert response.status_code == expected


def test_the_comparison_sets_the_quotes_side_by_side_in_persian(cast):
    dear = make_quote(cast.match, unit_price=Decimal("200"), note="Dear but fast", lead_time_days=10)
    cheap = make_quote(cast.other_match, unit_price=Decimal("100"), currency="EUR")
    response = client_for(cast.buyer, "fa").get(f"/requests/{cast.request.pk}/quotes/")
    html = response.content.decode()
    assert '<html lang="fa" dir="rtl">' in html
    assert html.index(f'data-quote="{cheap.pk}"') < html.index(f'data-quote="{dear.pk}"')  # cheapest first
    assert format_number(Decimal("400000.00"), 2, language="fa") in html  # ۴۰۰٬۰۰۰٫۰۰
    assert format_date(dear.valid_until, language="fa") in html  # Jalali
    assert "<bdi>Dear but fast</bdi>" in html
    assert "deals/quotes.css" in html and 'data-label="' in html
    with translation.override("fa"):
        assert (
            gettext("These quotes are in more than one currency: compare the totals within one currency.")
            in html
        )
    assert html.count("/accept/") == 2 and html.count("/decline/") == 2
    assert f'name="next" value="/requests/{cast.request.pk}/quotes/"' in html
    # Sorted by the highest total.
    html = client_for(cast.buyer).get(f"/requests/{cast.request.pk}/quotes/?ordering=-total").content.decode()
    assert html.index(f'data-quote="{dear.pk}"') < html.index(f'data-quote="{cheap.pk}"')


def test_an_unknown_sort_keeps_the_default_order(cast):
    make_quote(cast.match)
    response = client_for(cast.buyer).get(f"/requests/{cast.request.pk}/quotes/?ordering=bogus")
    assert response.status_code == 200


def test_the_comparison_has_an_empty_state(cast):
    html = client_for(cast.buyer).get(f"/requests/{cast.request.pk}/quotes/").content.decode()
    assert 'data-testid="no-quotes"' in html and "<table" not in html


def test_an_awarded_request_shows_its_decisions_without_buttons(cast):
    chosen, rival = make_quote(cast.match), make_quote(cast.other_match)
    quotes.quote_accept(quote=chosen, actor=cast.buyer)
    html = client_for(cast.buyer).get(f"/requests/{cast.request.pk}/quotes/").content.decode()
    assert "/accept/" not in html and "/decline/" not in html
    assert html.count('data-testid="quote-status"') == 2
    rival.refresh_from_db()
    assert rival.status == QuoteStatus.DECLINED


def test_the_comparison_url_has_the_name_helper_a_links_to(cast):
    from django.urls import reverse

    assert reverse("deals:request-quotes", args=[cast.request.pk]) == f"/requests/{cast.request.pk}/quotes/"


def test_a_match_without_request_has_no_comparison_link():
    match = make_deal(with_request=False, status=MatchStatus.CONNECTED)
    make_quote(match)
    html = client_for(match.buyer.owner).get(f"/matches/{match.pk}/").content.decode()
    assert not re.search(r"/requests/\d+/quotes/", html) and "/accept/" in html
