"""API tokens (issue 12): only for accounts whose email is verified, as the pages require to
sign in; they expire (a lifetime staff set in the admin), end on every kind of password
change, and their holder can revoke them (DELETE /api/v1/auth/token/).

Each rule is tested over every way in or every flow that has its shape: the ways an account
authenticates to the API, the flows that change a password."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import ApiTokenConfig, User
from accounts.services import user_create
from tests.factories import DEFAULT_PASSWORD, UserFactory, enrol_two_factor, totp_code

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/digests/preferences/"  # any endpoint that needs a signed-in caller
NEW_PASSWORD = "A-new-Tabriz-password-1405"


def _english() -> APIClient:
    api = APIClient()
    api.cookies["django_language"] = "en"
    return api


def ask_token(email: str, password: str = DEFAULT_PASSWORD, code: str | None = None):
    body = {"email": email, "password": password, **({"code": code} if code else {})}
    return _english().post(TOKEN, body, format="json")


def with_token(key: str) -> APIClient:
    api = _english()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def unverified_user(**kwargs) -> User:
    """An account as sign-up leaves it before the confirmation link is followed."""
    user = UserFactory(**kwargs)
    EmailAddress.objects.filter(user=user).update(verified=False)
    return user


# --- Verified email -------------------------------------------------------------------------


def test_an_unverified_account_gets_no_token_and_a_clear_400():
    user = unverified_user(role="buyer", email="fresh.signup@example.com")
    response = ask_token(user.email)
    assert response.status_code == 400
    assert "Confirm your email address" in response.json()["non_field_errors"][0]
    assert not Token.objects.filter(user=user).exists()


def test_a_signed_up_account_gets_its_token_once_its_email_is_confirmed(client):
    password = "Tabriz-machines-1405!"
    client.post(
        reverse("account_signup"),
        {
            "full_name": "Reza Ahmadi",
            "email": "reza@example.com",
            "role": "buyer",
            "preferred_language": "en",
            "password1": password,
            "password2": password,
        },
    )
    assert ask_token("reza@example.com", password).status_code == 400
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    assert client.post(urlparse(link).path).status_code == 302
    assert ask_token("reza@example.com", password).status_code == 200


def _ways_in(user: User) -> dict[str, int]:
    """Every way an account acts on the API or the pages with its password or a token, and
    the status it gets (the sign-in page answers 200 with the "verify your email" page)."""
    token = Token.objects.create(user=user)  # made before the email stopped being verified
    return {
        "token endpoint": ask_token(user.email).status_code,
        "existing token": with_token(token.key).get(ME).status_code,
        "sign-in page": Client()
        .post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
        .status_code,
    }


def test_every_way_in_refuses_an_unverified_account():
    user = unverified_user(role="producer", email="never.confirmed@example.com")
    ways = _ways_in(user)
    assert ways == {"token endpoint": 400, "existing token": 401, "sign-in page": 302}
    # The sign-in page sends the account to "confirm your email", not into the site.
    response = Client().post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response["Location"] == reverse("account_email_verification_sent")


def test_a_password_reset_does_not_let_an_unverified_account_in():
    """The reset link is mailed, but following it signs nobody in, and the new password
    still meets the verification wall on the pages and at the token endpoint."""
    user = unverified_user(role="buyer", email="never.confirmed@example.com")
    browser = Client()
    browser.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[-1].body).group(0)
    page = browser.get(urlparse(link).path, follow=True)
    target = page.redirect_chain[-1][0] if page.redirect_chain else urlparse(link).path
    browser.post(target, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert browser.get(reverse("dashboard"))["Location"].startswith(reverse("account_login"))
    assert ask_token(user.email, NEW_PASSWORD).status_code == 400
    response = Client().post(reverse("account_login"), {"login": user.email, "password": NEW_PASSWORD})
    assert response["Location"] == reverse("account_email_verification_sent")


def test_a_token_stops_working_when_the_email_on_the_account_is_no_longer_verified():
    user = UserFactory(role="buyer")
    key = ask_token(user.email).json()["token"]
    assert with_token(key).get(ME).status_code == 200
    # Staff change the login to an address nobody confirmed.
    user.email = "changed.by.staff@example.com"
    user.save(update_fields=["email"])
    response = with_token(key).get(ME)
    assert response.status_code == 401
    assert "Confirm your email" in response.json()["detail"]


def _made_by_api(staff_api) -> User:
    response = staff_api.post(
        "/api/v1/users/",
        {"email": "made@example.com", "password": DEFAULT_PASSWORD, "role": "counsellor"},
        format="json",
    )
    assert response.status_code == 201
    return User.objects.get(email="made@example.com")


def _made_by_command(monkeypatch) -> User:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", DEFAULT_PASSWORD)
    call_command("createsuperuser", "--noinput", "--email", "made@example.com")
    return User.objects.get(email="made@example.com")


def _made_in_admin(admin) -> User:
    response = admin.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "made@example.com",
            "full_name": "Made Here",
            "role": "buyer",
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:500]
    return User.objects.get(email="made@example.com")


def _made_by_import() -> User:
    # import_producers makes the user this way (no password until the invitation is used).
    user = user_create(email="made@example.com", password=None, role="producer", verified=True)
    user.set_password(DEFAULT_PASSWORD)
    user.save()
    return user


@pytest.mark.parametrize("how", ["api", "createsuperuser", "admin", "import"])
def test_operator_made_accounts_get_tokens_at_once(how, monkeypatch):
    staff = UserFactory(role="staff", is_superuser=True)
    staff_api, admin = APIClient(), Client()
    staff_api.force_authenticate(staff)
    admin.force_login(staff)
    user = {
        "api": lambda: _made_by_api(staff_api),
        "createsuperuser": lambda: _made_by_command(monkeypatch),
        "admin": lambda: _made_in_admin(admin),
        "import": _made_by_import,
    }[how]()
    code = None
    if how == "createsuperuser":  # staff: two-factor sign-in first (accounts/two_factor.py)
        assert ask_token(user.email).status_code == 403
        enrol_two_factor(user)
        code = totp_code()
    response = ask_token(user.email, code=code)
    assert response.status_code == 200, response.content
    assert with_token(response.json()["token"]).get(ME).status_code == 200


# --- Expiry ---------------------------------------------------------------------------------


def _age(token: Token, days: float) -> None:
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - timedelta(days=days))


def test_a_token_expires_after_the_configured_lifetime_and_a_new_one_is_issued(settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    user = UserFactory(role="producer")
    first = ask_token(user.email).json()
    token = Token.objects.get(key=first["token"])
    assert abs((token.created + timedelta(days=30)) - _parse(first["expires_at"])) < timedelta(seconds=1)

    _age(token, 29.9)
    assert with_token(token.key).get(ME).status_code == 200
    _age(token, 30.1)
    response = with_token(token.key).get(ME)
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    # Asking again replaces the expired token.
    second = ask_token(user.email).json()["token"]
    assert second != token.key
    assert with_token(second).get(ME).status_code == 200
    assert with_token(token.key).get(ME).status_code == 401


def _parse(value: str):
    from django.utils.dateparse import parse_datetime

    return parse_datetime(value)


def test_staff_set_the_lifetime_in_the_admin_and_it_applies_to_issued_tokens(settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    staff = UserFactory(role="staff", is_superuser=True)
    admin = Client()
    admin.force_login(staff)
    user = UserFactory(role="buyer")
    token = Token.objects.get(key=ask_token(user.email).json()["token"])
    _age(token, 8)
    assert with_token(token.key).get(ME).status_code == 200

    response = admin.post(reverse("admin:accounts_apitokenconfig_add"), {"lifetime_days": "7"})
    assert response.status_code == 302, response.content[:500]
    assert ApiTokenConfig.objects.get().lifetime_days == 7
    assert with_token(token.key).get(ME).status_code == 401
    # The admin refuses a lifetime of zero (tokens must expire, and not at once).
    row = ApiTokenConfig.objects.get()
    response = admin.post(
        reverse("admin:accounts_apitokenconfig_change", args=[row.pk]), {"lifetime_days": "0"}
    )
    assert response.status_code == 200 and ApiTokenConfig.objects.get().lifetime_days == 7


# --- Rotation on a password change ----------------------------------------------------------


def _change_on_the_page(user: User) -> None:
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": DEFAULT_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content[:500]


def _reset_by_email(user: User) -> None:
    client = Client()
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[-1].body).group(0)
    page = client.get(urlparse(link).path, follow=True)
    target = page.redirect_chain[-1][0] if page.redirect_chain else urlparse(link).path
    response = client.post(target, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content[:500]


def _set_first_password(user: User) -> None:
    user.set_unusable_password()
    user.save()
    Token.objects.get_or_create(user=user, defaults={"key": "f" * 40})  # (made before)
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("account_set_password"), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]


def _staff_in_the_admin(user: User) -> None:
    admin = Client()
    admin.force_login(UserFactory(role="staff", is_superuser=True))
    response = admin.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:500]


def _staff_disable_the_password(user: User) -> None:
    user.set_unusable_password()
    user.save()


def _command(user: User, monkeypatch) -> None:
    answers = iter([NEW_PASSWORD, NEW_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda *a, **k: next(answers))
    call_command("changepassword", user.email)


FLOWS = {
    "allauth change": _change_on_the_page,
    "allauth reset": _reset_by_email,
    "allauth set": _set_first_password,
    "admin": _staff_in_the_admin,
    "unusable": _staff_disable_the_password,
    "changepassword": _command,
}


@pytest.mark.parametrize("flow", FLOWS)
def test_every_password_change_ends_the_api_tokens(flow, monkeypatch):
    user = UserFactory(role="producer", email="holder@example.com", preferred_language="en")
    key = ask_token(user.email).json()["token"]
    run = FLOWS[flow]
    if flow == "changepassword":
        run(user, monkeypatch)
    else:
        run(user)
    assert not Token.objects.filter(user=user).exists()
    assert with_token(key).get(ME).status_code == 401
    if flow != "unusable":
        fresh = ask_token(user.email, NEW_PASSWORD).json()["token"]
        assert fresh != key and with_token(fresh).get(ME).status_code == 200


def test_other_saves_and_a_password_hash_upgrade_keep_the_token(settings):
    user = UserFactory(role="buyer")
    key = ask_token(user.email).json()["token"]
    user.full_name = "Renamed"
    user.save()
    # A sign-in that re-hashes the password with the preferred hasher is no password change.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert user.password.startswith("md5$")
    assert ask_token(user.email).json()["token"] == key
    user.refresh_from_db()
    assert user.password.startswith("scrypt$")
    assert with_token(key).get(ME).status_code == 200


# --- Revoking -------------------------------------------------------------------------------


def test_the_holder_signs_out_of_the_api_with_delete():
    user = UserFactory(role="buyer")
    key = ask_token(user.email).json()["token"]
    response = with_token(key).delete(TOKEN)
    assert response.status_code == 204
    assert with_token(key).get(ME).status_code == 401
    assert with_token(key).delete(TOKEN).status_code == 401
    assert ask_token(user.email).json()["token"] != key


def test_a_browser_session_revokes_the_accounts_token_with_csrf():
    user = UserFactory(role="producer")
    key = ask_token(user.email).json()["token"]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.delete(TOKEN).status_code == 403  # no CSRF token
    assert Token.objects.filter(key=key).exists()
    browser.get(reverse("dashboard"))
    csrf = browser.cookies["csrftoken"].value
    assert browser.delete(TOKEN, HTTP_X_CSRFTOKEN=csrf).status_code == 204
    assert not Token.objects.filter(user=user).exists()


def test_anonymous_callers_cannot_revoke_and_a_stale_header_does_not_block_a_new_token():
    assert APIClient().delete(TOKEN).status_code == 401
    user = UserFactory(role="producer")
    response = with_token("0" * 40).post(TOKEN, {"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200


def test_the_schema_documents_the_revoke_and_the_expiry():
    schema = APIClient().get("/api/v1/schema/?format=json").json()
    operations = schema["paths"]["/api/v1/auth/token/"]
    assert "204" in operations["delete"]["responses"]
    assert operations["delete"].get("security") != [{}]
    token_response = schema["components"]["schemas"]["TokenResponse"]["properties"]
    assert set(token_response) == {"token", "expires_at"}
