"""The province filter reads any name of an Iranian province (taxonomy.provinces): Persian or
Latin, its capital, typed on an Arabic keyboard, whichever name the profile holds."""

import pytest

from catalogue.filtersets import ProducerFilterSet, ProductFilterSet
from catalogue.models import Product
from taxonomy.provinces import PROVINCES, province_aliases, province_of
from tests.factories import ProducerProfileFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_the_list_holds_the_31_provinces_each_name_once():
    assert len(PROVINCES) == 31
    assert (
        len({province.name for province in PROVINCES})
        == len({province.name_fa for province in PROVINCES})
        == 31
    )


@pytest.mark.parametrize(
    "typed",
    [
        "East Azerbaijan",
        "east azerbaijan",
        "آذربایجان شرقی",
        "آذربايجان شرقي",
        "آذربایجان\u200cشرقی",
        "استان آذربایجان شرقی",
        "تبریز",
        "Tabriz",
    ],
)
def test_any_name_of_a_province_finds_it(typed):
    assert province_of(typed).name == "East Azerbaijan"


def test_an_unknown_name_is_looked_up_as_written():
    assert province_of("Atlantis") is None
    assert province_aliases(" Atlantis ") == ["atlantis"]


@pytest.fixture
def producers():
    english = ProducerProfileFactory(name="Tabriz Cooling", province="East Azerbaijan")
    persian = ProducerProfileFactory(name="Sahand Pumps", province="آذربایجان\u200cشرقی")  # ZWNJ, no space
    arabic_keyboard = ProducerProfileFactory(name="Aras Tools", province="آذربايجان شرقي")
    ardabil = ProducerProfileFactory(name="Sabalan Textiles", province="اردبیل")
    for producer in (english, persian, arabic_keyboard, ardabil):
        ProductFactory(producer=producer, name=f"{producer.name} product", hs_code="841810")


def _products(value: str) -> set[str]:
    filterset = ProductFilterSet({"province": value}, queryset=Product.objects.all())
    assert filterset.is_valid()
    return {product.producer.name for product in filterset.qs}


@pytest.mark.parametrize("value", ["آذربایجان شرقی", "تبریز", "East Azerbaijan", "آذربايجان شرقي"])
def test_the_catalogue_finds_the_provinces_producers_whatever_name_either_side_holds(producers, value):
    assert _products(value) == {"Tabriz Cooling", "Sahand Pumps", "Aras Tools"}


def test_a_persian_province_found_by_its_latin_name(producers):
    assert _products("Ardabil") == {"Sabalan Textiles"}
    assert _products("Tehran") == set()


def test_the_producer_list_reads_the_same_names(producers):
    found = ProducerFilterSet({"province": "تبريز"}).qs
    assert {producer.name for producer in found} == {"Tabriz Cooling", "Sahand Pumps", "Aras Tools"}
