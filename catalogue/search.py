"""Catalogue search: the indexed text of each product, and the queries over it.

Each product stores a normalised document of its own text and its producer's
(names and descriptions in every language they are written in, city) and its
normalised original name. PostgreSQL also keeps a tsvector of the document,
weighted (A product names, B producer names, D the rest), with English stemming
plus a language-neutral 'simple' copy, under a GIN index. The document also holds
the stems a prefix search would miss (`portal.stemming`: an Arabic article, a
Turkish softened consonant), and a query word is looked up by its stems too, so
«ثلاجة» finds "ثلاجات" and "pompa" finds "pompalar".

The HS names (all five languages) are searched in `Sector` itself (its
`search_keys`; PostgreSQL: a GIN expression index, `SECTOR_VECTOR_SQL`) and a
product matches through the code it is filed under or any code above it: «холодильник»
and «ثلاجة» find the fridges filed under 8418 whatever language their own text is in.
Kept out of each product's vector, the HS names leave it small enough to stay in
the table row, so ranking thousands of matches never reads vectors back from
TOAST, a sequential scan never detoasts 100,000 of them, and renaming an HS code
needs no reindex.

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

import re
from collections.abc import Iterable, Sequence
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

from portal import vocabulary
from portal.content import portal_languages
from portal.normalization import normalize_text
from portal.stemming import join_detached, searchable_text
from taxonomy.models import Sector, SectorLevel, hs_codes_above
from taxonomy.search import SECTOR_VECTOR_SQL, names_match, tsquery_text, word_alternatives

from .models import Product, SearchTerm

SEARCH_NAME_LENGTH = Product._meta.get_field("search_name").max_length

# A word: letters and digits of any script (normalised text has no ZWNJ left).
WORD = re.compile(r"[^\W_]+")
MAX_QUERY_WORDS = 8
MAX_WORD_LENGTH = 100
# The vocabulary keeps words of at least this length; shorter query words are never corrected.
MIN_TERM_LENGTH = vocabulary.MIN_TERM_LENGTH
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

# The searchable text of an HS code (taxonomy.search, which the HS picker reads too), indexed
# (GIN) by migration 0008: change both together, or the index stops being used.
__all__ = ["SECTOR_VECTOR_SQL"]


# --- The indexed text -----------------------------------------------------------------


# A text in one language, or in several: (language, text) pairs, the original first.
Texts = str | Sequence[tuple[str | None, str]]


@dataclass(frozen=True)
class ProductText:
    """A product's normalised search text by weight, its original name, and its HS names (for the vocabulary)."""

    name: str
    names: str
    producer: str
    details: str
    sectors: str

    @property
    def document(self) -> str:
        return " ".join(part for part in (self.names, self.producer, self.details) if part)


def _sector_codes(hs_code: str) -> list[str]:
    """The code and the chapter and heading above it: '841810' → ['84', '8418', '841810']."""
    return [*hs_codes_above(hs_code), hs_code]


def _pairs(texts: Texts) -> list[tuple[str | None, str]]:
    return [(None, texts)] if isinstance(texts, str) else list(texts)


def product_text(
    *,
    name: Texts,
    description: Texts,
    hs_code: str,
    producer_name: Texts,
    producer_description: Texts,
    city: str,
    sectors: dict[str, str],
) -> ProductText:
    """The search text of one product; `sectors` maps HS codes to their `search_keys`.

    Each text is a string, or (language, text) pairs for a text in several languages with the
    original first (a language lets the stems follow it; None: any)."""
    names = _pairs(name)
    return ProductText(
        # The stored search_name is the name's words (as a query's are); it is as long as the name,
        # but NFKC may lengthen it ("ﷺ" is 18 letters).
        name=" ".join(WORD.findall(normalize_text(names[0][1] if names else "")))[:SEARCH_NAME_LENGTH],
        names=searchable_text(names),
        producer=searchable_text(_pairs(producer_name)),
        details=searchable_text([*_pairs(description), *_pairs(producer_description), (None, city)]),
        sectors=" ".join(sectors.get(code, "") for code in _sector_codes(hs_code)),
    )


vocabulary_words = vocabulary.vocabulary_words


# The producer's fields in its products' search text: a change to one re-indexes them
# (its texts in other languages come as "translations", a change of the original's as "language").
PRODUCER_INDEXED_FIELDS = frozenset({"name", "description", "city", "translations", "language"})
_TEXT_FIELDS = ("name", "description")


def _text_columns(prefix: str = "") -> list[str]:
    """The columns of the translated texts: the base column (the original), then each language's."""
    return [
        f"{prefix}{column}"
        for field in _TEXT_FIELDS
        for column in (field, *(f"{field}_{language}" for language in portal_languages()))
    ]


def _texts_of(row: dict, prefix: str = "") -> dict[str, list[tuple[str | None, str]]]:
    """{"name": [(language, text), ...], "description": [...]} of a row of `_text_columns`, the original first."""
    original = row[f"{prefix}original_language"]
    return {
        field: [
            (original, row[f"{prefix}{field}"] or ""),
            *((language, row[f"{prefix}{field}_{language}"] or "") for language in portal_languages()),
        ]
        for field in _TEXT_FIELDS
    }


