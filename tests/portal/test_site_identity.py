"""Emails name the site from the settings (PORTAL_SITE_NAME, the host of PORTAL_BASE_URL),
never the sites framework's default "example.com" ("Hello from example.com!").

Every address here is outside example.com, so any "example.com" in a mail is the site's.
tests/conftest.py also checks every mail that any test sends for the site default."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.sites.models import Site
from django.core.management.sql import emit_post_migrate_signal
from django.urls import reverse
from django.utils import timezone

from catalogue.invitations import send_producer_invitation
from digests import delivery
from matchmaking import lifecycle, services
from matchmaking.models import Match
from tests.factories import UserFactory
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor
from tests.portal.test_settings import ROOT, clean_env

pytestmark = pytest.mark.django_db

PASSWORD = "Tabriz-machines-1405!"
NAMES = {"en": "Export Bridge", "fa": "پل صادرات"}
GREETINGS = {"en": "Hello from Export Bridge!", "fa": "پل صادرات"}


def texts(message) -> list[str]:
    return [message.subject, message.body, *(content for content, _ in getattr(message, "alternatives", []))]


def assert_no_example_com(outbox) -> None:
    assert outbox, "no mail was sent"
    for message in outbox:
        for text in texts(message):
            assert "example.com" not in text, (message.subject, text)


def sign_up(client, email: str, language: str):
    data = {
        "full_name": "Reza Ahmadi",
        "email": email,
        "role": "producer",
        "preferred_language": language,
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return client.post(reverse("account_signup"), data)


# --- The site row -----------------------------------------------------------------------


def test_the_current_site_is_the_one_the_settings_name(settings):
    site = Site.objects.get_current()
    assert (site.name, site.domain) == (settings.PORTAL_SITE_NAME, settings.PORTAL_SITE_DOMAIN)
    assert settings.PORTAL_SITE_DOMAIN == "127.0.0.1:8000"  # the host of PORTAL_BASE_URL
    assert "example.com" not in (site.name, site.domain)


def test_migrate_writes_the_site_from_the_settings_even_after_a_flush(settings):
    Site.objects.all().delete()  # what a flush leaves; post_migrate recreates "example.com"
    Site.objects.clear_cache()
    settings.PORTAL_SITE_NAME = "Tabriz Export Bridge"
    settings.PORTAL_SITE_DOMAIN = "bridge.exportbridge.test"
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert list(Site.objects.values_list("pk", "name", "domain")) == [
        (settings.SITE_ID, "Tabriz Export Bridge", "bridge.exportbridge.test")
    ]
    assert Site.objects.get_current().name == "Tabriz Export Bridge"


def test_the_domain_is_the_host_of_the_base_url():
    probe = (
        "import django; from django.conf import settings; django.setup(); print(settings.PORTAL_SITE_DOMAIN)"
    )
    env = clean_env(PORTAL_BASE_URL="https://bridge.exportbridge.test/")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "bridge.exportbridge.test"


# --- Every email: allauth's, invitations, match emails, digests ----------------------------


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_verification_email_names_the_site(client, mailoutbox, settings, language):
    assert sign_up(client, "reza@azar.exportbridge.test", language).status_code == 302
    assert_no_example_com(mailoutbox)
    (message,) = mailoutbox
    assert message.subject.startswith(f"[{NAMES[language]}] ")
    assert GREETINGS[language] in message.body
    assert settings.PORTAL_SITE_DOMAIN in message.body


@pytest.mark.parametrize("language", ["en", "fa"])
def test_password_reset_emails_name_the_site(client, mailoutbox, settings, language):
    UserFactory(role="buyer", email="omar@baghdad.exportbridge.test", preferred_language=language)
    client.post(reverse("account_reset_password"), {"email": "omar@baghdad.exportbridge.test"})
    # An unknown address gets a mail too (it says there is no account), in the page's language.
    client.cookies["django_language"] = language
    client.post(reverse("account_reset_password"), {"email": "nobody@nowhere.exportbridge.test"})
    assert_no_example_com(mailoutbox)
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert message.subject.startswith(f"[{NAMES[language]}] ")
        assert GREETINGS[language] in message.body and settings.PORTAL_SITE_DOMAIN in message.body


def test_signing_up_again_with_a_taken_address_mails_the_owner_naming_the_site(client, mailoutbox):
    UserFactory(role="producer", email="taken@azar.exportbridge.test", preferred_language="en")
    sign_up(client, "taken@azar.exportbridge.test", "en")
    assert_no_example_com(mailoutbox)
    # allauth knows no user here: the mail is in the page's language (Persian by default).
    (message,) = mailoutbox
    assert message.subject.startswith(f"[{NAMES['fa']}] ") and GREETINGS["fa"] in message.body


def test_a_custom_site_name_is_what_the_emails_say(client, mailoutbox, settings):
    settings.PORTAL_SITE_NAME = "Tabriz Export Bridge"
    sign_up(client, "reza@azar.exportbridge.test", "en")
    (message,) = mailoutbox
    assert message.subject.startswith("[Tabriz Export Bridge] ")
    assert "Hello from Tabriz Export Bridge!" in message.body


def test_the_producer_invitation_names_no_example_com(mailoutbox, settings):
    producer = make_producer(
        name="Azar Cooling",
        email="sales@azar.exportbridge.test",
        website="https://azar.exportbridge.test",
        owner=UserFactory(role="producer", email="owner@azar.exportbridge.test", preferred_language="en"),
    )
    send_producer_invitation(user=producer.owner, base_url=settings.PORTAL_BASE_URL)
    assert_no_example_com(mailoutbox)


def test_match_emails_and_digests_name_no_example_com(mailoutbox, django_capture_on_commit_callbacks):
    desk = make_counsellor("IQ", email="sara@mission.exportbridge.test", preferred_language="en")
    producer = make_producer(
        ("841810",),
        name="Azar Cooling",
        email="sales@azar.exportbridge.test",
        website="https://azar.exportbridge.test",
        owner=UserFactory(role="producer", email="owner@azar.exportbridge.test", preferred_language="en"),
    )
    buyer = make_buyer(
        ("8418",),
        company_name="Baghdad Cold Chain",
        email="purchasing@baghdad.exportbridge.test",
        website="https://baghdad.exportbridge.test",
        owner=UserFactory(role="buyer", email="owner@baghdad.exportbridge.test", preferred_language="fa"),
    )
    services.rematch_all()
    match = Match.objects.get(producer=producer, buyer=buyer)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.match_forward(match=match, actor=desk, note="A strong fit.")
    forwarded = len(mailoutbox)
    assert forwarded == 2
    counts = delivery.send_due(frequency="weekly", now=timezone.now() + timedelta(hours=1))
    assert len(mailoutbox) > forwarded, counts  # digests went out too
    assert_no_example_com(mailoutbox)
