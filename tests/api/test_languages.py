"""The API answers in the language of Accept-Language, else the signed-in user's preference, else
Persian (docs/api.md "Languages"), error messages included, and says so (Content-Language, Vary).

Our own messages are translated by the catalogues being filled; these tests use messages DRF
and Django translate themselves ("This field is required.", "Not found.")."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portal.languages import from_accept_language
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MISSING_PRODUCT = "/api/v1/products/999999/"
TOKEN = "/api/v1/auth/token/"


def translated(message: str, language: str) -> str:
    with translation.override(language):
        text = gettext(message)
    assert text != message or language == "en", f"{message!r} has no {language} translation"
    return text


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize("language", ["ar", "ru", "tr"])
def test_a_400s_field_errors_come_in_the_asked_language(language):
    response = APIClient().post(TOKEN, {}, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json()["email"] == [translated("This field is required.", language)]
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("language", ["ar", "ru", "tr"])
def test_a_404_comes_in_the_asked_language(language):
    response = APIClient().get(MISSING_PRODUCT, HTTP_ACCEPT_LANGUAGE=f"{language}-XX,{language};q=0.9")
    assert response.status_code == 404
    assert response.json() == {"detail": translated("Not found.", language)}
    assert response["Content-Language"] == language


@pytest.mark.parametrize("language", ["ar", "ru", "tr"])
def test_a_404_no_route_matches_comes_in_the_asked_language(language):
    response = APIClient().get("/api/v1/nothing-here/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response.json() == {"detail": translated("Not found.", language)}
    assert "Accept-Language" in response["Vary"]


def test_without_accept_language_the_api_answers_in_persian():
    response = APIClient().get(MISSING_PRODUCT)
    assert response.json() == {"detail": translated("Not found.", "fa")}
    assert response["Content-Language"] == "fa"


def test_a_token_users_preference_applies_without_accept_language():
    client = token_client(UserFactory(role="buyer", preferred_language="tr"))
    response = client.get(MISSING_PRODUCT)
    assert response.json() == {"detail": translated("Not found.", "tr")}
    assert response["Content-Language"] == "tr"
    # ... and Accept-Language wins over it.
    response = client.get(MISSING_PRODUCT, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.json() == {"detail": translated("Not found.", "ru")}
    assert response["Content-Language"] == "ru"


def test_a_session_users_preference_applies_without_accept_language(client):
    client.force_login(UserFactory(role="buyer", preferred_language="ar"))
    response = client.get(MISSING_PRODUCT)
    assert response.json() == {"detail": translated("Not found.", "ar")}
    response = client.get(MISSING_PRODUCT, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"detail": "Not found."}


def test_an_unsupported_accept_language_falls_back_to_the_preference_then_persian():
    assert APIClient().get(MISSING_PRODUCT, HTTP_ACCEPT_LANGUAGE="de-DE,de")["Content-Language"] == "fa"
    client = token_client(UserFactory(role="buyer", preferred_language="en"))
    assert client.get(MISSING_PRODUCT, HTTP_ACCEPT_LANGUAGE="de-DE,de")["Content-Language"] == "en"


def test_pages_keep_their_own_order_whatever_accept_language_says(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response["Content-Language"] == "fa"
    assert "Accept-Language" not in response["Vary"]


@pytest.mark.parametrize(
    "header, expected",
    [
        ("ar-IQ,ar;q=0.9,en;q=0.8", "ar"),
        ("de-DE,de;q=0.9,ru;q=0.5", "ru"),
        ("en-US,en;q=0.9", "en"),
        ("TR", "tr"),
        ("fa-IR", "fa"),
        ("ru;q=0,tr;q=0.3", "tr"),  # q=0: not acceptable
        ("ru;q=0.2,ar;q=0.8", "ar"),
        ("*", None),
        ("de, *;q=0.5", None),
        ("xx-YY", None),
        ("", None),
        (None, None),
        ("ar\x00", None),
        ("a" * 1000, None),
    ],
)
def test_the_best_supported_match_of_accept_language(header, expected):
    assert from_accept_language(header) == expected
