"""Typo correction against a vocabulary: a table of normalised words (one `word` column, the
primary key) that a search's indexed texts hold. The catalogue keeps one for products
(`catalogue.SearchTerm`), the taxonomy one for the HS names (`taxonomy.SectorTerm`).

A query word is corrected only when no word of the vocabulary starts with it or with one of its
keys (`portal.stemming.word_keys`): it is then not a word the index knows, and its nearest
words are: by trigram similarity on PostgreSQL, by difflib on SQLite among the words of about
its length that begin with its letter (a bounded read, never the whole vocabulary).

On PostgreSQL a table with a GIN trigram index is searched with `%` (the catalogue's, whose
plans its benchmark watches); one with a GiST trigram index (`knn=True`, the HS names') by
distance order (`<->`), the nearest few read straight from the index: a plan the planner
keeps even on a small table, where it prefers to scan it whole for `%` (ten times slower).
"""

from __future__ import annotations

import difflib
from functools import reduce
from operator import or_

from django.db import connections
from django.db.models import Q
from django.db.models.functions import Length

from .normalization import normalize_text
from .stemming import WORD, word_keys

# Words shorter than this are never corrected (and the vocabularies keep none).
MIN_TERM_LENGTH = 3
MAX_TERM_LENGTH = 100
CORRECTIONS_PER_WORD = 4
# Trigram similarity (PostgreSQL) and difflib ratio (SQLite) a correction needs, and how far
# below the best correction of a word the others may fall.
TRIGRAM_CUTOFF = 0.3
CORRECTION_WINDOW = 0.08
DIFFLIB_CUTOFF = 0.75
# SQLite: the words compared with difflib differ in length by at most this much.
LENGTH_WINDOW = 3
SQLITE_CANDIDATES = 20_000


# The tariff's function words in each language ("other", "olarak", «سایر»): searchable like any
# word, but never a correction (a typo is not a word for "as" that a thousand names hold).
_STOPWORDS = {
    "en": "and also any but containing each excluding for from including into nor not only other others "
    "such than that the their thereof these this those whether which whose with",
    "tr": "başka belirtilmeyen bunların da daha dahil de diğer fazla geçen geçmeyen gibi hariç halinde "
    "için ile ise itibarıyla içeren kadar olan olarak olmayan olmasın olsun ve veya ya yerde",
    "ru": "без более виде включая где других другом если как которые который кроме менее месте "
    "например над под при прочая прочее прочие прочий прочих также того только чем этого этой",
    "ar": "آخر أخرى أكثر أو إلى التي الذي بما تلك ذات ذلك سواء على عدا عن غير فيها في كانت مثل "
    "مع مكان من هذا هذه وإن ولا",
    "fa": "آن آنها از استثنای است این با برای بیش به بدون تا جای جمله حاوی حتی دارای در دیگر را "
    "سایر غیر کمتر که گفته مانند مذکور نباشد نشده هر های ولی یا",
}
STOPWORDS = frozenset(normalize_text(word) for words in _STOPWORDS.values() for word in words.split())


def correctable(word: str) -> bool:
    return len(word) >= MIN_TERM_LENGTH and not word.isdigit()


def vocabulary_words(text: str) -> set[str]:
    """The words of a normalised text worth correcting a typo towards."""
    return {
        word
        for word in WORD.findall(text)
        if MIN_TERM_LENGTH <= len(word) <= MAX_TERM_LENGTH and not word.isdigit() and word not in STOPWORDS
    }


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def correct_words(
    words: list[str], *, model, using: str = "default", knn: bool = False
) -> dict[str, list[str]]:
    """For each word the vocabulary (`model`) does not know, its closest words (one query on PostgreSQL)."""
    candidates = [word for word in words if correctable(word)]
    if not candidates:
        return {}
    if connections[using].vendor == "postgresql":
        return _nearest_by_trigrams(candidates, model=model, using=using, knn=knn)
    # SQLite: one read of the words that could matter (those starting with a key of a word, and
    # those of about a word's length that begin with its letter), bounded; the rest in Python.
    wanted = Q(pk__in=[])
    for word in candidates:
        wanted |= reduce(or_, (Q(word__startswith=key) for key in word_keys(word)))
        low, high = len(word) - LENGTH_WINDOW, len(word) + LENGTH_WINDOW
        wanted |= Q(word__startswith=word[0], length__range=(low, high))
    terms = list(
        model.objects.using(using)
        .alias(length=Length("word"))
        .filter(wanted)
        .values_list("word", flat=True)[:SQLITE_CANDIDATES]
    )
    corrections = {}
    for word in candidates:
        if any(term.startswith(word_keys(word)) for term in terms):
            continue  # a word the index knows
        nearby = [
            term
            for term in terms
            if term[0] == word[0] and abs(len(term) - len(word)) <= LENGTH_WINDOW and term not in STOPWORDS
        ]
        close = difflib.get_close_matches(word, nearby, n=CORRECTIONS_PER_WORD, cutoff=DIFFLIB_CUTOFF)
        if close:
            corrections[word] = close
    return corrections


def _nearest_by_trigrams(words: list[str], *, model, using: str, knn: bool) -> dict[str, list[str]]:
    # Per word: the nearest terms by trigram similarity (`%` under a GIN index, or the nearest
    # by distance under a GiST one), unless some term starts with one of its keys (it is known).
    table = connections[using].ops.quote_name(model._meta.db_table)
    stopwords = sorted(STOPWORDS)
    selects, params = [], []
    for word in words:
        keys = word_keys(word)
        if knn:
            source = f"(SELECT word FROM {table} ORDER BY word <-> %s LIMIT %s) AS term"
            source_params = [word, 2 * CORRECTIONS_PER_WORD]
            condition, condition_params = "similarity(term.word, %s) >= %s", [word, TRIGRAM_CUTOFF]
        else:
            source, source_params = f"{table} AS term", []
            condition = "term.word %% %s AND similarity(term.word, %s) >= %s"
            condition_params = [word, word, TRIGRAM_CUTOFF]
        # As on SQLite: a typo keeps the first letter ("arak" is no typo of the Turkish "olarak").
        condition += " AND left(term.word, 1) = %s"
        condition_params.append(word[0])
        selects.append(
            f"(SELECT %s, term.word, similarity(term.word, %s) FROM {source} WHERE {condition}"
            " AND NOT term.word = ANY(%s)"
            f" AND NOT EXISTS (SELECT 1 FROM {table} WHERE {' OR '.join(['word LIKE %s'] * len(keys))})"
            " ORDER BY 3 DESC, term.word LIMIT %s)"
        )
        params += [word, word, *source_params, *condition_params, stopwords]
        params += [escape_like(key) + "%" for key in keys]
        params.append(CORRECTIONS_PER_WORD)
    with connections[using].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        rows = cursor.fetchall()
    best: dict[str, float] = {}
    corrections: dict[str, list[str]] = {}
    for word, term, similarity in rows:  # best first for each word
        best.setdefault(word, similarity)
        if similarity >= best[word] - CORRECTION_WINDOW:
            corrections.setdefault(word, []).append(term)
    return corrections
