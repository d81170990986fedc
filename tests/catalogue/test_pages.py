"""Catalogue pages: search and browse for everyone, contacts per policy, hidden products 404, bounded queries."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import Product
from taxonomy.models import Sector
from tests.conftest import ROLES
from tests.factories import ProducerProfileFactory, ProductFactory
from tests.matchmaking.lifecycle_support import make_counsellor

pytestmark = pytest.mark.django_db

LIST_URL = reverse("catalogue:product-list")
# Session and user (signed in), the filter form's sections and HS code checks, the
# typo corrections and HS-name matches, the count, the page and its producers, HS
# codes and photos: never more, whatever the number of results. A typo costs two (a word that no
# indexed word starts with, then the words of a similar length to correct it towards). The
# filters' counts add one each (section, province, target market, unit: catalogue.facets).
MAX_LIST_QUERIES = 18
# A counsellor's contact scope adds two (their desk's markets, their matches' producers), and
# the nav's unread messages one (deals; a signed-in party's or counsellor's every page), the
# photos of the product and of the products shown beside it two.
MAX_DETAIL_QUERIES = 12


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def producer():
    return ProducerProfileFactory(
        name="Azar Cooling Industries",
        email="sales@azar-cooling.example.com",
        phone="+98 41 3444 5566",
        contact_name="Reza Ahmadi",
        website="https://azar-cooling.example.com",
        target_markets=["IQ", "AM"],
        certifications=["ISO9001"],
    )


@pytest.fixture
def fridge(producer):
    return ProductFactory(
        producer=producer,
        name="Side-by-side Refrigerator",
        description="600 litres, no-frost.",
        hs_code="841810",
        annual_capacity=Decimal("45000"),
        available_capacity=Decimal("20000"),
        moq=Decimal("200"),
        certifications=["CE"],
    )


@pytest.fixture
def hidden(producer):
    return ProductFactory(producer=producer, name="Prototype freezer", hs_code="841830", is_active=False)


def login(client, make_user, role, **kwargs):
    user = make_user(role, **kwargs)
    client.force_login(user)
    return user


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- The list -------------------------------------------------------------------------------


def test_anonymous_visitors_browse_the_catalogue_in_persian(client, fridge):
    page = html(client.get(LIST_URL))
    assert 'dir="rtl"' in page
    assert "Side-by-side Refrigerator" in page
    assert "Azar Cooling Industries" in page
    assert "۲۰٬۰۰۰" in page  # available capacity with Persian digits and grouping
    assert "۸۴۱۸۱۰" in page  # the HS code…
    assert "۸۴۱۸۱۰" in page and Sector.objects.get(code="841810").name_fa in page  # …with its Persian name


@pytest.mark.parametrize("role", ROLES)
def test_every_role_browses_the_catalogue(client, make_user, fridge, role):
    login(client, make_user, role)
    assert "Side-by-side Refrigerator" in html(client.get(LIST_URL))


def test_english_shows_units_numbers_and_labels(english, fridge):
    page = html(english.get(LIST_URL))
    assert 'dir="ltr"' in page
    assert "20,000 units" in page
    assert "1 product" in page
    for label in ("Search", "HS code", "HS section", "Province", "Target market", "Certification", "Sort by"):
        assert f">{label}</label>" in page, label


def test_the_form_labels_every_field(english, fridge):
    page = html(english.get(LIST_URL))
    for name in ("search", "hs", "section", "province", "target_market", "certification", "min_capacity"):
        assert f'for="id_{name}"' in page and f'id="id_{name}"' in page, name


def test_search_from_the_page_with_a_typo_and_filters(english, fridge):
    ProductFactory(name="Cotton yarn", hs_code="520512")
    page = html(english.get(LIST_URL, {"search": "refrigirator", "hs": "84", "target_market": "IQ"}))
    assert "Side-by-side Refrigerator" in page and "Cotton yarn" not in page
    assert "1 product" in page


def test_persian_search_typed_on_an_arabic_keyboard(client):
    ProductFactory(name="یخچال فریزر خانگی", hs_code="841810")
    page = html(client.get(LIST_URL, {"search": "يخچال"}))
    assert "یخچال فریزر خانگی" in page


def test_empty_state(english, fridge):
    page = html(english.get(LIST_URL, {"search": "submarine"}))
    assert 'data-testid="empty-state"' in page
    assert "No products match your search." in page
    assert "0 products" in page
    assert 'href="/catalogue/"' in page  # clear the filters


def test_empty_catalogue(english):
    page = html(english.get(LIST_URL))
    assert "No products are listed in the catalogue yet." in page


@pytest.mark.parametrize(
    "params",
    [
        {"hs": "abc"},
        {"min_capacity": "lots"},
        {"producer": str(2**80)},
        {"ordering": "price"},
        {"capacity_unit": "barrels", "target_market": "XX", "certification": "<b>"},
        {"search": "x" * 500},
    ],
)
def test_invalid_filters_show_errors_never_a_server_error(english, fridge, params):
    page = html(english.get(LIST_URL, params))
    assert "Some filters are not valid" in page
    assert "invalid-feedback" in page
    assert "Side-by-side Refrigerator" not in page


def test_pagination_24_a_page(english, producer):
    ProductFactory.create_batch(30, producer=producer)
    first = html(english.get(LIST_URL))
    assert "30 products" in first and "Page 1 of 2" in first
    assert first.count('class="card h-100"') == 24
    second = html(english.get(LIST_URL, {"page": "2"}))
    assert second.count('class="card h-100"') == 6
    assert html(english.get(LIST_URL, {"page": "abc"})).count('class="card h-100"') == 24
    assert html(english.get(LIST_URL, {"page": "99"})).count('class="card h-100"') == 6


def test_pagination_keeps_the_filters(english, producer):
    ProductFactory.create_batch(25, producer=producer, name="Chest freezer")
    page = html(english.get(LIST_URL, {"search": "freezer", "ordering": "-annual_capacity"}))
    assert "?search=freezer&amp;ordering=-annual_capacity&amp;page=2" in page


def test_sorting(english, producer):
    ProductFactory(producer=producer, name="Small batch", annual_capacity=Decimal("10"))
    ProductFactory(producer=producer, name="Mass production", annual_capacity=Decimal("90000"))
    page = html(english.get(LIST_URL, {"ordering": "-annual_capacity"}))
    assert page.index("Mass production") < page.index("Small batch")
    page = html(english.get(LIST_URL, {"ordering": "annual_capacity"}))
    assert page.index("Small batch") < page.index("Mass production")


def test_hidden_products_are_not_listed_except_to_their_owner_and_staff(client, make_user, fridge, hidden):
    assert "Prototype freezer" not in html(client.get(LIST_URL))
    login(client, make_user, "buyer")
    assert "Prototype freezer" not in html(client.get(LIST_URL))
    client.force_login(hidden.producer.owner)
    assert "Prototype freezer" in html(client.get(LIST_URL))
    login(client, make_user, "staff")
    assert "Prototype freezer" in html(client.get(LIST_URL))


def test_producer_filter_from_the_producer_page(english, fridge):
    other = ProductFactory(name="Cotton yarn", hs_code="520512")
    page = html(english.get(LIST_URL, {"producer": str(fridge.producer_id)}))
    assert "Side-by-side Refrigerator" in page and other.name not in page
    assert f'type="hidden" name="producer" value="{fridge.producer_id}"' in page


# --- Product and producer pages ---------------------------------------------------------------


def test_product_page_for_anonymous_hides_contacts(english, fridge):
    page = html(english.get(reverse("catalogue:product-detail", kwargs={"pk": fridge.pk})))
    assert "Side-by-side Refrigerator" in page and "600 litres, no-frost." in page
    assert "45,000 units" in page and "20,000 units" in page and "200 units" in page
    assert "8418" in page and "841810" in page and "Refrigerators and freezers" in page
    assert "Iraq" in page and "CE" in page
    assert 'data-testid="contacts-hidden"' in page
    for secret in (
        "sales@azar-cooling.example.com",
        "+98 41 3444 5566",
        "Reza Ahmadi",
        "azar-cooling.example.com",
    ):
        assert secret not in page


@pytest.mark.parametrize(
    ("role", "sees_contacts"),
    [
        ("buyer", False),
        ("producer", False),
        ("counsellor", True),  # posted in Iraq, one of the producer's target markets
        ("counsellor elsewhere", False),  # posted in Germany, no match with the producer
        ("staff", True),
    ],
)
def test_contacts_per_policy_on_both_pages(client, make_user, fridge, role, sees_contacts):
    if role.startswith("counsellor"):
        client.force_login(make_counsellor("IQ" if role == "counsellor" else "DE"))
    else:
        login(client, make_user, role)
    for url in (
        reverse("catalogue:product-detail", kwargs={"pk": fridge.pk}),
        reverse("catalogue:producer-detail", kwargs={"pk": fridge.producer_id}),
    ):
        page = html(client.get(url))
        assert ("sales@azar-cooling.example.com" in page) is sees_contacts, (role, url)
        assert ("Reza Ahmadi" in page) is sees_contacts
        assert ('data-testid="contacts-hidden"' in page) is not sees_contacts


def test_the_owner_sees_its_own_contacts(client, fridge):
    client.force_login(fridge.producer.owner)
    page = html(client.get(reverse("catalogue:producer-detail", kwargs={"pk": fridge.producer_id})))
    assert "sales@azar-cooling.example.com" in page and "+98 41 3444 5566" in page


@pytest.mark.parametrize("viewer", ["anonymous", "buyer", "other producer", "counsellor"])
def test_hidden_product_is_404(client, make_user, hidden, viewer):
    if viewer == "other producer":
        login(client, make_user, "producer")
    elif viewer != "anonymous":
        login(client, make_user, viewer)
    response = client.get(reverse("catalogue:product-detail", kwargs={"pk": hidden.pk}))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_hidden_product_is_shown_to_owner_and_staff(client, make_user, hidden, who):
    if who == "owner":
        client.force_login(hidden.producer.owner)
    else:
        login(client, make_user, "staff")
    assert "Prototype freezer" in html(
        client.get(reverse("catalogue:product-detail", kwargs={"pk": hidden.pk}))
    )


@pytest.mark.parametrize("pk", [987654, 2**70])
def test_missing_product_and_producer_are_404(client, pk):
    assert client.get(f"/catalogue/products/{pk}/").status_code == 404
    assert client.get(f"/catalogue/producers/{pk}/").status_code == 404


def test_producer_page(english, fridge, hidden):
    page = html(english.get(reverse("catalogue:producer-detail", kwargs={"pk": fridge.producer_id})))
    assert "Azar Cooling Industries" in page and "Side-by-side Refrigerator" in page
    assert "Prototype freezer" not in page
    assert "1 product" in page and "Iraq" in page and "Armenia" in page and "ISO9001" in page


def test_producer_without_products(english):
    producer = ProducerProfileFactory(name="New Works")
    page = html(english.get(reverse("catalogue:producer-detail", kwargs={"pk": producer.pk})))
    assert "This producer has no products in the catalogue yet." in page


# --- Query counts ---------------------------------------------------------------------------


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        html(client.get(url, params or {}))
    return len(captured)


FULL_SEARCH = {
    "search": "refrigirator",
    "hs": "84",
    "section": "XVI",
    "target_market": "IQ",
    "min_capacity": "1",
}


@pytest.mark.parametrize("signed_in", [False, True])
def test_list_page_queries_do_not_grow_with_results(
    client, make_user, producer, signed_in, django_assert_max_num_queries
):
    if signed_in:
        login(client, make_user, "buyer")
    ProductFactory(producer=producer, name="Refrigerator 1", hs_code="841810")
    few = count_queries(client, LIST_URL, FULL_SEARCH), count_queries(client, LIST_URL)
    for n in range(30):
        ProductFactory(
            producer=ProducerProfileFactory(target_markets=["IQ"]),
            name=f"Refrigerator {n + 2}",
            hs_code="841810",
        )
    many = count_queries(client, LIST_URL, FULL_SEARCH), count_queries(client, LIST_URL)
    assert few == many
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        client.get(LIST_URL, FULL_SEARCH)


def test_detail_pages_queries_are_bounded(client, make_user, fridge, django_assert_max_num_queries):
    ProductFactory.create_batch(10, producer=fridge.producer)
    fridge.producer.declared_sectors.set(Product.objects.values_list("hs_code", flat=True).distinct())
    client.force_login(make_counsellor("DE"))  # out of scope: asks for its desk and its matches
    with django_assert_max_num_queries(MAX_DETAIL_QUERIES):
        html(client.get(reverse("catalogue:product-detail", kwargs={"pk": fridge.pk})))
    with django_assert_max_num_queries(MAX_DETAIL_QUERIES):
        html(client.get(reverse("catalogue:producer-detail", kwargs={"pk": fridge.producer_id})))
