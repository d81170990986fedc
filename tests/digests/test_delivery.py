"""Sending digests: periods, who is due, one row per user and period, nothing new → no email,
run twice → one email, crashes before and after the send, SMTP failures retried and then
recorded, headers and both parts, the tasks, the beat schedule and the command.

The content is a stand-in (`fake_content`): what a digest says is tested in test_builders.py;
one test at the end sends real content end to end.
"""

from __future__ import annotations

import smtplib
import threading
from datetime import datetime, timedelta
from email import message_from_bytes
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connections
from django.db.models import F
from django.urls import reverse
from django.utils import translation

from digests import builders, delivery, services, tasks
from digests.content import Digest, DigestItem, DigestSection
from digests.models import DeliveryStatus, DigestDelivery, DigestPreference, Frequency
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEHRAN = ZoneInfo("Asia/Tehran")
# Mid-morning in Tehran, a Wednesday: far from a day's or a week's boundary.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=TEHRAN)


class ProcessDied(BaseException):
    """A crash: not an Exception, so no handler of ours runs (as when a worker is killed)."""


class FakeContent:
    """A stand-in for digests.builders: `items[user_id]` items for a user (0 by default)."""

    def __init__(self):
        self.items: dict[int, int] = {}
        self.calls: list[dict] = []

    def digest(self, user, since, until) -> Digest:
        count = self.items.get(user.pk, 0)
        sections = []
        if count:
            items = [
                DigestItem(title=f"Lead {i} for {user.email}", url=f"{settings.PORTAL_BASE_URL}/matches/{i}/")
                for i in range(count)
            ]
            sections = [DigestSection(key="new_leads", title="New leads", items=items)]
        return Digest(user=user, since=since, until=until, sections=sections)

    def build_digests(self, users, *, since, until, **options):
        users = list(users)
        language = translation.get_language()
        self.calls.append(
            {"users": [u.pk for u in users], "since": since, "until": until, "language": language}
        )
        return {user.pk: self.digest(user, since, until) for user in users}

    def build_digest(self, user, *, since, until):
        return self.build_digests([user], since=since, until=until)[user.pk]


@pytest.fixture
def fake_content(monkeypatch) -> FakeContent:
    content = FakeContent()
    monkeypatch.setattr(builders, "build_digests", content.build_digests)
    monkeypatch.setattr(builders, "build_digest", content.build_digest)
    return content


@pytest.fixture
def worker_retries():
    """Retries as a worker makes them (at once here, no backoff): a task's retry runs instead
    of its Retry being raised to the caller, and its final error is recorded, not raised."""
    from portal.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


def producer(**fields):
    return UserFactory(role="producer", **fields)


def rows(**filters):
    return list(DigestDelivery.objects.filter(**filters).order_by("pk"))


def claims_aged(minutes: int) -> None:
    """Make the claimed rows `minutes` old at NOW (their claimer died that long ago)."""
    DigestDelivery.objects.filter(status=DeliveryStatus.CLAIMED).update(
        claimed_at=NOW - timedelta(minutes=minutes)
    )


def run(frequency: str = "weekly", now: datetime = NOW):
    return delivery.send_due(frequency=frequency, now=now, retry=tasks.enqueue_retry)


def header(message, name: str) -> str:
    return message.message()[name]


# --- Periods and who is due -------------------------------------------------------------------


def test_period_keys_are_local_dates_and_iso_weeks():
    assert delivery.period_key("daily", NOW) == "2026-12-02"
    assert delivery.period_key("weekly", NOW) == "2026-W49"
    # 22:00 UTC on 1 December is already 2 December in Tehran (UTC+3:30).
    late = datetime(2026, 12, 1, 22, 0, tzinfo=ZoneInfo("UTC"))
    assert delivery.period_key("daily", late) == "2026-12-02"
    # Sunday 6 December, 23:00 in Tehran is still ISO week 49; Monday starts week 50.
    assert delivery.period_key("weekly", datetime(2026, 12, 6, 23, 0, tzinfo=TEHRAN)) == "2026-W49"
    assert delivery.period_key("weekly", datetime(2026, 12, 7, 0, 30, tzinfo=TEHRAN)) == "2026-W50"
    assert delivery.period_key("weekly", datetime(2027, 1, 1, 12, 0, tzinfo=TEHRAN)) == "2026-W53"
    with pytest.raises(ValueError):
        delivery.period_key("off", NOW)


