"""The outcome on the match page: the companies declare, confirm and correct, the counsellor
records; the block says who declared and whether it is confirmed; the history shows each
correction before → after; each action redirects with a message (never a 404)."""

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from matchmaking import outcomes
from matchmaking.models import Match, MatchStatus
from tests.factories import UserFactory

from .conftest import make_buyer, make_producer
from .lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db

WON = {"outcome": "won", "value": "185000", "currency": "usd", "note": "First container shipped."}


@pytest.fixture
def desk():
    return make_counsellor("IQ", full_name="Sara Karimi")


@pytest.fixture
def connected(desk):
    producer = make_producer(name="Azar Cooling")
    buyer = make_buyer(company_name="Baghdad Cold Chain")
    return make_match(producer, buyer, status=MatchStatus.CONNECTED, counsellor=desk)


def signed_in(client, user, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def page_of(client, match) -> str:
    response = client.get(reverse("matchmaking:match_detail", args=[match.pk]))
    assert response.status_code == 200
    return response.content.decode()


def outcome_url(match) -> str:
    return reverse("matchmaking:match_outcome", args=[match.pk])


def confirm_url(match) -> str:
    return reverse("matchmaking:match_outcome_confirm", args=[match.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def reloaded(match) -> Match:
    return Match.objects.get(pk=match.pk)


@pytest.mark.parametrize("status", [MatchStatus.FORWARDED, MatchStatus.CONNECTED])
def test_a_company_declares_the_outcome_and_the_other_confirms_it(client, desk, status):
    match = make_match(status=status, counsellor=desk)
    buyer, producer = match.buyer.owner, match.producer.owner
    page = page_of(signed_in(client, buyer), match)
    assert outcome_url(match) in page and "Declare the outcome" in page
    assert confirm_url(match) not in page

    response = client.post(outcome_url(match), WON)
    assert response.status_code == 302
    assert response.url == reverse("matchmaking:match_detail", args=[match.pk])
    assert "The other company is asked to confirm it." in " ".join(messages_of(response))
    page = page_of(client, match)
    assert 'data-testid="match-outcome"' in page
    assert "Declared by you" in page and "Awaiting the producer's confirmation" in page
    assert "185,000" in page
    assert confirm_url(match) not in page  # the declarer does not confirm
    assert 'data-testid="correct-outcome"' in page  # it may correct its own declaration

    client.logout()
    page = page_of(signed_in(client, producer), match)
    assert confirm_url(match) in page and "Declared by the buyer" in page
    response = client.post(
        confirm_url(match), {"note": "Yes", "declared_at": reloaded(match).outcome_declared_at.isoformat()}
    )
    assert response.status_code == 302 and "the outcome is confirmed" in " ".join(messages_of(response))
    page = page_of(client, match)
    assert 'data-testid="outcome-confirmed"' in page and confirm_url(match) not in page
    assert outcomes.is_confirmed(reloaded(match))


def test_a_lost_deal_without_a_reason_is_shown_on_the_form(client, connected):
    response = signed_in(client, connected.buyer.owner).post(outcome_url(connected), {"outcome": "lost"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="match-{connected.pk}-outcome-note_error"' in page
    assert "Say why the deal was lost." in page
    assert reloaded(connected).status == MatchStatus.CONNECTED


def test_a_won_deal_without_a_value_is_shown_on_the_form(client, connected, desk):
    response = signed_in(client, desk).post(outcome_url(connected), {"outcome": "won", "currency": "USD"})
    assert response.status_code == 200
    assert f'id="match-{connected.pk}-outcome-value_error"' in response.content.decode()


def test_the_counsellor_records_and_corrects_and_the_history_shows_it(client, connected, desk):
    client = signed_in(client, desk)
    assert "Record the outcome" in page_of(client, connected)
    response = client.post(outcome_url(connected), WON)
    assert response.status_code == 302 and "recorded as won" in " ".join(messages_of(response))
    page = page_of(client, connected)
    assert "Recorded by you" in page and 'data-testid="outcome-confirmed"' in page
    assert 'data-testid="correct-outcome"' in page
    assert 'value="185000.00"' in page  # the correction starts from the outcome as it stands
    response = client.post(outcome_url(connected), {"outcome": "won", "value": "90000", "currency": "EUR"})
    assert response.status_code == 302
    client.logout()
    page = page_of(signed_in(client, connected.buyer.owner), connected)  # the companies see it too
    assert "Recorded by the trade counsellor" in page
    assert "Outcome corrected:" in page and "Outcome recorded:" in page
    assert '<del>Deal won: <span class="text-nowrap">185,000' in page
    assert "90,000" in page
    assert outcome_url(connected) not in page  # the counsellor's outcome is theirs to correct


def test_a_refused_correction_is_a_message_not_an_error_page(client, connected, desk):
    outcomes.match_record_outcome(match=connected, actor=desk, **WON)
    response = signed_in(client, connected.producer.owner).post(
        outcome_url(connected), {"outcome": "lost", "note": "No"}
    )
    assert response.status_code == 302
    assert "ask them to correct it" in " ".join(messages_of(response))
    assert reloaded(connected).status == MatchStatus.WON


def test_a_confirmation_of_a_changed_outcome_is_a_message(client, connected):
    buyer, producer = connected.buyer.owner, connected.producer.owner
    outcomes.match_record_outcome(match=connected, actor=buyer, **WON)
    seen = reloaded(connected).outcome_declared_at.isoformat()
    outcomes.match_record_outcome(match=connected, actor=buyer, outcome="won", value="1", currency="USD")
    response = signed_in(client, producer).post(confirm_url(connected), {"declared_at": seen})
    assert response.status_code == 302 and "changed since you read it" in " ".join(messages_of(response))
    assert not outcomes.is_confirmed(reloaded(connected))


@pytest.mark.parametrize("who", ["desk", "staff", "outsider"])
def test_only_the_other_company_confirms(client, connected, desk, who):
    outcomes.match_record_outcome(match=connected, actor=connected.buyer.owner, **WON)
    user = {"desk": desk, "staff": UserFactory(role="staff"), "outsider": make_buyer().owner}[who]
    response = signed_in(client, user).post(confirm_url(connected), {})
    assert response.status_code == (404 if who == "outsider" else 403)
    assert not outcomes.is_confirmed(reloaded(connected))


def test_anonymous_visitors_are_sent_to_sign_in(client, connected):
    for url in (outcome_url(connected), confirm_url(connected)):
        response = client.post(url, WON)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert reloaded(connected).status == MatchStatus.CONNECTED


def test_the_companies_see_no_outcome_form_on_a_declined_match(client, desk):
    declined = make_match(status=MatchStatus.DECLINED, counsellor=desk)
    page = page_of(signed_in(client, declined.buyer.owner), declined)
    assert outcome_url(declined) not in page and confirm_url(declined) not in page


def test_the_page_in_persian_renders(client, connected):
    outcomes.match_record_outcome(match=connected, actor=connected.buyer.owner, **WON)
    page = page_of(signed_in(client, connected.producer.owner, "fa"), connected)
    assert "۱۸۵٬۰۰۰" in page and confirm_url(connected) in page


def test_the_leads_list_links_to_the_outcome_rather_than_showing_its_forms(client, connected):
    client = signed_in(client, connected.producer.owner)
    page = client.get(reverse("matchmaking:leads")).content.decode()
    assert 'data-testid="declare-outcome-link"' in page and 'data-testid="outcome-form"' not in page
    outcomes.match_record_outcome(match=connected, actor=connected.buyer.owner, **WON)
    page = client.get(reverse("matchmaking:leads")).content.decode()
    assert 'data-testid="confirm-outcome-link"' in page and confirm_url(connected) not in page
