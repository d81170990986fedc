"""Match emails (matchmaking.notifications): who gets which, in their own language, with
contacts only where the recipient may see them, absolute links, and each sent once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from matchmaking import lifecycle, notifications, services
from matchmaking.models import Match, MatchNotice, MatchStatus
from portal.bidi import isolate
from tests.factories import UserFactory

from .conftest import make_buyer, make_producer
from .lifecycle_support import make_counsellor

pytestmark = pytest.mark.django_db

PRODUCER_CONTACTS = (
    "Reza Ahmadi",
    "sales@azar-cooling.example.com",
    "+98 41 3444 5566",
    "https://azar-cooling.example.com",
)
BUYER_CONTACTS = (
    "Omar Haddad",
    "purchasing@baghdad-cold.example.com",
    "+964 770 123 4567",
    "https://baghdad-cold.example.com",
)


@pytest.fixture
def desk():
    return make_counsellor(
        "IQ", full_name="Sara Karimi", email="sara.karimi@mission.example.com", preferred_language="en"
    )


@pytest.fixture
def match(desk):
    producer = make_producer(
        ("841810",),
        markets=["IQ"],
        name="Azar Cooling",
        contact_name=PRODUCER_CONTACTS[0],
        email=PRODUCER_CONTACTS[1],
        phone=PRODUCER_CONTACTS[2],
        website=PRODUCER_CONTACTS[3],
        owner=UserFactory(role="producer", preferred_language="en", email="owner@azar.example.com"),
    )
    buyer = make_buyer(
        ("8418",),
        country="IQ",
        company_name="Baghdad Cold Chain",
        contact_name=BUYER_CONTACTS[0],
        email=BUYER_CONTACTS[1],
        phone=BUYER_CONTACTS[2],
        website=BUYER_CONTACTS[3],
        owner=UserFactory(role="buyer", preferred_language="fa", email="owner@baghdad.example.com"),
    )
    services.rematch_all()
    match = Match.objects.get(producer=producer, buyer=buyer)
    assert match.counsellor == desk
    return match


def html_of(message) -> str:
    (content, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return content


def to(outbox, email: str):
    sent = [message for message in outbox if message.to == [email]]
    assert len(sent) == 1, [m.to for m in outbox]
    return sent[0]


def absolute(match: Match) -> str:
    return settings.PORTAL_BASE_URL + reverse("matchmaking:match_detail", args=[match.pk])


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


# --- Forwarded ---------------------------------------------------------------------------


def test_forwarding_emails_both_sides_each_in_their_language(match, desk, mailoutbox, on_commit):
    on_commit(lifecycle.match_forward, match=match, actor=desk, note="A strong fit for their summer demand.")
    assert len(mailoutbox) == 2

    producer_mail = to(mailoutbox, "owner@azar.example.com")
    assert producer_mail.subject.startswith("[Export Bridge] ")
    assert "Baghdad Cold Chain" in producer_mail.subject
    html = html_of(producer_mail)
    assert '<html lang="en" dir="ltr">' in html
    assert "forwarded it to you" in producer_mail.body
    for text in (producer_mail.body, html):
        assert "Baghdad Cold Chain" in text
        assert "A strong fit for their summer demand." in text
        assert absolute(match) in text
        for contact in BUYER_CONTACTS:
            assert contact in text

    buyer_mail = to(mailoutbox, "owner@baghdad.example.com")
    html = html_of(buyer_mail)
    assert '<html lang="fa" dir="rtl">' in html
    assert "Azar Cooling" in buyer_mail.subject
    for text in (buyer_mail.body, html):
        assert absolute(match) in text
        for contact in PRODUCER_CONTACTS:
            assert contact in text


def test_links_are_absolute(match, desk, mailoutbox, on_commit):
    on_commit(lifecycle.match_forward, match=match, actor=desk)
    for message in mailoutbox:
        assert 'href="/' not in html_of(message)
        assert f'href="{absolute(match)}"' in html_of(message)


def test_a_task_run_again_for_the_same_forward_sends_nothing_twice(match, desk, mailoutbox, on_commit):
    on_commit(lifecycle.match_forward, match=match, actor=desk)
    assert len(mailoutbox) == 2
    assert notifications.match_forwarded(match.pk) == 0  # the outbox sent the task again
    assert len(mailoutbox) == 2
    assert MatchNotice.objects.filter(event__match=match, kind="forwarded").count() == 2


def test_a_retry_after_a_failure_for_one_recipient_sends_only_the_missing_email(
    match, desk, mailoutbox, monkeypatch
):
    lifecycle.match_forward(match=match, actor=desk)
    real_send = notifications._send

    def mail_server_down_for_the_buyer(kind, user, match, **extra):
        if user == match.buyer.owner:
            raise OSError("connection refused")
        real_send(kind, user, match, **extra)

    with monkeypatch.context() as patch:
        patch.setattr(notifications, "_send", mail_server_down_for_the_buyer)
        with pytest.raises(OSError):
            notifications.match_forwarded(match.pk)
    assert [message.to for message in mailoutbox] == [["owner@azar.example.com"]]
    assert notifications.match_forwarded(match.pk) == 1  # the task's retry
    assert sorted(message.to[0] for message in mailoutbox) == [
        "owner@azar.example.com",
        "owner@baghdad.example.com",
    ]


# --- Introduction (both accepted) --------------------------------------------------------


def test_the_introduction_gives_each_side_the_others_contacts_and_the_counsellors_note(
    match, desk, mailoutbox, on_commit
):
    on_commit(lifecycle.match_forward, match=match, actor=desk, note="They buy 5,000 units a year.")
    on_commit(
        lifecycle.match_respond, match=match, actor=match.producer.owner, decision="accept", note="Ready"
    )
    mailoutbox.clear()
    on_commit(lifecycle.match_respond, match=match, actor=match.buyer.owner, decision="accept")
    assert len(mailoutbox) == 2

    producer_mail = to(mailoutbox, "owner@azar.example.com")
    assert f"You are connected with {isolate('Baghdad Cold Chain')}" in producer_mail.subject
    assert '<html lang="en" dir="ltr">' in html_of(producer_mail)
    for text in (producer_mail.body, html_of(producer_mail)):
        assert "They buy 5,000 units a year." in text
        assert "Sara Karimi" in text
        for contact in BUYER_CONTACTS:
            assert contact in text
        assert PRODUCER_CONTACTS[1] not in text  # its own contacts are not the point

    buyer_mail = to(mailoutbox, "owner@baghdad.example.com")
    assert '<html lang="fa" dir="rtl">' in html_of(buyer_mail)
    for text in (buyer_mail.body, html_of(buyer_mail)):
        assert "They buy 5,000 units a year." in text
        assert "Ready" in text  # the producer's note
        for contact in PRODUCER_CONTACTS:
            assert contact in text


# --- Declined ----------------------------------------------------------------------------


def test_a_decline_tells_the_counsellor_only(match, desk, mailoutbox, on_commit):
    on_commit(lifecycle.match_forward, match=match, actor=desk)
    mailoutbox.clear()
    on_commit(
        lifecycle.match_respond,
        match=match,
        actor=match.buyer.owner,
        decision="decline",
        note="Prices too high",
    )
    assert [message.to for message in mailoutbox] == [["sara.karimi@mission.example.com"]]
    message = mailoutbox[0]
    assert f"Match declined: {isolate('Azar Cooling')} and {isolate('Baghdad Cold Chain')}" in message.subject
    assert '<html lang="en" dir="ltr">' in html_of(message)
    assert (
        f"The buyer {isolate('Baghdad Cold Chain')} declined the match with {isolate('Azar Cooling')}"
        in message.body
    )
    for text in (message.body, html_of(message)):
        assert "Baghdad Cold Chain" in text
        assert "Prices too high" in text
        assert absolute(match) in text


# --- Introduction requested --------------------------------------------------------------


@pytest.fixture
def requester():
    return make_buyer(
        ("8418",),
        country="IQ",
        company_name="Basra Appliances",
        email="import@basra.example.com",
        owner=UserFactory(role="buyer", preferred_language="en"),
    )


def test_a_request_goes_to_the_counsellor_for_the_buyers_country(desk, requester, mailoutbox, on_commit):
    producer = make_producer(("850110",), name="Tabriz Motors", markets=["AM"])
    match = on_commit(
        lifecycle.request_introduction,
        actor=requester.owner,
        producer=producer,
        message="We need 300 motors by spring.",
    )
    assert match.counsellor == desk
    assert [message.to for message in mailoutbox] == [[desk.email]]
    message = mailoutbox[0]
    assert "Basra Appliances" in message.subject and "Tabriz Motors" in message.subject
    for text in (message.body, html_of(message)):
        assert "We need 300 motors by spring." in text
        assert "import@basra.example.com" in text  # counsellors see buyers' contacts
        assert absolute(match) in text


def test_a_request_no_counsellor_covers_goes_to_staff(requester, mailoutbox, on_commit):
    staff = [
        UserFactory(role="staff", preferred_language="fa", email="ops@portal.example.com"),
        UserFactory(role="staff", preferred_language="en", email="lead@portal.example.com"),
    ]
    UserFactory(role="staff", is_active=False, email="gone@portal.example.com")
    producer = make_producer(("850110",), name="Tabriz Motors")
    on_commit(lifecycle.request_introduction, actor=requester.owner, producer=producer)
    assert sorted(message.to[0] for message in mailoutbox) == sorted(user.email for user in staff)
    assert '<html lang="fa" dir="rtl">' in html_of(to(mailoutbox, "ops@portal.example.com"))
    english = to(mailoutbox, "lead@portal.example.com")
    assert '<html lang="en" dir="ltr">' in html_of(english)
    assert "shared pool" in english.body


# --- Nothing for a match in the wrong status ----------------------------------------------


def test_nothing_is_sent_for_a_match_in_the_wrong_status(match, desk, mailoutbox):
    assert notifications.match_forwarded(match.pk) == 0  # still proposed
    assert notifications.match_connected(match.pk) == 0
    assert notifications.match_declined(match.pk) == 0
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.FORWARDED)
    assert notifications.introduction_requested(match.pk) == 0
    assert notifications.match_connected(match.pk) == 0
    assert notifications.match_forwarded(999999) == 0
    assert mailoutbox == []


def test_contacts_stay_out_of_a_message_where_the_recipient_may_not_see_them(match, desk, mailoutbox):
    """A declined match no longer reveals contacts: the same template leaves them out."""
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.DECLINED)
    declined = notifications._load(match.pk)
    notifications._send("forwarded", declined.buyer.owner, declined, side="buyer")
    notifications._send("forwarded", declined.producer.owner, declined, side="producer")
    assert len(mailoutbox) == 2
    buyer_mail = to(mailoutbox, "owner@baghdad.example.com")
    producer_mail = to(mailoutbox, "owner@azar.example.com")
    for text in (buyer_mail.body, html_of(buyer_mail)):
        for contact in PRODUCER_CONTACTS:
            assert contact not in text
    for text in (producer_mail.body, html_of(producer_mail)):
        for contact in BUYER_CONTACTS:
            assert contact not in text


def test_inactive_users_get_nothing(match, desk, mailoutbox, on_commit):
    match.producer.owner.is_active = False
    match.producer.owner.save(update_fields=["is_active"])
    on_commit(lifecycle.match_forward, match=match, actor=desk)
    assert [message.to for message in mailoutbox] == [["owner@baghdad.example.com"]]


# --- Escalation and check-ins: once each -------------------------------------------------


def test_overdue_matches_are_escalated_to_staff_once(match, mailoutbox):
    staff = UserFactory(role="staff", preferred_language="en", email="lead@portal.example.com")
    Match.objects.filter(pk=match.pk).update(
        created_at=timezone.now() - timedelta(days=settings.MATCH_ESCALATION_DAYS + 1)
    )
    assert notifications.escalate_overdue() == 1
    message = to(mailoutbox, staff.email)
    assert "1 match has waited for review for over" in message.subject
    html = html_of(message)
    assert '<html lang="en" dir="ltr">' in html
    for text in (message.body, html):
        assert "Azar Cooling" in text and "Baghdad Cold Chain" in text
        assert "Sara Karimi" in text
        assert absolute(match) in text
        assert settings.PORTAL_BASE_URL + reverse("counsellors:queue") in text

    mailoutbox.clear()
    assert notifications.escalate_overdue() == 0
    assert mailoutbox == []


def test_a_recent_match_is_not_escalated(match, mailoutbox):
    UserFactory(role="staff")
    assert notifications.escalate_overdue() == 0
    assert mailoutbox == []


def test_outcome_checkins_go_to_both_sides_once(match, desk, mailoutbox, on_commit):
    on_commit(lifecycle.match_forward, match=match, actor=desk)
    on_commit(lifecycle.match_respond, match=match, actor=match.producer.owner, decision="accept")
    on_commit(lifecycle.match_respond, match=match, actor=match.buyer.owner, decision="accept")
    mailoutbox.clear()
    assert notifications.send_outcome_checkins() == 0  # connected just now
    Match.objects.filter(pk=match.pk).update(
        connected_at=timezone.now() - timedelta(days=settings.MATCH_CHECKIN_DAYS + 1)
    )
    assert notifications.send_outcome_checkins() == 1
    assert len(mailoutbox) == 2
    producer_mail = to(mailoutbox, "owner@azar.example.com")
    assert producer_mail.subject.endswith(f"How did it go with {isolate('Baghdad Cold Chain')}?")
    assert '<html lang="en" dir="ltr">' in html_of(producer_mail)
    for text in (producer_mail.body, html_of(producer_mail)):
        assert "sara.karimi@mission.example.com" in text
        assert absolute(match) in text
        assert BUYER_CONTACTS[1] in text
    assert '<html lang="fa" dir="rtl">' in html_of(to(mailoutbox, "owner@baghdad.example.com"))

    mailoutbox.clear()
    assert notifications.send_outcome_checkins() == 0
    assert mailoutbox == []
