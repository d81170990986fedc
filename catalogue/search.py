"""Catalogue search: the indexed text of each product, and the queries over it.

Each product stores a normalised document (its name and description, its
producer's, and its HS code with the chapter and heading above it, in English
and Persian) and its normalised name. PostgreSQL also keeps a weighted tsvector
of the document (English stemming plus a language-neutral 'simple' copy, which
is what Persian gets) under a GIN index, which finds the matches, and a small
one of the product and producer names, which ranks them. Every word of the indexed documents
goes into `SearchTerm`, the vocabulary a query word that is found nowhere is
corrected against (trigram similarity under a GIN index on PostgreSQL, difflib
on SQLite), so "refrigirator" finds refrigerators and "یخچل" finds "یخچال".
SQLite, the embedded default, matches word prefixes in the stored document.

Text is folded by `normalize_text` on both sides, at index time and at query
time, so ي/ی, ك/ک, Persian/Arabic digits and the zero-width non-joiner match.
"""

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from .models import Product, SearchTerm, Sector
from .normalization import normalize_text

# A word: letters and digits of any script (normalised text has no ZWNJ left).
WORD = re.compile(r"[^\W_]+")
MAX_QUERY_WORDS = 8
MAX_WORD_LENGTH = 100
# The vocabulary keeps words of at least this length; shorter query words are never corrected.
MIN_TERM_LENGTH = 3
CORRECTIONS_PER_WORD = 4
# Trigram similarity (PostgreSQL) and difflib ratio (SQLite) a correction needs.
TRIGRAM_CUTOFF = 0.3
DIFFLIB_CUTOFF = 0.75
# ts_rank weights for D, C, B, A. The rank vector holds only A (product name) and
# B (producer name): a match through the HS names or a description ranks 0 there,
# below any name match, and is then ordered newest first.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
# An exact name outranks everything (ts_rank stays well below 1).
EXACT_NAME_BONUS = 2.0
INDEX_BATCH_SIZE = 2000
# Light English suffix stripping for SQLite, whose matching is by word prefix.
_ENGLISH_SUFFIXES = ("ies", "es", "s", "ing", "ed")


# --- The indexed text -----------------------------------------------------------------


@dataclass(frozen=True)
class ProductText:
    """A product's normalised search text in its four weights (A name … D descriptions)."""

    name: str
    producer: str
    sectors: str
    details: str

    @property
    def document(self) -> str:
        return " ".join(part for part in (self.name, self.producer, self.sectors, self.details) if part)


def _sector_codes(hs_code: str) -> list[str]:
    """The code and the chapter and heading above it: '841810' → ['84', '8418', '841810']."""
    return [hs_code[:n] for n in (2, 4) if n < len(hs_code)] + [hs_code]


def product_text(
    *,
    name: str,
    description: str,
    hs_code: str,
    producer_name: str,
    producer_description: str,
    city: str,
    sectors: dict[str, tuple[str, str]],
) -> ProductText:
    """The search text of one product; `sectors` maps HS codes to (English name, Persian name)."""
    sector_parts: list[str] = []
    for code in _sector_codes(hs_code):
        names = sectors.get(code)
        if names is not None:
            sector_parts += [code, *names]
    return ProductText(
        name=normalize_text(name),
        producer=normalize_text(producer_name),
        sectors=normalize_text(" ".join(part for part in sector_parts if part)),
        details=normalize_text(" ".join(part for part in (description, producer_description, city) if part)),
    )


def build_search_document(product: Product, sectors: dict[str, Sector]) -> str:
    """The stored, normalised search document of a product (producer and HS code loaded)."""
    producer = product.producer
    return product_text(
        name=product.name,
        description=product.description,
        hs_code=product.hs_code_id,
        producer_name=producer.name,
        producer_description=producer.description,
        city=producer.city,
        sectors={code: (sector.name, sector.name_fa) for code, sector in sectors.items()},
    ).document


def vocabulary_words(text: str) -> set[str]:
    """The words of a normalised text worth correcting a typo towards."""
    return {
        word
        for word in WORD.findall(text)
        if MIN_TERM_LENGTH <= len(word) <= MAX_WORD_LENGTH and not word.isdigit()
    }


_PRODUCT_COLUMNS = (
    "id",
    "name",
    "description",
    "hs_code_id",
    "producer__name",
    "producer__description",
    "producer__city",
)

