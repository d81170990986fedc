"""Products over the API, per role, including other producers' products by id."""

import pytest
from rest_framework.test import APIClient

from accounts import services as account_services
from catalogue import services
from catalogue.models import Product

pytestmark = pytest.mark.django_db

FRIDGE = {"name": "Twin fridge", "hs_code": "841810", "annual_capacity": "45000", "capacity_unit": "units"}


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def producer(make_user):
    def make(name="Azar Appliances"):
        user = make_user("producer")
        profile = account_services.producer_profile_create(actor=user, data={"name": name})
        return user, profile

    return make


@pytest.fixture
def product(producer):
    user, profile = producer()
    return services.product_create(producer=profile, actor=user, data=FRIDGE)


def test_anyone_reads_listed_products(product):
    response = client_for().get("/api/v1/products/")
    assert response.status_code == 200
    item = response.json()["results"][0]
    assert item["hs_code"] == "841810" and item["producer"] == product.producer_id
    assert item["available_capacity"] == "45000.00"  # defaults to the annual capacity
    assert client_for().get(f"/api/v1/products/{product.pk}/").status_code == 200


def test_a_producer_adds_a_product_to_its_own_profile(producer):
    user, profile = producer()
    response = client_for(user).post("/api/v1/products/", {**FRIDGE, "incoterms": ["fob"]}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["producer"] == profile.pk and response.json()["incoterms"] == ["FOB"]


def test_a_producer_without_a_profile_is_told_to_make_one(make_user):
    response = client_for(make_user("producer")).post("/api/v1/products/", FRIDGE, format="json")
    assert response.status_code == 400 and "producer" in response.json()


@pytest.mark.parametrize("role", ["buyer", "counsellor"])
def test_other_roles_cannot_add_products(make_user, role):
    assert client_for(make_user(role)).post("/api/v1/products/", FRIDGE, format="json").status_code == 403


def test_anonymous_cannot_add_products():
    assert client_for().post("/api/v1/products/", FRIDGE, format="json").status_code in (401, 403)


def test_a_producer_cannot_add_a_product_to_another_producer(producer):
    user, _own = producer()
    _other_user, other = producer("Other")
    response = client_for(user).post("/api/v1/products/", {**FRIDGE, "producer": other.pk}, format="json")
    assert response.status_code == 403
    assert not Product.objects.filter(producer=other).exists()


def test_staff_adds_a_product_for_a_producer(make_user, producer):
    _user, profile = producer()
    staff = client_for(make_user("staff"))
    assert staff.post("/api/v1/products/", FRIDGE, format="json").status_code == 400
    response = staff.post("/api/v1/products/", {**FRIDGE, "producer": profile.pk}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("editor", "expected"),
    [("owner", 200), ("staff", 200), ("other_producer", 403), ("buyer", 403), ("counsellor", 403)],
)
def test_who_edits_a_product_by_id(make_user, producer, product, editor, expected):
    user = product.producer.owner if editor == "owner" else None
    if editor == "other_producer":
        user, _ = producer("Other")
    elif user is None:
        user = make_user(editor)
    response = client_for(user).patch(
        f"/api/v1/products/{product.pk}/", {"annual_capacity": "50000"}, format="json"
    )
    assert response.status_code == expected
    product.refresh_from_db()
    assert (product.annual_capacity == 50000) == (expected == 200)


def test_who_deletes_a_product_by_id(producer, product):
    other, _ = producer("Other")
    assert client_for(other).delete(f"/api/v1/products/{product.pk}/").status_code == 403
    assert client_for(product.producer.owner).delete(f"/api/v1/products/{product.pk}/").status_code == 204
    assert not Product.objects.filter(pk=product.pk).exists()


def test_a_product_cannot_move_to_another_producer(producer, product):
    _user, other = producer("Other")
    response = client_for(product.producer.owner).patch(
        f"/api/v1/products/{product.pk}/", {"producer": other.pk}, format="json"
    )
    assert response.status_code == 400
    product.refresh_from_db()
    assert product.producer_id != other.pk


def test_an_unlisted_product_is_visible_only_to_its_producer_and_staff(make_user, producer, product):
    owner = product.producer.owner
    client_for(owner).patch(f"/api/v1/products/{product.pk}/", {"is_active": False}, format="json")
    assert client_for().get(f"/api/v1/products/{product.pk}/").status_code == 404
    other, _ = producer("Other")
    assert client_for(other).get(f"/api/v1/products/{product.pk}/").status_code == 404
    assert (
        client_for(other).patch(f"/api/v1/products/{product.pk}/", {"name": "x"}, format="json").status_code
        == 404
    )
    assert client_for(owner).get(f"/api/v1/products/{product.pk}/").status_code == 200
    assert client_for(make_user("staff")).get(f"/api/v1/products/{product.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"annual_capacity": "-5"}, "annual_capacity"),
        ({"annual_capacity": "0"}, "annual_capacity"),
        ({"annual_capacity": "NaN"}, "annual_capacity"),
        ({"annual_capacity": "Infinity"}, "annual_capacity"),
        ({"annual_capacity": "1e20"}, "annual_capacity"),
        ({"available_capacity": "90000"}, "available_capacity"),
        ({"hs_code": "7701"}, "hs_code"),
        ({"hs_code": "84a8"}, "hs_code"),
        ({"hs_code": "XVI"}, "hs_code"),
        ({"capacity_unit": "barrels"}, "capacity_unit"),
        ({"currency": "XYZ"}, "currency"),
        ({"incoterms": ["FOBX"]}, "incoterms"),
        ({"lead_time_days": 5000}, "lead_time_days"),
        ({"price_min": "10", "price_max": "5"}, "price_max"),
        ({"name": ""}, "name"),
        ({"certifications": ["not valid!"]}, "certifications"),
    ],
)
def test_bad_product_input_is_a_400_on_its_field(product, data, field):
    response = client_for(product.producer.owner).patch(
        f"/api/v1/products/{product.pk}/", data, format="json"
    )
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()


def test_persian_digits_are_accepted_in_quantities(product):
    response = client_for(product.producer.owner).patch(
        f"/api/v1/products/{product.pk}/", {"annual_capacity": "۵۰٬۰۰۰", "hs_code": "۸۴۱۸"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["annual_capacity"] == "50000.00" and response.json()["hs_code"] == "8418"


def test_bad_filters_are_a_400_not_a_500():
    response = client_for().get("/api/v1/products/?min_capacity=lots&page_size=5")
    assert response.status_code == 400 and "min_capacity" in response.json()
