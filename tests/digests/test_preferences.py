"""Digest preferences: the role defaults, the service's rules, the API (per role, anonymous
refused, one's own only), the page with its labelled form, and "preview my digest"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from digests import services
from digests.models import DeliveryStatus, DigestDelivery, DigestPreference, Frequency
from tests.conftest import ROLES
from tests.factories import UserFactory

from .test_delivery import fake_content  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

URL = "/api/v1/digests/preferences/"
DEFAULTS = {"producer": "weekly", "buyer": "weekly", "counsellor": "daily", "staff": "daily"}


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


# --- The service ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_default_follows_the_role(role):
    user = UserFactory(role=role)
    preference = services.preference_for(user)
    assert (preference.frequency, preference.language, preference.pk) == (DEFAULTS[role], "", None)


def test_a_superuser_of_any_role_gets_the_staff_default():
    assert services.preference_for(UserFactory(role="producer", is_superuser=True)).frequency == "daily"


def test_the_digest_language_is_the_chosen_one_else_the_preferred_one():
    user = UserFactory(preferred_language="en")
    assert services.digest_language(user) == "en"
    services.preference_update(user=user, frequency="weekly", language="fa")
    assert services.digest_language(user) == "fa"
    services.preference_update(user=user, frequency="weekly", language="")
    assert services.digest_language(user) == "en"


def test_update_stores_one_row_per_user():
    user = UserFactory()
    services.preference_update(user=user, frequency="daily", language="en")
    services.preference_update(user=user, frequency="off", language="")
    preference = DigestPreference.objects.get(user=user)
    assert (preference.frequency, preference.language) == ("off", "")


@pytest.mark.parametrize(
    ("frequency", "language", "fields"),
    [
        ("hourly", "", {"frequency"}),
        ("", "en", {"frequency"}),
        (None, "", {"frequency"}),
        ("daily", "de", {"language"}),
        ("daily", 5, {"language"}),
        ("monthly", "xx", {"frequency", "language"}),
    ],
)
def test_update_refuses_bad_values_field_by_field(frequency, language, fields):
    user = UserFactory()
    with pytest.raises(ValidationError) as error:
        services.preference_update(user=user, frequency=frequency, language=language)
    assert set(error.value.message_dict) == fields
    assert not DigestPreference.objects.exists()


def test_update_trims_and_accepts_no_language():
    user = UserFactory()
    preference = services.preference_update(user=user, frequency=" weekly ", language=None)
    assert (preference.frequency, preference.language) == ("weekly", "")


# --- The API ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_get_answers_the_role_default_then_the_saved_choice(role):
    user = UserFactory(role=role)
    response = api(user).get(URL)
    assert response.status_code == 200
    assert response.json() == {"frequency": DEFAULTS[role], "language": ""}
    saved = api(user).put(URL, {"frequency": "off", "language": "en"}, format="json")
    assert saved.status_code == 200 and saved.json() == {"frequency": "off", "language": "en"}
    assert api(user).get(URL).json() == {"frequency": "off", "language": "en"}


@pytest.mark.parametrize("method", ["get", "put"])
def test_anonymous_callers_are_refused(method):
    response = getattr(api(), method)(URL, {"frequency": "daily"}, format="json")
    assert response.status_code in (401, 403)
    assert not DigestPreference.objects.exists()


def test_a_token_caller_changes_its_own_preference():
    from rest_framework.authtoken.models import Token

    user = UserFactory(role="buyer")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert client.put(URL, {"frequency": "daily"}, format="json").json()["frequency"] == "daily"


def test_one_user_cannot_change_anothers():
    alice, bob = UserFactory(role="producer"), UserFactory(role="buyer")
    services.preference_update(user=bob, frequency="daily", language="fa")
    response = api(alice).put(URL, {"frequency": "off", "user": bob.pk, "language": "en"}, format="json")
    assert response.status_code == 200
    assert DigestPreference.objects.get(user=alice).frequency == "off"
    bob_preference = DigestPreference.objects.get(user=bob)
    assert (bob_preference.frequency, bob_preference.language) == ("daily", "fa")
    assert api(bob).get(URL).json() == {"frequency": "daily", "language": "fa"}


def test_bad_values_are_field_errors():
    user = UserFactory()
    response = api(user).put(URL, {"frequency": "hourly", "language": "de"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"frequency", "language"}
    assert not DigestPreference.objects.exists()
    assert api(user).put(URL, {"frequency": None}, format="json").status_code == 400


def test_a_field_left_out_is_unchanged():
    user = UserFactory(role="counsellor")
    api(user).put(URL, {"frequency": "weekly", "language": "en"}, format="json")
    assert api(user).put(URL, {"frequency": "daily"}, format="json").json() == {
        "frequency": "daily",
        "language": "en",
    }
    assert api(user).put(URL, {"language": ""}, format="json").json() == {
        "frequency": "daily",
        "language": "",
    }


@pytest.mark.parametrize("language", ["ar", "ru", "tr"])
def test_a_digest_may_be_in_any_interface_language(language):
    user = UserFactory(role="buyer", preferred_language="fa")
    response = api(user).put(URL, {"language": language}, format="json")
    assert response.status_code == 200 and response.json()["language"] == language
    assert services.digest_language(user) == language
    page = signed_in(user).get(reverse("digests:preferences")).content.decode()
    assert re.search(rf'<option value="{language}" selected>', page)


def test_the_endpoint_is_in_the_schema():
    user = UserFactory(role="staff")
    schema = api(user).get("/api/v1/schema/?format=json").json()
    assert {"get", "put"} <= set(schema["paths"][URL])


# --- The page ---------------------------------------------------------------------------------


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_needs_a_sign_in():
    response = Client().get(reverse("digests:preferences"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_the_page_shows_a_labelled_form_with_the_role_default(role):
    user = UserFactory(role=role)
    response = signed_in(user).get(reverse("digests:preferences"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<legend" in page  # the frequency radios are a labelled group
    checked = re.findall(r'<input type="radio" name="frequency" value="(\w+)"[^>]* checked>', page)
    assert checked == [DEFAULTS[role]]
    assert re.search(r'<label class="form-check-label" for="id_frequency_\d">', page)
    assert '<label class="form-label" for="id_language">' in page
    assert reverse("digests:preview") in page


def test_saving_the_form_stores_the_choice():
    user = UserFactory(role="producer")
    client = signed_in(user)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("digests:preferences"), {"frequency": "daily", "language": "en"})
    assert response.status_code == 302
    preference = DigestPreference.objects.get(user=user)
    assert (preference.frequency, preference.language) == ("daily", "en")
    assert "Your digest settings are saved." in client.get(reverse("digests:preferences")).content.decode()


def test_a_bad_value_shows_the_error_beside_the_field():
    user = UserFactory()
    response = signed_in(user).post(reverse("digests:preferences"), {"frequency": "hourly", "language": "xx"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_frequency_error"' in page and 'id="id_language_error"' in page
    assert not DigestPreference.objects.exists()


def test_the_page_says_when_the_user_unsubscribed_and_lists_sent_digests():
    user = UserFactory()
    services.unsubscribe(user=user)
    now = timezone.now()
    DigestDelivery.objects.create(
        user=user,
        frequency="weekly",
        period="2026-W48",
        since=now - timedelta(days=7),
        until=now,
        status=DeliveryStatus.SENT,
        items=3,
        sent_at=now,
    )
    page = signed_in(user).get(reverse("digests:preferences")).content.decode()
    assert 'data-testid="unsubscribed-note"' in page
    assert "No digest has been sent to you yet." not in page


def test_the_dashboard_links_to_the_digest_settings():
    page = signed_in(UserFactory(role="buyer")).get(reverse("dashboard")).content.decode()
    assert reverse("digests:preferences") in page


# --- Preview ----------------------------------------------------------------------------------


def test_the_preview_needs_a_sign_in():
    response = Client().get(reverse("digests:preview"))
    assert response.status_code == 302


def test_the_preview_shows_what_the_next_digest_would_hold(fake_content):  # noqa: F811
    user = UserFactory(role="producer", preferred_language="en")
    fake_content.items[user.pk] = 2
    response = signed_in(user).get(reverse("digests:preview"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="digest-preview"' in page
    assert "srcdoc=" in page and "Lead 1 for" in page and "&lt;base target=&quot;_blank&quot;&gt;" in page
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in page
    assert not DigestDelivery.objects.exists()  # a preview claims nothing


def test_the_preview_covers_the_time_since_the_last_digest(fake_content):  # noqa: F811
    user = UserFactory(role="counsellor")
    last = timezone.now() - timedelta(hours=5)
    DigestDelivery.objects.create(
        user=user,
        frequency="daily",
        period="2026-12-01",
        since=last - timedelta(days=1),
        until=last,
        status=DeliveryStatus.SENT,
        items=1,
        sent_at=last,
    )
    signed_in(user).get(reverse("digests:preview"))
    (call,) = fake_content.calls
    assert call["since"] == last and call["users"] == [user.pk]


def test_the_preview_says_when_nothing_is_new(fake_content):  # noqa: F811
    user = UserFactory(role="buyer")
    page = signed_in(user).get(reverse("digests:preview")).content.decode()
    assert 'data-testid="digest-preview-empty"' in page and "srcdoc" not in page
    (call,) = fake_content.calls
    assert call["until"] - call["since"] == timedelta(days=7)


def test_the_preview_with_digests_off_uses_the_role_default_and_says_so(fake_content):  # noqa: F811
    user = UserFactory(role="counsellor")
    services.preference_update(user=user, frequency=Frequency.OFF, language="")
    page = signed_in(user).get(reverse("digests:preview")).content.decode()
    assert 'data-testid="digests-off"' in page
    (call,) = fake_content.calls
    assert call["until"] - call["since"] == timedelta(days=1)


def test_the_preview_with_real_content():
    from matchmaking import lifecycle
    from tests.digests.conftest import make_counsellor, make_match

    counsellor = make_counsellor()
    match = lifecycle.match_forward(match=make_match(counsellor=counsellor), actor=counsellor)
    owner = match.buyer.owner
    page = signed_in(owner).get(reverse("digests:preview")).content.decode()
    assert 'data-testid="digest-preview"' in page
    assert match.producer.name in page