def _product_columns() -> list[str]:
    return [
        "id",
        "hs_code_id",
        "original_language",
        *_text_columns(),
        "producer__original_language",
        *_text_columns("producer__"),
        "producer__city",
    ]


# One statement per batch: the document, the name and the weighted tsvector.
_UPDATE_POSTGRES = """
UPDATE catalogue_product AS product SET
    search_document = batch.document,
    search_name = batch.name,
    search_vector =
        setweight(to_tsvector('english', batch.names) || to_tsvector('simple', batch.names), 'A')
        || setweight(to_tsvector('english', batch.producer) || to_tsvector('simple', batch.producer), 'B')
        || setweight(to_tsvector('english', batch.details) || to_tsvector('simple', batch.details), 'D')
FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[])
    AS batch(id, document, name, names, producer, details)
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
    whole catalogue takes seconds, and adds the words to the vocabulary (the
    product's, and those of the HS names of its code in every language).
    """
    products = Product.objects.using(using).order_by("id")
    if product_ids is not None:
        products = products.filter(pk__in=list(product_ids))
    if producer_ids is not None:
        products = products.filter(producer_id__in=list(producer_ids))
    connection = connections[using]
    sectors: dict[str, str] = {}
    known_words: set[str] = set()
    indexed_codes: set[str] = set()
    count, last_id = 0, 0
    columns = _product_columns()
    while True:
        rows = list(products.filter(id__gt=last_id).values(*columns)[:INDEX_BATCH_SIZE])
        if not rows:
            return count
        last_id, count = rows[-1]["id"], count + len(rows)
        missing = {code for row in rows for code in _sector_codes(row["hs_code_id"])} - sectors.keys()
        if missing:
            sectors.update(
                Sector.objects.using(using).filter(code__in=missing).values_list("code", "search_keys")
            )
        texts = []
        for row in rows:
            own, producer = _texts_of(row), _texts_of(row, "producer__")
            texts.append(
                product_text(
                    name=own["name"],
                    description=own["description"],
                    hs_code=row["hs_code_id"],
                    producer_name=producer["name"],
                    producer_description=producer["description"],
                    city=row["producer__city"],
                    sectors=sectors,
                )
            )
        ids = [row["id"] for row in rows]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    _UPDATE_POSTGRES,
                    [
                        ids,
                        [text.document for text in texts],
                        [text.name for text in texts],
                        [text.names for text in texts],
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
        # The HS names' words once per code, not once per product filed under it.
        codes = {code for row in rows for code in _sector_codes(row["hs_code_id"])} - indexed_codes
        indexed_codes |= codes
        new_words = set().union(
            *(vocabulary_words(text.document) for text in texts),
            *(vocabulary_words(sectors.get(code, "")) for code in codes),
        )
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
    for word in join_detached(WORD.findall(normalize_text(query))):
        word = word[:MAX_WORD_LENGTH]
        if word not in words:
            words.append(word)
    return words[:MAX_QUERY_WORDS]


def correct_words(words: list[str], *, using: str = "default") -> dict[str, list[str]]:
    """For each query word that no indexed word starts with (nor with one of its stems), the
    closest indexed words (one query on PostgreSQL; `portal.vocabulary`)."""
    return vocabulary.correct_words(words, model=SearchTerm, using=using)


def _simple_query(word: str, corrections: list[str]) -> str:
    """A word's 'simple' tsquery text: words starting with one of its keys (a stem, an ASCII
    spelling) or of its corrections'; a short word exactly."""
    if len(word) < MIN_TERM_LENGTH:
        return word
    return tsquery_text(word_alternatives(word, {word: corrections}))


def _word_tsquery(word: str, corrections: list[str]) -> tuple[str, list[str]]:
    """SQL and parameters of one word's tsquery: English stem, 'simple' words starting with one
    of its keys or corrections, the corrections' English stems."""
    # Words are letters and digits only, so they are safe inside to_tsquery syntax.
    sql = "to_tsquery('english'::regconfig, %s) || to_tsquery('simple'::regconfig, %s)"
    params = [word, _simple_query(word, corrections)]
    if corrections:
        sql += " || to_tsquery('english'::regconfig, %s)"
        params.append(" | ".join(corrections))
    return sql, params


def _word_search_query(word: str, corrections: list[str]) -> SearchQuery:
    query = SearchQuery(word, search_type="raw", config="english") | SearchQuery(
        _simple_query(word, corrections), search_type="raw", config="simple"
    )
    if corrections:
        query |= SearchQuery(" | ".join(corrections), search_type="raw", config="english")
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
            selects.append(
                f"SELECT %s AS word, code FROM catalogue_sector"
                f" WHERE level >= 2 AND ({SECTOR_VECTOR_SQL} @@ to_tsquery('simple'::regconfig, %s) OR code = %s)"
            )
            params += [word, _simple_query(word, corrections.get(word, [])), word]
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
    sectors = Sector.objects.using(using).filter(level__gte=SectorLevel.CHAPTER)
    matches = {}
    for word in words:
        condition = Q(code=word) | names_match([word], corrections, using=using)
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
            alternatives = word_alternatives(word, corrections)
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
