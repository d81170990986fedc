"""Finding HS codes by code or by a few words of their name, in any of the portal's languages.

Each sector keeps `search_keys`: the normalised words of its names in every language and their
stems (`portal.stemming`), so «ثلاجة», «холодильник», "buzdolabi" and "refrigerator" all find
8418. A query word matches a sector when one of its keys starts a word there; every word must
match (in any of the names). PostgreSQL looks the words up in a GIN index over the keys
(`SECTOR_VECTOR_SQL`, which the catalogue's search reads too), SQLite by `LIKE '% key%'`.

A query word found nowhere is corrected against the vocabulary of the names (`SectorTerm`:
trigram similarity on PostgreSQL, difflib on SQLite, `portal.vocabulary`): «یخچل», "refrigirator"
and «холодилник» still find their codes. The work is bounded before anything else: at most
`MAX_QUERY_WORDS` words of at most `MAX_WORD_LENGTH` letters, a handful of keys each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import reduce
from operator import and_, or_

from django.db import connections
from django.db.models import BooleanField, Case, F, Func, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Replace
from django.db.models.lookups import IContains

from portal import vocabulary
from portal.content import localized_name, reader_language
from portal.normalization import LETTER_FOLDS, normalize_text
from portal.stemming import WORD, join_detached, script_of, word_keys

from .models import Sector, SectorTerm, sector_search_keys

# The searchable text of an HS code on PostgreSQL. The catalogue's migration 0008 indexes this
# expression (GIN) on the sectors' table: change both together, or the index stops being used.
SECTOR_VECTOR_SQL = "to_tsvector('simple'::regconfig, search_keys)"

MAX_QUERY_WORDS = 6
MAX_WORD_LENGTH = 50

_ARABIC_SCRIPT_LANGUAGES = frozenset({"fa", "ar"})
LANGUAGE_SCRIPTS = {"fa": "arabic", "ar": "arabic", "ru": "cyrillic", "en": "latin", "tr": "latin"}

ROMAN_NUMERAL = re.compile(r"C{0,3}(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_CODE_QUERY = re.compile(r"[0-9]{1,6}")


# --- The index ---------------------------------------------------------------------------


def add_terms(texts: Iterable[str], *, model=SectorTerm, using: str = "default") -> None:
    """Put the words of these indexed texts (`search_keys`) in the vocabulary."""
    words: set[str] = set()
    for text in texts:
        words |= vocabulary.vocabulary_words(text)
    if words:
        model.objects.using(using).bulk_create(
            [model(word=word) for word in sorted(words)], ignore_conflicts=True, batch_size=1000
        )


def refresh_sector_search(
    *, codes: Iterable[str] | None = None, model=Sector, term_model=SectorTerm, using: str = "default"
) -> int:
    """Recompute the search keys of these sectors (or of all) and add their words to the
    vocabulary; return how many changed. `model` and `term_model` may be a migration's."""
    sectors = model.objects.using(using).order_by("code")
    if codes is not None:
        sectors = sectors.filter(code__in=list(codes))
    changed = []
    texts = []
    for sector in sectors.iterator(chunk_size=1000):
        keys = sector_search_keys(sector)
        texts.append(keys)
        if keys != sector.search_keys:
            sector.search_keys = keys
            changed.append(sector)
    model.objects.using(using).bulk_update(changed, ["search_keys"], batch_size=1000)
    add_terms(texts, model=term_model, using=using)
    return len(changed)


# --- Queries -----------------------------------------------------------------------------


def folded(field_name: str):
    """An expression for a text column with Persian variants folded, to compare with normalised text:
    the database-side half of `normalize_text`, from the same table (LETTER_FOLDS)."""
    expression = F(field_name)
    for variant, form in LETTER_FOLDS.items():
        expression = Replace(expression, Value(variant), Value(form), output_field=TextField())
    return expression


def folded_words_q(words: Iterable[str], fields: Iterable[str]) -> Q:
    """Every one of these normalised words in one of these text columns, their Persian variants
    folded (`folded`): «ماشين سازي» and "tabriz" find «ماشین‌سازی تبریز (Tabriz Co.)». For the
    names that have no search index of their own (the producers' and buyers' lists)."""
    fields = list(fields)
    condition = Q()
    for word in words:
        condition &= reduce(or_, (Q(IContains(folded(field), word)) for field in fields))
    return condition


def query_words(query: str | None) -> list[str]:
    """The distinct normalised words of a query: at most MAX_QUERY_WORDS, each cut to MAX_WORD_LENGTH."""
    words: list[str] = []
    text = normalize_text((query or "")[: MAX_QUERY_WORDS * (MAX_WORD_LENGTH + 1)])
    for word in join_detached(WORD.findall(text)):
        word = word[:MAX_WORD_LENGTH]
        if word not in words:
            words.append(word)
    return words[:MAX_QUERY_WORDS]


