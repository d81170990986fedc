"""Catalogue search: the indexed text of each product, and the queries over it.

Each product stores a normalised document of its own text and its producer's
(names, descriptions, city) and its normalised name. PostgreSQL also keeps a
tsvector of the document, weighted (A product name, B producer name, D the
rest), with English stemming plus a language-neutral 'simple' copy (which is
what Persian gets), under a GIN index.

The HS descriptions are searched in `Sector` itself (PostgreSQL: a GIN
expression index over the English and Persian names) and a product matches
through the code it is filed under or any code above it. Kept out of each
product's vector, they leave it small enough to stay in the table row, so
ranking thousands of matches never reads vectors back from TOAST, a sequential
scan never detoasts 100,000 of them, and renaming an HS code needs no reindex.

Every word of the indexed text (HS names included) goes into `SearchTerm`, the
vocabulary that a query word found nowhere is corrected against (trigram
similarity under a GIN index on PostgreSQL, difflib on SQLite), so
"refrigirator" finds refrigerators and "یخچل" finds "یخچال". SQLite, the
embedded default, matches word prefixes in the stored document.

Text is folded by `normalize_text` on both sides, at index time and at query
time, so ي/ی, ك/ک, Persian/Arabic digits and the zero-width non-joiner match.

On PostgreSQL a page in relevance order ranks only the matches whose own text
holds a query word, and takes the newest of those that every word reaches
through their HS code from a covering index (`RankedQuery`): the same page,
without a heap visit and a ts_rank for each of thousands of HS-only matches.
"""

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Col, RawSQL
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.where import ExtraWhere, WhereNode

from portal.normalization import normalize_text
from taxonomy.hs import folded
from taxonomy.models import Sector, SectorLevel, hs_codes_above

from .models import Product, SearchTerm

SEARCH_NAME_LENGTH = Product._meta.get_field("search_name").max_length

# A word: letters and digits of any script (normalised text has no ZWNJ left).
WORD = re.compile(r"[^\W_]+")
MAX_QUERY_WORDS = 8
MAX_WORD_LENGTH = 100
# The vocabulary keeps words of at least this length; shorter query words are never corrected.
MIN_TERM_LENGTH = 3
CORRECTIONS_PER_WORD = 4
# Trigram similarity (PostgreSQL) and difflib ratio (SQLite) a correction needs, and
# how far below the best correction of a word the others may fall.
TRIGRAM_CUTOFF = 0.3
CORRECTION_WINDOW = 0.08
DIFFLIB_CUTOFF = 0.75
# ts_rank weights for D, C, B, A: descriptions and city, (unused), producer name, product name.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
# A match through the HS names ranks between a description hit (ts_rank about 0.06)
# and a producer-name hit (about 0.24); a product-name hit ranks about 0.6.
HS_MATCH_RANK = 0.12
# An exact name outranks everything (ts_rank stays well below 1).
EXACT_NAME_BONUS = 2.0
# Best first; `search_products` orders so, and so does ProductFilterSet's "relevance".
RELEVANCE_ORDERING = ("-relevance", "-created_at", "-id")
INDEX_BATCH_SIZE = 2000
# Light English suffix stripping for SQLite, whose matching is by word prefix.
_ENGLISH_SUFFIXES = ("ies", "es", "s", "ing", "ed")

# The searchable text of an HS code. The same expression is indexed (GIN) in
# migration 0003: change both together, or the index stops being used.
SECTOR_VECTOR_SQL = (
    "(to_tsvector('english'::regconfig, name) || to_tsvector('simple'::regconfig, name)"
    " || to_tsvector('simple'::regconfig, replace(translate(name_fa, 'يك', 'یک'), chr(8204), '')))"
)


# --- The indexed text -----------------------------------------------------------------


@dataclass(frozen=True)
class ProductText:
    """A product's normalised search text by weight, and its HS names (for the vocabulary)."""

    name: str
    producer: str
    details: str
    sectors: str

    @property
    def document(self) -> str:
        return " ".join(part for part in (self.name, self.producer, self.details) if part)


