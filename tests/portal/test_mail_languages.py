"""Every kind of email is written in its recipient's language (issue 15), whatever language the
request or task that sends it runs in, with the names of people and companies isolated.

The portal's own strings for Arabic, Russian and Turkish come with the catalogues being filled,
so these tests check what does not depend on them: `lang`/`dir` of the HTML part, strings
Django, allauth or django-countries translate (month and country names, allauth's subjects),
the reader's digits, and FSI…PDI (text) or <bdi> (HTML) around a Latin name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django_countries import countries

from catalogue.invitations import send_producer_invitation
from digests import delivery
from matchmaking import lifecycle, notifications, services
from matchmaking.models import Match
from portal.bidi import isolate
from portal.formatting import format_date, format_number
from tests.factories import UserFactory
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor

pytestmark = pytest.mark.django_db

LANGUAGES = ["ar", "ru"]
DIRECTION = {"ar": "rtl", "ru": "ltr", "fa": "rtl", "en": "ltr", "tr": "ltr"}
PRODUCER = "Azar Cooling"
BUYER = "Baghdad Cold Chain"


def html_of(message) -> str:
    (content, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return content


def sent_to(email: str):
    sent = [message for message in mail.outbox if message.to == [email]]
    assert len(sent) == 1, [m.to for m in mail.outbox]
    return sent[0]


def assert_in_language(message, language: str) -> None:
    assert f'<html lang="{language}" dir="{DIRECTION[language]}">' in html_of(message)


def country(code: str, language: str) -> str:
    with translation.override(language):
        return str(countries.name(code))


@pytest.fixture
def in_persian():
    """The sending request or task runs in Persian: the mail must not follow it."""
    with translation.override("fa"):
        yield


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def parties(producer_language: str, buyer_language: str, counsellor_language: str = "en"):
    desk = make_counsellor("IQ", email="desk@mission.example.com", preferred_language=counsellor_language)
    producer = make_producer(
        ("841810",),
        markets=["IQ"],
        name=PRODUCER,
        owner=UserFactory(role="producer", preferred_language=producer_language, email="p@azar.example.com"),
    )
    buyer = make_buyer(
        ("8418",),
        country="IQ",
        company_name=BUYER,
        owner=UserFactory(role="buyer", preferred_language=buyer_language, email="b@baghdad.example.com"),
    )
    services.rematch_all()
    return desk, Match.objects.get(producer=producer, buyer=buyer)


# --- allauth: the sign-up confirmation and the password reset ----------------------------------

ALLAUTH_SUBJECTS = {
    # allauth's own catalogues.
    "ar": ("أكد عنوان البريد الإلكتروني", "رسالة إعادة ضبط كلمة المرور"),
    "ru": ("Пожалуйста, подтвердите Ваш адрес электронной почты", "Письмо для сброса пароля"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sign_up_confirmation_is_in_the_chosen_language_with_the_name_isolated(client, language):
    password = "Tabriz-machines-1405!"
    client.post(
        reverse("account_signup"),
        {
            "full_name": "John Smith",
            "email": "john@example.com",
            "role": "buyer",
            "preferred_language": language,
            "password1": password,
            "password2": password,
        },
    )
    (message,) = mail.outbox
    assert ALLAUTH_SUBJECTS[language][0] in message.subject
    assert isolate("John Smith") in message.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_password_reset_is_in_the_users_language_not_the_pages(client, language):
    user = UserFactory(role="buyer", preferred_language=language, email="reset@example.com")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    client.post(reverse("account_reset_password"), {"email": user.email})
    (message,) = mail.outbox
    assert ALLAUTH_SUBJECTS[language][1] in message.subject


# --- The producer invitation (catalogue.imports) -----------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_producer_invitation_is_in_the_producers_language(language, in_persian):
    user = UserFactory(role="producer", preferred_language=language, full_name="Ali Rezaei")
    make_producer(("841810",), name=PRODUCER, owner=user)
    send_producer_invitation(user=user, base_url="https://portal.example.com")
    message = sent_to(user.email)
    assert_in_language(message, language)
    assert isolate(PRODUCER) in message.subject
    assert isolate(PRODUCER) in message.body and isolate("Ali Rezaei") in message.body
    html = html_of(message)
    assert f"<bdi>{PRODUCER}</bdi>" in html and "<bdi>Ali Rezaei</bdi>" in html
    days = format_number(max(1, settings.PASSWORD_RESET_TIMEOUT // 86400), language=language)
    assert days in message.body


# --- Matches: forwarded, introduced, declined, requested, escalated, checked in ----------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_forwarded_match_reaches_each_side_in_its_language(language, on_commit, in_persian):
    desk, match = parties(producer_language=language, buyer_language="ar")
    on_commit(lifecycle.match_forward, match=match, actor=desk)
    producer_mail = sent_to("p@azar.example.com")
    assert_in_language(producer_mail, language)
    # "New lead from a trade counsellor: Baghdad Cold Chain (Iraq)", Iraq in the reader's language.
    assert country("IQ", language) in producer_mail.subject
    assert isolate(BUYER) in producer_mail.subject and isolate(BUYER) in producer_mail.body
    assert f"<bdi>{BUYER}</bdi>" in html_of(producer_mail)

    buyer_mail = sent_to("b@baghdad.example.com")
    assert_in_language(buyer_mail, "ar")
    assert isolate(PRODUCER) in buyer_mail.body and f"<bdi>{PRODUCER}</bdi>" in html_of(buyer_mail)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_introduction_and_the_checkin_are_in_each_sides_language(language, on_commit, in_persian):
    desk, match = parties(producer_language="en", buyer_language=language)
    on_commit(lifecycle.match_forward, match=match, actor=desk)
    on_commit(lifecycle.match_respond, match=match, actor=match.producer.owner, decision="accept")
    mail.outbox.clear()
    on_commit(lifecycle.match_respond, match=match, actor=match.buyer.owner, decision="accept")
    introduction = sent_to("b@baghdad.example.com")
    assert_in_language(introduction, language)
    assert isolate(PRODUCER) in introduction.subject
    assert_in_language(sent_to("p@azar.example.com"), "en")

    mail.outbox.clear()
    connected_at = timezone.now() - timedelta(days=settings.MATCH_CHECKIN_DAYS + 1)
    Match.objects.filter(pk=match.pk).update(connected_at=connected_at)
    assert notifications.send_outcome_checkins() == 1
    checkin = sent_to("b@baghdad.example.com")
    assert_in_language(checkin, language)
    # The date of the connection in the reader's calendar, month names and digits.
    shown = format_date(connected_at, language=language)
    assert shown in checkin.body and shown in html_of(checkin)
    assert isolate(PRODUCER) in checkin.subject


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_counsellors_notices_are_in_the_counsellors_language(language, on_commit, in_persian):
    desk, match = parties(producer_language="fa", buyer_language="en", counsellor_language=language)
    on_commit(lifecycle.match_forward, match=match, actor=desk)
    mail.outbox.clear()
    on_commit(lifecycle.match_respond, match=match, actor=match.buyer.owner, decision="decline", note="No")
    declined = sent_to(desk.email)
    assert_in_language(declined, language)
    assert isolate(PRODUCER) in declined.subject and isolate(BUYER) in declined.subject

    mail.outbox.clear()
    requester = make_buyer(
        ("8418",), country="IQ", company_name="Basra Appliances", owner=UserFactory(role="buyer")
    )
    on_commit(lifecycle.request_introduction, actor=requester.owner, producer=match.producer)
    requested = sent_to(desk.email)
    assert_in_language(requested, language)
    assert country("IQ", language) in requested.subject
    assert isolate("Basra Appliances") in requested.subject
    assert "<bdi>Basra Appliances</bdi>" in html_of(requested)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_escalation_is_in_each_staff_members_language(language, in_persian):
    _desk, match = parties(producer_language="fa", buyer_language="fa")
    staff = UserFactory(role="staff", preferred_language=language, email="lead@portal.example.com")
    Match.objects.filter(pk=match.pk).update(
        created_at=timezone.now() - timedelta(days=settings.MATCH_ESCALATION_DAYS + 1)
    )
    assert notifications.escalate_overdue() == 1
    message = sent_to(staff.email)
    assert_in_language(message, language)
    assert isolate(PRODUCER) in message.body and f"<bdi>{BUYER}</bdi>" in html_of(message)
    created = Match.objects.get(pk=match.pk).created_at
    assert format_date(created, language=language) in message.body


# --- Digests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_digest_is_in_the_readers_language(language, in_persian):
    desk, match = parties(producer_language=language, buyer_language="fa")
    lifecycle.match_forward(match=match, actor=desk)
    mail.outbox.clear()
    now = timezone.now() + timedelta(seconds=1)
    delivery.send_due(frequency="weekly", now=now)
    message = sent_to("p@azar.example.com")
    assert_in_language(message, language)
    assert message.extra_headers["Content-Language"] == language
    assert isolate(BUYER) in message.body
    # The period's last day, in the reader's month names and digits.
    assert format_date(timezone.localtime(now).date(), language=language) in message.subject
