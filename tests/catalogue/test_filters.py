"""ProductFilter and ProducerFilter: the public search parameters, combined, and their errors."""

from decimal import Decimal

import hypothesis
import pytest
from django.core.exceptions import ValidationError
from hypothesis import strategies as st

from catalogue import selectors
from catalogue.filtersets import ProducerFilterSet as ProducerFilter
from catalogue.filtersets import ProductFilterSet as ProductFilter
from catalogue.models import Product
from tests.factories import ProducerProfileFactory, ProductFactory, hs_sector, verify_company

pytestmark = pytest.mark.django_db


API_PARAMETERS = {
    "search",
    "hs",
    "section",
    "province",
    "certification",
    "target_market",
    "min_capacity",
    "capacity_unit",
    "max_moq",
    "producer",
    "ordering",
}


def names(params: dict, queryset=None) -> list[str]:
    filterset = ProductFilter(params, queryset=Product.objects.all() if queryset is None else queryset)
    assert filterset.is_valid(), filterset.errors
    return [product.name for product in filterset.qs]


def errors(params: dict, filterset_class=ProductFilter) -> dict:
    filterset = filterset_class(params, queryset=filterset_class._meta.model.objects.all())
    assert not filterset.is_valid()
    return filterset.errors


@pytest.fixture
def products():
    tabriz = ProducerProfileFactory(
        name="Tabriz Cooling",
        target_markets=["IQ", "AM"],
        certifications=["ISO9001"],
        province="East Azerbaijan",
    )
    ardabil = ProducerProfileFactory(name="Sabalan Textiles", target_markets=["TR"], province="Ardabil")
    return {
        "fridge": ProductFactory(
            producer=tabriz,
            name="Refrigerator R-450",
            hs_code="841810",
            annual_capacity=Decimal("50000"),
            available_capacity=Decimal("20000"),
            moq=Decimal("200"),
            certifications=["CE"],
        ),
        "heading": ProductFactory(
            producer=tabriz,
            name="Display freezer",
            hs_code="8418",
            annual_capacity=Decimal("3000"),
            moq=None,
        ),
        "pump": ProductFactory(
            producer=tabriz,
            name="Water pump",
            hs_code="841370",
            annual_capacity=Decimal("800"),
            moq=Decimal("5000"),
        ),
        "heater": ProductFactory(
            producer=tabriz, name="Water heater", hs_code="851610", annual_capacity=Decimal("900")
        ),
        "yarn": ProductFactory(
            producer=ardabil,
            name="Cotton yarn",
            hs_code="520512",
            annual_capacity=Decimal("1200"),
            capacity_unit="tonnes",
        ),
    }


def test_the_parameters_are_exactly_the_public_contract():
    assert set(ProductFilter.base_filters) == API_PARAMETERS


def test_no_parameters_list_everything_newest_first(products):
    assert names({}) == ["Cotton yarn", "Water heater", "Water pump", "Display freezer", "Refrigerator R-450"]


@pytest.mark.parametrize("code", ["84", "۸۴", "٨٤"])
def test_a_chapter_finds_its_headings_and_subheadings_only(products, code):
    assert set(names({"hs": code})) == {"Refrigerator R-450", "Display freezer", "Water pump"}


@pytest.mark.parametrize("code", ["8418", "84.18", " 8418 "])
def test_a_heading_finds_itself_and_its_subheadings(products, code):
    assert set(names({"hs": code})) == {"Refrigerator R-450", "Display freezer"}


def test_a_subheading_finds_itself(products):
    assert names({"hs": "841810"}) == ["Refrigerator R-450"]


@pytest.mark.parametrize("params", [{"hs": "XVI"}, {"hs": "xvi"}, {"section": "XVI"}])
def test_a_section_finds_its_chapters(products, params):
    assert set(names(params)) == {"Refrigerator R-450", "Display freezer", "Water pump", "Water heater"}


def test_textile_section(products):
    hs_sector("520512")
    assert names({"section": "XI"}) == ["Cotton yarn"]


