"""Onboarding steps, completeness rules, profile and product pages."""

import pytest
from django.urls import reverse

from accounts import onboarding
from accounts.onboarding import buyer_completeness, completeness_for_user, producer_completeness
from accounts.services import buyer_profile_create, producer_profile_create
from catalogue.models import Product
from catalogue.services import product_create
from taxonomy.models import Sector, SectorLevel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client):
    """These assertions read English messages; Persian rendering is tested in tests/portal/test_i18n.py."""
    client.cookies["django_language"] = "en"


@pytest.fixture(autouse=True)
def sectors(db):
    """The few HS rows these tests use (the full taxonomy arrives by data migration)."""
    chapter, _ = Sector.objects.get_or_create(
        code="84", defaults={"level": SectorLevel.CHAPTER, "name": "Nuclear reactors, boilers, machinery"}
    )
    heading, _ = Sector.objects.get_or_create(
        code="8418",
        defaults={"level": SectorLevel.HEADING, "name": "Refrigerators, freezers", "parent": chapter},
    )
    Sector.objects.get_or_create(
        code="8450", defaults={"level": SectorLevel.HEADING, "name": "Washing machines", "parent": chapter}
    )
    return heading


def step_url(step: str) -> str:
    return reverse("accounts:onboarding_step", kwargs={"step": step})


def make_producer(user, **data):
    return producer_profile_create(actor=user, data={"name": "Tabriz Cooling Co.", **data})


def add_product(producer, user, **data):
    values = {"name": "Chest freezer", "hs_code": "8418", "annual_capacity": "1200", "capacity_unit": "units"}
    return product_create(producer=producer, actor=user, data={**values, **data})


# --- Completeness rules ----------------------------------------------------------


def test_producer_completeness_steps(make_user):
    user = make_user("producer")
    assert [s.key for s in producer_completeness(None).missing] == ["company", "products", "markets"]

    profile = make_producer(user)
    completeness = producer_completeness(profile)
    assert [s.key for s in completeness.missing] == ["products", "markets"]
    assert not completeness.ready_to_match

    # A product that is unlisted or has no free capacity does not count.
    add_product(profile, user, is_active=False)
    add_product(profile, user, available_capacity="0")
    assert not producer_completeness(profile).step("products").done
    add_product(profile, user)
    assert producer_completeness(profile).step("products").done

    profile.open_to_any_market = True
    assert producer_completeness(profile).ready_to_match
    profile.open_to_any_market, profile.target_markets = False, ["IQ"]
    completeness = producer_completeness(profile)
    assert completeness.ready_to_match and completeness.percent == 100 and completeness.first_missing is None


def test_buyer_completeness_steps(make_user):
    user = make_user("buyer")
    assert [s.key for s in buyer_completeness(None).missing] == ["company", "demand"]
    profile = buyer_profile_create(actor=user, data={"company_name": "Baghdad Home", "country": "IQ"})
    completeness = buyer_completeness(profile)
    assert [s.key for s in completeness.missing] == ["demand"] and completeness.percent == 50
    profile.sought_sectors.set(["8418"])
    assert buyer_completeness(profile).ready_to_match


def test_counsellors_and_staff_have_no_onboarding(make_user):
    assert completeness_for_user(make_user("counsellor")) is None
    assert completeness_for_user(make_user("staff")) is None
    assert not onboarding.needs_onboarding(make_user("staff"))


def test_completeness_for_user_is_one_query(make_user, django_assert_num_queries):
    user = make_user("producer")
    profile = make_producer(user, target_markets=["IQ"])
    for _ in range(3):
        add_product(profile, user)
    with django_assert_num_queries(1):
        completeness = completeness_for_user(user)
        assert completeness.ready_to_match and completeness.profile.product_count == 3


# --- Producer onboarding -------------------------------------------------------