def _sector_codes(hs_code: str) -> list[str]:
    """The code and the chapter and heading above it: '841810' → ['84', '8418', '841810']."""
    return [*hs_codes_above(hs_code), hs_code]


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
    sector_names = [part for code in _sector_codes(hs_code) for part in sectors.get(code, ()) if part]
    return ProductText(
        # The stored search_name is as long as the name; NFKC may lengthen it ("ﷺ" is 18 letters).
        name=normalize_text(name)[:SEARCH_NAME_LENGTH],
        producer=normalize_text(producer_name),
        details=normalize_text(" ".join(part for part in (description, producer_description, city) if part)),
        sectors=normalize_text(" ".join(sector_names)),
    )


def build_search_document(product: Product) -> str:
    """The stored, normalised search document of a product (producer loaded)."""
    producer = product.producer
    return product_text(
        name=product.name,
        description=product.description,
        hs_code=product.hs_code_id,
        producer_name=producer.name,
        producer_description=producer.description,
        city=producer.city,
        sectors={},
    ).document


def vocabulary_words(text: str) -> set[str]:
    """The words of a normalised text worth correcting a typo towards."""
    return {
        word
        for word in WORD.findall(text)
        if MIN_TERM_LENGTH <= len(word) <= MAX_WORD_LENGTH and not word.isdigit()
    }


# The producer's fields in its products' search text: a change to one re-indexes them.
PRODUCER_INDEXED_FIELDS = frozenset({"name", "description", "city"})

_PRODUCT_COLUMNS = (
    "id",
    "name",
    "description",
    "hs_code_id",
    "producer__name",
    "producer__description",
    "producer__city",
)

# One statement per batch: the document, the name and the weighted tsvector.
_UPDATE_POSTGRES = """
UPDATE catalogue_product AS product SET
    search_document = batch.document,
    search_name = batch.name,
    search_vector =
        setweight(to_tsvector('english', batch.name) || to_tsvector('simple', batch.name), 'A')
        || setweight(to_tsvector('english', batch.producer) || to_tsvector('simple', batch.producer), 'B')
        || setweight(to_tsvector('english', batch.details) || to_tsvector('simple', batch.details), 'D')
FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[])
    AS batch(id, document, name, producer, details)
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
    whole catalogue takes seconds, and adds the words to the vocabulary.
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
        new_words = set().union(*(vocabulary_words(f"{text.document} {text.sectors}") for text in texts))
        new_words -= known_words
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
                "(SELECT %s, term.word, similarity(term.word, %s) FROM catalogue_searchterm AS term"
                " WHERE term.word %% %s AND similarity(term.word, %s) >= %s"
                " AND NOT EXISTS (SELECT 1 FROM catalogue_searchterm WHERE word LIKE %s)"
                " ORDER BY 3 DESC, term.word LIMIT %s)"
            )
            params += [word, word, word, word, TRIGRAM_CUTOFF, _escape_like(word) + "%", CORRECTIONS_PER_WORD]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            rows = cursor.fetchall()
        best: dict[str, float] = {}
        corrections: dict[str, list[str]] = {}
        for word, term, similarity in rows:  # best first for each word
            best.setdefault(word, similarity)
            if similarity >= best[word] - CORRECTION_WINDOW:
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


def _word_tsquery(word: str, corrections: list[str]) -> tuple[str, list[str]]:
    """SQL and parameters of one word's tsquery: English stem, a 'simple' word starting with it, corrections."""
    # Words are letters and digits only, so they are safe inside to_tsquery syntax.
    sql = "to_tsquery('english'::regconfig, %s) || to_tsquery('simple'::regconfig, %s)"
    params = [word, f"{word}:*" if len(word) >= MIN_TERM_LENGTH else word]
    if corrections:
        sql += " || to_tsquery('english'::regconfig, %s) || to_tsquery('simple'::regconfig, %s)"
        params += [" | ".join(corrections)] * 2
    return sql, params


def _word_search_query(word: str, corrections: list[str]) -> SearchQuery:
    simple = f"{word}:*" if len(word) >= MIN_TERM_LENGTH else word
    query = SearchQuery(word, search_type="raw", config="english") | SearchQuery(
        simple, search_type="raw", config="simple"
    )
    if corrections:
        alternatives = " | ".join(corrections)
        query |= SearchQuery(alternatives, search_type="raw", config="english") | SearchQuery(
            alternatives, search_type="raw", config="simple"
        )
    return query