def test_due_users_follow_the_preference_or_the_role_default():
    weekly_producer = producer()
    buyer = UserFactory(role="buyer")
    counsellor = UserFactory(role="counsellor")
    staff = UserFactory(role="staff")
    daily_producer = producer()
    services.preference_update(user=daily_producer, frequency="daily", language="")
    off_buyer = UserFactory(role="buyer")
    services.preference_update(user=off_buyer, frequency="off", language="")
    producer(is_active=False)
    superuser = UserFactory(role="producer", is_superuser=True)

    assert set(delivery.due_users("weekly", NOW)) == {weekly_producer, buyer}
    assert set(delivery.due_users("daily", NOW)) == {counsellor, staff, daily_producer, superuser}


def test_a_user_with_a_row_for_the_period_is_no_longer_due(fake_content):
    user = producer()
    assert list(delivery.due_users("weekly", NOW)) == [user]
    run()
    assert list(delivery.due_users("weekly", NOW)) == []
    assert list(delivery.due_users("weekly", NOW + timedelta(days=7))) == [user]


def test_claiming_twice_is_refused_by_the_unique_row():
    user = producer()
    first = delivery.claim(user_id=user.pk, frequency="daily", period="2026-12-02", since=NOW, until=NOW)
    second = delivery.claim(user_id=user.pk, frequency="daily", period="2026-12-02", since=NOW, until=NOW)
    assert first is not None and second is None
    assert DigestDelivery.objects.count() == 1


# --- Nothing new, something new, twice --------------------------------------------------------


def test_nothing_new_sends_nothing_and_records_the_period_as_empty(fake_content):
    user = producer()
    counts = run()
    assert mail.outbox == []
    (row,) = rows(user=user)
    assert (row.status, row.items, row.period, row.frequency) == (
        DeliveryStatus.EMPTY,
        0,
        "2026-W49",
        "weekly",
    )
    assert (counts.claimed, counts.sent, counts.empty, counts.failed) == (1, 0, 1, 0)


def test_something_new_is_sent_once_and_marked_sent(fake_content):
    user = producer(email="ali@tabriz.example")
    fake_content.items[user.pk] = 3
    counts = run()
    (message,) = mail.outbox
    assert message.to == ["ali@tabriz.example"]
    (row,) = rows(user=user)
    assert (row.status, row.items, row.attempts) == (DeliveryStatus.SENT, 3, 1)
    assert row.sent_at is not None and row.error == ""
    assert (row.since, row.until) == (NOW - timedelta(days=7), NOW)
    assert (counts.claimed, counts.sent, counts.empty) == (1, 1, 0)


def test_running_twice_sends_one_email(fake_content):
    user = producer()
    fake_content.items[user.pk] = 2
    first, second = run(), run(now=NOW + timedelta(hours=2))
    assert len(mail.outbox) == 1
    assert (first.sent, second.sent, second.claimed, second.skipped) == (1, 0, 0, 1)
    assert DigestDelivery.objects.count() == 1


def test_the_next_period_covers_what_came_after_the_previous_digest(fake_content):
    user = producer()
    fake_content.items[user.pk] = 1
    run()
    run(now=NOW + timedelta(days=7))
    first, second = rows(user=user)
    assert second.since == first.until == NOW
    assert second.period == "2026-W50" and len(mail.outbox) == 2


def test_a_failed_period_is_covered_again_by_the_next_one(fake_content):
    user = producer()
    fake_content.items[user.pk] = 1
    run()
    run(now=NOW + timedelta(days=7))
    DigestDelivery.objects.filter(period="2026-W50").update(status=DeliveryStatus.FAILED)
    run(now=NOW + timedelta(days=14))
    assert rows(user=user)[2].since == NOW  # the end of the last digest that went out


