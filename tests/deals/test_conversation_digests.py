"""Each role's digest lists the conversations with messages of the window it has not read: one
line each with the count and a link to the conversation; none for one's own messages, what
was read, what is older, or conversations one is not in; one query for the whole batch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from deals import conversations
from deals.models import Message
from digests.builders import build_digest, build_digests
from matchmaking.models import MatchStatus
from portal.bidi import FSI, PDI

from .conftest import make_match

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def window():
    now = timezone.now()
    return now - timedelta(days=1), now + timedelta(minutes=1)


def section(digest, key="unread_messages"):
    return next((s for s in digest.sections if s.key == key), None)


def say(world, who, body="Hi", match=None):
    match = match or world.match
    author = world.role(who) if who in ("producer", "buyer", "counsellor", "staff") else who
    return conversations.post_message(match=match, author=author, body=body)


def test_each_participant_gets_the_unread_conversation(world, window):
    say(world, "buyer", "One")
    say(world, "buyer", "Two")
    since, until = window
    producer = section(build_digest(world.producer, since=since, until=until))
    [item] = producer.items
    assert item.title == f"{FSI}Basra Cold Chain{PDI}" and item.detail == "2 unread messages"
    assert item.url == settings.PORTAL_BASE_URL + f"/matches/{world.match.pk}/conversation/"
    assert producer.more_url == settings.PORTAL_BASE_URL + "/messages/"
    counsellor = section(build_digest(world.counsellor, since=since, until=until))
    assert counsellor.items[0].title == f"{FSI}Sahand Cooling{PDI} ↔ {FSI}Basra Cold Chain{PDI}"
    assert counsellor.items[0].detail == "2 unread messages"
    # The buyer wrote them: nothing for the buyer.
    assert section(build_digest(world.buyer, since=since, until=until)) is None


def test_read_messages_older_ones_and_others_conversations_are_left_out(world, window):
    since, until = window
    old = say(world, "buyer", "Old")
    Message.objects.filter(pk=old.pk).update(created_at=since - timedelta(hours=1))
    say(world, "buyer", "New")
    conversations.mark_read(match=world.match, user=world.counsellor)
    elsewhere = make_match(status=MatchStatus.FORWARDED)
    conversations.post_message(match=elsewhere, author=elsewhere.buyer.owner, body="Not yours")
    assert (
        section(build_digest(world.producer, since=since, until=until)).items[0].detail == "1 unread message"
    )
    assert section(build_digest(world.counsellor, since=since, until=until)) is None
    for user in (world.other_producer, world.other_buyer, world.other_counsellor, world.staff):
        assert section(build_digest(user, since=since, until=until)) is None


def test_the_buyer_gets_the_producers_name_and_the_latest_conversation_first(world, window):
    since, until = window
    older = make_match(buyer=world.match.buyer, status=MatchStatus.CONNECTED, counsellor=world.counsellor)
    conversations.post_message(match=older, author=older.producer.owner, body="Earlier")
    Message.objects.filter(match=older).update(created_at=timezone.now() - timedelta(hours=2))
    say(world, "producer", "Later")
    titles = [item.title for item in section(build_digest(world.buyer, since=since, until=until)).items]
    assert titles[0] == f"{FSI}Sahand Cooling{PDI}" and len(titles) == 2


def test_one_query_for_the_messages_of_a_whole_batch(world, window):
    since, until = window
    users = [world.producer, world.buyer, world.counsellor, world.other_producer, world.other_counsellor]
    with CaptureQueriesContext(connection) as before:
        build_digests(users, since=since, until=until)
    for i in range(5):
        match = make_match(
            producer=world.match.producer, status=MatchStatus.CONNECTED, counsellor=world.counsellor
        )
        say(world, match.buyer.owner, f"m{i}", match=match)
        say(world, "counsellor", f"c{i}", match=match)
    with CaptureQueriesContext(connection) as after:
        digests = build_digests(users, since=since, until=until)
    assert len(after) == len(before)
    assert len([q for q in after.captured_queries if "deals_message" in q["sql"]]) == 1
    assert section(digests[world.producer.pk]).count == 5
    assert section(digests[world.counsellor.pk]) is None  # answered each: read


def test_a_digest_with_only_messages_is_not_empty(world, window):
    since, until = window
    say(world, "counsellor", "Just a note")
    assert not build_digest(world.buyer, since=since, until=until).is_empty
