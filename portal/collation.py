"""Sorting words the way each interface language's readers expect them in a list.

Python sorts by code point, which puts Persian پ چ ژ گ after every Arabic letter, Turkish
ç ğ ı ö ş ü after z, and django-countries sorts by the ASCII letters of a name, which leaves
Persian, Arabic and Russian names in English order. `sort_key(text, language)` ranks letters
by the language's alphabet instead (a small stand-in for ICU collation, which the portal does
not ship): case, Latin accents, Arabic vowel marks and the zero-width non-joiner are ignored
at first, and only break ties.
"""

from __future__ import annotations

import unicodedata

from .formatting import reader_language

# Each language's letters in dictionary order, apart by spaces; letters written together sort alike.
_ALPHABETS = {
    # Persian: آ before ا (as dictionaries list them), the Arabic forms (ي ك ة أ إ ؤ ئ) with the
    # Persian letters they stand for.
    "fa": "آ اأإٱ ب پ ت ث ج چ ح خ د ذ ر ز ژ س ش ص ض ط ظ ع غ ف ق کك گ ل م ن وؤ هة یيىئ",
    "ar": "اآأإٱء ب ت ث ج ح خ د ذ ر ز س ش ص ض ط ظ ع غ ف ق كک ل م ن ه ة وؤ يیىئ",
    "ru": "а б в г д её ж з и й к л м н о п р с т у ф х ц ч ш щ ъ ы ь э ю я",
    "tr": "a b c ç d e f g ğ h ı i j k l m n o ö p q r s ş t u ü v w x y z",  # with q w x
    "en": "a b c d e f g h i j k l m n o p q r s t u v w x y z",
}
_RANKS = {
    language: {letter: rank for rank, letters in enumerate(alphabet.split(), start=1) for letter in letters}
    for language, alphabet in _ALPHABETS.items()
}
_TURKISH_CASE = str.maketrans({"I": "ı", "İ": "i"})
_IGNORED = {"\u200c", "\u200d", "\u0640"}  # ZWNJ, ZWJ, tatweel
_LETTER_BASE = 1000  # letters outside the alphabet (Latin in a Persian name) after its own


def _fold(text: str, language: str) -> str:
    """Lower case, without the marks the alphabet does not count (Latin accents in English,
    Arabic vowels everywhere); Turkish and Persian letters that are letters of their own stay."""
    if language == "tr":
        text = text.translate(_TURKISH_CASE)
    text = text.lower()
    ranks = _RANKS[language]
    folded = []
    for char in text:
        if char in _IGNORED:
            continue
        if char in ranks:
            folded.append(char)
            continue
        for part in unicodedata.normalize("NFD", char):
            if not unicodedata.combining(part):
                folded.append(part)
    return "".join(folded)


def _rank(char: str, ranks: dict[str, int]) -> int:
    if char in ranks:
        return ranks[char]
    if char.isalpha():
        return _LETTER_BASE + ord(char)
    return 0  # spaces, hyphens, brackets before any letter ("Congo" before "Congo, the …")


def sort_key(text: str, language: str | None = None) -> tuple:
    """A key for `sorted` that orders `text` by the reader's alphabet ("آلبانی" before "بحرین";
    "Çad" after "Cezayir" in Turkish); the text itself breaks ties, so the order is total."""
    language = reader_language(language)
    ranks = _RANKS.get(language, _RANKS["en"])
    folded = _fold(str(text), language if language in _RANKS else "en")
    return tuple(_rank(char, ranks) for char in folded), str(text)
