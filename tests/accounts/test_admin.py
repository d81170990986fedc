"""The admin: usable for staff, and its writes go through the services."""

import pytest
from allauth.account.models import EmailAddress

from accounts.models import ProducerProfile, User
from catalogue.models import Product
from catalogue.services import product_create
from tests.factories import verify_company

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("staff", is_superuser=True))
    return client


def test_a_user_made_in_the_admin_is_verified(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "counsellor.tr@example.com",
            "full_name": "Counsellor in Ankara",
            "role": "counsellor",
            "password1": "a-Strong-pass-1405",
            "password2": "a-Strong-pass-1405",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    user = User.objects.get(email="counsellor.tr@example.com")
    assert user.role == "counsellor"
    assert EmailAddress.objects.get(user=user).verified


def test_verified_is_no_switch_in_the_admin_and_staff_unlist_products(admin_client, producer_profile):
    profile = producer_profile()
    product = product_create(
        producer=profile,
        actor=profile.owner,
        data={"name": "Fridge", "hs_code": "841810", "annual_capacity": 10, "capacity_unit": "units"},
    )
    # Issue 17: no "verify" action, and the change form does not write `verified` either.
    response = admin_client.post(
        "/admin/accounts/producerprofile/", {"action": "verify", "_selected_action": [profile.pk]}
    )
    assert not ProducerProfile.objects.get(pk=profile.pk).verified
    admin_client.post(f"/admin/accounts/producerprofile/{profile.pk}/change/", {"verified": "on"})
    assert not ProducerProfile.objects.get(pk=profile.pk).verified

    response = admin_client.post(
        "/admin/catalogue/product/", {"action": "unlist_products", "_selected_action": [product.pk]}
    )
    assert response.status_code == 302
    assert not Product.objects.get(pk=product.pk).is_active


def test_verification_requests_are_shown_in_the_admin(admin_client, producer_profile):
    verification = verify_company(producer_profile(), ["ISO9001"])
    assert admin_client.get("/admin/accounts/verification/").status_code == 200
    page = admin_client.get(f"/admin/accounts/verification/{verification.pk}/change/")
    assert page.status_code == 200
    assert b"/verifications/documents/" in page.content


@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/producerprofile/?verified__exact=0&q=azar",
        "/admin/accounts/buyerprofile/?country=IQ",
        "/admin/catalogue/product/?is_active__exact=1&q=fridge",
        "/admin/taxonomy/sector/?level=4&q=8418",
    ],
)
def test_admin_lists_filter_and_search(admin_client, producer_profile, buyer_profile, path):
    producer_profile()
    buyer_profile()
    assert admin_client.get(path).status_code == 200


def test_admin_change_pages_render(admin_client, producer_profile, buyer_profile):
    profile = producer_profile()
    buyer = buyer_profile()
    assert admin_client.get(f"/admin/accounts/producerprofile/{profile.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/accounts/buyerprofile/{buyer.pk}/change/").status_code == 200