def sector_matches(
    words: list[str], corrections: dict[str, list[str]], *, using: str = "default"
) -> dict[str, set[str]]:
    """For each word, the HS codes whose names (or whose chapter's or heading's) match it (one query).

    A word that is an HS code matches that code. The codes returned are the
    matching ones and every code under them, as products are filed at any level.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        selects, params = [], []
        for word in words:
            tsquery, tsquery_params = _word_tsquery(word, corrections.get(word, []))
            selects.append(
                f"SELECT %s AS word, code FROM catalogue_sector"
                f" WHERE level >= 2 AND ({SECTOR_VECTOR_SQL} @@ ({tsquery}) OR code = %s)"
            )
            params += [word, *tsquery_params, word]
        # Codes are digits: everything from '84' to '84999999' is '84' or under it.
        sql = (
            f"SELECT matched.word, sector.code FROM ({' UNION ALL '.join(selects)}) AS matched"
            " JOIN catalogue_sector AS sector"
            " ON sector.code BETWEEN matched.code AND matched.code || '999999'"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        matches: dict[str, set[str]] = {word: set() for word in words}
        for word, code in rows:
            matches[word].add(code)
        return matches
    # Persian names keep their ZWNJ and may hold Arabic letters: fold them like the query.
    sectors = (
        Sector.objects.using(using)
        .filter(level__gte=SectorLevel.CHAPTER)
        .alias(name_fa_folded=folded("name_fa"))
    )
    matches = {}
    for word in words:
        condition = Q(code=word)
        for alternative in [_english_stem(word), *corrections.get(word, [])]:
            condition |= _word_start("name", alternative) | _word_start("name_fa_folded", alternative)
        matched = list(sectors.filter(condition).values_list("code", flat=True)[:500])
        under = reduce(or_, (Q(code__startswith=code) for code in matched), Q(pk__in=[]))
        matches[word] = set(sectors.filter(under).values_list("code", flat=True)) if matched else set()
    return matches


class EqualsAny(Func):
    """PostgreSQL `expression = ANY(%s)`: a list of any length as one array parameter
    (pass `array_literal(values)`: a search sends the same thousand codes several times)."""

    template = "(%(expressions)s))"
    arg_joiner = " = ANY("
    output_field = BooleanField()


def array_literal(values: Iterable[str]) -> str:
    """A PostgreSQL array literal of these strings, made once rather than per parameter."""
    quoted = ('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values)
    return "{" + ",".join(quoted) + "}"


def _word_start(field: str, text: str) -> Q:
    return Q(**{f"{field}__istartswith": text}) | Q(**{f"{field}__icontains": f" {text}"})


def search_products(queryset: QuerySet[Product], query: str | None) -> QuerySet[Product]:
    """The products of `queryset` that match every word of `query`, best first.

    A word matches the product's or producer's text, or the HS names of the
    code the product is filed under. Annotated with `relevance` (higher is
    better): an exact name first, then the full-text rank (product name, then
    producer name), then HS-name matches, then descriptions; ties newest first.
    A query without words filters nothing. Two small queries run at once (typo
    corrections against the vocabulary by trigram similarity, and the matching
    HS codes); the rest stays lazy.
    """
    words = query_words(query)
    if not words:
        return queryset.annotate(relevance=Value(0.0, output_field=FloatField()))
    using = queryset.db
    corrections = correct_words(words, using=using)
    hs_codes = sector_matches(words, corrections, using=using)
    all_hs_codes = sorted(set().union(*hs_codes.values()))
    phrase = " ".join(words)
    exact = Case(When(search_name=phrase, then=Value(EXACT_NAME_BONUS)), default=Value(0.0))
    postgres = connections[using].vendor == "postgresql"
    if postgres:
        # A chapter's name can bring a thousand codes: one array parameter, not a thousand.
        hs_rank = Case(
            When(EqualsAny(F("hs_code"), Value(array_literal(all_hs_codes))), then=Value(HS_MATCH_RANK)),
            default=Value(0.0),
        )
        tsquery = reduce(or_, (_word_search_query(word, corrections.get(word, [])) for word in words))
        condition = SearchMatch(
            [_word_tsquery(word, corrections.get(word, [])) for word in words],
            [sorted(hs_codes[word]) for word in words],
        )
        # Any word counts for the rank: a product matching some words through its
        # HS code still ranks by the words its names hold.
        rank = Coalesce(SearchRank(F("search_vector"), tsquery, weights=RANK_WEIGHTS), Value(0.0))
        relevance = exact + rank + hs_rank
    else:
        hs_rank = Case(When(hs_code__in=all_hs_codes, then=Value(HS_MATCH_RANK)), default=Value(0.0))
        name_score = Value(0.0)
        condition = Q()
        for word in words:
            alternatives = [_english_stem(word), *corrections.get(word, [])]
            in_text = reduce(or_, (_word_start("search_document", text) for text in alternatives))
            in_name = reduce(or_, (_word_start("search_name", text) for text in alternatives))
            condition &= in_text | Q(hs_code__in=hs_codes[word])
            name_score = name_score + Case(When(in_name, then=Value(1.0 / len(words))), default=Value(0.0))
        relevance = exact + name_score + hs_rank
    results = queryset.filter(condition).annotate(relevance=relevance).order_by(*RELEVANCE_ORDERING)
    if postgres and condition.through_hs:
        results.query = results.query.chain(RankedQuery)
    return results


class SearchMatch(Func):
    """PostgreSQL: every word of a search is in the product's text (its tsvector) or reaches it
    through its HS code. `word_queries` are each word's tsquery SQL and parameters, `word_codes`
    the HS codes each word reaches.

    Renders as asked by the query it is compiled in (`RankedQuery`'s branches):
    all matches, those with some word in their own text, or those every word
    reaches through the HS code (which all match).
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, word_queries: list[tuple[str, list[str]]], word_codes: list[list[str]]):
        super().__init__(F("search_vector"), F("hs_code"))
        self.word_queries = word_queries
        self.word_codes = word_codes
        self.through_hs = sorted(set.intersection(*(set(codes) for codes in word_codes)))
        self._arrays = [array_literal(codes) for codes in word_codes]
        self._through_hs_array = array_literal(self.through_hs)

    def as_sql(self, compiler, connection, **extra_context):
        vector, _ = compiler.compile(self.source_expressions[0])
        hs_code, _ = compiler.compile(self.source_expressions[1])
        branch = getattr(compiler.query, "search_branch", None)
        if branch == "through_hs":
            return f"{hs_code} = ANY(%s)", [self._through_hs_array]
        clauses, params = [], []
        for n, ((tsquery, tsquery_params), codes) in enumerate(
            zip(self.word_queries, self._arrays, strict=True)
        ):
            others = [query for m, query in enumerate(self.word_queries) if m != n]
            if codes == "{}" or (branch == "in_text" and not others):
                clauses.append(f"{vector} @@ ({tsquery})")
                params += tsquery_params
            elif branch == "in_text":
                # Some word in the text: this one, or (it reaching the HS code) another.
                clauses.append(
                    f"({vector} @@ ({tsquery}) OR ({hs_code} = ANY(%s)"
                    f" AND {vector} @@ ({' || '.join(sql for sql, _ in others)})))"
                )
                params += [*tsquery_params, codes, *(param for _, other in others for param in other)]
            else:
                clauses.append(f"({vector} @@ ({tsquery}) OR {hs_code} = ANY(%s))")
                params += [*tsquery_params, codes]
        return "(" + " AND ".join(clauses) + ")", params


