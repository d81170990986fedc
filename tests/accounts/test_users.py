import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.factories import enrol_two_factor, totp_code

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_email_is_the_login_and_is_normalised():
    user = User.objects.create_user("Someone@Example.COM", "pw-12345678")
    assert user.email == "someone@example.com"
    assert User.objects.get_by_natural_key("SOMEONE@example.com") == user
    assert user.role == "producer" and user.preferred_language == "fa"


def test_superuser_made_by_an_operator_is_staff_and_verified(monkeypatch, client):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "operator-pass-1405")
    call_command("createsuperuser", "--noinput", "--email", "ops@example.com")
    user = User.objects.get(email="ops@example.com")
    assert user.is_superuser and user.is_portal_staff and user.role == "staff"
    assert EmailAddress.objects.get(user=user).verified
    response = client.post("/accounts/login/", {"login": "ops@example.com", "password": "operator-pass-1405"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    # Staff: two-factor sign-in first (accounts/two_factor.py), on the pages and the API.
    assert client.get("/dashboard/")["Location"] == "/accounts/2fa/totp/activate/"
    credentials = {"email": "ops@example.com", "password": "operator-pass-1405"}
    assert client.post("/api/v1/auth/token/", credentials).status_code == 403
    enrol_two_factor(user)
    response = client.post("/api/v1/auth/token/", {**credentials, "code": totp_code()})
    assert response.status_code == 200 and len(response.json()["token"]) == 40


def test_token_endpoint_refuses_bad_credentials_with_a_clear_400(client, make_user):
    make_user("buyer", email="buyer@example.com")
    response = client.post("/api/v1/auth/token/", {"email": "buyer@example.com", "password": "wrong"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    response = client.post("/api/v1/auth/token/", {"email": "not-an-email"})
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_token_authenticates_api_calls(client, make_user):
    from tests.factories import DEFAULT_PASSWORD

    make_user("buyer", email="buyer@example.com")
    token = client.post(
        "/api/v1/auth/token/", {"email": "buyer@example.com", "password": DEFAULT_PASSWORD}
    ).json()["token"]
    again = client.post("/api/v1/auth/token/", {"email": "BUYER@example.com", "password": DEFAULT_PASSWORD})
    assert again.json()["token"] == token


def test_seed_demo_is_idempotent_and_prints_the_logins(capsys):
    call_command("seed_demo", "--allow-production")
    first = User.objects.count()
    call_command("seed_demo", "--allow-production")
    assert User.objects.count() == first
    out = capsys.readouterr().out
    assert "staff@demo.exportbridge.ir" in out and "tabriz-demo-1405" in out
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {"producer", "buyer", "counsellor", "staff"}