def test_onboarding_redirects_to_the_first_missing_step(client, make_user):
    user = make_user("producer")
    client.force_login(user)
    assert client.get(reverse("accounts:onboarding"))["Location"] == step_url("company")
    # A later step before the company exists sends back to the company step.
    assert client.get(step_url("markets"))["Location"] == step_url("company")

    profile = make_producer(user)
    assert client.get(reverse("accounts:onboarding"))["Location"] == step_url("products")
    add_product(profile, user)
    assert client.get(reverse("accounts:onboarding"))["Location"] == step_url("markets")


def test_producer_walks_through_the_steps_saving_each(client, make_user):
    user = make_user("producer")
    client.force_login(user)

    response = client.post(
        step_url("company"), {"name": "Sahand Machinery", "city": "Tabriz", "founded": "1998"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:onboarding")
    profile = user.producer_profile
    assert (profile.name, profile.founded) == ("Sahand Machinery", 1998)

    response = client.post(
        step_url("products"),
        {"name": "Lathe", "hs_code": "8418", "annual_capacity": "450", "capacity_unit": "units", "moq": "5"},
    )
    assert response["Location"] == step_url("products")
    product = Product.objects.get(producer=profile)
    assert (product.annual_capacity, product.available_capacity) == (450, 450)

    response = client.post(step_url("markets"), {"target_markets": ["IQ", "AM"]})
    assert response["Location"] == reverse("accounts:onboarding")
    profile.refresh_from_db()
    assert sorted(c.code for c in profile.target_markets) == ["AM", "IQ"]

    response = client.get(reverse("accounts:onboarding"))
    assert response["Location"] == reverse("dashboard")


def test_partial_progress_is_kept(client, make_user):
    user = make_user("producer")
    client.force_login(user)
    client.post(step_url("company"), {"name": "Only the name"})
    client.logout()
    client.force_login(user)
    response = client.get(step_url("company"))
    assert response.context["form"].initial["name"] == "Only the name"
    assert client.get(reverse("accounts:onboarding"))["Location"] == step_url("products")


def test_negative_capacity_shows_the_services_error_beside_the_field(client, make_user):
    user = make_user("producer")
    make_producer(user)
    client.force_login(user)
    response = client.post(
        step_url("products"),
        {"name": "Lathe", "hs_code": "8418", "annual_capacity": "-5", "capacity_unit": "units"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["annual_capacity"] == ["Enter a number greater than zero."]
    html = response.content.decode()
    assert 'id="id_annual_capacity_error"' in html and 'aria-invalid="true"' in html
    assert not Product.objects.exists()


def test_unknown_hs_code_and_bad_year_are_field_errors(client, make_user):
    user = make_user("producer")
    make_producer(user)
    client.force_login(user)
    response = client.post(
        step_url("products"),
        {"name": "Lathe", "hs_code": "7777", "annual_capacity": "5", "capacity_unit": "units"},
    )
    assert "does not exist" in response.context["form"].errors["hs_code"][0]
    response = client.post(step_url("company"), {"name": "Sahand", "founded": "1700"})
    assert response.status_code == 200
    assert response.context["form"].errors["founded"]


def test_unknown_country_is_a_field_error(client, make_user):
    user = make_user("producer")
    make_producer(user)
    client.force_login(user)
    response = client.post(step_url("markets"), {"target_markets": ["IQ", "XX"]})
    assert response.status_code == 200
    assert response.context["form"].errors["target_markets"]
    assert user.producer_profile.target_markets == []


def test_progress_shows_done_and_missing_steps(client, make_user):
    user = make_user("producer")
    make_producer(user)
    client.force_login(user)
    response = client.get(step_url("products"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="progressbar"' in html and 'aria-valuenow="33"' in html
    assert html.count('aria-current="step"') == 1
    steps = response.context["completeness"].steps
    assert [(s.key, s.done) for s in steps] == [("company", True), ("products", False), ("markets", False)]
    assert "Add at least one listed product" in html


def test_country_choices_follow_the_active_language(client, make_user):
    user = make_user("producer")
    make_producer(user)
    client.force_login(user)
    client.cookies["django_language"] = "fa"
    html = client.get(step_url("markets")).content.decode()
    assert '<label class="form-check-label" for="id_target_markets_IQ">عراق</label>' in html
    client.cookies["django_language"] = "en"
    html = client.get(step_url("markets")).content.decode()
    assert '<label class="form-check-label" for="id_target_markets_IQ">Iraq</label>' in html


# --- Buyer onboarding ------------------------------------------------------------


def test_buyer_walks_through_company_and_demand(client, make_user):
    user = make_user("buyer")
    client.force_login(user)
    assert client.get(reverse("accounts:onboarding"))["Location"] == step_url("company")

    response = client.post(step_url("company"), {"company_name": "Erbil Appliances", "country": "ZZ"})
    assert response.status_code == 200 and response.context["form"].errors["country"]
    response = client.post(step_url("company"), {"company_name": "Erbil Appliances", "country": "IQ"})
    assert response["Location"] == reverse("accounts:onboarding")
    assert client.get(reverse("accounts:onboarding"))["Location"] == step_url("demand")

    response = client.post(step_url("demand"), {"sought_sectors": "8418, 7777", "annual_demand": "-1"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "7777" in errors["sought_sectors"][0]
    assert errors["annual_demand"] == ["Enter a number greater than zero."]

    response = client.post(
        step_url("demand"), {"sought_sectors": "8418, 8450", "annual_demand": "3000", "demand_unit": "units"}
    )
    assert response["Location"] == reverse("accounts:onboarding")
    profile = user.buyer_profile
    assert sorted(profile.sought_sectors.values_list("code", flat=True)) == ["8418", "8450"]
    assert buyer_completeness(profile).ready_to_match
    assert client.get(reverse("accounts:onboarding"))["Location"] == reverse("dashboard")


def test_buyer_demand_needs_a_unit(client, make_user):
    user = make_user("buyer")
    buyer_profile_create(actor=user, data={"company_name": "Van Trade", "country": "TR"})
    client.force_login(user)
    response = client.post(step_url("demand"), {"sought_sectors": "8418", "annual_demand": "100"})
    assert response.context["form"].errors["demand_unit"]


def test_steps_of_another_role_do_not_exist(client, make_user):
    client.force_login(make_user("buyer"))
    assert client.get(step_url("products")).status_code == 404
    assert client.get(step_url("nonsense")).status_code == 404


@pytest.mark.parametrize("role", ["counsellor", "staff"])
def test_counsellors_and_staff_do_not_onboard(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(reverse("accounts:onboarding")).status_code == 403
    assert client.get(reverse("accounts:profile")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    for url in [reverse("accounts:onboarding"), step_url("company"), reverse("my_products:list")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# --- Sign-in redirect --------------------------------------------------------------


def test_sign_in_goes_to_onboarding_until_the_profile_is_ready(client, make_user):
    from tests.factories import DEFAULT_PASSWORD

    user = make_user("producer", email="p@example.com")
    credentials = {"login": "p@example.com", "password": DEFAULT_PASSWORD}
    assert client.post(reverse("account_login"), credentials)["Location"] == reverse("accounts:onboarding")
    client.logout()
    profile = make_producer(user, open_to_any_market=True)
    add_product(profile, user)
    assert client.post(reverse("account_login"), credentials)["Location"] == reverse("dashboard")


# --- Profile page ----------------------------------------------------------------


def test_profile_page_edits_the_whole_profile(client, make_user):
    user = make_user("buyer")
    buyer_profile_create(actor=user, data={"company_name": "Van Trade", "country": "TR"})
    client.force_login(user)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert response.context["form"].initial["company_name"] == "Van Trade"
    response = client.post(
        reverse("accounts:profile"),
        {
            "company_name": "Van Trade Ltd",
            "country": "TR",
            "sought_sectors": "84",
            "website": "vantrade.example",
        },
    )
    assert response.status_code == 302
    profile = user.buyer_profile
    profile.refresh_from_db()
    assert profile.company_name == "Van Trade Ltd" and profile.website == "https://vantrade.example"
    response = client.post(
        reverse("accounts:profile"), {"company_name": "X", "country": "TR", "phone": "call me"}
    )
    assert response.status_code == 200 and response.context["form"].errors["phone"]


# --- A producer's products ---------------------------------------------------------


@pytest.fixture
def two_producers(make_user):
    owner, other = make_user("producer"), make_user("producer")
    mine = add_product(make_producer(owner), owner, name="Mine")
    theirs = add_product(make_producer(other, name="Other Co."), other, name="Theirs")
    return owner, mine, theirs


def test_product_pages_for_the_owner(client, two_producers):
    owner, mine, theirs = two_producers
    client.force_login(owner)
    response = client.get(reverse("my_products:list"))
    assert response.status_code == 200
    assert list(response.context["products"]) == [mine]

    response = client.post(
        reverse("my_products:new"),
        {
            "name": "Fridge",
            "hs_code": "8418",
            "annual_capacity": "900",
            "capacity_unit": "units",
            "currency": "USD",
        },
    )
    assert response["Location"] == reverse("my_products:list")
    fridge = Product.objects.get(name="Fridge")
    assert fridge.is_active is False  # an unticked box means unlisted

    edit_url = reverse("my_products:edit", kwargs={"pk": mine.pk})
    assert client.get(edit_url).context["form"].initial["annual_capacity"] == "1200"
    data = {
        "name": "Mine",
        "hs_code": "8418",
        "annual_capacity": "-3",
        "capacity_unit": "units",
        "currency": "USD",
    }
    response = client.post(edit_url, data)
    assert response.context["form"].errors["annual_capacity"] == ["Enter a number greater than zero."]
    data.update(annual_capacity="800", available_capacity="500", is_active="on")
    assert client.post(edit_url, data).status_code == 302
    mine.refresh_from_db()
    assert (mine.annual_capacity, mine.available_capacity) == (800, 500)

    delete_url = reverse("my_products:delete", kwargs={"pk": mine.pk})
    assert client.get(delete_url).status_code == 200
    assert client.post(delete_url)["Location"] == reverse("my_products:list")
    assert not Product.objects.filter(pk=mine.pk).exists()


def test_another_producers_product_is_not_found(client, two_producers):
    owner, _mine, theirs = two_producers
    client.force_login(owner)
    for name in ("my_products:edit", "my_products:delete"):
        url = reverse(name, kwargs={"pk": theirs.pk})
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "Hijacked"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_staff_may_edit_any_product(client, make_user, two_producers):
    _owner, _mine, theirs = two_producers
    client.force_login(make_user("staff"))
    url = reverse("my_products:edit", kwargs={"pk": theirs.pk})
    assert client.get(url).status_code == 200
    data = {
        "name": "Renamed",
        "hs_code": "8418",
        "annual_capacity": "10",
        "capacity_unit": "units",
        "currency": "USD",
    }
    assert client.post(url, data)["Location"] == reverse("dashboard")
    theirs.refresh_from_db()
    assert theirs.name == "Renamed"


@pytest.mark.parametrize("role", ["buyer", "counsellor"])
def test_other_roles_cannot_use_producer_pages(client, make_user, two_producers, role):
    _owner, mine, _theirs = two_producers
    client.force_login(make_user(role))
    for url in [
        reverse("my_products:list"),
        reverse("my_products:new"),
        reverse("my_products:edit", kwargs={"pk": mine.pk}),
        reverse("my_products:delete", kwargs={"pk": mine.pk}),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("my_products:delete", kwargs={"pk": mine.pk})).status_code == 403
    assert Product.objects.filter(pk=mine.pk).exists()


def test_products_pages_before_the_company_send_to_onboarding(client, make_user):
    client.force_login(make_user("producer"))
    assert client.get(reverse("my_products:list"))["Location"] == step_url("company")
    assert client.get(reverse("my_products:new"))["Location"] == step_url("company")


def test_product_list_empty_state(client, make_user):
    user = make_user("producer")
    make_producer(user)
    client.force_login(user)
    response = client.get(reverse("my_products:list"))
    assert "You have not added any products yet." in response.content.decode()
