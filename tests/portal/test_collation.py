"""Words sorted by each reader's alphabet (portal.collation), and years in the reader's
calendar (portal.formatting: Jalali year + 621 = the Gregorian year it began in)."""

import pytest

from portal.collation import sort_key
from portal.formatting import format_year, parse_year


@pytest.mark.parametrize(
    ("language", "words", "expected"),
    [
        # چ ژ گ after ن/ه by code point; between ج/ح, ز/س, ک/ل in a Persian dictionary.
        (
            "fa",
            ["لبنان", "گرجستان", "سوئد", "ژاپن", "دانمارک", "چین"],
            ["چین", "دانمارک", "ژاپن", "سوئد", "گرجستان", "لبنان"],
        ),
        # آ before ا; a name typed with Arabic ك and ي sorts as with Persian ک and ی.
        ("fa", ["کویت", "اردن", "آلمان", "كنيا"], ["آلمان", "اردن", "كنيا", "کویت"]),
        ("ar", ["مصر", "الأردن", "تونس", "ألمانيا"], ["الأردن", "ألمانيا", "تونس", "مصر"]),
        (
            "tr",
            ["Zambiya", "Çin", "Özbekistan", "İran", "Irak", "Cezayir", "Umman"],
            ["Cezayir", "Çin", "Irak", "İran", "Özbekistan", "Umman", "Zambiya"],
        ),
        ("ru", ["Япония", "Ёлки", "Египет", "Жуковский"], ["Египет", "Ёлки", "Жуковский", "Япония"]),
        (
            "en",
            ["zeta", "Albania", "Åland Islands", "Afghanistan", "Zambia"],
            ["Afghanistan", "Åland Islands", "Albania", "Zambia", "zeta"],
        ),
    ],
)
def test_words_sort_by_the_readers_alphabet(language, words, expected):
    assert sorted(words, key=lambda word: sort_key(word, language)) == expected


def test_the_key_is_total():
    assert sort_key("Congo", "en") < sort_key("Congo, the Democratic Republic", "en")
    assert sort_key("ایران", "fa") != sort_key("ايران", "fa")  # same letters, a tie broken by the text


@pytest.mark.parametrize("typed", ["۱۳۷۷", "1377", "١٣٧٧", " ۱۳۷۷ "])
def test_a_persian_reader_types_the_jalali_year(typed):
    assert parse_year(typed, "fa") == 1998
    assert format_year(1998, "fa") == "۱۳۷۷"


@pytest.mark.parametrize("language", ["en", "ru", "tr"])
def test_other_readers_keep_the_gregorian_year(language):
    assert parse_year("1998", language) == 1998
    assert parse_year("۱۹۹۸", language) == 1998
    assert format_year(1998, language) == "1998"


def test_arabic_readers_keep_the_gregorian_year_in_their_digits():
    assert parse_year("١٩٩٨", "ar") == 1998
    assert format_year(1998, "ar") == "١٩٩٨"


@pytest.mark.parametrize("typed", ["abc", "13.77", "1377a", "-5", "۱۳۷۷ ۱"])
def test_garbage_is_not_a_year(typed):
    with pytest.raises(ValueError):
        parse_year(typed, "fa")


def test_empty_is_no_year():
    assert parse_year("", "fa") is None and format_year(None, "fa") == ""
