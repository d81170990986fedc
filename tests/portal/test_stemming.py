"""Light stemming for search (portal/stemming.py): the keys a word is looked up by, the same
rules for what is indexed and what is asked."""

import pytest

from portal.normalization import normalize_text
from portal.stemming import indexed_text, join_detached, searchable_text, word_keys


def keys(word: str, language: str | None = None) -> tuple[str, ...]:
    return word_keys(normalize_text(word), language)


def matches(query: str, indexed: str, language: str) -> bool:
    """Whether a query word finds an indexed text by the rule the searches use: one of its keys
    starts a word of the indexed form."""
    text = indexed_text([(language, indexed)])
    return any(f" {key}" in text for key in keys(query))


@pytest.mark.parametrize(
    ("query", "indexed", "language"),
    [
        ("ثلاجة", "ثلاجات", "ar"),  # singular asked, plural written
        ("ثلاجات", "ثلاجة", "ar"),  # and the other way round
        ("الثلاجة", "ثلاجات", "ar"),  # an article asked
        ("ثلاجة", "الثلاجات", "ar"),  # an article written
        ("مجمدات", "ثلاجات ومجمدات", "ar"),  # "and" joined to the noun in a name
        ("مضخة", "مضخات المياه", "ar"),
        ("يخچال", "یخچال‌ها", "fa"),  # Arabic yeh; the plural with its ZWNJ
        ("پمپ‌ها", "پمپ آب", "fa"),  # plural asked, singular written
        ("محصولات", "محصول کشاورزی", "fa"),
        ("холодильник", "Холодильники", "ru"),
        ("холодильники", "холодильник", "ru"),
        ("насосов", "Насосы жидкостные", "ru"),
        ("елка", "Ёлки", "ru"),
        ("buzdolabı", "Buzdolapları", "tr"),  # the consonant softens: p → b
        ("buzdolabi", "Buzdolapları", "tr"),  # typed without Turkish letters
        ("camasir", "Çamaşır makineleri", "tr"),
        ("pompalar", "pompa", "tr"),
        ("refrigerator", "Refrigerators", "en"),
        ("bodies", "body", "en"),
    ],
)
def test_a_word_finds_its_other_forms(query, indexed, language):
    assert matches(query, indexed, language)


@pytest.mark.parametrize(
    ("query", "indexed", "language"),
    [
        ("بخار", "خارج", "fa"),  # the Arabic stemmer would cut a leading ب
        ("فریزر", "ریزر", "fa"),  # or ف
        ("وسایل", "سایل", "fa"),  # a Persian و is the word's own letter
        ("ورق", "رق", "ar"),  # so is a short Arabic word's
        ("trailer", "train", "en"),  # the light Turkish rule leaves a long enough stem or none
        ("ماشین", "ماش", "fa"),  # no Persian stemmer cuts ین (ماش is mung bean)
    ],
)
def test_a_word_does_not_find_what_it_is_not(query, indexed, language):
    assert not matches(query, indexed, language)


def test_keys_start_with_the_word_and_skip_what_a_shorter_key_covers():
    assert keys("ثلاجات") == ("ثلاجات", "ثلاج")  # not also ثلاجا
    assert keys("pompa") == ("pompa",)
    assert keys("x200") == ("x200",) and keys("8418") == ("8418",)
    assert all(len(key) >= 3 for key in keys("ماء")[1:])


def test_indexed_text_holds_the_words_once_and_the_keys_a_prefix_would_miss():
    text = indexed_text([("ar", "الثلاجات والثلاجات"), ("tr", "Çamaşır"), ("en", "Refrigerators")])
    assert text.startswith(" ") and text.endswith(" ")
    words = text.split()
    assert words.count("الثلاجات") == 1
    assert {"ثلاج", "camasir"} <= set(words)
    assert "refriger" not in words  # "refrigerators" starts with it: a prefix search finds it


def test_searchable_text_keeps_each_text_once_then_the_extra_keys():
    assert searchable_text([("fa", "یخچال"), ("en", "Fridge"), ("fa", "یخچال"), ("ar", "")]) == "یخچال fridge"
    assert searchable_text([("ar", "الثلاجات")]) == "الثلاجات ثلاج"


def test_a_detached_persian_suffix_joins_the_word_before():
    assert join_detached(["چربی", "ها", "pumps", "ها"]) == ["چربیها", "pumps", "ها"]
    assert join_detached(["ها"]) == ["ها"]
