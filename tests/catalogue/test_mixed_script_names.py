"""A company name written in two scripts, the Latin one in brackets after the Persian
(«ماشین‌سازی تبریز (Tabriz Machinery Co.)»), or glued to it, is found by either part: in the
catalogue's search, the producers' list and the counsellors' buyer search, on both databases."""

import pytest
from rest_framework.test import APIClient

from catalogue.filtersets import ProducerFilterSet
from catalogue.models import Product
from catalogue.search import search_products
from portal.normalization import normalize_text
from tests.factories import BuyerProfileFactory, ProducerProfileFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

NAME = "ماشین‌سازی تبریز (Tabriz Machinery Co.)"


@pytest.fixture
def machinery():
    producer = ProducerProfileFactory(name=NAME, description="", city="")
    product = ProductFactory(producer=producer, name="پرس هیدرولیک", hs_code="846291", description="")
    textiles = ProducerProfileFactory(name="Sahand Textiles", description="", city="Urmia")
    ProductFactory(producer=textiles, name="Cotton yarn", hs_code="520512", description="Combed.")
    return producer, product


def names(query: str) -> list[str]:
    return [product.producer.name for product in search_products(Product.objects.all(), query)]


@pytest.mark.parametrize(
    "query",
    [
        "Tabriz Machinery",
        "tabriz machinery co",
        "Machinery",
        "(Tabriz",
        "ماشین‌سازی تبریز",
        "ماشین سازی",
        "ماشينسازي تبريز",  # Arabic yeh, no zero-width non-joiner
        NAME,
    ],
)
def test_either_part_of_a_bracketed_name_finds_the_products(machinery, query):
    assert names(query) == [NAME]


def test_the_whole_bracketed_name_is_an_exact_name_hit(machinery):
    producer, _ = machinery
    product = ProductFactory(producer=producer, name="Pump (Model P-2)", hs_code="841370", description="")
    top = search_products(Product.objects.all(), "pump model p 2").first()
    assert top == product and top.relevance >= 2  # EXACT_NAME_BONUS


def test_words_glued_across_scripts_are_split():
    assert normalize_text("ماشین‌سازیTabriz") == "ماشینسازی tabriz"
    assert normalize_text("ТебризTabriz") == "тебриз tabriz"
    assert normalize_text("ISO9001 و CE") == "iso9001 و ce"  # digits stay with their word


def test_a_glued_mixed_script_name_is_found_by_its_latin_part():
    producer = ProducerProfileFactory(name="ماشین‌سازیTabriz", description="", city="")
    ProductFactory(producer=producer, name="پرس", hs_code="846291", description="")
    assert names("Tabriz") == ["ماشین‌سازیTabriz"]


@pytest.mark.parametrize("query", ["Tabriz Machinery", "ماشین سازی تبریز", "ماشينسازي"])
def test_the_producer_list_finds_a_bracketed_name_without_products(query):
    ProducerProfileFactory(name=NAME, description="", city="")
    ProducerProfileFactory(name="Sahand Food", description="", city="")
    found = ProducerFilterSet({"search": query}).qs
    assert [producer.name for producer in found] == [NAME]


@pytest.mark.parametrize("query", ["Tabriz Machinery", "ماشین سازی تبریز", "ماشينسازي", "machinery tabriz"])
def test_the_buyer_search_finds_a_bracketed_company_name(query):
    BuyerProfileFactory(company_name=NAME, description="", city="")
    BuyerProfileFactory(company_name="Baghdad Traders", description="", city="")
    api = APIClient()
    api.force_authenticate(UserFactory(role="staff"))
    response = api.get("/api/v1/buyers/", {"search": query})
    assert response.status_code == 200
    assert [row["company_name"] for row in response.json()["results"]] == [NAME]


def test_the_command_rebuilds_text_indexed_the_old_way(machinery):
    from django.core.management import call_command

    _, product = machinery
    Product.objects.filter(pk=product.pk).update(search_document=f" {normalize_text(NAME)} پرس هیدرولیک ")
    call_command("refresh_search_index")
    document = Product.objects.get(pk=product.pk).search_document
    assert "(" not in document and " tabriz machinery co " in f" {document} "
    assert names("Tabriz Machinery") == [NAME]
