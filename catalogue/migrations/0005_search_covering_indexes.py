"""PostgreSQL: two covering indexes that let a search leave aside, without reading a row, the
products that every word of the query reaches only through their HS code.

`catalogue.search.RankedQuery` takes a relevance page's newest such products
from the first (created_at and id, with the HS code and listing flag) and
counts them in the second (the HS code with the listing flag), both as
index-only scans, so only the products whose own text holds a query word are
read and ranked. Made here and not in `Model.Meta` because INCLUDE columns
exist only on PostgreSQL; on SQLite these steps do nothing.
"""

from django.db import migrations

INDEXES = {
    "catalogue_product_newest_covering": "(created_at, id) INCLUDE (hs_code, is_active)",
    "catalogue_product_hs_covering": "(hs_code) INCLUDE (is_active)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON catalogue_product {columns}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0004_product_updated_index")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
