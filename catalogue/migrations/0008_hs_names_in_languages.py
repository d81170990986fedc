"""The catalogue's search reads the HS names in every language: the GIN expression index over
the sectors' names (migration 0003's, English and Persian) is replaced by one over their
`search_keys` (taxonomy 0003: every language's words and stems), the expression
`taxonomy.search.SECTOR_VECTOR_SQL` that the catalogue's and the HS picker's queries use.

The vocabulary typos are corrected against gets the words of the HS names in every language
of the codes products are filed under (and the chapters and headings above them), so that
«холодилник» finds the fridges of a catalogue indexed before; a product's own texts in other
languages reach the index when they are written (through the services, which re-index).
"""

from django.db import migrations

SECTOR_VECTOR_SQL = "to_tsvector('simple'::regconfig, search_keys)"
OLD_SECTOR_VECTOR_SQL = (
    "(to_tsvector('english'::regconfig, name) || to_tsvector('simple'::regconfig, name)"
    " || to_tsvector('simple'::regconfig, replace(translate(name_fa, 'يك', 'یک'), chr(8204), '')))"
)
OLD_INDEX, NEW_INDEX = "catalogue_sector_search_gin", "catalogue_sector_keys_gin"


def replace_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NEW_INDEX} ON catalogue_sector USING gin ({SECTOR_VECTOR_SQL})"
    )


def restore_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NEW_INDEX}")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON catalogue_sector USING gin ({OLD_SECTOR_VECTOR_SQL})"
    )


def add_hs_words(apps, schema_editor):
    Product = apps.get_model("catalogue", "Product")
    Sector = apps.get_model("taxonomy", "Sector")
    SearchTerm = apps.get_model("catalogue", "SearchTerm")
    alias = schema_editor.connection.alias
    codes = set()
    for code in Product.objects.using(alias).values_list("hs_code_id", flat=True).distinct():
        codes.update(code[:n] for n in (2, 4, 6) if n <= len(code))
    words = set()
    for keys in Sector.objects.using(alias).filter(code__in=codes).values_list("search_keys", flat=True):
        words.update(word for word in keys.split() if 3 <= len(word) <= 100 and not word.isdigit())
    SearchTerm.objects.using(alias).bulk_create(
        [SearchTerm(word=word) for word in sorted(words)], batch_size=1000, ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0007_content_in_languages"),
        ("taxonomy", "0003_hs_names_and_search"),
    ]

    operations = [
        migrations.RunPython(replace_index, restore_index, elidable=False),
        migrations.RunPython(add_hs_words, migrations.RunPython.noop, elidable=True),
    ]