def test_users_sharing_a_window_and_a_language_are_built_in_one_call(fake_content):
    english = [producer(preferred_language="en") for _ in range(3)]
    persian = [producer(preferred_language="fa") for _ in range(2)]
    chosen = producer(preferred_language="fa")
    services.preference_update(user=chosen, frequency="weekly", language="en")
    for user in [*english, *persian, chosen]:
        fake_content.items[user.pk] = 1
    run()
    by_language = {call["language"]: set(call["users"]) for call in fake_content.calls}
    assert by_language == {"en": {u.pk for u in [*english, chosen]}, "fa": {u.pk for u in persian}}
    assert len(mail.outbox) == 6


# --- The message ------------------------------------------------------------------------------


def test_the_message_has_both_parts_the_headers_and_absolute_links(fake_content, settings):
    settings.PORTAL_BASE_URL = "https://exportbridge.example"
    settings.DEFAULT_FROM_EMAIL = "Export Bridge <digests@exportbridge.example>"
    settings.DIGEST_UNSUBSCRIBE_EMAIL = None
    user = producer(preferred_language="en")
    fake_content.items[user.pk] = 2
    run()
    (message,) = mail.outbox
    (row,) = rows(user=user)

    assert message.body and "Lead 0 for" in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html" and "Lead 1 for" in html and "<html" in html
    parsed = message.message()
    assert parsed.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parsed.get_payload()] == ["text/plain", "text/html"]

    assert header(message, "Message-ID") == f"<digest-{row.pk}.2026-W49@exportbridge.example>"
    unsubscribe = header(message, "List-Unsubscribe")
    link, mailto = [part.strip().strip("<>") for part in unsubscribe.split(",")]
    assert link.startswith("https://exportbridge.example/digests/unsubscribe/") and link.endswith("/")
    assert mailto == "mailto:digests@exportbridge.example?subject=unsubscribe"
    assert header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert link in message.body and link in html
    assert "https://exportbridge.example/digests/preferences/" in message.body
    assert services.user_for_unsubscribe_token(link.rstrip("/").rsplit("/", 1)[1]) == user


def test_an_empty_unsubscribe_address_leaves_the_mailto_out(fake_content, settings):
    settings.DIGEST_UNSUBSCRIBE_EMAIL = ""
    user = producer()
    fake_content.items[user.pk] = 1
    run()
    assert "mailto:" not in header(mail.outbox[0], "List-Unsubscribe")


def test_the_message_is_in_the_digest_language(fake_content):
    persian, english = producer(preferred_language="fa"), producer(preferred_language="en")
    services.preference_update(user=english, frequency="weekly", language="en")
    for user in (persian, english):
        fake_content.items[user.pk] = 1
    run()
    by_address = {message.to[0]: message for message in mail.outbox}
    fa_html = by_address[persian.email].alternatives[0][0]
    en_html = by_address[english.email].alternatives[0][0]
    assert 'lang="fa" dir="rtl"' in fa_html and 'lang="en" dir="ltr"' in en_html
    assert header(by_address[persian.email], "Content-Language") == "fa"
    assert header(by_address[english.email], "Content-Language") == "en"


# --- Crashes ----------------------------------------------------------------------------------


