"""Two-factor sign-in (allauth.mfa; accounts/two_factor.py): required for staff, offered to
everyone else, asked at every sign-in once set up; the admin's and the API's doors too."""

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.two_factor import reset_two_factor
from tests.factories import DEFAULT_PASSWORD, STAFF_TOTP_SECRET, UserFactory, enrol_two_factor, totp_code

pytestmark = pytest.mark.django_db
SETUP = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"
ME = "/api/v1/digests/preferences/"  # any endpoint that needs a signed-in caller


def english_client() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def password_step(client: Client, user, next_url: str = ""):
    data = {"login": user.email, "password": DEFAULT_PASSWORD}
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def confirm_password(client: Client) -> None:
    """allauth asks for the password again before the two-factor settings change."""
    response = client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.content[:300]


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- Staff without an authenticator app: nothing but its setup ----------------------------


@pytest.fixture
def new_staff(db):
    return UserFactory(role="staff", is_superuser=True, two_factor=False, preferred_language="en")


@pytest.mark.parametrize(
    "path", ["/dashboard/", "/counsellor/queue/", "/catalogue/", "/admin/", "/accounts/password/change/"]
)
def test_staff_without_an_app_are_sent_to_its_setup_from_any_page(new_staff, path):
    client = english_client()
    client.force_login(new_staff)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == SETUP


