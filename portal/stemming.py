"""Light stemming for search in the portal's five languages, the same on both sides.

A word is matched by prefix: a query word finds an indexed word it starts. That covers a
singular asked and a plural written («холодильник», "холодильники"), but not the other way
round, nor an Arabic article or a Turkish consonant that softens. So each word also has
*keys*: its stems (Snowball's Arabic, Russian, English and Turkish algorithms, a light
Persian and Arabic plural rule, a light Turkish one for words typed without Turkish letters) and, for
Latin words, its ASCII spelling ("buzdolabı" → "buzdolabi"). A query word is looked up by all
its keys; an indexed text holds its words plus the keys that are not already a prefix of
their word (`index_extras`), so «ثلاجة» (stem ثلاج) finds "الثلاجات" and "buzdolabi" (stem
buzdolap) finds "buzdolapları".

The language of a query word is not known: every stemmer of its script applies. Words come
normalised (`portal.normalization.normalize_text`: Arabic ي/ك/ة folded to Persian forms,
lower case), so the Arabic stemmer gets its letters back first.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

from .normalization import normalize_text

# A word: letters and digits of any script (normalised text has no ZWNJ left).
WORD = re.compile(r"[^\W_]+")
# A stem shorter than this is too vague to look words up by (the word itself always counts).
MIN_STEM_LENGTH = 3
# The light Turkish rule cuts English words too ("trailer" → "trai"): it must leave this much.
MIN_TURKISH_STEM_LENGTH = 5

_PERSIAN_ONLY = frozenset("پچژگ")
# Arabic proclitics the Arabic stemmer strips that may stand before a word: only the article
# forms are trusted (a leading ب, ف, ل or و is as often the word's own letter: «بخار», «فریزر»).
_ARTICLES = ("ال", "وال", "بال", "فال", "کال", "لل")
# Plural endings: Persian ها (its ZWNJ gone), and ات, Arabic's and Persian's for Arabic words
# (the Arabic stemmer leaves «ثلاجات» as ثلاجا).
_CONJUNCTION_MIN = 4
_PLURALS = ("هایی", "های", "ها", "ات")
# Normalised Arabic letters back to the Arabic forms the Arabic stemmer knows.
_TO_ARABIC = str.maketrans({"ی": "ي", "ک": "ك"})
_ASCII_LETTERS = str.maketrans({"ı": "i", "\u0307": "", "ё": "е"})
# Turkish: plural and possessive endings (on ASCII spelling), and the consonants that soften
# before a vowel (kitap → kitabı): "buzdolabi" → "buzdolab" → "buzdolap".
_TURKISH_ENDINGS = ("lari", "leri", "lar", "ler", "si", "su", "i", "u")
_TURKISH_HARD = {"b": "p", "c": "c", "d": "t", "g": "k"}
_TURKISH_LETTERS = frozenset("çğıöşüâîû")


class _Stemmers(threading.local):
    """Snowball's stemmers keep state while they work: one set per thread."""

    def __init__(self):
        self.arabic = snowballstemmer.stemmer("arabic")
        self.russian = snowballstemmer.stemmer("russian")
        self.english = snowballstemmer.stemmer("english")
        self.turkish = snowballstemmer.stemmer("turkish")


_stemmers = _Stemmers()


def script_of(word: str) -> str:
    """The script of a word's first letter: arabic, cyrillic, latin or other."""
    for char in word:
        if "\u0600" <= char <= "\u06ff":
            return "arabic"
        if "\u0400" <= char <= "\u04ff":
            return "cyrillic"
        if char.isalpha():
            return "latin" if unicodedata.name(char, "").startswith("LATIN") else "other"
    return "other"