def test_a_crash_between_claim_and_send_is_recovered_by_the_next_run_exactly_once(fake_content, monkeypatch):
    user, other = producer(), producer()
    fake_content.items.update({user.pk: 1, other.pk: 1})

    def died(*args, **kwargs):
        raise ProcessDied

    with monkeypatch.context() as patch:  # the process dies after claiming, before any send
        patch.setattr(delivery, "deliver_batch", died)
        with pytest.raises(ProcessDied):
            run()
    assert mail.outbox == [] and {r.status for r in rows()} == {DeliveryStatus.CLAIMED}

    # Within the lease the rows are someone's: nothing is sent twice, nothing claimed again.
    claims_aged(5)
    within = run(now=NOW)
    assert (within.claimed, within.sent, within.skipped) == (0, 0, 2) and mail.outbox == []

    claims_aged(20)
    recovered = run(now=NOW + timedelta(minutes=1))
    assert (recovered.recovered, recovered.sent) == (2, 2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([user.email, other.email])
    assert {r.status for r in rows()} == {DeliveryStatus.SENT}

    again = run(now=NOW + timedelta(hours=1))
    assert again.sent == 0 and len(mail.outbox) == 2


def test_a_send_that_fails_once_goes_out_once_on_the_retry(fake_content, worker_retries, monkeypatch):
    user = producer()
    fake_content.items[user.pk] = 1
    real_send = LocmemBackend.send_messages
    failures = iter([smtplib.SMTPServerDisconnected("connection lost")])

    def flaky(self, messages):
        error = next(failures, None)
        if error is not None:
            raise error
        return real_send(self, messages)

    monkeypatch.setattr(LocmemBackend, "send_messages", flaky)
    counts = run()
    assert counts.failed == 1  # this run's attempt; the retry task (in process here) sent it
    (message,) = mail.outbox
    (row,) = rows(user=user)
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 2)
    assert "connection lost" in row.error
    assert run(now=NOW + timedelta(hours=1)).sent == 0 and len(mail.outbox) == 1


def test_a_crash_after_the_send_before_the_mark_resends_the_same_message(fake_content, monkeypatch):
    user = producer()
    fake_content.items[user.pk] = 1
    with monkeypatch.context() as patch:
        patch.setattr(delivery, "_mark_sent", lambda *args, **kwargs: (_ for _ in ()).throw(ProcessDied()))
        with pytest.raises(ProcessDied):
            run()
    (first,) = mail.outbox  # the mail server has it; the row was not marked
    (row,) = rows(user=user)
    assert row.status == DeliveryStatus.CLAIMED

    claims_aged(20)
    assert run(now=NOW + timedelta(minutes=1)).sent == 1
    assert len(mail.outbox) == 2
    second = mail.outbox[1]
    assert header(second, "Message-ID") == header(first, "Message-ID") == mail_id(row)
    assert second.subject == first.subject and second.body == first.body
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT

    claims_aged(60)
    assert run(now=NOW + timedelta(hours=2)).sent == 0 and len(mail.outbox) == 2


def mail_id(row) -> str:
    from digests.mail import message_id

    return message_id(row)


def test_a_row_marked_sent_is_never_sent_again(fake_content):
    user = producer()
    fake_content.items[user.pk] = 1
    run()
    (row,) = rows(user=user)
    assert delivery.deliver_one(row.pk) == DeliveryStatus.SENT
    assert delivery.deliver_batch([row.pk]).skipped == 1
    tasks.send_digest_delivery.delay(row.pk)
    DigestDelivery.objects.update(claimed_at=NOW - timedelta(days=1))
    assert delivery.reclaim_stale(now=NOW) == []
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_row_being_sent_is_left_alone_by_a_concurrent_run(fake_content, using_postgres, monkeypatch):
    """Two runs at once (a slow send, its lease past): the row lock makes the second skip it."""
    if not using_postgres:
        pytest.skip("row locks (SELECT ... FOR UPDATE SKIP LOCKED) need PostgreSQL")
    user = producer()
    fake_content.items[user.pk] = 1
    ids, _counts = delivery.claim_run(frequency="weekly", now=NOW)
    claims_aged(20)
    entered, release = threading.Event(), threading.Event()
    real_send = LocmemBackend.send_messages

    def slow(self, messages):
        entered.set()
        release.wait(10)
        return real_send(self, messages)

    monkeypatch.setattr(LocmemBackend, "send_messages", slow)
    outcome = {}

    def first_run():
        try:
            outcome["first"] = delivery.deliver_batch(ids)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_run)
    thread.start()
    try:
        assert entered.wait(10)
        assert delivery.reclaim_stale(now=NOW) == []  # locked: someone is sending it
        second = delivery.deliver_batch(ids)
    finally:
        release.set()
        thread.join(10)
    assert (second.sent, second.skipped) == (0, 1)
    assert outcome["first"].sent == 1 and len(mail.outbox) == 1
    assert rows()[0].status == DeliveryStatus.SENT