def word_alternatives(word: str, corrections: dict[str, list[str]]) -> list[str]:
    """What a query word is looked up by: its keys, then its corrections (and theirs)."""
    found = dict.fromkeys(word_keys(word))
    for correction in corrections.get(word, []):
        found.update(dict.fromkeys(word_keys(correction)))
    return list(found)


def tsquery_text(alternatives: list[str]) -> str:
    """A tsquery (simple configuration) matching words that start with any of these (a single
    letter: that word, not a thousand that start with it); words are letters and digits only,
    so they are safe inside its syntax."""
    return " | ".join(f"{key}:*" if len(key) > 1 else key for key in alternatives)


class KeysMatch(Func):
    """PostgreSQL: `search_keys` matches a tsquery, under the GIN index of SECTOR_VECTOR_SQL."""

    template = "(to_tsvector('simple'::regconfig, %(expressions)s))"
    arg_joiner = ") @@ to_tsquery('simple'::regconfig, "
    output_field = BooleanField()
    conditional = True

    def __init__(self, tsquery: str, field: str = "search_keys"):
        super().__init__(F(field), Value(tsquery))


def names_match(words: list[str], corrections: dict[str, list[str]], *, using: str = "default") -> Q:
    """Sectors whose names (any language) hold every word, by one of its keys or corrections."""
    alternatives = [word_alternatives(word, corrections) for word in words]
    if connections[using].vendor == "postgresql":
        return Q(KeysMatch(" & ".join(f"({tsquery_text(keys)})" for keys in alternatives)))
    return reduce(
        and_,
        (
            reduce(or_, (Q(search_keys__contains=f" {key}" if len(key) > 1 else f" {key} ") for key in keys))
            for keys in alternatives
        ),
    )


def code_match(query: str) -> Q | None:
    """A query that looks like a code: digits ("84", "84.18", "۸۴۱۸") by prefix, a roman numeral exactly."""
    compact = re.sub(r"[\s.]", "", normalize_text(query[:40])).upper()
    if _CODE_QUERY.fullmatch(compact):
        return Q(code__startswith=compact)
    if compact and ROMAN_NUMERAL.fullmatch(compact):
        return Q(code=compact)
    return None


def _search(query: str, *, using: str) -> tuple[list[str], dict[str, list[str]], Q | None]:
    words = query_words(query)
    if not words:
        return [], {}, None
    corrections = vocabulary.correct_words(words, model=SectorTerm, using=using, knn=True)
    condition = names_match(words, corrections, using=using)
    code = code_match(query)
    return words, corrections, condition if code is None else condition | code


def filter_sectors(queryset: QuerySet[Sector], query: str) -> QuerySet[Sector]:
    """Sectors whose code starts with the query, or whose names (any language) hold every word of it."""
    _words, _corrections, condition = _search(query, using=queryset.db)
    return queryset if condition is None else queryset.filter(condition)


def _reader_name_match(words: list[str], corrections: dict[str, list[str]], language: str) -> Q:
    """The reader's own name of a sector holds every word (a key of it) somewhere: the rank."""
    return reduce(
        and_,
        (
            reduce(or_, (Q(reader_name__icontains=key) for key in word_alternatives(word, corrections)))
            for word in words
        ),
    )


def pick_sectors(query: str, *, language: str, limit: int = 20, min_level: int | None = None) -> list[Sector]:
    """Up to `limit` sectors for the HS picker: code matches first, then the codes whose name in
    `language` holds the words, then those whose other names do; each group in HS order."""
    words, corrections, condition = _search(query, using="default")
    if condition is None:
        return []
    language = reader_language(language)
    ranks = [code] if (code := code_match(query)) is not None else []
    # The reader's own names first, when they could hold the words: a Cyrillic word ranks no
    # Persian name (and the test costs a look at the name of every match).
    if any(script_of(word) == LANGUAGE_SCRIPTS.get(language) for word in words):
        ranks.append(_reader_name_match(words, corrections, language))
    rank = Case(
        *(When(q, then=Value(i)) for i, q in enumerate(ranks)),
        default=Value(len(ranks)),
        output_field=IntegerField(),
    )
    column = "name" if language == Sector.ORIGINAL_LANGUAGE else localized_name("name", language)
    # Only Arabic-script names have letter variants to fold (and folding costs on every match).
    reader_name = folded(column) if language in _ARABIC_SCRIPT_LANGUAGES else F(column)
    queryset = Sector.objects.filter(condition)
    if min_level is not None:
        queryset = queryset.filter(level__gte=min_level)
    queryset = queryset.alias(reader_name=reader_name).annotate(rank=rank)
    return list(queryset.order_by("rank", "level", "position", "code")[:limit])
