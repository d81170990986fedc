"""Sign-up with a role, email verification, sign-in and the allauth pages in the site shell."""

import re
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Tabriz-machines-1405!"
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


def sign_up(client, **overrides):
    data = {
        "full_name": "Reza Ahmadi",
        "email": "reza@example.com",
        "role": "producer",
        "preferred_language": "fa",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return client.post(reverse("account_signup"), data)


def confirmation_path(message) -> str:
    match = CONFIRM_LINK.search(message.body)
    assert match, message.body
    return urlparse(match.group(0)).path


def confirm_and_sign_in(client, email: str):
    path = confirmation_path(mail.outbox[-1])
    page = client.get(path)
    assert page.status_code == 200
    assert client.post(path).status_code == 302
    assert EmailAddress.objects.get(email=email).verified
    client.logout()
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


@pytest.mark.parametrize("role", ["producer", "buyer"])
def test_sign_up_stores_the_role_and_sends_a_verification_link(client, role):
    response = sign_up(client, role=role, email=f"{role}@example.com", preferred_language="en")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    user = User.objects.get(email=f"{role}@example.com")
    assert (user.role, user.full_name, user.preferred_language) == (role, "Reza Ahmadi", "en")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [f"{role}@example.com"]

    # Not signed in before the address is confirmed.
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("account_email_verification_sent")

    response = confirm_and_sign_in(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:onboarding")
    assert client.get(reverse("accounts:onboarding"))["Location"] == reverse(
        "accounts:onboarding_step", kwargs={"step": "company"}
    )


def test_the_verification_email_is_in_the_users_language(client):
    sign_up(client, email="en@example.com", preferred_language="en")
    sign_up(client, email="fa@example.com", preferred_language="fa")
    english, persian = mail.outbox
    assert "confirm" in english.body.lower()
    assert re.search(r"[\u0600-\u06FF]", persian.body), persian.body
    assert not re.search(r"[\u0600-\u06FF]", english.body), english.body


@pytest.mark.parametrize("role", ["counsellor", "staff", "superuser", ""])
def test_counsellor_or_staff_cannot_be_chosen(client, role):
    response = sign_up(client, role=role)
    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert not User.objects.filter(email="reza@example.com").exists()
    assert mail.outbox == []


def test_the_signup_form_offers_only_producer_and_buyer(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    form = response.context["form"]
    assert [value for value, _label in form.fields["role"].choices] == ["producer", "buyer"]
    html = response.content.decode()
    assert 'value="counsellor"' not in html and 'value="staff"' not in html
    # Every visible field has a label tied to it; radio buttons sit in a fieldset with a legend.
    for name in ("full_name", "email", "preferred_language", "password1", "password2"):
        assert f'for="id_{name}"' in html, name
    assert "<legend" in html and 'for="id_role_0"' in html


def test_errors_are_shown_beside_their_fields(client):
    response = sign_up(client, email="not-an-email", password2="something-else-1405")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_email_error"' in html and 'id="id_password2_error"' in html
    assert 'aria-invalid="true"' in html
    assert re.search(r'aria-describedby="[^"]*id_email_error', html)


def test_an_existing_email_does_not_make_a_second_account(client, make_user):
    make_user("buyer", email="reza@example.com")
    sign_up(client)
    assert User.objects.filter(email="reza@example.com").count() == 1


def test_sign_in_of_a_complete_profile_lands_on_the_dashboard(client, make_user):
    user = make_user("counsellor", email="attache@example.com")
    response = client.post(reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response["Location"] == reverse("dashboard")


def test_wrong_password_is_reported_on_the_page(client, make_user):
    make_user("buyer", email="buyer@example.com")
    response = client.post(reverse("account_login"), {"login": "buyer@example.com", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"]
)
def test_entrance_pages_answer_in_the_site_shell(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'dir="rtl"' in html and 'lang="fa"' in html
    assert 'id="main"' in html and "navbar" in html  # base.html's shell
    assert "bootstrap" in html


def test_logout_page_answers_and_signs_out_on_post(client, make_user):
    client.force_login(make_user("producer"))
    response = client.get(reverse("account_logout"))
    assert response.status_code == 200
    assert "navbar" in response.content.decode()
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302


def test_password_reset_by_email_link(client, make_user):
    user = make_user("buyer", email="buyer@example.com", preferred_language="en")
    response = client.post(reverse("account_reset_password"), {"email": "buyer@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    response = client.get(urlparse(link).path, follow=True)
    assert response.status_code == 200
    assert "password1" in response.context["form"].fields
    new_password = "New-Tabriz-password-1405"
    response = client.post(
        response.redirect_chain[-1][0] if response.redirect_chain else urlparse(link).path,
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_any_interface_language_may_be_preferred(client):
    response = client.get(reverse("account_signup"))
    choices = [value for value, _label in response.context["form"].fields["preferred_language"].choices]
    assert choices == ["fa", "en", "ar", "ru", "tr"]
    sign_up(client, email="tr@example.com", preferred_language="tr")
    assert User.objects.get(email="tr@example.com").preferred_language == "tr"
    assert (
        sign_up(client, email="de@example.com", preferred_language="de")
        .context["form"]
        .errors["preferred_language"]
    )


def test_the_form_starts_on_the_pages_language(client):
    client.cookies["django_language"] = "ru"
    form = client.get(reverse("account_signup")).context["form"]
    assert form.fields["preferred_language"].initial == "ru"