def test_two_runs_claiming_at_once_claim_each_user_once(fake_content, monkeypatch):
    users = [producer() for _ in range(3)]
    for user in users:
        fake_content.items[user.pk] = 1
    # The second run read the due users before the first claimed them (a race).
    stale_view = list(delivery.due_users("weekly", NOW))
    first = run()
    monkeypatch.setattr(delivery, "due_users", lambda frequency, now: _as_qs(stale_view))
    second_ids, second = delivery.claim_due(frequency="weekly", now=NOW)
    assert first.claimed == 3 and second_ids == [] and second.claimed == 0
    assert DigestDelivery.objects.count() == 3 and len(mail.outbox) == 3


def test_claims_one_row_at_a_time_where_the_database_cannot_return_inserted_rows(fake_content, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    users = [producer() for _ in range(3)]
    delivery.claim(user_id=users[0].pk, frequency="weekly", period="2026-W49", since=NOW, until=NOW)
    ids, counts = delivery.claim_due(frequency="weekly", now=NOW)
    assert (counts.claimed, counts.skipped, len(ids)) == (2, 1, 2)
    assert set(DigestDelivery.objects.filter(pk__in=ids).values_list("user_id", flat=True)) == {
        users[1].pk,
        users[2].pk,
    }


def test_an_account_closed_after_the_claim_gets_nothing(fake_content):
    user = producer()
    fake_content.items[user.pk] = 1
    ids, _counts = delivery.claim_run(frequency="weekly", now=NOW)
    type(user).objects.filter(pk=user.pk).update(email="")
    assert delivery.deliver_batch(ids).failed == 1
    assert mail.outbox == [] and rows()[0].status == DeliveryStatus.FAILED


def _as_qs(users):
    from accounts.models import User

    return User.objects.filter(pk__in=[u.pk for u in users])


# --- SMTP failures ----------------------------------------------------------------------------


def test_an_smtp_failure_is_retried_then_recorded_while_another_users_digest_goes_out(
    fake_content, worker_retries, monkeypatch
):
    unlucky = producer(email="unlucky@tabriz.example")
    lucky = producer(email="lucky@tabriz.example")
    fake_content.items.update({unlucky.pk: 2, lucky.pk: 2})
    real_send = LocmemBackend.send_messages
    attempts = []

    def refuse_unlucky(self, messages):
        if messages[0].to == ["unlucky@tabriz.example"]:
            attempts.append(1)
            raise smtplib.SMTPRecipientsRefused({"unlucky@tabriz.example": (550, b"mailbox unavailable")})
        return real_send(self, messages)

    monkeypatch.setattr(LocmemBackend, "send_messages", refuse_unlucky)
    counts = run()

    assert [m.to for m in mail.outbox] == [["lucky@tabriz.example"]]
    failed = DigestDelivery.objects.get(user=unlucky)
    assert failed.status == DeliveryStatus.FAILED
    assert "SMTPRecipientsRefused" in failed.error and "mailbox unavailable" in failed.error
    # The batch's attempt, then the retry task's first run and its retries.
    assert failed.attempts == len(attempts) == settings.DIGEST_SEND_RETRIES + 1
    assert DigestDelivery.objects.get(user=lucky).status == DeliveryStatus.SENT
    assert (counts.sent, counts.failed) == (1, 1)
    # Failed is final for the period: no further run sends it.
    DigestDelivery.objects.update(claimed_at=NOW - timedelta(hours=1))
    assert run(now=NOW + timedelta(hours=1)).sent == 0


def test_the_retry_task_backs_off_and_marks_failed_after_the_last_retry(
    fake_content, worker_retries, monkeypatch
):
    task = tasks.send_digest_delivery
    assert task.max_retries == settings.DIGEST_SEND_RETRIES
    assert set(task.autoretry_for) == {smtplib.SMTPException, OSError}
    assert task.retry_backoff == settings.DIGEST_RETRY_BACKOFF and task.retry_jitter
    assert task.retry_backoff_max == settings.DIGEST_RETRY_BACKOFF_MAX
    assert settings.DIGEST_RETRY_BACKOFF_MAX < settings.DIGEST_CLAIM_LEASE_MINUTES * 60

    user = producer()
    fake_content.items[user.pk] = 1
    row = delivery.claim(user_id=user.pk, frequency="weekly", period="2026-W49", since=NOW, until=NOW)

    def down(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(LocmemBackend, "send_messages", down)
    result = task.delay(row.pk)  # in process: every retry at once
    assert result.state == "FAILURE" and isinstance(result.result, ConnectionRefusedError)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and "Connection refused" in row.error
    assert row.attempts == settings.DIGEST_SEND_RETRIES + 1


def test_a_template_error_fails_that_row_alone_without_retries(fake_content, monkeypatch):
    from digests import mail as digest_mail

    broken, fine = producer(), producer()
    fake_content.items.update({broken.pk: 1, fine.pk: 1})
    real_compose = digest_mail.compose

    def compose(*, delivery, user, digest, connection=None):
        if user == broken:
            raise KeyError("no such variable")
        return real_compose(delivery=delivery, user=user, digest=digest, connection=connection)

    monkeypatch.setattr(digest_mail, "compose", compose)
    counts = run()
    assert (counts.sent, counts.failed) == (1, 1)
    assert [m.to for m in mail.outbox] == [[fine.email]]
    row = DigestDelivery.objects.get(user=broken)
    assert row.status == DeliveryStatus.FAILED and "KeyError" in row.error and row.attempts == 0


def test_a_builder_failure_for_a_batch_falls_back_to_one_user_at_a_time(fake_content, monkeypatch):
    users = [producer() for _ in range(3)]
    for user in users:
        fake_content.items[user.pk] = 1

    def batch_fails(users, *, since, until, **options):
        raise RuntimeError("batch query failed")

    def one_fails(user, *, since, until):
        if user == users[0]:
            raise RuntimeError("this user's data is broken")
        return fake_content.digest(user, since, until)

    monkeypatch.setattr(builders, "build_digests", batch_fails)
    monkeypatch.setattr(builders, "build_digest", one_fails)
    counts = run()
    assert (counts.sent, counts.failed) == (2, 1)
    assert DigestDelivery.objects.get(user=users[0]).status == DeliveryStatus.FAILED


# --- Tasks, schedule, command -----------------------------------------------------------------


def test_the_periodic_task_claims_and_sends_in_batches(fake_content, settings):
    settings.DIGEST_BATCH_SIZE = 2
    users = [UserFactory(role="counsellor") for _ in range(5)]
    for user in users[:4]:
        fake_content.items[user.pk] = 1
    result = tasks.send_due_digests.delay("daily").get()
    assert (result["claimed"], result["batches"]) == (5, 3)
    assert len(mail.outbox) == 4
    assert sorted(DigestDelivery.objects.values_list("status", flat=True)) == ["empty"] + ["sent"] * 4
    assert tasks.send_due_digests.delay("daily").get()["claimed"] == 0
    assert len(mail.outbox) == 4


def test_the_periodic_task_runs_once_per_frequency_at_a_time(fake_content):
    from portal.locks import cache_lock

    UserFactory(role="counsellor")
    producer()
    with cache_lock("digests.send_due_digests.daily") as held:
        assert held
        assert tasks.send_due_digests.delay("daily").get() is None
        assert tasks.send_due_digests.delay("weekly").get()["claimed"] == 1  # its own lock
    assert tasks.send_due_digests.delay("daily").get()["claimed"] == 1
    with pytest.raises(ValueError):
        tasks.send_due_digests.delay("off")


def test_the_recovery_task_sends_rows_left_claimed(fake_content):
    user = producer()
    fake_content.items[user.pk] = 1
    delivery.claim_run(frequency="weekly", now=NOW)  # and then the worker died
    assert tasks.recover_stale_deliveries.delay().get() == 0  # still within its lease
    DigestDelivery.objects.update(claimed_at=F("claimed_at") - timedelta(minutes=20))
    assert tasks.recover_stale_deliveries.delay().get() == 1
    assert len(mail.outbox) == 1 and rows()[0].status == DeliveryStatus.SENT


def test_the_beat_schedule_sends_at_the_configured_local_hour():
    schedule = settings.CELERY_BEAT_SCHEDULE
    daily, weekly = schedule["digests-daily"], schedule["digests-weekly"]
    assert daily["task"] == weekly["task"] == "digests.tasks.send_due_digests"
    assert (daily["args"], weekly["args"]) == (("daily",), ("weekly",))
    assert daily["schedule"] == crontab(hour=settings.DIGEST_SEND_HOUR, minute=settings.DIGEST_SEND_MINUTE)
    assert settings.DIGEST_SEND_HOUR == 7 and settings.DIGEST_WEEKLY_DAY == "saturday"
    assert weekly["schedule"].day_of_week == {6}  # Saturday, the start of the Iranian week
    assert weekly["schedule"].hour == {7}
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE
    assert schedule["digests-recover-stale"]["task"] == "digests.tasks.recover_stale_deliveries"


@pytest.mark.django_db(transaction=True)
def test_beat_installs_the_digest_entries_in_local_time():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from portal.celery import app

    DatabaseScheduler(app=app)
    weekly = PeriodicTask.objects.get(name="digests-weekly")
    assert weekly.task == "digests.tasks.send_due_digests" and weekly.args == '["weekly"]'
    schedule = weekly.crontab
    assert (schedule.minute, schedule.hour) == ("0", "7")
    assert schedule.schedule.day_of_week == {6}  # "saturday", as the scheduler reads it back
    assert str(schedule.timezone) == settings.TIME_ZONE
    daily = PeriodicTask.objects.get(name="digests-daily").crontab
    assert (daily.hour, daily.day_of_week) == ("7", "*")


def call(*args) -> str:
    out = StringIO()
    call_command("send_digests", *args, stdout=out)
    return out.getvalue()


def test_the_command_sends_what_is_due_and_twice_sends_nothing_twice(fake_content):
    sent_to, quiet = UserFactory(role="counsellor"), UserFactory(role="counsellor")
    fake_content.items[sent_to.pk] = 4
    producer()  # weekly: not in a daily run
    first = call("--period", "daily")
    assert "Claimed: 2 (0 left claimed by an earlier run)" in first
    assert "Sent: 1" in first and "Empty (nothing new, no email): 1" in first and "Failed: 0" in first
    second = call("--period", "daily")
    assert "Claimed: 0" in second and "Sent: 0" in second and "Skipped" in second and ": 2" in second
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [sent_to.email]
    assert DigestDelivery.objects.filter(user=quiet, status=DeliveryStatus.EMPTY).exists()


def test_the_command_wants_a_period():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call("--period", "monthly")
    with pytest.raises(CommandError):
        call()


def test_an_unsubscribed_user_is_not_sent_anything(fake_content):
    user = producer()
    fake_content.items[user.pk] = 1
    services.unsubscribe(user=user)
    assert run().claimed == 0 and mail.outbox == []
    assert DigestPreference.objects.get(user=user).frequency == Frequency.OFF


# --- Real content, end to end -----------------------------------------------------------------


def test_real_content_end_to_end_for_a_producer_with_a_new_lead():
    from matchmaking import lifecycle
    from tests.digests.conftest import make_counsellor, make_match

    counsellor = make_counsellor()
    match = lifecycle.match_forward(match=make_match(counsellor=counsellor), actor=counsellor)
    owner = match.producer.owner
    owner.preferred_language = "en"
    owner.save(update_fields=["preferred_language"])
    mail.outbox.clear()  # the forward's own notifications

    from django.utils import timezone

    counts = delivery.send_due(frequency="weekly", now=timezone.now() + timedelta(seconds=1))
    producer_mail = [m for m in mail.outbox if m.to == [owner.email]]
    (message,) = producer_mail
    assert match.buyer.company_name in message.body
    match_url = settings.PORTAL_BASE_URL + reverse("matchmaking:match_detail", args=[match.pk])
    assert match_url in message.alternatives[0][0]
    assert header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    row = DigestDelivery.objects.get(user=owner)
    assert row.status == DeliveryStatus.SENT and row.items >= 1
    assert counts.sent >= 1
    # Parsed back as a receiving server would.
    parsed = message_from_bytes(message.message().as_bytes())
    assert parsed["Message-ID"] == mail_id(row)