@pytest.mark.parametrize("value", ["8", "abc", "84181", "8418101", "7701", "XXX"])
def test_bad_hs_codes_are_field_errors(products, value):
    assert "hs" in errors({"hs": value})


def test_unknown_section_is_a_field_error(products):
    assert "section" in errors({"section": "XXV"})


def test_province_is_case_insensitive(products):
    assert names({"province": "ardabil"}) == ["Cotton yarn"]
    assert names({"province": "Tehran"}) == []


def test_certification_of_the_product_or_its_producer(products):
    assert set(names({"certification": "ISO9001"})) == {
        "Refrigerator R-450",
        "Display freezer",
        "Water pump",
        "Water heater",
    }
    assert names({"certification": "ce"}) == ["Refrigerator R-450"]
    assert names({"certification": "HALAL"}) == []
    assert "certification" in errors({"certification": "ISO 9001 <script>"})


@pytest.mark.parametrize("code", ["IQ", "iq", "AM"])
def test_target_market_is_the_producers(products, code):
    assert "Refrigerator R-450" in names({"target_market": code})
    assert "Cotton yarn" not in names({"target_market": code})


@pytest.mark.parametrize("value", ["XX", "Iraq", "IRQ"])
def test_bad_target_market_is_a_field_error(products, value):
    assert "target_market" in errors({"target_market": value})


def test_min_capacity_is_on_available_capacity(products):
    # The fridge makes 50,000 a year, but only 20,000 are free for export.
    assert names({"min_capacity": "20000"}) == ["Refrigerator R-450"]
    assert names({"min_capacity": "20001"}) == []
    assert set(names({"min_capacity": "1000"})) == {"Cotton yarn", "Display freezer", "Refrigerator R-450"}


@pytest.mark.parametrize("value", ["abc", "-5", "NaN", "Infinity", "1e40"])
def test_bad_min_capacity_is_a_field_error(products, value):
    assert "min_capacity" in errors({"min_capacity": value})


def test_capacity_unit(products):
    assert names({"capacity_unit": "tonnes"}) == ["Cotton yarn"]
    assert "capacity_unit" in errors({"capacity_unit": "barrels"})


def test_max_moq_keeps_products_without_a_minimum(products):
    assert set(names({"max_moq": "200"})) == {
        "Refrigerator R-450",
        "Display freezer",
        "Water heater",
        "Cotton yarn",
    }
    assert "max_moq" in errors({"max_moq": "lots"})


def test_producer(products):
    producer = products["yarn"].producer_id
    assert names({"producer": str(producer)}) == ["Cotton yarn"]
    assert names({"producer": "999999"}) == []


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", str(2**70)])
def test_bad_producer_is_a_field_error(products, value):
    assert "producer" in errors({"producer": value})


def test_ordering(products):
    assert names({"ordering": "annual_capacity"})[:2] == ["Water pump", "Water heater"]
    assert names({"ordering": "-annual_capacity"})[0] == "Refrigerator R-450"
    assert names({"ordering": "created_at"})[0] == "Refrigerator R-450"
    assert names({"ordering": "-created_at"})[0] == "Cotton yarn"
    # Without a search there is nothing to rank: the default order.
    assert names({"ordering": "relevance"})[0] == "Cotton yarn"
    assert "ordering" in errors({"ordering": "price"})


def test_search_orders_by_relevance_unless_told_otherwise(products):
    assert names({"search": "freezer"})[0] == "Display freezer"
    assert names({"search": "freezer", "ordering": "-relevance"})[-1] == "Display freezer"
    assert names({"search": "freezer", "ordering": "-annual_capacity"}) == [
        "Refrigerator R-450",
        "Display freezer",
    ]


def test_filters_combine(products):
    params = {"search": "refrigerators", "hs": "84", "target_market": "IQ", "min_capacity": "2500"}
    assert set(names(params)) == {"Refrigerator R-450", "Display freezer"}
    assert names({**params, "max_moq": "100"}) == ["Display freezer"]
    assert names({**params, "certification": "CE"}) == ["Refrigerator R-450"]
    assert names({**params, "capacity_unit": "tonnes"}) == []
    assert names({"search": "water", "hs": "85"}) == ["Water heater"]


