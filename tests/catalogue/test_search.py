"""Catalogue search behaves the same on PostgreSQL (full text + trigrams) and SQLite (word prefixes)."""

import importlib

import hypothesis
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import strategies as st

from accounts.models import ProducerProfile
from accounts.services import producer_profile_update
from catalogue import selectors
from catalogue.models import Product, SearchTerm
from catalogue.search import (
    SECTOR_VECTOR_SQL,
    correct_words,
    query_words,
    refresh_search_index,
    search_products,
)
from tests.factories import ProducerProfileFactory, ProductFactory

pytestmark = pytest.mark.django_db


def found(query: str, queryset=None) -> list[str]:
    queryset = Product.objects.all() if queryset is None else queryset
    return [product.name for product in search_products(queryset, query)]


@pytest.fixture
def catalogue():
    """A small catalogue: appliances (84, 85), textiles (52) and food (09) from Tabriz producers."""
    appliances = ProducerProfileFactory(name="Azar Home Appliances", description="Made in Tabriz since 1978.")
    sahand = ProducerProfileFactory(name="Sahand Food Industries")
    return {
        "fridge": ProductFactory(
            producer=appliances,
            name="Side-by-side Refrigerators",
            hs_code="841810",
            description="600 litres.",
        ),
        "yakhchal": ProductFactory(
            producer=appliances, name="یخچال صنعتی کوچک", hs_code="841850", description="مدل ۲۵۰۰، ساخت تبریز"
        ),
        "machinery": ProductFactory(
            producer=appliances, name="ماشین‌آلات کشاورزی", hs_code="843290", description="گاوآهن و دیسک"
        ),
        "model": ProductFactory(
            producer=appliances, name="Model X-200", hs_code="8418", description="Stainless."
        ),
        "heater": ProductFactory(
            producer=appliances,
            name="Water Heater",
            hs_code="851610",
            description="Pairs well with our refrigerators.",
        ),
        "pumps": ProductFactory(producer=appliances, name="Centrifugal pump", hs_code="841370"),
        "saffron": ProductFactory(producer=sahand, name="Saffron threads", hs_code="091020"),
        "cotton": ProductFactory(name="Cotton yarn", hs_code="520512", description="Combed, for weaving."),
    }


@pytest.mark.parametrize(
    "query",
    [
        "يخچال",  # Arabic yeh
        "یخچال صنعتی كوچك",  # Arabic kaf
        "ماشين‌آلات",  # Arabic yeh and the zero-width non-joiner
        "ماشینآلات",  # no zero-width non-joiner
        "ماشین‌آلات كشاورزي",
    ],
)
def test_persian_typed_on_an_arabic_keyboard_finds_persian_text(catalogue, query):
    names = found(query)
    assert names, query
    assert names[0] in {"یخچال صنعتی کوچک", "ماشین‌آلات کشاورزی"}


@pytest.mark.parametrize("query", ["۲۵۰۰", "٢٥٠٠", "2500"])
def test_persian_arabic_and_ascii_digits_match_each_other(catalogue, query):
    assert found(query) == ["یخچال صنعتی کوچک"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("refrigirator", "Side-by-side Refrigerators"),
        ("refridgerators", "Side-by-side Refrigerators"),
        ("yakhchal sanati", None),
        ("یخچل", "یخچال صنعتی کوچک"),
        ("centrifugl pump", "Centrifugal pump"),
        ("safron", "Saffron threads"),
    ],
)
def test_typos_still_find(catalogue, query, expected):
    names = found(query)
    if expected is None:
        assert names == []
    else:
        assert names and names[0] == expected, names


def test_english_stemming_and_plurals(catalogue):
    assert found("refrigerator")[0] == "Side-by-side Refrigerators"
    assert found("pumps")[0] == "Centrifugal pump"  # 8418 also says "heat pumps"
    assert "Saffron threads" in found("thread")


def test_name_match_ranks_above_description_only_match(catalogue):
    names = found("refrigerators")
    assert names[0] == "Side-by-side Refrigerators"
    # The heater says "refrigerators" only in its description, the model only through HS 8418.
    assert {"Water Heater", "Model X-200"} <= set(names)
    assert names.index("Side-by-side Refrigerators") < names.index("Water Heater")


