"""Facet counts: how many products each value of the catalogue's choice filters would give,
within the search and the other filters, and the page that shows them (Persian digits on
Persian pages, values that give nothing disabled or left out)."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest

from catalogue.facets import facet_counts
from catalogue.filtersets import ProductFilterSet
from catalogue.models import Product
from tests.factories import ProducerProfileFactory, ProductFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/catalogue/"


@pytest.fixture
def products():
    tabriz = ProducerProfileFactory(
        name="Tabriz Cooling", target_markets=["IQ", "AM"], province="East Azerbaijan"
    )
    persian = ProducerProfileFactory(name="Sahand Pumps", target_markets=["IQ"], province="آذربايجان شرقي")
    ardabil = ProducerProfileFactory(name="Sabalan Textiles", target_markets=["TR"], province="Ardabil")
    ProductFactory(producer=tabriz, name="Refrigerator R-450", hs_code="841810")
    ProductFactory(producer=tabriz, name="Water heater", hs_code="851610")
    ProductFactory(producer=persian, name="Water pump", hs_code="841370", capacity_unit="sets")
    ProductFactory(producer=ardabil, name="Cotton yarn", hs_code="520512", capacity_unit="tonnes")
    ProductFactory(producer=ardabil, name="Water bottles", hs_code="392330", annual_capacity=Decimal("10"))


def counts(params: dict) -> dict:
    filterset = ProductFilterSet(params, queryset=Product.objects.all())
    assert filterset.is_valid(), filterset.errors
    return {name: dict(counter) for name, counter in facet_counts(filterset).items()}


def test_counts_without_filters(products):
    found = counts({})
    assert found["section"] == {"XVI": 3, "XI": 1, "VII": 1}
    # One province whichever of its names the profiles hold (English, Persian on an Arabic keyboard).
    assert found["province"] == {"East Azerbaijan": 3, "Ardabil": 2}
    assert found["target_market"] == {"IQ": 3, "AM": 2, "TR": 2}
    assert found["capacity_unit"] == {"units": 3, "sets": 1, "tonnes": 1}


def test_each_facet_counts_within_the_other_filters_and_the_search(products):
    found = counts({"search": "water", "target_market": "IQ", "section": "XVI"})
    # Sections: water + IQ (not the section filter itself): heater and pump in XVI.
    assert found["section"] == {"XVI": 2}
    # Markets: water + XVI, whatever market: heater (IQ, AM) and pump (IQ).
    assert found["target_market"] == {"IQ": 2, "AM": 1}
    assert found["province"] == {"East Azerbaijan": 2}
    assert found["capacity_unit"] == {"units": 1, "sets": 1}


def test_a_province_filter_narrows_the_other_facets_not_its_own(products):
    found = counts({"province": "تبریز"})
    assert found["province"] == {"East Azerbaijan": 3, "Ardabil": 2}
    assert found["target_market"] == {"IQ": 3, "AM": 2}
    assert found["section"] == {"XVI": 3}


def test_counts_add_up_to_the_results(products):
    params = {"search": "water"}
    filterset = ProductFilterSet(params, queryset=Product.objects.all())
    assert filterset.is_valid()
    total = filterset.qs.count()
    found = facet_counts(filterset)
    assert sum(found["section"].values()) == sum(found["province"].values()) == total == 3


class _Selects(HTMLParser):
    """Each select's options: {name: [(value, text, disabled, selected)]}."""

    def __init__(self, html: str):
        super().__init__()
        self.selects: dict[str, list[list]] = {}
        self._select = self._option = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = self.selects.setdefault(attrs.get("name"), [])
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value"), "", "disabled" in attrs, "selected" in attrs]
            self._select.append(self._option)

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data.strip()

    def handle_endtag(self, tag):
        if tag == "option":
            self._option = None
        elif tag == "select":
            self._select = None


def _options(html: str, name: str) -> dict[str, tuple[str, bool]]:
    return {value: (text, disabled) for value, text, disabled, _selected in _Selects(html).selects[name]}


def test_the_page_shows_counts_in_english(client, products):
    client.cookies["django_language"] = "en"
    html = client.get(LIST_URL, {"target_market": "TR"}).content.decode()
    sections = _options(html, "section")
    assert sections["XI"][0].endswith("(1)") and not sections["XI"][1]
    assert sections["XVI"] == (sections["XVI"][0], True)  # none with TR: disabled
    assert sections[""][0] == "Any section"
    markets = _options(html, "target_market")
    assert markets["TR"][0].endswith("(2)") and not markets["TR"][1]
    assert "IQ" in markets and markets["IQ"][0].endswith("(3)")
    assert "FR" not in markets  # no producer sells there: left out
    provinces = _options(html, "province")
    assert provinces["Ardabil"] == ("Ardabil (2)", False)
    assert "East Azerbaijan" not in provinces  # none of its producers sells to Turkey


def test_the_persian_page_shows_persian_names_and_digits(client, products):
    html = client.get(LIST_URL).content.decode()
    provinces = _options(html, "province")
    assert provinces["East Azerbaijan"][0] == "آذربایجان شرقی (۳)"
    assert provinces["Ardabil"][0] == "اردبیل (۲)"
    assert _options(html, "capacity_unit")["units"][0].endswith("(۳)")


def test_a_province_typed_in_persian_stays_chosen_and_finds_its_producers(client, products):
    client.cookies["django_language"] = "en"
    response = client.get(LIST_URL, {"province": "آذربایجان شرقی"})
    html = response.content.decode()
    assert "Refrigerator R-450" in html and "Water pump" in html and "Cotton yarn" not in html
    chosen = [value for value, _text, _disabled, selected in _Selects(html).selects["province"] if selected]
    assert chosen == ["آذربایجان شرقی"]


def test_the_page_asks_a_bounded_number_of_queries(client, products, django_assert_max_num_queries):
    params = {"search": "water", "target_market": "IQ", "section": "XVI", "province": "Tabriz"}
    client.get(LIST_URL, params)
    with django_assert_max_num_queries(20):
        client.get(LIST_URL, params)
    for n in range(10):
        ProductFactory(
            producer=ProducerProfileFactory(province=f"Province {n}", target_markets=["IQ"]),
            name=f"Water tank {n}",
            hs_code="841810",
        )
    with django_assert_max_num_queries(20):
        client.get(LIST_URL, params)
