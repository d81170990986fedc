"""The conversation's services: who writes when, what a message holds, what is read."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from deals import conversations
from deals.conversation_selectors import unread_count, unread_counts, unread_total
from deals.models import ConversationState, Message
from deals.policies import (
    can_post_message,
    can_read_conversation,
    conversation_participants,
    conversation_role,
)
from matchmaking.models import MatchStatus
from portal.exceptions import StateConflict

from .conftest import make_match, set_status

pytestmark = pytest.mark.django_db


def post(world, who="producer", body="Salam, we can ship in March.", **kwargs):
    return conversations.post_message(match=world.match, author=world.role(who), body=body, **kwargs)


# --- Who ------------------------------------------------------------------------------------


def test_the_parties_the_counsellor_and_staff_read_and_write_others_do_neither(world):
    for name in ("producer", "buyer", "counsellor", "staff"):
        user = world.role(name)
        assert can_read_conversation(user, world.match) and can_post_message(user, world.match), name
    for name in ("other_producer", "other_buyer", "other_counsellor"):
        user = world.role(name)
        assert not can_read_conversation(user, world.match) and not can_post_message(user, world.match), name
    assert conversation_role(world.producer, world.match) == "producer"
    assert conversation_role(world.buyer, world.match) == "buyer"
    assert conversation_role(world.counsellor, world.match) == "counsellor"
    assert conversation_role(world.staff, world.match) == "staff"
    assert [u.pk for u in conversation_participants(world.match)] == [
        world.producer.pk,
        world.buyer.pk,
        world.counsellor.pk,
    ]


@pytest.mark.parametrize(
    "status", [MatchStatus.FORWARDED, MatchStatus.CONNECTED, MatchStatus.WON, MatchStatus.LOST]
)
def test_a_live_match_takes_messages(world, status):
    set_status(world.match, status)
    for name in ("producer", "buyer", "counsellor", "staff"):
        assert post(world, name).match_id == world.match.pk


def test_a_declined_match_is_read_only(world):
    post(world)
    set_status(world.match, MatchStatus.DECLINED)
    assert can_read_conversation(world.buyer, world.match)
    for name in ("producer", "buyer", "counsellor", "staff"):
        with pytest.raises(StateConflict):
            post(world, name)
    assert Message.objects.count() == 1


@pytest.mark.parametrize("status", [MatchStatus.PROPOSED, MatchStatus.REJECTED, MatchStatus.WITHDRAWN])
def test_no_conversation_before_the_forward(world, status):
    match = make_match(counsellor=world.counsellor, status=status)
    assert not can_read_conversation(world.producer, match)
    with pytest.raises(PermissionDenied):
        conversations.post_message(match=match, author=match.producer.owner, body="Hello")
    with pytest.raises(StateConflict):  # its counsellor sees it, but there is nothing to write in
        conversations.post_message(match=match, author=world.counsellor, body="Hello")
    assert not Message.objects.exists()


def test_outsiders_are_refused(world):
    for name in ("other_producer", "other_buyer", "other_counsellor"):
        with pytest.raises(PermissionDenied):
            post(world, name)
    assert not Message.objects.exists()


def test_a_reassigned_match_leaves_the_former_counsellor_out(world):
    post(world, "counsellor")
    world.match.counsellor = world.other_counsellor
    world.match.save(update_fields=["counsellor"])
    assert not can_read_conversation(world.counsellor, world.match)
    assert can_post_message(world.other_counsellor, world.match)


# --- What a message holds -------------------------------------------------------------------


def test_a_message_keeps_its_lines_and_guesses_its_language(world):
    message = post(world, body="  سلام،\r\nقیمت FOB چقدر است؟  ")
    assert message.body == "سلام،\nقیمت FOB چقدر است؟"
    assert message.language == "fa"
    assert post(world, "buyer", body="Marhaba, كم السعر؟ ").language in ("ar", "en")
    assert post(world, "buyer", body="Hello there").language == "en"
    assert post(world, "buyer", body="Hello", language="tr").language == "tr"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("", "body"),
        ("   \n ", "body"),
        (None, "body"),
        ("x" * 5001, "body"),
        ("nul\x00byte", "body"),
        (12, "body"),
        (["a"], "body"),
    ],
)
def test_bad_bodies_are_field_errors(world, body, field):
    with pytest.raises(ValidationError) as error:
        post(world, body=body)
    assert field in error.value.message_dict
    assert not Message.objects.exists()


def test_control_characters_are_removed_and_5000_characters_pass(world):
    assert post(world, body="ring\x07 the\u202e bell").body == "ring the bell"
    assert len(post(world, body="y" * 5000).body) == 5000


@pytest.mark.parametrize("language", ["xx", "FA", "english", 7, ["fa"]])
def test_an_unknown_language_is_a_field_error(world, language):
    with pytest.raises(ValidationError) as error:
        post(world, language=language)
    assert "language" in error.value.message_dict


# --- What is read ---------------------------------------------------------------------------


def test_others_messages_are_unread_until_read_and_ones_own_never(world):
    first = post(world, "buyer", body="One")
    post(world, "counsellor", body="Two")
    assert unread_count(world.producer, world.match) == 2
    assert unread_count(world.buyer, world.match) == 1  # the counsellor's
    assert unread_count(world.counsellor, world.match) == 0  # wrote last: read up to it
    assert conversations.mark_read(match=world.match, user=world.producer) > first.pk
    assert unread_count(world.producer, world.match) == 0
    post(world, "buyer", body="Three")
    assert unread_count(world.producer, world.match) == 1


def test_writing_marks_what_came_before_read(world):
    post(world, "buyer", body="Question?")
    answer = post(world, "producer", body="Answer.")
    state = ConversationState.objects.get(match=world.match, user=world.producer)
    assert state.last_read == answer.pk
    assert unread_count(world.producer, world.match) == 0


def test_mark_read_never_goes_back_and_staff_leave_no_trace(world):
    post(world, "buyer")
    newest = conversations.mark_read(match=world.match, user=world.producer)
    ConversationState.objects.filter(user=world.producer).update(last_read=newest + 100)
    conversations.mark_read(match=world.match, user=world.producer)
    assert ConversationState.objects.get(user=world.producer).last_read == newest + 100
    conversations.mark_read(match=world.match, user=world.staff)
    assert not ConversationState.objects.filter(user=world.staff).exists()
    with pytest.raises(PermissionDenied):
        conversations.mark_read(match=world.match, user=world.other_buyer)


def test_unread_counts_of_many_matches_are_one_query(world, django_assert_num_queries):
    matches = [world.match] + [
        make_match(producer=world.match.producer, status=MatchStatus.CONNECTED, counsellor=world.counsellor)
        for _ in range(4)
    ]
    for i, match in enumerate(matches):
        for _ in range(i + 1):
            conversations.post_message(match=match, author=match.buyer.owner, body="Hi")
    ids = [match.pk for match in matches]
    with django_assert_num_queries(1):
        counts = unread_counts(world.producer, ids)
    assert counts == {match.pk: i + 1 for i, match in enumerate(matches)}
    with django_assert_num_queries(1):
        assert unread_total(world.producer) == 15
    with django_assert_num_queries(1):
        assert unread_total(world.counsellor) == 15
    assert unread_counts(world.staff, ids) == {} and unread_total(world.staff) == 0
    assert unread_counts(world.other_producer, ids) == {}


def test_the_badge_counts_only_conversations_one_is_in(world):
    post(world, "buyer")
    elsewhere = make_match(status=MatchStatus.FORWARDED)
    conversations.post_message(match=elsewhere, author=elsewhere.buyer.owner, body="Not for you")
    assert unread_total(world.producer) == 1
    set_status(world.match, MatchStatus.DECLINED)  # still readable: still counted
    assert unread_total(world.producer) == 1
