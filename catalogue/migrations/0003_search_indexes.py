"""Catalogue search: the normalised product name, the typo vocabulary and, on PostgreSQL, the indexes.

PostgreSQL gets the pg_trgm extension and three GIN indexes: the products'
weighted tsvector, the HS names (an expression index, the same expression as
`catalogue.search.SECTOR_VECTOR_SQL`) and a trigram index on the vocabulary.
HS-code prefixes (`hs=84`) use the pattern index Django makes for the foreign
key. The indexes are made here and not in `Model.Meta` because they exist only
on PostgreSQL; on SQLite these steps do nothing.

Products made before this migration get their normalised name, their words in
the vocabulary and (PostgreSQL) their weighted vector, as
`catalogue.search.refresh_search_index` makes them when this was written (a
frozen copy, so this migration never changes when that code does).
"""

import re
import unicodedata

from django.db import migrations, models

SECTOR_VECTOR_SQL = (
    "(to_tsvector('english'::regconfig, name) || to_tsvector('simple'::regconfig, name)"
    " || to_tsvector('simple'::regconfig, replace(translate(name_fa, 'يك', 'یک'), chr(8204), '')))"
)
POSTGRES_INDEXES = [
    (
        "catalogue_product_search_vector_gin",
        "CREATE INDEX IF NOT EXISTS catalogue_product_search_vector_gin"
        " ON catalogue_product USING gin (search_vector)",
    ),
    (
        "catalogue_sector_search_gin",
        f"CREATE INDEX IF NOT EXISTS catalogue_sector_search_gin ON catalogue_sector USING gin ({SECTOR_VECTOR_SQL})",
    ),
    (
        "catalogue_searchterm_word_trgm",
        "CREATE INDEX IF NOT EXISTS catalogue_searchterm_word_trgm"
        " ON catalogue_searchterm USING gin (word gin_trgm_ops)",
    ),
]

# catalogue.normalization.normalize_text as it was when this migration was written.
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


def index_existing_products(apps, schema_editor):
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
        parts = [
            _normalize(name),
            _normalize(producer),
            _normalize(" ".join(part for part in (description, producer_description, city) if part)),
        ]
        document = " ".join(part for part in parts if part)
        codes = [hs_code[:n] for n in (2, 4) if n < len(hs_code)] + [hs_code]
        sector_text = _normalize(" ".join(part for code in codes for part in sectors.get(code, ()) if part))
        words.update(
            word
            for word in _WORD.findall(f"{document} {sector_text}")
            if 3 <= len(word) <= 100 and not word.isdigit()
        )
        rows.append((pk, document, *parts))
    if connection.vendor == "postgresql":
        for start in range(0, len(rows), 2000):
            columns = [list(column) for column in zip(*rows[start : start + 2000], strict=True)]
            schema_editor.execute(_UPDATE_POSTGRES, columns)
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
        migrations.RunPython(create_postgres_indexes, drop_postgres_indexes, elidable=False),
        migrations.RunPython(index_existing_products, migrations.RunPython.noop, elidable=True),
    ]