def test_the_setup_sign_out_language_switch_static_and_health_checks_stay_open(new_staff):
    client = english_client()
    assert password_step(client, new_staff)["Location"] == "/dashboard/"
    assert client.get("/dashboard/")["Location"] == SETUP
    assert client.get(SETUP)["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(reverse("account_reauthenticate")).status_code == 200
    confirm_password(client)
    page = client.get(SETUP)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Staff accounts see every company’s contacts" in content
    assert STAFF_TOTP_SECRET[:4] not in content  # a key of its own, not the factory's
    assert client.get("/healthz/live").status_code == 200
    assert client.post(reverse("set_language"), {"language": "fa", "next": "/"}).status_code == 302
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert not signed_in(client)


def test_staff_without_an_app_get_403_on_the_api_by_session_and_by_token(new_staff):
    client = english_client()
    client.force_login(new_staff)
    response = client.get(ME, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "two-factor sign-in" in response.json()["detail"]
    # Asking for a token is refused too, and a token made earlier does not work.
    api = APIClient()
    refused = api.post(
        "/api/v1/auth/token/",
        {"email": new_staff.email, "password": DEFAULT_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 403 and "two-factor sign-in" in refused.json()["detail"]
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=new_staff)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")
    assert api.get(ME).status_code == 403


def test_setting_up_the_app_lets_staff_in_and_gives_recovery_codes(new_staff):
    client = english_client()
    password_step(client, new_staff)
    confirm_password(client)
    client.get(SETUP)
    secret = client.session["mfa.totp.secret"]
    wrong = client.post(SETUP, {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200 and not Authenticator.objects.filter(user=new_staff).exists()
    response = client.post(SETUP, {"code": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_view_recovery_codes")
    assert set(Authenticator.objects.filter(user=new_staff).values_list("type", flat=True)) == {
        "totp",
        "recovery_codes",
    }
    assert client.get("/dashboard/").status_code == 200
    assert client.get(ME, HTTP_ACCEPT_LANGUAGE="en").status_code == 200


def test_staff_cannot_turn_their_app_off(new_staff):
    enrol_two_factor(new_staff)
    client = english_client()
    password_step(client, new_staff)
    client.post(AUTHENTICATE, {"code": totp_code()})
    assert signed_in(client)
    confirm_password(client)
    page = client.post(reverse("mfa_deactivate_totp"), {})
    assert page.status_code == 200
    assert Authenticator.objects.filter(user=new_staff, type="totp").exists()


# --- Signing in once an app is set up ------------------------------------------------------


def test_the_password_alone_is_not_enough_a_wrong_code_fails_the_right_one_signs_in():
    staff = UserFactory(role="staff", preferred_language="en")
    client = english_client()
    response = password_step(client, staff)
    assert response.status_code == 302 and response["Location"] == AUTHENTICATE
    assert not signed_in(client)
    assert client.get("/dashboard/").status_code == 302  # still signed out
    client.get(AUTHENTICATE)
    assert "six-digit code" in client.get(AUTHENTICATE).content.decode()
    wrong = "000000" if totp_code() != "000000" else "111111"
    assert client.post(AUTHENTICATE, {"code": wrong}).status_code == 200
    assert not signed_in(client)
    response = client.post(AUTHENTICATE, {"code": totp_code()})
    assert response.status_code == 302 and signed_in(client)
    assert client.get("/dashboard/").status_code == 200


def test_a_recovery_code_signs_in_once():
    staff = UserFactory(role="staff", preferred_language="en")
    code = RecoveryCodes.activate(staff).generate_codes()[0]
    first = english_client()
    password_step(first, staff)
    assert first.post(AUTHENTICATE, {"code": code}).status_code == 302 and signed_in(first)
    second = english_client()
    password_step(second, staff)
    assert second.post(AUTHENTICATE, {"code": code}).status_code == 200
    assert not signed_in(second)


def test_a_counsellor_may_set_it_up_and_is_then_asked_for_the_code():
    counsellor = UserFactory(role="counsellor", preferred_language="en")
    client = english_client()
    password_step(client, counsellor)
    dashboard = client.get("/dashboard/").content.decode()
    assert 'data-testid="two-factor-card"' in dashboard and "Set up two-factor sign-in" in dashboard
    confirm_password(client)
    client.get(SETUP)
    secret = client.session["mfa.totp.secret"]
    assert client.post(SETUP, {"code": totp_code(secret)}).status_code == 302
    assert "Recovery codes and settings" in client.get("/dashboard/").content.decode()
    client.post(reverse("account_logout"))

    response = password_step(client, counsellor)
    assert response["Location"] == AUTHENTICATE and not signed_in(client)
    assert client.post(AUTHENTICATE, {"code": totp_code(secret, offset=1)}).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("role", ["producer", "buyer", "counsellor"])
def test_others_are_not_made_to_set_it_up_and_sign_in_with_the_password(role):
    user = UserFactory(role=role, preferred_language="en")
    client = english_client()
    response = password_step(client, user)
    assert response.status_code == 302 and response["Location"] != AUTHENTICATE
    assert signed_in(client)
    assert client.get("/dashboard/").status_code == 200
    assert client.get(ME, HTTP_ACCEPT_LANGUAGE="en").status_code == 200


# --- The admin's and the API's doors --------------------------------------------------------


def test_the_admins_sign_in_is_allauths_with_the_next_page_kept():
    client = english_client()
    response = client.get("/admin/")
    assert response.status_code == 302
    followed = client.get(response["Location"])
    assert followed.status_code == 302
    assert followed["Location"] == reverse("account_login") + "?next=/admin/"
    # Through it, staff give the code and land in the admin.
    staff = UserFactory(role="staff", is_superuser=True, preferred_language="en")
    assert password_step(client, staff, next_url="/admin/")["Location"] == AUTHENTICATE
    response = client.post(AUTHENTICATE, {"code": totp_code()})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_form_takes_no_password():
    staff = UserFactory(role="staff", is_superuser=True)
    client = english_client()
    response = client.post("/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not signed_in(client)
    producer = UserFactory(role="producer")
    client.force_login(producer)
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_the_api_token_needs_the_code_once_two_factor_sign_in_is_on():
    counsellor = UserFactory(role="counsellor", two_factor=True)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    credentials = {"email": counsellor.email, "password": DEFAULT_PASSWORD}
    missing = api.post("/api/v1/auth/token/", credentials)
    assert missing.status_code == 400 and "code" in missing.json()
    wrong = "000000" if totp_code() != "000000" else "111111"
    assert api.post("/api/v1/auth/token/", {**credentials, "code": wrong}).status_code == 400
    response = api.post("/api/v1/auth/token/", {**credentials, "code": totp_code()})
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get(ME).status_code == 200


# --- Reset: a lost phone ---------------------------------------------------------------------


def test_reset_mfa_removes_the_app_records_it_and_staff_must_set_it_up_again():
    staff = UserFactory(role="staff", email="lost.phone@example.com")
    other = UserFactory(role="staff", email="desk@example.com")
    RecoveryCodes.activate(staff)
    out = StringIO()
    call_command("reset_mfa", "Lost.Phone@example.com", "--by", other.email, stdout=out)
    assert "removed" in out.getvalue()
    assert not Authenticator.objects.filter(user=staff).exists()
    deletions = LogEntry.objects.filter(
        content_type__model="authenticator", action=LogEntry.Action.DELETE, actor=other
    )
    assert deletions.count() == 2
    client = english_client()
    assert password_step(client, staff)["Location"] != AUTHENTICATE and signed_in(client)
    assert client.get("/dashboard/")["Location"] == SETUP
    # Nothing left to reset; an unknown email is an error; only staff may be named as doing it.
    out = StringIO()
    call_command("reset_mfa", staff.email, stdout=out)
    assert "nothing to reset" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("reset_mfa", "nobody@example.com")
    with pytest.raises(CommandError):
        call_command("reset_mfa", staff.email, "--by", UserFactory(role="producer").email)


def test_staff_reset_another_in_the_admin_without_seeing_the_secret():
    staff = UserFactory(role="staff", is_superuser=True)
    lost = UserFactory(role="staff")
    authenticator = Authenticator.objects.get(user=lost)
    client = english_client()
    client.force_login(staff)
    page = client.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))
    assert page.status_code == 200 and STAFF_TOTP_SECRET not in page.content.decode()
    response = client.post(
        reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=lost).exists()
    assert LogEntry.objects.filter(content_type__model="authenticator", actor=staff).exists()


def test_reset_service_counts_what_it_removed():
    user = UserFactory(role="counsellor", two_factor=True)
    RecoveryCodes.activate(user)
    assert reset_two_factor(user=user) == 2
    assert reset_two_factor(user=user) == 0