def test_exact_name_hit_comes_first(catalogue):
    ProductFactory(name="Centrifugal pump spare parts kit", hs_code="841391")
    ProductFactory(name="Pump", hs_code="841370", description="A centrifugal pump for water.")
    assert found("centrifugal pump")[0] == "Centrifugal pump"
    assert found("pump")[0] == "Pump"


def test_hs_descriptions_are_searched(catalogue):
    # "Model X-200" never says refrigerator: its HS heading 8418 does.
    assert "Model X-200" in found("refrigerators")
    assert "Model X-200" in found("freezers")
    assert "Cotton yarn" in found("cotton")
    assert "Cotton yarn" in found("5205")


def test_hs_names_match_at_every_level_in_both_languages(catalogue):
    # Chapter 84's Persian name says "دیگ‌های بخار"; typed with Arabic yeh and no ZWNJ.
    assert {"Model X-200", "Centrifugal pump"} <= set(found("ديگهاي بخار"))
    assert "Water Heater" not in found("ديگهاي بخار")  # chapter 85
    # A typo in a word only the HS heading holds.
    assert "Model X-200" in found("refrigirator")
    # HS words combine with the product's own words.
    assert found("stainless freezers") == ["Model X-200"]


def test_hs_match_ranks_above_a_description_match(catalogue):
    names = found("refrigerators")
    assert names.index("Model X-200") < names.index("Water Heater")


def test_the_indexed_sector_expression_is_the_one_searched():
    """Migration 0008 indexes SECTOR_VECTOR_SQL: if the two differ, PostgreSQL stops using the index."""
    migration = importlib.import_module("catalogue.migrations.0008_hs_names_in_languages")
    assert migration.SECTOR_VECTOR_SQL == SECTOR_VECTOR_SQL


def test_producer_names_and_descriptions_are_searched(catalogue):
    assert found("sahand") == ["Saffron threads"]
    assert set(found("azar appliances")) >= {"Side-by-side Refrigerators", "Centrifugal pump"}
    assert "Water Heater" in found("tabriz 1978")


def test_every_word_must_match(catalogue):
    assert found("saffron cotton") == []
    assert found("nothing-like-this-anywhere") == []


def test_a_query_without_words_filters_nothing(catalogue):
    results = search_products(Product.objects.all(), " ;-) ")
    assert results.count() == len(catalogue)
    assert {product.relevance for product in results} == {0.0}


def test_results_are_annotated_with_relevance_best_first(catalogue):
    results = list(search_products(Product.objects.all(), "refrigerators"))
    scores = [product.relevance for product in results]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]


def test_search_respects_the_given_queryset(catalogue):
    visible = Product.objects.exclude(pk=catalogue["fridge"].pk)
    assert "Side-by-side Refrigerators" not in found("refrigerators", visible)


def test_index_follows_producer_and_product_changes(catalogue):
    producer = catalogue["saffron"].producer
    producer_profile_update(profile=producer, actor=producer.owner, data={"name": "Zarrin Gol Trading"})
    assert found("zarrin") == ["Saffron threads"]
    assert found("sahand") == []

    cotton = Product.objects.get(pk=catalogue["cotton"].pk)
    cotton.name = "Wool yarn"  # the original, whatever its language (portal/content.py)
    cotton.save()
    refresh_search_index(product_ids=[catalogue["cotton"].pk])
    assert found("wool") == ["Wool yarn"]


def test_refresh_rebuilds_everything_and_counts(catalogue):
    Product.objects.update(search_document="", search_name="")
    assert refresh_search_index() == len(catalogue)
    assert found("saffron") == ["Saffron threads"]
    assert Product.objects.get(pk=catalogue["yakhchal"].pk).search_name == "یخچال صنعتی کوچک"


def test_vocabulary_holds_the_indexed_words(catalogue):
    words = set(SearchTerm.objects.values_list("word", flat=True))
    assert {"refrigerators", "یخچال", "saffron", "sahand"} <= words
    assert not any(word.isdigit() or len(word) < 3 for word in words)


def test_only_unknown_words_are_corrected(catalogue):
    assert correct_words(["saffron", "refrig", "ab"]) == {}
    corrections = correct_words(["safron"])
    assert "saffron" in corrections["safron"]