# --- A page in relevance order (PostgreSQL) -----------------------------------------------


# What the covering indexes of migration 0005 hold: a condition on other columns needs the rows.
_COVERED_COLUMNS = frozenset({"created_at", "id", "hs_code", "is_active"})


class RankedQuery(Query):
    """A search's query that fetches a page in relevance order, or counts, without reading every match.

    Ranking costs a heap visit and a `ts_rank` per match, and a common HS word
    (a chapter's name) brings thousands of matches that hold no query word.
    Those rank exactly HS_MATCH_RANK (no word in their vector: ts_rank 0; no
    exact name either, as a name equal to the query holds its words), the
    least that any product every word reaches through its HS code ranks. So
    the first `n` rows in relevance order are among the first `n` matches
    with some word in their text, in relevance order (only those are ranked),
    and the first `n` products that every word reaches through their HS code,
    newest first, whether their text matches too or not (each ranks at least
    as high as an HS-only match, and ties go to the newer), which a covering
    index of migration 0005 lists without reading a row. The query that runs
    ranks those at most 2n candidates and orders and slices them as asked, so
    a page holds the same rows in the same order as when every match is
    ranked. A count adds the HS matches (counted in the other covering index)
    to the text matches and takes away those in both.

    Only where those indexes answer alone (the other conditions read
    `is_active` and `hs_code` only), for a slice in relevance order or a
    count; anything else runs unchanged.
    """

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = super().get_compiler(using, connection, elide_empty)
        if compiler.connection.vendor != "postgresql":
            return compiler
        page = self._page_query(compiler.connection)
        return compiler if page is self else page.get_compiler(using, connection, elide_empty)

    def get_count(self, using):
        """The number of matches: those with some word in their text (rows read), plus those every
        word reaches through their HS code (counted in the covering index), less the ones in both."""
        if connections[using].vendor != "postgresql" or self.is_sliced or not self._splits():
            return super().get_count(using)
        in_text, through_hs = self._branches()
        codes = next(node for node in _walk(self.where) if isinstance(node, SearchMatch)).through_hs
        text = QuerySet(model=self.model, query=in_text, using=using).aggregate(
            matches=Count("pk"),
            also_through_hs=Count("pk", filter=Q(EqualsAny(F("hs_code"), Value(array_literal(codes))))),
        )
        return (
            text["matches"]
            + QuerySet(model=self.model, query=through_hs, using=using).count()
            - text["also_through_hs"]
        )

    def _splits(self) -> bool:
        return (
            not self.extra_order_by
            and not self.distinct
            and not self.combinator
            and _reads_only(self.where, self.base_table, _COVERED_COLUMNS)
        )

    def _branches(self) -> tuple[Query, Query]:
        """This query, unsliced, twice: rendering its search match as "some word in the text" and as
        "every word through the HS code"."""
        everything = self.chain(Query)
        everything.clear_limits()
        in_text, through_hs = everything.clone(), everything.clone()
        in_text.search_branch, through_hs.search_branch = "in_text", "through_hs"
        return in_text, through_hs

    def _page_query(self, connection) -> Query:
        if self.high_mark is None or tuple(self.order_by) != RELEVANCE_ORDERING or not self._splits():
            return self
        in_text, through_hs = self._branches()
        by_rank = QuerySet(model=self.model, query=in_text).values("pk")[: self.high_mark].query
        newest_through_hs = (
            QuerySet(model=self.model, query=through_hs)
            .order_by("-created_at", "-id")
            .values("pk")[: self.high_mark]
            .query
        )
        by_rank_sql, by_rank_params = by_rank.get_compiler(connection=connection).as_sql()
        newest_sql, newest_params = newest_through_hs.get_compiler(connection=connection).as_sql()
        # The candidates meet every condition, which reads this table alone: what
        # remains is to rank them (the planner need not weigh the HS codes again).
        page = self.chain(Query)
        page.clear_limits()
        quote = connection.ops.quote_name
        page.where = WhereNode(
            [
                ExtraWhere(
                    [
                        f"{quote(page.base_table)}.{quote(self.model._meta.pk.column)} IN"
                        f" (({by_rank_sql}) UNION ALL ({newest_sql}))"
                    ],
                    [*by_rank_params, *newest_params],
                )
            ]
        )
        page.set_limits(self.low_mark, self.high_mark)
        return page


def _walk(node):
    """A WHERE tree's nodes and expressions, depth first."""
    yield node
    for child in getattr(node, "get_source_expressions", list)():
        if child is not None:
            yield from _walk(child)


def _reads_only(node, alias: str, columns: frozenset[str]) -> bool:
    """Whether a WHERE (sub)tree reads no column but these of table `alias` (a search match reads its own)."""
    if isinstance(node, SearchMatch):
        return True
    if isinstance(node, Col):
        return node.alias == alias and node.target.column in columns
    if isinstance(node, (Query, Subquery, RawSQL)) or not hasattr(node, "get_source_expressions"):
        return False
    return all(
        _reads_only(child, alias, columns) for child in node.get_source_expressions() if child is not None
    )
