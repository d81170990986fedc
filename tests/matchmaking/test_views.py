"""Match pages: the match page, the action endpoints (plain and htmx), a producer's leads, a
buyer's introductions and the buyer's request from the catalogue, per role."""

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from matchmaking import lifecycle, services
from matchmaking.models import Match, MatchSource, MatchStatus
from portal.formatting import format_date
from tests.factories import ProductFactory, UserFactory

from .conftest import make_buyer, make_producer
from .lifecycle_support import make_counsellor

pytestmark = pytest.mark.django_db

PRODUCER_EMAIL = "sales@azar-cooling.example.com"
BUYER_EMAIL = "purchasing@baghdad-cold.example.com"


@pytest.fixture
def desk():
    return make_counsellor("IQ", full_name="Sara Karimi")


@pytest.fixture
def other_desk():
    return make_counsellor("AM", full_name="Arman Petrosyan")


@pytest.fixture
def staff():
    return UserFactory(role="staff")


@pytest.fixture
def producer():
    return make_producer(
        ("841810",), markets=["IQ"], name="Azar Cooling", email=PRODUCER_EMAIL, contact_name="Reza Ahmadi"
    )


@pytest.fixture
def buyer():
    return make_buyer(
        ("8418",),
        country="IQ",
        company_name="Baghdad Cold Chain",
        email=BUYER_EMAIL,
        contact_name="Omar Haddad",
    )


@pytest.fixture
def proposed(desk, other_desk, producer, buyer):
    services.rematch_all()
    match = Match.objects.get(producer=producer, buyer=buyer)
    assert match.status == MatchStatus.PROPOSED and match.counsellor == desk
    return match


@pytest.fixture
def forwarded(proposed, desk):
    return lifecycle.match_forward(match=proposed, actor=desk, note="Their summer demand fits your capacity.")


@pytest.fixture
def connected(forwarded):
    lifecycle.match_respond(match=forwarded, actor=forwarded.producer.owner, decision="accept")
    return lifecycle.match_respond(match=forwarded, actor=forwarded.buyer.owner, decision="accept")