def test_query_words_are_normalised_and_bounded():
    assert query_words("  يخچال  ٢٥٠٠ Refrigerators!! ") == ["یخچال", "2500", "refrigerators"]
    assert len(query_words(" ".join(f"w{n}" for n in range(40)))) == 8


@hypothesis.settings(
    max_examples=80, deadline=None, suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)
@hypothesis.given(
    text=st.text(max_size=60) | st.text(alphabet="يكیکۀة‌ـًٌٍَُِّْ٠١۲۳abcXYZ-:*&|!'\"()<> ", max_size=30)
)
def test_any_text_is_a_query_never_an_error(catalogue, text):
    products = search_products(Product.objects.all(), text)
    list(products[:5])
    products.count()


# --- A page in relevance order ranks only what it must (PostgreSQL) ---------------------------


@pytest.fixture
def crowded_heading():
    """Refrigerators by name, by producer and by description, and more products that only their
    HS heading (8418, "refrigerators, freezers…") brings, several listed at the same instant."""
    cooling = ProducerProfileFactory(name="Tabriz Refrigerator Works")
    others = ProducerProfileFactory(name="Marand Industries")
    made = [
        *(ProductFactory(producer=others, name=f"Refrigerator R-{n}", hs_code="841810") for n in range(4)),
        ProductFactory(producer=others, name="Refrigerator compressor", hs_code="841430"),
        *(ProductFactory(producer=cooling, name=f"Cold room C-{n}", hs_code="841869") for n in range(3)),
        *(ProductFactory(producer=others, name=f"Model Z-{n}", hs_code="841850") for n in range(14)),
        ProductFactory(producer=others, name="Stainless Model S", hs_code="841829", description="Stainless."),
        *(
            ProductFactory(
                producer=others, name=f"Shelf {n}", hs_code="940360", description="For refrigerators."
            )
            for n in range(3)
        ),
        ProductFactory(producer=others, name="Unlisted Model U", hs_code="841850", is_active=False),
    ]
    # Ties on created_at are broken by id, as the full ordering does.
    Product.objects.filter(name__in=["Model Z-3", "Model Z-4", "Model Z-5", "Refrigerator R-2"]).update(
        created_at=made[0].created_at
    )
    return made


PAGES = [(0, 1), (0, 5), (3, 9), (5, 12), (10, 20), (18, 40)]


@pytest.mark.parametrize(
    "query", ["refrigerators", "refrigerator", "freezers", "8418", "refrigerators freezers", "refrigirator"]
)
def test_a_page_in_relevance_order_is_that_slice_of_every_match_ranked(crowded_heading, query):
    results = search_products(Product.objects.filter(is_active=True), query)
    everything = [(product.pk, product.relevance) for product in results.all()]  # unsliced: all ranked
    assert len(everything) > 20
    assert results.all().count() == len(everything)
    for start, stop in PAGES:
        page = results.all()[start:stop]  # a fresh query, not a slice of the list above
        assert [(product.pk, product.relevance) for product in page] == everything[start:stop]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL ranks a page from two parts")
def test_a_page_ranks_only_text_matches_and_the_newest_hs_matches(crowded_heading):
    results = search_products(Product.objects.filter(is_active=True), "refrigerators")
    assert "UNION ALL" in str(results[:30].query)
    # HS-only matches follow the text matches, newest first, then descriptions.
    names = [product.name for product in results[:30]]
    hs_only = [name for name in names if name.startswith("Model Z")]
    newest_first = Product.objects.filter(name__in=hs_only).order_by("-created_at", "-id")
    assert hs_only == [product.name for product in newest_first]
    assert names.index("Refrigerator R-0") < names.index(hs_only[0]) < names.index("Shelf 0")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL ranks a page from two parts")
