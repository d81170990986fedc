"""The email about new messages: batched (one per recipient for what piled up), never for what
was read, never twice; queued after the commit with the configured delay; in the recipient's
language, names isolated, linked to the conversation."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

from deals import conversations, notices, tasks
from deals.models import ConversationState
from matchmaking.models import MatchStatus
from portal import outbox
from portal.bidi import FSI, PDI

from .conftest import set_status

pytestmark = pytest.mark.django_db


def post(world, who, body="Hello"):
    return conversations.post_message(match=world.match, author=world.role(who), body=body)


def recipients(mailoutbox) -> list[str]:
    return sorted(message.to[0] for message in mailoutbox)


def test_a_post_queues_the_notice_after_the_commit_with_the_delay(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.DEALS_MESSAGE_NOTICE_DELAY = 420
    sent = []
    monkeypatch.setattr(
        outbox,
        "send_safely",
        lambda task, args, kwargs=None, countdown=None: sent.append((task, args, countdown)),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post(world, "producer")
        assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sent == [(tasks.notify_new_messages, [world.match.pk], 420)]


def test_ten_messages_give_one_email_to_each_other_participant(world, mailoutbox):
    for i in range(10):
        post(world, "producer", body=f"Message {i}")
    # Ten tasks were queued; the first to run tells everyone, the others find nothing left.
    assert notices.send_message_notices(world.match.pk) == 2
    for _ in range(9):
        assert notices.send_message_notices(world.match.pk) == 0
    assert recipients(mailoutbox) == sorted([world.buyer.email, world.counsellor.email])
    buyer_mail = next(m for m in mailoutbox if m.to == [world.buyer.email])
    assert all(f"Message {i}" in buyer_mail.body for i in range(10))


def test_messages_read_before_the_task_runs_send_nothing(world, mailoutbox):
    post(world, "producer")
    conversations.mark_read(match=world.match, user=world.buyer)
    conversations.mark_read(match=world.match, user=world.counsellor)
    assert notices.send_message_notices(world.match.pk) == 0
    assert mailoutbox == []


def test_the_task_run_twice_sends_once_and_a_later_message_once_more(world, mailoutbox):
    post(world, "buyer", body="First")
    assert notices.send_message_notices(world.match.pk) == 2
    assert notices.send_message_notices(world.match.pk) == 0
    assert len(mailoutbox) == 2
    state = ConversationState.objects.get(match=world.match, user=world.producer)
    assert state.last_notified > 0 and state.notified_at is not None
    post(world, "counsellor", body="Second")
    mailoutbox.clear()
    assert notices.send_message_notices(world.match.pk) == 2  # the producer and the buyer
    producer_mail = next(m for m in mailoutbox if m.to == [world.producer.email])
    assert "Second" in producer_mail.body and "First" not in producer_mail.body


def test_nobody_is_told_of_their_own_messages_and_staff_get_nothing(world, mailoutbox):
    post(world, "staff", body="From the team")
    notices.send_message_notices(world.match.pk)
    assert recipients(mailoutbox) == sorted([world.producer.email, world.buyer.email, world.counsellor.email])
    producer_mail = next(m for m in mailoutbox if m.to == [world.producer.email])
    with translation.override(world.producer.preferred_language):  # the mail's language
        team = gettext("Export Bridge team")
    assert "From the team" in producer_mail.body and team in producer_mail.body
    mailoutbox.clear()
    post(world, "buyer", body="Thanks")
    notices.send_message_notices(world.match.pk)
    assert recipients(mailoutbox) == sorted([world.producer.email, world.counsellor.email])
    assert world.staff.email not in {m.to[0] for m in mailoutbox}


def test_an_answer_counts_as_having_read_what_came_before(world, mailoutbox):
    post(world, "buyer", body="Question")
    post(world, "producer", body="Answer")  # before the notice went out
    notices.send_message_notices(world.match.pk)
    assert world.producer.email not in recipients(mailoutbox)


def test_an_inactive_participant_is_skipped_and_told_later_once_active(world, mailoutbox):
    world.buyer.is_active = False
    world.buyer.save(update_fields=["is_active"])
    post(world, "producer")
    notices.send_message_notices(world.match.pk)
    assert world.buyer.email not in recipients(mailoutbox)


def test_a_declined_match_still_tells_of_what_was_written_before(world, mailoutbox):
    post(world, "producer")
    set_status(world.match, MatchStatus.DECLINED)
    assert notices.send_message_notices(world.match.pk) == 2


def test_a_failed_send_for_one_recipient_is_retried_for_that_one_only(world, mailoutbox, monkeypatch):
    post(world, "producer")
    real = notices._send

    def server_down_for_the_buyer(user, match, messages):
        if user == world.buyer:
            raise OSError("SMTP down")
        real(user, match, messages)

    monkeypatch.setattr(notices, "_send", server_down_for_the_buyer)
    with pytest.raises(OSError):
        notices.send_message_notices(world.match.pk)
    state = ConversationState.objects.filter(match=world.match, user=world.buyer).first()
    assert state is None or state.last_notified == 0
    monkeypatch.setattr(notices, "_send", real)
    notices.send_message_notices(world.match.pk)
    assert recipients(mailoutbox) == sorted([world.counsellor.email, world.buyer.email])


def test_the_email_speaks_the_recipients_language_isolates_names_and_links_the_conversation(
    world, mailoutbox
):
    world.buyer.preferred_language = "en"
    world.buyer.save(update_fields=["preferred_language"])
    world.producer.preferred_language = "fa"
    world.producer.save(update_fields=["preferred_language"])
    world.match.producer.name = "\u202eSahand صنایع"
    world.match.producer.save()
    post(world, "buyer", body="سلام")
    post(world, "counsellor", body="Please send your price list.\nThanks")
    notices.send_message_notices(world.match.pk)
    link = settings.PORTAL_BASE_URL + f"/matches/{world.match.pk}/conversation/"

    buyer_mail = next(m for m in mailoutbox if m.to == [world.buyer.email])
    assert "new message" in buyer_mail.subject and f"{FSI}Sahand صنایع{PDI}" in buyer_mail.subject
    assert "\u202e" not in buyer_mail.subject and "\u202e" not in buyer_mail.body
    assert link in buyer_mail.body and "Please send your price list." in buyer_mail.body
    assert "Trade counsellor" in buyer_mail.body and f"{FSI}Sara Rahimi{PDI}" in buyer_mail.body
    html = buyer_mail.alternatives[0][0]
    assert link in html and "<bdi>Sara Rahimi</bdi>" in html

    producer_mail = next(m for m in mailoutbox if m.to == [world.producer.email])
    # In Persian: its digits (the words come once the lead translates the new strings).
    assert "۲" in producer_mail.subject and "2" not in producer_mail.subject
    assert link in producer_mail.body
    for mail in mailoutbox:  # nobody's address in another's email
        others = {world.producer.email, world.buyer.email, world.counsellor.email} - {mail.to[0]}
        assert not any(address in mail.body for address in others)


@pytest.mark.postgres
@pytest.mark.skipif(not settings.USING_POSTGRES, reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_tasks_at_once_send_one_email_each(world, mailoutbox, monkeypatch):
    monkeypatch.setattr(outbox, "send_safely", lambda *args, **kwargs: None)  # the race runs them
    post(world, "producer")
    barrier = threading.Barrier(2)
    results: list = []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(notices.send_message_notices(world.match.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(results) == 2  # one email each to the buyer and the counsellor, from either run
    assert recipients(mailoutbox) == sorted([world.buyer.email, world.counsellor.email])