# One statement per batch: the document, the name and the two weighted tsvectors.
_UPDATE_POSTGRES = """
UPDATE catalogue_product AS product SET
    search_document = batch.document,
    search_name = batch.name,
    search_rank_vector =
        setweight(to_tsvector('english', batch.name) || to_tsvector('simple', batch.name), 'A')
        || setweight(to_tsvector('english', batch.producer) || to_tsvector('simple', batch.producer), 'B'),
    search_vector =
        setweight(to_tsvector('english', batch.name) || to_tsvector('simple', batch.name), 'A')
        || setweight(to_tsvector('english', batch.producer) || to_tsvector('simple', batch.producer), 'B')
        || setweight(to_tsvector('english', batch.sectors) || to_tsvector('simple', batch.sectors), 'C')
        || setweight(to_tsvector('english', batch.details) || to_tsvector('simple', batch.details), 'D')
FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[])
    AS batch(id, document, name, producer, sectors, details)
WHERE product.id = batch.id
"""


def refresh_search_index(
    *,
    product_ids: Iterable[int] | None = None,
    producer_ids: Iterable[int] | None = None,
    using: str = "default",
) -> int:
    """Rebuild the stored search text (and tsvector) of these products, or of all; return how many.

    Reads and writes in batches of set-based statements, so rebuilding the
    whole catalogue takes seconds, and adds the documents' words to the vocabulary.
    """
    products = Product.objects.using(using).order_by("id")
    if product_ids is not None:
        products = products.filter(pk__in=list(product_ids))
    if producer_ids is not None:
        products = products.filter(producer_id__in=list(producer_ids))
    connection = connections[using]
    sectors: dict[str, tuple[str, str]] = {}
    known_words: set[str] = set()
    count, last_id = 0, 0
    while True:
        rows = list(products.filter(id__gt=last_id).values_list(*_PRODUCT_COLUMNS)[:INDEX_BATCH_SIZE])
        if not rows:
            return count
        last_id, count = rows[-1][0], count + len(rows)
        missing = {code for row in rows for code in _sector_codes(row[3])} - sectors.keys()
        if missing:
            sectors.update(
                (code, (name, name_fa))
                for code, name, name_fa in Sector.objects.using(using)
                .filter(code__in=missing)
                .values_list("code", "name", "name_fa")
            )
        texts = [
            product_text(
                name=name,
                description=description,
                hs_code=hs_code,
                producer_name=producer_name,
                producer_description=producer_description,
                city=city,
                sectors=sectors,
            )
            for _id, name, description, hs_code, producer_name, producer_description, city in rows
        ]
        ids = [row[0] for row in rows]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    _UPDATE_POSTGRES,
                    [
                        ids,
                        [text.document for text in texts],
                        [text.name for text in texts],
                        [text.producer for text in texts],
                        [text.sectors for text in texts],
                        [text.details for text in texts],
                    ],
                )
        else:
            Product.objects.using(using).bulk_update(
                [
                    Product(pk=pk, search_document=text.document, search_name=text.name)
                    for pk, text in zip(ids, texts, strict=True)
                ],
                ["search_document", "search_name"],
            )
        new_words = set().union(*(vocabulary_words(text.document) for text in texts)) - known_words
        if new_words:
            SearchTerm.objects.using(using).bulk_create(
                [SearchTerm(word=word) for word in sorted(new_words)], ignore_conflicts=True, batch_size=1000
            )
            known_words |= new_words


# --- Queries --------------------------------------------------------------------------


def query_words(query: str | None) -> list[str]:
    """The distinct normalised words of a query, at most MAX_QUERY_WORDS of them."""
    words: list[str] = []
    for word in WORD.findall(normalize_text(query)):
        word = word[:MAX_WORD_LENGTH]
        if word not in words:
            words.append(word)
    return words[:MAX_QUERY_WORDS]