@pytest.mark.parametrize(
    ("params", "page_narrowed", "count_split"),
    [
        ({"search": "refrigerators"}, True, True),
        ({"search": "refrigerators", "hs": "8418"}, True, True),
        ({"search": "refrigerators", "target_market": "IQ"}, False, False),  # the producer's column
        ({"search": "refrigerators", "min_capacity": "10"}, False, False),  # a column the indexes lack
        ({"search": "refrigerators", "ordering": "-annual_capacity"}, False, True),
        ({"search": "refrigerators", "ordering": "-relevance"}, False, True),
        ({"search": "tabriz"}, False, False),  # no HS code holds the word: every match has it in its text
    ],
)
def test_the_page_query_serves_relevance_pages_and_counts_and_leaves_the_rest(
    crowded_heading, params, page_narrowed, count_split
):
    ProducerProfile.objects.update(target_markets=["IQ"])
    results = selectors.product_search(user=AnonymousUser(), params=params)
    assert ("UNION ALL" in str(results[:10].query)) is page_narrowed
    with CaptureQueriesContext(connection) as counted:
        results.all().count()
    # Split, the count reads the text matches and counts the HS matches in an index.
    assert any("FILTER" in query["sql"] for query in counted.captured_queries) is count_split
    assert "UNION" not in str(results.query)  # unsliced, and counts, run as they are
    everything = list(results.all())
    assert list(results.all()[2:9]) == everything[2:9]
    assert results.all().count() == len(everything)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL ranks a page from two parts")
def test_a_producer_sees_the_same_page_with_its_unlisted_products(crowded_heading):
    owner = Product.objects.get(name="Unlisted Model U").producer.owner
    results = selectors.product_search(user=owner, params={"search": "refrigerators"})
    everything = list(results.all())
    assert "Unlisted Model U" in [product.name for product in everything]
    for start, stop in PAGES:
        assert list(results.all()[start:stop]) == everything[start:stop]


# --- Across languages (issue 15) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "холодильник",  # a Russian buyer: HS 8418 says холодильники
        "холодилник",  # with a typo
        "ثلاجة",  # an Iraqi buyer: HS 8418 says ثلاجات
        "الثلاجات",
        "buzdolabı",  # a Turkish buyer: HS 8418 says buzdolapları
        "buzdolabi",
        "یخچال",
    ],
)
def test_a_buyer_finds_the_fridges_in_their_own_language(catalogue, query):
    names = found(query)
    # Whatever language their own text is in, through the HS names of 8418.
    assert {"Side-by-side Refrigerators", "یخچال صنعتی کوچک", "Model X-200"} <= set(names), names
    assert not {"Saffron threads", "Cotton yarn", "Water Heater"} & set(names)


@pytest.mark.parametrize("query", ["насос", "насосы", "مضخة", "pompa", "pompalar", "پمپ", "pump"])
def test_pumps_in_every_language(catalogue, query):
    assert "Centrifugal pump" in found(query)


def test_a_translation_written_through_the_service_is_indexed(catalogue):
    from catalogue.services import product_update

    saffron = catalogue["saffron"]
    owner = saffron.producer.owner
    assert found("шафран") == ["Saffron threads"]  # HS 091020 says Шафран
    assert found("тебризский") == []
    product_update(
        product=saffron,
        actor=owner,
        data={"translations": {"ru": {"name": "Шафран тебризский"}, "ar": {"name": "الزعفران التبريزي"}}},
    )
    assert found("тебризский") == ["Saffron threads"]
    assert found("шафран тебризский") == ["Saffron threads"]
    assert found("تبريزي")[0] == "Saffron threads"  # the name says التبريزي (a description: تبریز)
    product_update(product=saffron, actor=owner, data={"translations": {"ru": {"name": ""}}})
    assert found("тебризский") == []


def test_a_producers_translation_reindexes_its_products(catalogue):
    producer = catalogue["saffron"].producer
    producer_profile_update(
        profile=producer,
        actor=producer.owner,
        data={"translations": {"tr": {"name": "Sahand Gıda Sanayii", "description": "Safran üreticisi"}}},
    )
    assert found("sahand gıda") == ["Saffron threads"]
    assert found("sahand gida") == ["Saffron threads"]  # typed without Turkish letters
    assert found("üreticisi") == ["Saffron threads"]


def test_persian_and_arabic_variants_still_fold_in_translations(catalogue):
    from catalogue.services import product_update

    cotton = catalogue["cotton"]
    product_update(
        product=cotton,
        actor=cotton.producer.owner,
        data={"translations": {"ar": {"description": "غزل قطني ممشط للنسيج"}}},
    )
    assert "Cotton yarn" in found("قطنی")  # Persian yeh for the Arabic ي
    assert "Cotton yarn" in found("ممشط")
