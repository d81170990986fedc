"""Finding HS codes by name in the portal's five languages (taxonomy/search.py): real words as
people type them, plurals, Arabic articles, ASCII Turkish and typos, on SQLite and PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from taxonomy.models import Sector
from taxonomy.search import MAX_QUERY_WORDS, filter_sectors, pick_sectors, query_words

pytestmark = pytest.mark.django_db


def picked(query: str, language: str, **kwargs) -> list[str]:
    return [sector.code for sector in pick_sectors(query, language=language, **kwargs)]


def filtered(query: str) -> set[str]:
    return set(filter_sectors(Sector.objects.all(), query).values_list("code", flat=True))


FRIDGES = "8418"
PUMPS = "8413"
AIR_CONDITIONERS = "8415"
EVAPORATIVE_COOLERS = "847960"
WASHING_MACHINES = "8450"


@pytest.mark.parametrize(
    ("query", "language", "code"),
    [
        ("یخچال", "fa", FRIDGES),
        ("يخچال", "fa", FRIDGES),  # Arabic yeh
        ("یخچال‌ها", "fa", FRIDGES),
        ("یخچال ها", "fa", FRIDGES),  # a space for the zero-width non-joiner
        ("ثلاجة", "ar", FRIDGES),  # the name says ثلاجات
        ("الثلاجة", "ar", FRIDGES),
        ("ثلاجه", "ar", FRIDGES),  # ة typed as ه
        ("холодильник", "ru", FRIDGES),  # the name says холодильники
        ("холодильников", "ru", FRIDGES),
        ("buzdolabı", "tr", FRIDGES),  # the name says buzdolapları
        ("buzdolabi", "tr", FRIDGES),  # typed without Turkish letters
        ("BUZDOLAPLARI", "tr", FRIDGES),
        ("refrigerator", "en", FRIDGES),
        ("refrigerators freezers", "en", FRIDGES),
        ("کولر", "fa", AIR_CONDITIONERS),
        ("کولر", "fa", EVAPORATIVE_COOLERS),
        ("کولر آبی", "fa", EVAPORATIVE_COOLERS),
        ("مكيف", "ar", AIR_CONDITIONERS),  # the name says مكيفات
        ("кондиционер", "ru", AIR_CONDITIONERS),
        ("klima", "tr", AIR_CONDITIONERS),
        ("پمپ", "fa", PUMPS),
        ("مضخة", "ar", PUMPS),  # the name says مضخات
        ("насос", "ru", PUMPS),
        ("насосов", "ru", PUMPS),
        ("pompa", "tr", PUMPS),
        ("pompaları", "tr", PUMPS),
        ("pumps", "en", PUMPS),
        ("غسالة", "ar", WASHING_MACHINES),
        ("стиральная машина", "ru", WASHING_MACHINES),
        ("çamaşır makinesi", "tr", WASHING_MACHINES),
        ("camasir makinesi", "tr", WASHING_MACHINES),
        ("لباسشویی", "fa", WASHING_MACHINES),
    ],
)
def test_every_language_finds_its_words(query, language, code):
    assert code in picked(query, language), query
    assert code in filtered(query), query


@pytest.mark.parametrize(
    ("query", "language", "code"),
    [
        ("یخچل", "fa", FRIDGES),
        ("refrigirator", "en", FRIDGES),
        ("холодилник", "ru", FRIDGES),
        ("buzdolapalri", "tr", FRIDGES),
        ("ثلاحات", "ar", FRIDGES),
        ("centrifugl", "en", "841370"),
        ("насоси", "ru", PUMPS),
    ],
)
def test_typos_are_forgiven(query, language, code):
    assert code in picked(query, language), query
    assert code in filtered(query), query


def test_every_word_must_match_and_nonsense_finds_nothing():
    assert picked("холодильник вино", "ru") == []  # no code names both
    assert picked("zzqqxxww", "en") == []
    assert picked("холодильник насос", "ru")[0] == FRIDGES  # "тепловые насосы": heat pumps


def test_codes_rank_first_then_the_readers_language_then_hs_order():
    assert picked("8418", "ru")[0] == FRIDGES
    # A word in one English name only, then also in a Turkish name: the Turkish reader gets that first.
    cooler = Sector.objects.get(code=EVAPORATIVE_COOLERS)
    cooler.name_tr = "Refrigerator benzeri soğutucular"
    cooler.save()  # the search keys follow the names
    in_turkish = picked("refrigerator", "tr")
    assert in_turkish[0] == EVAPORATIVE_COOLERS
    in_english = picked("refrigerator", "en")
    assert in_english[0] != EVAPORATIVE_COOLERS and in_english.index(FRIDGES) < in_english.index(
        EVAPORATIVE_COOLERS
    )
    # Within a group: sections, chapters, headings, subheadings.
    levels = [Sector.objects.get(code=code).level for code in picked("машины", "ru", limit=40)]
    assert levels == sorted(levels)


def test_the_picker_bounds_its_work():
    assert len(query_words(" ".join(f"слово{n}" for n in range(100)))) == MAX_QUERY_WORDS
    assert len(query_words("ы" * 10_000)[0]) == 50
    # One query for the corrections and one for the page (PostgreSQL); SQLite reads a few words per word.
    with CaptureQueriesContext(connection) as queries:
        assert FRIDGES in picked("холодилник", "ru")
    assert len(queries) <= (2 if connection.vendor == "postgresql" else 4)
    assert len(picked("a", "en", limit=20)) <= 20


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_postgresql_finds_names_through_the_gin_index():
    from catalogue.search import SECTOR_VECTOR_SQL

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT code FROM catalogue_sector WHERE {SECTOR_VECTOR_SQL} @@ to_tsquery('simple', %s)",
            ["холодильник:*"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "catalogue_sector_keys_gin" in plan


def test_min_level_and_sections():
    assert "XVI" in picked("ماشین", "fa")
    assert "XVI" not in picked("ماشین", "fa", min_level=2)
    assert picked("XVI", "fa") == ["XVI"]