def ascii_spelling(word: str) -> str:
    """A Latin word without accents or Turkish letters: "çamaşır" → "camasir"."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_ASCII_LETTERS))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _without_article(word: str, *, conjunction: bool) -> str:
    """An Arabic word without its article («الثلاجات» → ثلاجات) or, written in a name, its
    joined "and" («ومجمدات» → مجمدات; a short word's و is as often its own letter: «ورق»)."""
    for article in _ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= MIN_STEM_LENGTH:
            return word[len(article) :]
    if conjunction and word.startswith("و") and len(word) > _CONJUNCTION_MIN:
        return word[1:]
    return word


def _arabic_keys(word: str, *, arabic: bool, conjunction: bool) -> list[str | None]:
    base = _without_article(word, conjunction=conjunction) if arabic else word
    keys = [base, _plural_stem(base)]
    if arabic and not _PERSIAN_ONLY & set(word):
        stem = normalize_text(_stemmers.arabic.stemWord(base.translate(_TO_ARABIC)))
        # Only a stem the word starts with: the stemmer also strips a leading ب, ف, ل or و,
        # as often the word's own letter («بخار», «فریزر»).
        keys.append(stem if base.startswith(stem) else None)
    return keys


def _plural_stem(word: str) -> str | None:
    for ending in _PLURALS:
        if word.endswith(ending):
            return word[: -len(ending)]
    return None


def _light_turkish_stem(word: str) -> str | None:
    """Plural and possessive endings off an ASCII-spelled word, its last consonant hardened."""
    for ending in _TURKISH_ENDINGS:
        if word.endswith(ending):
            stem = word[: -len(ending)]
            if stem[-1:] in _TURKISH_HARD:
                stem = stem[:-1] + _TURKISH_HARD[stem[-1]]
            return stem if len(stem) >= MIN_TURKISH_STEM_LENGTH else None
    return None


@lru_cache(maxsize=200_000)
def word_keys(word: str, language: str | None = None) -> tuple[str, ...]:
    """A normalised word and the other forms to look it up by, the word first.

    `language` is the language of an indexed text; a query word's (None) is not known, so
    every stemmer of its script applies, except that a name's joined Arabic "and" is only
    cut from names (a reader typing «وسایل» means that word).
    """
    keys: list[str | None] = [word]
    script = script_of(word)
    if script == "arabic":
        keys += _arabic_keys(word, arabic=language in (None, "ar"), conjunction=language == "ar")
    elif script == "cyrillic":
        plain = word.replace("ё", "е")
        keys += [plain, _stemmers.russian.stemWord(plain)]
    elif script == "latin":
        plain = ascii_spelling(word)
        keys.append(plain)
        if language in (None, "en"):
            keys.append(ascii_spelling(_stemmers.english.stemWord(word)))
        if language in (None, "tr"):
            keys.append(_light_turkish_stem(plain))
            if _TURKISH_LETTERS & set(word):
                keys.append(ascii_spelling(_stemmers.turkish.stemWord(word)))
    found = [key for key in dict.fromkeys(keys) if key and (key == word or len(key) >= MIN_STEM_LENGTH)]
    # A key that starts with another finds nothing more ("ثلاجا" beside "ثلاج").
    return (
        word,
        *(key for key in found[1:] if not any(key != other and key.startswith(other) for other in found[1:])),
    )


def index_extras(words, language: str | None = None) -> list[str]:
    """The keys of these words (of a text in `language`) that a prefix search on the words
    themselves would miss."""
    extras: dict[str, None] = {}
    for word in words:
        for key in word_keys(word, language)[1:]:
            if not word.startswith(key):
                extras[key] = None
    return list(extras)


# Persian suffixes people type after a space instead of the zero-width non-joiner («چربی ها»).
_DETACHED_SUFFIXES = frozenset({"ها", "های", "هایی", "ای", "تر", "ترین"})


def join_detached(words: list[str]) -> list[str]:
    """Query words with a detached Persian suffix joined to the word before: ["چربی", "ها"] → ["چربیها"]."""
    joined: list[str] = []
    for word in words:
        if joined and word in _DETACHED_SUFFIXES and script_of(joined[-1]) == "arabic":
            joined[-1] += word
        else:
            joined.append(word)
    return joined


def text_words(text: str | None) -> list[str]:
    """The distinct words of a text, normalised."""
    return list(dict.fromkeys(WORD.findall(normalize_text(text))))


def indexed_text(texts) -> str:
    """The searchable form of texts, given as (language, text) pairs: their distinct normalised
    words and those words' extra keys, one space between and one at each end (so that a word
    starts after a space)."""
    words: dict[str, None] = {}
    extras: dict[str, None] = {}
    for language, text in texts:
        found = text_words(text)
        words.update(dict.fromkeys(found))
        extras.update(dict.fromkeys(index_extras(found, language)))
    tokens = [*words, *(extra for extra in extras if extra not in words)]
    return f" {' '.join(tokens)} " if tokens else ""


def joined_parts(text: str) -> list[str]:
    """The parts of the words a zero-width non-joiner joins («ماشین‌سازی» → ماشین, سازی), which
    normalising makes one word: a reader who types a space there still finds the later part."""
    if "\u200c" not in text:
        return []
    return [part for part in text_words(text.replace("\u200c", " ")) if len(part) >= MIN_STEM_LENGTH]


def searchable_text(texts) -> str:
    """Texts given as (language, text) pairs, normalised to their words and joined (a text
    repeated in several languages once), then their words' extra keys: what a full-text index
    holds of them. Words only, one space between: a word after a bracket or a quote («تبریز
    (Tabriz Co.)») starts after a space like any other."""
    first_language = {}
    for language, text in texts:
        if text and text not in first_language:
            first_language[text] = language
    normalized: dict[str, None] = {}
    words: set[str] = set()
    extras: dict[str, None] = {}
    for text, language in first_language.items():
        found = WORD.findall(normalize_text(text))
        if found:
            normalized[" ".join(found)] = None
        words.update(found)
        for word in found:
            for key in word_keys(word, language)[1:]:
                if not word.startswith(key):
                    extras[key] = None
        extras.update(dict.fromkeys(joined_parts(text)))
    return " ".join([*normalized, *(extra for extra in extras if extra not in words)])
