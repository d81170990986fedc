"""The pages: a match's conversation, its box on the match page, the "Messages" list and the
nav badge, for every role; opening a conversation marks it read; the badge costs one query."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from deals import conversations
from deals.context_processors import conversations as nav_context
from deals.models import Message
from matchmaking.models import MatchStatus
from portal.formatting import format_date

from .conftest import READERS, ROLES, make_match, pdf, set_status, upload

pytestmark = pytest.mark.django_db


def url(match) -> str:
    return f"/matches/{match.pk}/conversation/"


def client_for(world, role: str) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"  # the texts checked are the English ones
    user = world.role(role)
    if user is not None:
        client.force_login(user)
    return client


def say(world, who: str, body: str, **kwargs) -> Message:
    return conversations.post_message(match=world.match, author=world.role(who), body=body, **kwargs)


@pytest.mark.parametrize("role", ROLES)
def test_the_conversation_page_per_role(world, role):
    say(world, "buyer", "Hello from Basra")
    response = client_for(world, role).get(url(world.match))
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role in READERS:
        assert response.status_code == 200
        assert "Hello from Basra" in response.content.decode()
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_posting_on_the_page_per_role(world, role):
    response = client_for(world, role).post(url(world.match), {"body": "Our offer follows"})
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert not Message.objects.exists()
    elif role in READERS:
        message = Message.objects.get()
        assert (
            response.status_code == 302 and response["Location"] == f"{url(world.match)}#message-{message.pk}"
        )
    else:
        assert response.status_code == 404 and not Message.objects.exists()


@pytest.mark.parametrize("status", [MatchStatus.PROPOSED, MatchStatus.REJECTED])
def test_no_conversation_page_before_the_forward(world, status):
    set_status(world.match, status)
    for role in ("producer", "buyer", "counsellor", "staff"):
        assert client_for(world, role).get(url(world.match)).status_code == 404, role


def test_a_declined_match_shows_its_thread_without_the_form(world):
    say(world, "buyer", "Before the decline")
    set_status(world.match, MatchStatus.DECLINED)
    client = client_for(world, "producer")
    page = client.get(url(world.match)).content.decode()
    assert "Before the decline" in page and 'data-testid="closed-note"' in page
    assert 'name="body"' not in page
    response = client.post(url(world.match), {"body": "After"})
    assert response.status_code == 302 and Message.objects.count() == 1
    assert "closed to new messages" in client.get(url(world.match)).content.decode()


def test_the_page_shows_roles_times_files_and_isolated_texts(world):
    say(world, "counsellor", "\u202eسلام\nدو خط", files=[upload("price list.pdf", pdf())])
    message = Message.objects.get()
    assert message.body == "سلام\nدو خط"  # the override removed when it was written
    reader = client_for(world, "buyer")
    reader.cookies["django_language"] = "fa"
    page = reader.get(url(world.match)).content.decode()  # the buyer reads Persian
    assert '<span class="badge conversation-role role-counsellor">' in page
    assert "<bdi>Sara Rahimi</bdi>" in page
    assert '<div class="conversation-body" dir="auto" lang="fa"><bdi>سلام<br>دو خط</bdi></div>' in page
    assert (
        f"/deals/attachments/{message.attachments.get().token}/" in page
        and "<bdi>price list.pdf</bdi>" in page
    )
    with translation.override("fa"):
        jalali = format_date(message.created_at, with_time=True)
    assert jalali in page and any("۰" <= char <= "۹" for char in jalali)


def test_opening_the_page_marks_it_read_and_shows_what_is_new(world):
    say(world, "buyer", "Old news")
    client = client_for(world, "producer")
    client.get(url(world.match))
    say(world, "buyer", "Fresh news")
    page = client.get(url(world.match)).content.decode()
    assert page.count('data-testid="new-divider"') == 1
    assert page.index("Old news") < page.index('data-testid="new-divider"') < page.index("Fresh news")
    assert 'data-testid="new-divider"' not in client.get(url(world.match)).content.decode()


def test_staff_reading_leave_the_parties_counts_alone(world):
    say(world, "buyer", "Hello")
    client_for(world, "staff").get(url(world.match))
    page = client_for(world, "staff").get(url(world.match)).content.decode()
    assert "as staff" in page
    from deals.conversation_selectors import unread_count

    assert unread_count(world.producer, world.match) == 1


def test_a_blank_or_too_long_message_is_a_form_error(world):
    client = client_for(world, "producer")
    for body in ("", "   ", "x" * 5001):
        response = client.post(url(world.match), {"body": body})
        assert response.status_code == 200
        assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert not Message.objects.exists()


def test_the_empty_state_invites_the_first_message(world):
    page = client_for(world, "producer").get(url(world.match)).content.decode()
    assert 'data-testid="empty-state"' in page and 'enctype="multipart/form-data"' in page
    assert 'name="files"' in page and "multiple" in page


def test_the_thread_pages_to_the_latest_first(world):
    Message.objects.bulk_create(
        Message(match=world.match, author=world.buyer, body=f"n{i}") for i in range(60)
    )
    page = client_for(world, "producer").get(url(world.match)).content.decode()
    assert "n59" in page and ">n0<" not in page and "Earlier messages" in page
    first = client_for(world, "producer").get(url(world.match), {"page": 1}).content.decode()
    assert "n0" in first and "Later messages" in first


def test_no_inline_script_or_style(world):
    say(world, "buyer", "Hello")
    page = client_for(world, "producer").get(url(world.match)).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and " style=" not in page


# --- The box on the match page --------------------------------------------------------------


def test_the_match_page_shows_the_conversation_box(world):
    say(world, "buyer", "Can you do CIF Basra?")
    page = client_for(world, "producer").get(f"/matches/{world.match.pk}/").content.decode()
    assert 'data-testid="conversation-section"' in page and 'data-testid="conversation-unread"' in page
    assert "Can you do CIF Basra?" in page and url(world.match) in page


def test_no_box_before_the_forward(world):
    set_status(world.match, MatchStatus.PROPOSED)
    page = client_for(world, "counsellor").get(f"/matches/{world.match.pk}/").content.decode()
    assert 'data-testid="conversation-section"' not in page


def test_an_empty_conversation_box_invites_to_write(world):
    page = client_for(world, "buyer").get(f"/matches/{world.match.pk}/").content.decode()
    assert 'data-testid="conversation-section"' in page and "No messages yet" in page


# --- The Messages page and the badge --------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_messages_page_per_role(world, role):
    say(world, "buyer", "Visible to the three and staff")
    response = client_for(world, role).get("/messages/")
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    page = response.content.decode()
    shown = url(world.match) in page
    assert shown == (role in READERS), role
    if role in ("other_producer", "other_buyer", "other_counsellor"):
        assert 'data-testid="empty-state"' in page


def test_the_messages_page_lists_newest_first_with_unread_counts(world):
    older = make_match(
        producer=world.match.producer, status=MatchStatus.CONNECTED, counsellor=world.counsellor
    )
    conversations.post_message(match=older, author=older.buyer.owner, body="Older thread")
    say(world, "buyer", "Newer thread")
    say(world, "counsellor", "And more")
    make_match(producer=world.match.producer, status=MatchStatus.FORWARDED)  # no messages: not listed
    page = client_for(world, "producer").get("/messages/").content.decode()
    assert page.index(url(world.match)) < page.index(url(older))
    counts = re.findall(r'data-testid="row-unread">([^<]+)<', page)
    assert counts == ["2", "1"] or counts == ["۲", "۱"]
    assert "<bdi>Basra Cold Chain</bdi>" in page


def _badge(page: str) -> str | None:
    found = re.search(r'data-testid="unread-badge">([^<]+)<', page)
    return found.group(1) if found else None


def test_the_nav_badge_counts_unread_messages_and_clears_once_read(world):
    client = client_for(world, "producer")
    assert _badge(client.get("/messages/").content.decode()) is None
    say(world, "buyer", "One")
    say(world, "buyer", "Two")
    assert _badge(client.get("/messages/", HTTP_ACCEPT_LANGUAGE="en").content.decode()) in ("2", "۲")
    client.get(url(world.match))
    assert _badge(client.get("/messages/").content.decode()) is None


def test_the_badge_is_for_parties_and_counsellors_not_staff(world):
    say(world, "producer", "Hi")
    assert _badge(client_for(world, "buyer").get("/").content.decode()) is not None
    assert _badge(client_for(world, "counsellor").get("/").content.decode()) is not None
    staff_page = client_for(world, "staff").get("/").content.decode()
    assert _badge(staff_page) is None and "/messages/" in staff_page
    assert "/messages/" not in Client().get("/").content.decode()


def test_the_badge_costs_one_query_whatever_the_data(world, django_assert_num_queries):
    for i in range(5):
        match = make_match(
            producer=world.match.producer, status=MatchStatus.CONNECTED, counsellor=world.counsellor
        )
        for _ in range(i + 1):
            conversations.post_message(match=match, author=match.buyer.owner, body="Hi")
    request = RequestFactory().get("/")
    for user, expected in ((world.producer, 15), (world.counsellor, 15)):
        request.user = user
        nav = nav_context(request)["conversations_nav"]
        with django_assert_num_queries(0):
            assert nav.shown
        with django_assert_num_queries(1):
            assert nav.unread == expected
            assert nav.unread == expected  # asked again: remembered
    request.user = world.staff
    with django_assert_num_queries(0):
        nav = nav_context(request)["conversations_nav"]
        assert nav.shown and nav.unread == 0


def test_a_page_with_the_badge_takes_one_query_more_than_without(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world, "producer")
    client.get("/catalogue/")
    with CaptureQueriesContext(connection) as few:
        client.get("/catalogue/")
    for i in range(10):
        say(world, "buyer", f"m{i}")
    with CaptureQueriesContext(connection) as more:
        client.get("/catalogue/")
    assert len(more) == len(few)
    badge = [q["sql"] for q in more.captured_queries if "deals_message" in q["sql"]]
    assert len(badge) == 1