def test_overlong_search_is_a_field_error(products):
    assert "search" in errors({"search": "x" * 201})


def test_errors_name_every_bad_field(products):
    assert set(errors({"hs": "abc", "min_capacity": "x", "ordering": "?", "search": "ok"})) == {
        "hs",
        "min_capacity",
        "ordering",
    }


def test_product_search_selector_raises_field_errors_and_scopes_visibility(products, make_user):
    Product.objects.filter(pk=products["pump"].pk).update(is_active=False)
    buyer = make_user("buyer")
    assert "Water pump" not in [p.name for p in selectors.product_search(user=buyer, params={"hs": "84"})]
    with pytest.raises(ValidationError) as raised:
        selectors.product_search(user=buyer, params={"hs": "nope", "capacity_unit": "x"})
    assert set(raised.value.message_dict) == {"hs", "capacity_unit"}


# --- Producers -----------------------------------------------------------------------------


def producer_names(params: dict) -> list[str]:
    filterset = ProducerFilter(params, queryset=selectors.catalogue_producers())
    assert filterset.is_valid(), filterset.errors
    return [producer.name for producer in filterset.qs]


@pytest.fixture
def producers(products):
    declared_only = ProducerProfileFactory(name="Arak Pumps", target_markets=["KZ"])
    verify_company(declared_only)  # the catalogue's filter means the verification review
    declared_only.declared_sectors.set([hs_sector("8413")])
    return products


def test_producers_default_order_is_by_name(producers):
    assert producer_names({}) == ["Arak Pumps", "Sabalan Textiles", "Tabriz Cooling"]


def test_producer_search_over_names_and_listed_products(producers):
    assert producer_names({"search": "sabalan"}) == ["Sabalan Textiles"]
    assert producer_names({"search": "arak"}) == ["Arak Pumps"]
    assert producer_names({"search": "yarn"}) == ["Sabalan Textiles"]
    assert producer_names({"search": "refrigirator"}) == ["Tabriz Cooling"]


def test_producer_sector_is_declared_or_from_products(producers):
    assert producer_names({"hs": "8413"}) == ["Arak Pumps", "Tabriz Cooling"]
    assert producer_names({"sector": "84"}) == ["Arak Pumps", "Tabriz Cooling"]
    assert producer_names({"section": "XI"}) == ["Sabalan Textiles"]
    assert "hs" in errors({"hs": "12345"}, ProducerFilter)


def test_producer_place_markets_certification_and_verification(producers):
    assert producer_names({"province": "ARDABIL"}) == ["Sabalan Textiles"]
    assert producer_names({"target_market": "kz"}) == ["Arak Pumps"]
    assert producer_names({"certification": "iso9001"}) == ["Tabriz Cooling"]
    assert producer_names({"verified": "true"}) == ["Arak Pumps"]
    assert producer_names({"verified": "false"}) == ["Sabalan Textiles", "Tabriz Cooling"]
    assert producer_names({"ordering": "-name"})[0] == "Tabriz Cooling"
    assert "target_market" in errors({"target_market": "ZZ"}, ProducerFilter)


PARAMETER_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["84", "8418", "XVI", "xi", "۸۴", "IQ", "iq", "ISO9001", "tonnes", "relevance", "-created_at"]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@hypothesis.settings(
    max_examples=80, deadline=None, suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)
@hypothesis.given(
    params=st.dictionaries(st.sampled_from(sorted(API_PARAMETERS)), PARAMETER_VALUES, max_size=5)
)
def test_any_parameters_give_results_or_field_errors_never_an_exception(products, params):
    filterset = ProductFilter(params, queryset=Product.objects.all())
    if filterset.is_valid():
        list(filterset.qs[:5])
        filterset.qs.count()
    else:
        assert set(filterset.errors) <= API_PARAMETERS
