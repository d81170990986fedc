"""The signed unsubscribe link: valid (a confirmation page on GET, one click on POST, no
sign-in, no CSRF token), tampered (400), expired (a page that says so, with a way to sign in),
and the link in a digest's List-Unsubscribe header working against the site."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from digests import delivery, services, tasks
from digests.models import DigestPreference, Frequency
from tests.factories import UserFactory

from .test_delivery import fake_content  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


def link(token: str) -> str:
    return reverse("digests:unsubscribe", args=[token])


def mail_client() -> Client:
    """What a mail client's one-click POST is: no session, no cookie, CSRF checks on."""
    return Client(enforce_csrf_checks=True)


def one_click(client: Client, url: str):
    return client.post(url, data=ONE_CLICK, content_type="application/x-www-form-urlencoded")


def token_made_days_ago(user, days: int, monkeypatch) -> str:
    with monkeypatch.context() as patch:
        past = time.time() - days * 86400
        patch.setattr(signing.time, "time", lambda: past)
        return services.unsubscribe_token(user)


@pytest.fixture
def user(db):
    return UserFactory(role="buyer", email="buyer@baghdad.example")


def test_the_token_carries_the_user_and_is_salted(user):
    token = services.unsubscribe_token(user)
    assert services.user_for_unsubscribe_token(token) == user
    # The same payload signed for another purpose is no unsubscribe link.
    other = signing.dumps({"u": user.pk}, salt="something.else", compress=False)
    with pytest.raises(services.UnsubscribeLinkInvalid):
        services.user_for_unsubscribe_token(other)


def test_a_token_issued_at_a_given_moment_is_the_same_each_time_and_expires_from_then(user):
    moment = timezone.now() - timedelta(days=2)
    token = services.unsubscribe_token(user, issued_at=moment)
    assert services.unsubscribe_token(user, issued_at=moment) == token != services.unsubscribe_token(user)
    assert services.user_for_unsubscribe_token(token) == user
    too_old = timezone.now() - services.unsubscribe_max_age() - timedelta(days=1)
    with pytest.raises(services.UnsubscribeLinkExpired):
        services.user_for_unsubscribe_token(services.unsubscribe_token(user, issued_at=too_old))


def test_get_shows_a_confirmation_page_and_changes_nothing(user):
    response = Client().get(link(services.unsubscribe_token(user)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "b•••@baghdad.example" in page and "buyer@baghdad.example" not in page
    assert '<form method="post">' in page and 'type="submit"' in page
    assert services.preference_for(user).frequency == Frequency.WEEKLY
    assert not DigestPreference.objects.filter(user=user).exists()
    assert "no-store" in response.headers["Cache-Control"]


def test_one_click_post_unsubscribes_without_sign_in_or_csrf_token(user):
    response = one_click(mail_client(), link(services.unsubscribe_token(user)))
    assert response.status_code == 200
    preference = DigestPreference.objects.get(user=user)
    assert preference.frequency == Frequency.OFF and preference.unsubscribed_at is not None
    assert "buyer@baghdad.example" not in response.content.decode()


def test_the_confirmation_button_unsubscribes_too_and_a_second_click_keeps_the_first_time(user):
    url = link(services.unsubscribe_token(user))
    assert Client().post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    first = DigestPreference.objects.get(user=user).unsubscribed_at
    assert one_click(mail_client(), url).status_code == 200
    assert DigestPreference.objects.get(user=user).unsubscribed_at == first


def test_csrf_stays_enforced_elsewhere(user):
    client = mail_client()
    client.force_login(user)
    response = client.post(reverse("digests:preferences"), {"frequency": "off"})
    assert response.status_code == 403


def english() -> Client:
    """An anonymous browser that reads the pages in English (the portal's default is Persian)."""
    client = Client()
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_refused(user, method):
    token = services.unsubscribe_token(user)
    payload, stamp, signature = token.split(":")
    other = UserFactory()
    forged_payload = signing.b64_encode(signing.JSONSerializer().dumps({"u": other.pk})).decode()
    for bad in (
        f"{forged_payload}:{stamp}:{signature}",  # another user's id under this signature
        f"{payload}:{stamp}:{signature[:-2]}xx",
        token[:-5],
        "not-a-token",
    ):
        response = getattr(english(), method)(link(bad))
        assert response.status_code == 400, bad
        assert "This link is not valid" in response.content.decode()
    assert not DigestPreference.objects.exists()


def test_a_link_for_a_deleted_user_is_not_valid(user):
    token = services.unsubscribe_token(user)
    user.delete()
    assert one_click(mail_client(), link(token)).status_code == 400


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_expired_link_says_so_and_offers_to_sign_in(user, method, monkeypatch, settings):
    settings.DIGEST_UNSUBSCRIBE_MAX_AGE_DAYS = 60
    fresh = token_made_days_ago(user, 59, monkeypatch)
    expired = token_made_days_ago(user, 61, monkeypatch)
    assert services.user_for_unsubscribe_token(fresh) == user
    response = getattr(english(), method)(link(expired))
    assert response.status_code == 410
    page = response.content.decode()
    assert "This link has expired" in page
    assert reverse("account_login") + "?next=%2Fdigests%2Fpreferences%2F" in page
    assert not DigestPreference.objects.filter(user=user, frequency=Frequency.OFF).exists()


def test_the_link_in_a_digest_works_and_stops_the_next_digests(fake_content):  # noqa: F811
    user = UserFactory(role="producer")
    fake_content.items[user.pk] = 1
    now = timezone.now()
    delivery.send_due(frequency="weekly", now=now, retry=tasks.enqueue_retry)
    (message,) = mail.outbox
    header = message.message()["List-Unsubscribe"]
    url = header.split(",")[0].strip().strip("<>")
    assert message.message()["List-Unsubscribe-Post"] == ONE_CLICK
    path = url.removeprefix(delivery.settings.PORTAL_BASE_URL)

    assert Client().get(path).status_code == 200
    assert one_click(mail_client(), path).status_code == 200
    assert services.preference_for(user).frequency == Frequency.OFF
    counts = delivery.send_due(frequency="weekly", now=now + timedelta(days=7))
    assert counts.claimed == 0 and len(mail.outbox) == 1


def test_choosing_a_frequency_again_clears_the_unsubscribe(user):
    services.unsubscribe(user=user)
    assert DigestPreference.objects.get(user=user).unsubscribed_at is not None
    services.preference_update(user=user, frequency="daily", language="")
    preference = DigestPreference.objects.get(user=user)
    assert (preference.frequency, preference.unsubscribed_at) == (Frequency.DAILY, None)
