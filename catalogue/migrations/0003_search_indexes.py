"""Catalogue search: the normalised product name, the typo vocabulary and, on PostgreSQL, the indexes.

PostgreSQL gets the pg_trgm extension, a GIN index on the weighted tsvector and
a GIN trigram index on the vocabulary (HS-code prefixes, `hs=84`, use the
pattern index Django makes for the foreign key). They are made here and not in
`Model.Meta` because they exist only on PostgreSQL; on SQLite these steps do
nothing. Existing products get their
normalised name, their words in the vocabulary and (PostgreSQL) their weighted
vectors, as `catalogue.search.refresh_search_index` makes them.
"""

import re
import unicodedata

import django.contrib.postgres.search
from django.db import migrations, models

POSTGRES_INDEXES = [
    (
        "catalogue_product_search_vector_gin",
        "CREATE INDEX IF NOT EXISTS catalogue_product_search_vector_gin"
        " ON catalogue_product USING gin (search_vector)",
    ),
    (
        "catalogue_searchterm_word_trgm",
        "CREATE INDEX IF NOT EXISTS catalogue_searchterm_word_trgm"
        " ON catalogue_searchterm USING gin (word gin_trgm_ops)",
    ),
]

# A frozen copy of catalogue.normalization.normalize_text as it was when this
# migration was written, so the migration never changes when that code does.
_CHARACTER_MAP = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "\u200c": "",
        "\u200d": "",
        "\u200f": "",
        "\u200e": "",
        "\u0640": "",
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        **{chr(0x0660 + i): str(i) for i in range(10)},
        "٬": ",",
        "٫": ".",
    }
)
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+")


def _normalize(text):
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    text = _DIACRITICS.sub("", text).translate(_CHARACTER_MAP)
    return _SPACES.sub(" ", text).strip().lower()


def create_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for _name, sql in POSTGRES_INDEXES:
        schema_editor.execute(sql)


def drop_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _sql in POSTGRES_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def _sector_codes(hs_code):
    return [hs_code[:n] for n in (2, 4) if n < len(hs_code)] + [hs_code]


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


def index_existing_products(apps, schema_editor):
    """Products made before this migration: the new columns, the vocabulary, the weighted vectors.

    A frozen copy of what catalogue.search.refresh_search_index did when this was written.
    """
    Product = apps.get_model("catalogue", "Product")
    Sector = apps.get_model("catalogue", "Sector")
    SearchTerm = apps.get_model("catalogue", "SearchTerm")
    connection = schema_editor.connection
    products = list(
        Product.objects.using(connection.alias).values_list(
            "id",
            "name",
            "description",
            "hs_code_id",
            "producer__name",
            "producer__description",
            "producer__city",
        )
    )
    if not products:
        return
    sectors = {
        code: (name, name_fa)
        for code, name, name_fa in Sector.objects.using(connection.alias).values_list(
            "code", "name", "name_fa"
        )
    }
    rows, words = [], set()
    for pk, name, description, hs_code, producer, producer_description, city in products:
        sector_text = " ".join(
            part
            for code in _sector_codes(hs_code)
            if code in sectors
            for part in (code, *sectors[code])
            if part
        )
        parts = [
            _normalize(name),
            _normalize(producer),
            _normalize(sector_text),
            _normalize(" ".join(part for part in (description, producer_description, city) if part)),
        ]
        document = " ".join(part for part in parts if part)
        words.update(word for word in _WORD.findall(document) if 3 <= len(word) <= 100 and not word.isdigit())
        rows.append((pk, document, *parts))
    if connection.vendor == "postgresql":
        for start in range(0, len(rows), 2000):
            batch = rows[start : start + 2000]
            schema_editor.execute(_UPDATE_POSTGRES, [list(column) for column in zip(*batch, strict=True)])
    else:
        Product.objects.using(connection.alias).bulk_update(
            [Product(pk=row[0], search_document=row[1], search_name=row[2]) for row in rows],
            ["search_document", "search_name"],
            batch_size=1000,
        )
    SearchTerm.objects.using(connection.alias).bulk_create(
        [SearchTerm(word=word) for word in sorted(words)], batch_size=1000, ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0002_load_hs_taxonomy"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                (
                    "word",
                    models.CharField(max_length=100, primary_key=True, serialize=False, verbose_name="word"),
                ),
            ],
            options={
                "verbose_name": "search term",
                "verbose_name_plural": "search terms",
            },
        ),
        migrations.AddField(
            model_name="product",
            name="search_name",
            field=models.CharField(blank=True, default="", editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="product",
            name="search_rank_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(index_existing_products, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_postgres_indexes, drop_postgres_indexes, elidable=False),
    ]