def _correctable(word: str) -> bool:
    return len(word) >= MIN_TERM_LENGTH and not word.isdigit()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def correct_words(words: list[str], *, using: str = "default") -> dict[str, list[str]]:
    """For each query word that no indexed word starts with, the closest indexed words (one query)."""
    candidates = [word for word in words if _correctable(word)]
    if not candidates:
        return {}
    connection = connections[using]
    if connection.vendor == "postgresql":
        # Per word: the nearest terms by trigram similarity (`%` finds them under the
        # GIN index), unless some term starts with the word (the prefix is known).
        selects, params = [], []
        for word in candidates:
            selects.append(
                "(SELECT %s, term.word FROM catalogue_searchterm AS term"
                " WHERE term.word %% %s AND similarity(term.word, %s) >= %s"
                " AND NOT EXISTS (SELECT 1 FROM catalogue_searchterm WHERE word LIKE %s)"
                " ORDER BY similarity(term.word, %s) DESC, term.word LIMIT %s)"
            )
            params += [word, word, word, TRIGRAM_CUTOFF, _escape_like(word) + "%", word, CORRECTIONS_PER_WORD]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            rows = cursor.fetchall()
        corrections: dict[str, list[str]] = {}
        for word, term in rows:
            corrections.setdefault(word, []).append(term)
        return corrections
    vocabulary = list(SearchTerm.objects.using(using).values_list("word", flat=True))
    corrections = {}
    for word in candidates:
        if any(term.startswith(word) for term in vocabulary):
            continue
        nearby = [term for term in vocabulary if abs(len(term) - len(word)) <= 3]
        close = difflib.get_close_matches(word, nearby, n=CORRECTIONS_PER_WORD, cutoff=DIFFLIB_CUTOFF)
        if close:
            corrections[word] = close
    return corrections


def _english_stem(word: str) -> str:
    """A rough English stem for prefix matching on SQLite: 'refrigerators' → 'refrigerator'."""
    for suffix in _ENGLISH_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_TERM_LENGTH:
            return word[: -len(suffix)]
    return word


def _postgres_query(words: list[str], corrections: dict[str, list[str]]) -> SearchQuery:
    """Every word must match: its English stem, a 'simple' word starting with it, or a correction."""
    query = None
    for word in words:
        # Words are letters and digits only, so they are safe inside to_tsquery syntax.
        simple = f"{word}:*" if len(word) >= MIN_TERM_LENGTH else word
        word_query = SearchQuery(word, search_type="raw", config="english") | SearchQuery(
            simple, search_type="raw", config="simple"
        )
        if corrections.get(word):
            word_query |= SearchQuery(" | ".join(corrections[word]), search_type="raw", config="simple")
        query = word_query if query is None else query & word_query
    return query


def _word_start(field: str, text: str) -> Q:
    return Q(**{f"{field}__startswith": text}) | Q(**{f"{field}__contains": f" {text}"})


def search_products(queryset: QuerySet[Product], query: str | None) -> QuerySet[Product]:
    """The products of `queryset` that match every word of `query`, best first.

    Annotated with `relevance` (higher is better): an exact name first, then the
    full-text rank of the product and producer names (matches through the HS
    names or descriptions only rank 0, then newest first). A query without words
    filters nothing. Runs one small query at once (the typo corrections against
    the vocabulary, by trigram similarity); the rest stays lazy.
    """
    words = query_words(query)
    if not words:
        return queryset.annotate(relevance=Value(0.0, output_field=FloatField()))
    using = queryset.db
    corrections = correct_words(words, using=using)
    phrase = " ".join(words)
    exact = Case(When(search_name=phrase, then=Value(EXACT_NAME_BONUS)), default=Value(0.0))
    if connections[using].vendor == "postgresql":
        tsquery = _postgres_query(words, corrections)
        matches = queryset.filter(search_vector=tsquery)
        # Ranked on the small in-row vector: ts_rank over search_vector would read
        # each match's full vector back from TOAST, 4 µs a row.
        rank = SearchRank(F("search_rank_vector"), tsquery, weights=RANK_WEIGHTS)
        relevance = exact + Coalesce(rank, Value(0.0))
    else:
        condition = Q()
        name_score = Value(0.0)
        for word in words:
            alternatives = [_english_stem(word), *corrections.get(word, [])]
            word_condition = Q()
            name_condition = Q()
            for alternative in alternatives:
                word_condition |= _word_start("search_document", alternative)
                name_condition |= _word_start("search_name", alternative)
            condition &= word_condition
            name_score = name_score + Case(
                When(name_condition, then=Value(1.0 / len(words))), default=Value(0.0)
            )
        matches = queryset.filter(condition)
        relevance = exact + name_score
    return matches.annotate(relevance=relevance).order_by("-relevance", "-created_at", "-id")