def signed_in(client, user, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def html(response) -> str:
    return response.content.decode()


def detail_url(match) -> str:
    return reverse("matchmaking:match_detail", args=[match.pk])


def action_url(name, match) -> str:
    return reverse(f"matchmaking:match_{name}", args=[match.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def reloaded(match) -> Match:
    return Match.objects.get(pk=match.pk)


HTMX = {"HTTP_HX_REQUEST": "true"}


# --- Anonymous visitors ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["match_detail", "match_forward", "match_reject", "match_respond", "match_outcome", "match_reassign"],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, proposed, name):
    url = reverse(f"matchmaking:{name}", args=[proposed.pk])
    response = client.get(url) if name == "match_detail" else client.post(url, {"note": "x"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert reloaded(proposed).status == MatchStatus.PROPOSED


@pytest.mark.parametrize("name", ["leads", "introductions"])
def test_anonymous_visitors_are_sent_to_sign_in_from_the_lists(client, name):
    response = client.get(reverse(f"matchmaking:{name}"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_anonymous_request_is_sent_to_sign_in(client, producer):
    response = client.post(reverse("matchmaking:request_introduction"), {"producer": producer.pk})
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not Match.objects.exists()


# --- The match page: who sees what -------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("producer", 404),
        ("buyer", 404),
        ("desk", 200),
        ("other_desk", 404),
        ("staff", 200),
        ("stranger", 404),
    ],
)
def test_a_proposed_match_is_seen_by_its_counsellor_and_staff_only(client, proposed, request, who, status):
    users = {
        "producer": proposed.producer.owner,
        "buyer": proposed.buyer.owner,
        "stranger": make_producer(name="Other Works").owner,
    }
    user = users.get(who) or request.getfixturevalue(who)
    response = signed_in(client, user).get(detail_url(proposed))
    assert response.status_code == status
    if status == 200:
        page = html(response)
        assert "Azar Cooling" in page and "Baghdad Cold Chain" in page
        assert PRODUCER_EMAIL in page and BUYER_EMAIL in page  # counsellors and staff see both
        assert 'data-testid="match-reasons"' in page
        assert "same HS heading 8418" in page
        assert action_url("forward", proposed) in page and action_url("reject", proposed) in page
        assert action_url("respond", proposed) not in page


def test_the_producer_sees_a_forwarded_match_with_the_buyers_contacts(client, forwarded):
    page = html(signed_in(client, forwarded.producer.owner).get(detail_url(forwarded)))
    assert BUYER_EMAIL in page and "Omar Haddad" in page
    assert "Their summer demand fits your capacity." in page
    assert 'data-testid="match-score"' in page
    assert action_url("respond", forwarded) in page
    assert 'value="accept"' in page and 'value="decline"' in page
    assert action_url("forward", forwarded) not in page
    assert action_url("reassign", forwarded) not in page
    assert action_url("outcome", forwarded) in page  # a company declares a forwarded match's outcome


def test_the_buyer_sees_a_forwarded_match_with_the_producers_contacts(client, forwarded):
    page = html(signed_in(client, forwarded.buyer.owner).get(detail_url(forwarded)))
    assert PRODUCER_EMAIL in page and "Reza Ahmadi" in page
    assert action_url("respond", forwarded) in page


def test_another_users_match_by_id_is_404(client, forwarded, other_desk):
    other_producer = make_producer(name="Sahand Steel")
    assert signed_in(client, other_producer.owner).get(detail_url(forwarded)).status_code == 404
    other_buyer = make_buyer(company_name="Erbil Trading")
    assert signed_in(client, other_buyer.owner).get(detail_url(forwarded)).status_code == 404
    assert signed_in(client, other_desk).get(detail_url(forwarded)).status_code == 404
    assert (
        signed_in(client, other_desk).get(reverse("matchmaking:match_detail", args=[999999])).status_code
        == 404
    )


def test_contacts_are_hidden_once_a_match_is_declined(client, forwarded):
    lifecycle.match_respond(match=forwarded, actor=forwarded.buyer.owner, decision="decline", note="Too far")
    page = html(signed_in(client, forwarded.producer.owner).get(detail_url(forwarded)))
    assert "Baghdad Cold Chain" in page
    assert BUYER_EMAIL not in page and "Omar Haddad" not in page
    assert "this match was declined" in page
    assert action_url("respond", forwarded) not in page
    page = html(signed_in(client, forwarded.buyer.owner).get(detail_url(forwarded)))
    assert PRODUCER_EMAIL not in page


def test_parties_read_the_history_from_the_forward_on_without_internal_notes(
    client, proposed, other_desk, staff
):
    lifecycle.match_reassign(
        match=proposed, actor=staff, counsellor=other_desk, note="internal: he knows them"
    )
    match = lifecycle.match_forward(match=proposed, actor=other_desk, note="Good fit")
    page = html(signed_in(client, match.producer.owner).get(detail_url(match)))
    assert "Good fit" in page
    assert "internal: he knows them" not in page
    history = page.split('data-testid="match-events"')[1].split("</ol>")[0]
    assert "Arman Petrosyan" not in history and "The trade counsellor" in history  # roles, not names
    page = html(signed_in(client, staff).get(detail_url(match)))
    assert "internal: he knows them" in page and "Arman Petrosyan" in page


def test_the_persian_page_is_right_to_left_with_jalali_dates(client, forwarded):
    response = signed_in(client, forwarded.producer.owner, language="fa").get(detail_url(forwarded))
    page = html(response)
    assert '<html lang="fa" dir="rtl">' in page
    with translation.override("fa"):
        assert format_date(timezone.now()) in page  # the history's dates, Jalali with Persian digits
    assert "bootstrap.rtl.min.css" in page
    page = html(client.get(reverse("matchmaking:leads")))
    assert '<html lang="fa" dir="rtl">' in page and "Baghdad Cold Chain" in page
    with translation.override("fa"):
        assert format_date(timezone.now()) in page


# --- Actions: forward, reject -------------------------------------------------------------


def test_the_counsellor_forwards_from_the_match_page(client, proposed, desk):
    response = signed_in(client, desk).post(
        action_url("forward", proposed), {"note": "Go ahead", "next": detail_url(proposed)}
    )
    assert response.status_code == 302 and response.url == detail_url(proposed)
    assert any("Forwarded" in text for text in messages_of(response))
    match = reloaded(proposed)
    assert match.status == MatchStatus.FORWARDED and match.forward_note == "Go ahead"


def test_rejecting_without_a_reason_shows_the_error_on_the_form(client, proposed, desk):
    response = signed_in(client, desk).post(action_url("reject", proposed), {"reason": "  "})
    assert response.status_code == 200
    page = html(response)
    assert "Say why the match is rejected." in page
    assert "is-invalid" in page
    assert reloaded(proposed).status == MatchStatus.PROPOSED


def test_the_counsellor_rejects_with_a_reason(client, proposed, desk):
    response = signed_in(client, desk).post(
        action_url("reject", proposed), {"reason": "Met at the fair; no fit."}
    )
    assert response.status_code == 302
    assert reloaded(proposed).status == MatchStatus.REJECTED


def test_an_illegal_transition_is_a_clear_message_not_a_server_error(client, forwarded, desk):
    response = signed_in(client, desk).post(action_url("forward", forwarded), {"note": "again"})
    assert response.status_code == 302 and response.url == detail_url(forwarded)
    assert any("cannot become" in text for text in messages_of(response))
    page = html(client.get(response.url))
    assert "cannot become" in page


def test_htmx_forward_answers_with_the_partial(client, proposed, desk):
    response = signed_in(client, desk).post(
        action_url("forward", proposed), {"note": "In place", "next": "/counsellor/queue/"}, **HTMX
    )
    assert response.status_code == 200
    page = html(response)
    assert "<html" not in page
    assert page.strip().startswith(f'<div id="match-actions-{proposed.pk}"')
    assert 'data-testid="match-status"' in page and "Forwarded" in page
    assert "The producer and the buyer have been emailed." in page
    assert action_url("forward", proposed) not in page  # no longer proposed
    assert reloaded(proposed).status == MatchStatus.FORWARDED
    assert messages_of(response) == []  # said inline, not again on the next page


def test_htmx_conflict_and_validation_errors_come_back_inline(client, forwarded, proposed, desk):
    client = signed_in(client, desk)
    response = client.post(action_url("reject", forwarded), {"reason": "late"}, **HTMX)
    assert response.status_code == 200
    assert 'role="alert"' in html(response) and "cannot become" in html(response)
    other = Match.objects.create(
        producer=make_producer(name="Sahand Steel"),
        buyer=forwarded.buyer,
        score="0.5",
        sector_score="0.5",
        capacity_score="0.5",
        market_score="0.5",
        certifications_score="0.5",
        counsellor=desk,
    )
    response = client.post(action_url("reject", other), {"reason": ""}, **HTMX)
    assert response.status_code == 200
    page = html(response)
    assert "Say why the match is rejected." in page and action_url("reject", other) in page
    assert f'hx-post="{action_url("reject", other)}"' in page


@pytest.mark.parametrize("who", ["producer", "buyer"])
def test_the_companies_may_not_review(client, forwarded, who):
    user = getattr(forwarded, who).owner
    response = signed_in(client, user).post(action_url("reject", forwarded), {"reason": "no"})
    assert response.status_code in (302, 403)  # refused: the status (a message) or the role
    assert reloaded(forwarded).status == MatchStatus.FORWARDED
    assert reloaded(forwarded).events.count() == 2


def test_another_counsellor_cannot_act_on_a_match_routed_elsewhere(client, proposed, other_desk):
    response = signed_in(client, other_desk).post(action_url("forward", proposed), {"note": ""})
    assert response.status_code == 404
    assert reloaded(proposed).status == MatchStatus.PROPOSED


def test_htmx_on_a_match_no_longer_theirs_says_so_in_place(client, proposed, other_desk):
    response = signed_in(client, other_desk).post(action_url("forward", proposed), {"note": ""}, **HTMX)
    assert response.status_code == 200
    page = html(response)
    assert f'id="match-actions-{proposed.pk}"' in page and 'role="alert"' in page
    assert "no longer yours" in page
    assert reloaded(proposed).status == MatchStatus.PROPOSED


def test_staff_forward_a_match_routed_to_a_counsellor(client, proposed, staff):
    response = signed_in(client, staff).post(action_url("forward", proposed), {"note": ""})
    assert response.status_code == 302
    assert reloaded(proposed).status == MatchStatus.FORWARDED


def test_next_is_followed_only_on_this_site(client, proposed, desk):
    response = signed_in(client, desk).post(
        action_url("forward", proposed), {"note": "", "next": "https://evil.example.com/"}
    )
    assert response.url == detail_url(proposed)
    match = Match.objects.create(
        producer=make_producer(name="Sahand Steel"),
        buyer=proposed.buyer,
        score="0.5",
        sector_score="0.5",
        capacity_score="0.5",
        market_score="0.5",
        certifications_score="0.5",
        counsellor=desk,
    )
    response = client.post(action_url("forward", match), {"note": "", "next": "/dashboard/?tab=queue"})
    assert response.url == "/dashboard/?tab=queue"


# --- Actions: respond, outcome, reassign ----------------------------------------------------


def test_both_sides_accept_and_are_connected(client, forwarded):
    response = signed_in(client, forwarded.producer.owner).post(
        action_url("respond", forwarded), {"decision": "accept", "note": "Ready to ship"}
    )
    assert response.status_code == 302
    assert any("Once the other company accepts too" in text for text in messages_of(response))
    page = html(client.get(detail_url(forwarded)))
    assert action_url("respond", forwarded) not in page  # answered
    assert "Ready to ship" in page
    response = signed_in(client, forwarded.buyer.owner).post(
        action_url("respond", forwarded), {"decision": "accept"}
    )
    assert any("You are connected" in text for text in messages_of(response))
    assert reloaded(forwarded).status == MatchStatus.CONNECTED


def test_a_response_reads_in_the_readers_language_and_keeps_only_the_partys_words(client, forwarded):
    lifecycle.match_respond(
        match=forwarded, actor=forwarded.producer.owner, decision="accept", note="Ready to ship"
    )
    event = forwarded.events.order_by("at", "id").last()
    assert event.note == "Ready to ship"  # nothing written in the producer's language
    page = html(signed_in(client, forwarded.buyer.owner, language="fa").get(detail_url(forwarded)))
    assert "تولیدکننده پذیرفت." in page and "The producer accepted." not in page
    assert "Ready to ship" in page
    lifecycle.match_respond(match=forwarded, actor=forwarded.buyer.owner, decision="decline")
    page = html(signed_in(client, forwarded.producer.owner).get(detail_url(forwarded)))
    assert "The producer accepted." in page and "The buyer declined." in page


def test_answering_twice_is_a_message(client, forwarded):
    client = signed_in(client, forwarded.producer.owner)
    client.post(action_url("respond", forwarded), {"decision": "accept"})
    response = client.post(action_url("respond", forwarded), {"decision": "decline"})
    assert response.status_code == 302
    assert any("already responded" in text for text in messages_of(response))
    assert reloaded(forwarded).status == MatchStatus.FORWARDED


def test_a_decline_closes_the_match(client, forwarded):
    response = signed_in(client, forwarded.buyer.owner).post(
        action_url("respond", forwarded), {"decision": "decline", "note": "Too far"}
    )
    assert any("You declined" in text for text in messages_of(response))
    assert reloaded(forwarded).status == MatchStatus.DECLINED


def test_counsellors_do_not_respond(client, forwarded, desk):
    assert (
        signed_in(client, desk).post(action_url("respond", forwarded), {"decision": "accept"}).status_code
        == 403
    )


def test_the_counsellor_records_the_outcome(client, connected, desk):
    client = signed_in(client, desk)
    page = html(client.get(detail_url(connected)))
    assert action_url("outcome", connected) in page
    response = client.post(
        action_url("outcome", connected), {"outcome": "won", "value": "12000", "currency": ""}
    )
    assert response.status_code == 200  # a value needs its currency: shown on the form
    assert "Give the currency" in html(response)
    response = client.post(
        action_url("outcome", connected), {"outcome": "won", "value": "12000", "currency": "usd"}
    )
    assert response.status_code == 302
    match = reloaded(connected)
    assert match.status == MatchStatus.WON and match.outcome_currency == "USD"
    assert "12,000" in html(client.get(detail_url(connected)))


def test_a_bad_outcome_value_is_shown_on_the_form(client, connected, desk):
    response = signed_in(client, desk).post(
        action_url("outcome", connected), {"outcome": "won", "value": "a lot", "currency": "USD"}
    )
    assert response.status_code == 200
    assert f'id="match-{connected.pk}-outcome-value_error"' in html(response)
    assert reloaded(connected).status == MatchStatus.CONNECTED


def test_the_counsellor_hands_a_match_to_a_colleague(client, proposed, desk, other_desk):
    client = signed_in(client, desk)
    page = html(client.get(detail_url(proposed)))
    assert action_url("reassign", proposed) in page and "Arman Petrosyan" in page
    response = client.post(
        action_url("reassign", proposed), {"counsellor": other_desk.pk, "note": "Armenian buyer"}
    )
    assert response.status_code == 302
    assert response.url == reverse("counsellors:queue")  # no longer theirs to see: back to the queue
    assert any("Arman Petrosyan" in text for text in messages_of(response))
    assert reloaded(proposed).counsellor == other_desk


def test_reassigning_needs_a_counsellor(client, proposed, staff):
    response = signed_in(client, staff).post(action_url("reassign", proposed), {"counsellor": ""})
    assert response.status_code == 200
    assert "is-invalid" in html(response)


# --- Leads and introductions --------------------------------------------------------------


@pytest.fixture
def leads(desk, producer):
    """One producer with a forwarded, a declined and a proposed match."""
    fwd = make_buyer(("8418",), company_name="Basra Appliances", email="fwd@basra.example.com")
    dec = make_buyer(("8418",), company_name="Mosul Kitchens", email="dec@mosul.example.com")
    hidden = make_buyer(("8418",), company_name="Erbil Cold Stores", email="new@erbil.example.com")
    services.rematch_all()
    for buyer in (fwd, dec):
        lifecycle.match_forward(
            match=Match.objects.get(producer=producer, buyer=buyer), actor=desk, note="Fits"
        )
    lifecycle.match_respond(
        match=Match.objects.get(producer=producer, buyer=dec), actor=dec.owner, decision="decline"
    )
    return producer, fwd, dec, hidden


def test_a_producer_sees_its_leads_never_proposed_ones(client, leads):
    producer, fwd, dec, hidden = leads
    page = html(signed_in(client, producer.owner).get(reverse("matchmaking:leads")))
    assert "Basra Appliances" in page and "Mosul Kitchens" in page
    assert "Erbil Cold Stores" not in page and "new@erbil.example.com" not in page
    assert "fwd@basra.example.com" in page  # forwarded: contacts revealed
    assert "dec@mosul.example.com" not in page  # declined: hidden
    assert "Fits" in page  # the counsellor's note
    assert "same HS heading 8418" in page
    forwarded = Match.objects.get(producer=producer, buyer=fwd)
    assert action_url("respond", forwarded) in page


def test_leads_filter_by_status(client, leads):
    producer, *_ = leads
    client = signed_in(client, producer.owner)
    page = html(client.get(reverse("matchmaking:leads"), {"status": "declined"}))
    assert "Mosul Kitchens" in page and "Basra Appliances" not in page
    page = html(client.get(reverse("matchmaking:leads"), {"status": "won"}))
    assert 'data-testid="empty-state"' in page and "No matches with this status." in page
    page = html(client.get(reverse("matchmaking:leads"), {"status": "proposed"}))  # not a choice
    assert "Erbil Cold Stores" not in page


def test_a_buyer_sees_its_introductions(client, forwarded):
    page = html(signed_in(client, forwarded.buyer.owner).get(reverse("matchmaking:introductions")))
    assert "Azar Cooling" in page and PRODUCER_EMAIL in page
    assert "Their summer demand fits your capacity." in page
    assert action_url("respond", forwarded) in page


def test_responding_from_the_list_comes_back_to_it(client, forwarded):
    url = reverse("matchmaking:introductions") + "?status=forwarded"
    response = signed_in(client, forwarded.buyer.owner).post(
        action_url("respond", forwarded), {"decision": "accept", "next": url}
    )
    assert response.url == url


@pytest.mark.parametrize("name", ["leads", "introductions"])
def test_empty_states_say_what_happens_next(client, producer, buyer, name):
    user = producer.owner if name == "leads" else buyer.owner
    page = html(signed_in(client, user).get(reverse(f"matchmaking:{name}")))
    assert 'data-testid="empty-state"' in page
    assert "a trade counsellor reviews each" in page


def test_the_wrong_role_is_sent_to_its_own_page(client, producer, buyer, desk, staff):
    response = signed_in(client, buyer.owner).get(reverse("matchmaking:leads"))
    assert response.url == reverse("matchmaking:introductions")
    response = signed_in(client, producer.owner).get(reverse("matchmaking:introductions"))
    assert response.url == reverse("matchmaking:leads")
    for user in (desk, staff):
        response = signed_in(client, user).get(reverse("matchmaking:leads"))
        assert response.status_code == 302 and response.url == reverse("dashboard")
        assert messages_of(response)


def test_leads_are_paginated(client, desk, producer):
    for index in range(23):
        make_buyer(("8418",), company_name=f"Buyer {index:02d}")
    services.rematch_all()
    Match.objects.filter(producer=producer).update(status=MatchStatus.FORWARDED, forwarded_at=timezone.now())
    count = Match.objects.filter(producer=producer).count()
    assert count > 20
    client = signed_in(client, producer.owner)
    page = html(client.get(reverse("matchmaking:leads")))
    assert page.count('data-testid="match-actions"') == 20
    page = html(client.get(reverse("matchmaking:leads"), {"page": 2}))
    assert page.count('data-testid="match-actions"') == count - 20


def test_the_lists_take_the_same_queries_for_more_matches(
    client, desk, producer, django_assert_max_num_queries
):
    make_buyer(("8418",), company_name="First Buyer")
    services.rematch_all()
    Match.objects.update(status=MatchStatus.FORWARDED, forwarded_at=timezone.now())
    client = signed_in(client, producer.owner)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("matchmaking:leads")).status_code == 200
    for index in range(6):
        make_buyer(("841810",), company_name=f"Buyer {index}")
    services.rematch_all()
    Match.objects.update(status=MatchStatus.FORWARDED, forwarded_at=timezone.now())
    assert Match.objects.filter(producer=producer).count() >= 7
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("matchmaking:leads")).status_code == 200
    buyer = Match.objects.filter(producer=producer).first().buyer
    signed_in(client, buyer.owner)
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse("matchmaking:introductions")).status_code == 200


# --- A buyer's request from the catalogue ---------------------------------------------------


@pytest.fixture
def fridge(producer):
    return ProductFactory(producer=producer, name="Side-by-side Refrigerator", hs_code="841810")


def test_a_buyer_requests_an_introduction_from_the_product_page(client, desk, buyer, fridge):
    client = signed_in(client, buyer.owner)
    product_url = reverse("catalogue:product-detail", args=[fridge.pk])
    page = html(client.get(product_url))
    assert 'data-testid="request-introduction"' in page
    assert reverse("matchmaking:request_introduction") in page
    assert 'for="request-introduction-message"' in page  # the message is labelled

    response = client.post(
        reverse("matchmaking:request_introduction"),
        {"product": fridge.pk, "message": "300 units for June", "next": product_url},
    )
    assert response.status_code == 302 and response.url == product_url
    assert any("Your request went to the trade counsellor for Iraq" in text for text in messages_of(response))
    match = Match.objects.get(producer=fridge.producer, buyer=buyer)
    assert match.source == MatchSource.BUYER_REQUEST and match.counsellor == desk
    assert match.requested_product == fridge and match.request_message == "300 units for June"

    page = html(client.get(product_url))
    assert "Your request is with the trade counsellor" in page
    page = html(signed_in(client, desk).get(detail_url(match)))
    assert "300 units for June" in page and "Side-by-side Refrigerator" in page


def test_a_buyer_requests_an_introduction_from_the_producer_page(client, desk, buyer, producer):
    client = signed_in(client, buyer.owner)
    producer_url = reverse("catalogue:producer-detail", args=[producer.pk])
    assert 'data-testid="request-introduction"' in html(client.get(producer_url))
    response = client.post(
        reverse("matchmaking:request_introduction"), {"producer": producer.pk, "next": producer_url}
    )
    assert response.url == producer_url
    assert Match.objects.get(producer=producer, buyer=buyer).status == MatchStatus.PROPOSED


def test_a_request_to_a_producer_already_in_touch_is_a_message(client, forwarded, fridge):
    client = signed_in(client, forwarded.buyer.owner)
    product_url = reverse("catalogue:product-detail", args=[fridge.pk])
    page = html(client.get(product_url))
    assert "You are already in touch with this producer." in page and detail_url(forwarded) in page
    response = client.post(reverse("matchmaking:request_introduction"), {"product": fridge.pk})
    assert response.status_code == 302 and response.url == product_url
    assert any("already in touch" in text for text in messages_of(response))


def test_an_incomplete_buyer_is_told_what_to_do(client, fridge):
    buyer = make_buyer(company_name="")
    response = signed_in(client, buyer.owner).post(
        reverse("matchmaking:request_introduction"), {"product": fridge.pk}
    )
    assert response.status_code == 302
    assert any("Complete your company profile" in text for text in messages_of(response))
    assert not Match.objects.exists()


def test_anonymous_visitors_are_invited_to_sign_in_as_a_buyer(client, fridge):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = html(client.get(reverse("catalogue:product-detail", args=[fridge.pk])))
    assert "Sign in as a buyer to request an introduction" in page
    assert 'data-testid="request-introduction"' not in page


@pytest.mark.parametrize("role", ["producer", "counsellor", "staff"])
def test_other_roles_get_no_request_form_and_may_not_post(client, fridge, role):
    user = UserFactory(role=role)
    client = signed_in(client, user)
    page = html(client.get(reverse("catalogue:product-detail", args=[fridge.pk])))
    assert 'data-testid="request-introduction"' not in page
    assert "Sign in as a buyer" not in page
    response = client.post(reverse("matchmaking:request_introduction"), {"product": fridge.pk})
    assert response.status_code == 403
    assert not Match.objects.exists()


def test_a_request_for_a_missing_product_is_404(client, buyer):
    response = signed_in(client, buyer.owner).post(
        reverse("matchmaking:request_introduction"), {"product": 999999}
    )
    assert response.status_code == 404
