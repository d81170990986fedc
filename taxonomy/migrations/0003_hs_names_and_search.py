"""The HS names in every language, and what the HS search looks words up in.

- `edited_names`: the languages whose name an operator wrote, which `import_hs_codes` keeps;
- `search_keys`: each sector's names' words with their stems (`portal.stemming`), and the
  vocabulary `SectorTerm` (with, on PostgreSQL, a GiST trigram index, whose nearest-first
  order finds corrections without reading the table: `portal.vocabulary`) that typos are
  corrected against; the GIN index over the keys is the catalogue's migration 0008;
- the names of taxonomy/data/hs_names.csv loaded into every database, new or existing: a name
  the database holds is kept, and marked as an operator's when it differs from the file's.

The keys and the vocabulary are derived data, computed by the live `taxonomy.search` code
(against this migration's models), as `import_hs_codes` computes them later.
"""

import csv
from pathlib import Path

from django.db import migrations, models

NAMES_FILE = Path(__file__).resolve().parents[1] / "data" / "hs_names.csv"
LANGUAGES = ("fa", "ar", "ru", "tr")  # the file's columns when this was written
TRIGRAM_INDEX = "taxonomy_sectorterm_word_trgm"


def shipped_names():
    with open(NAMES_FILE, encoding="utf-8-sig", newline="") as handle:
        return {
            row["code"]: {
                language: " ".join(row[language].split()) for language in LANGUAGES if row.get(language)
            }
            for row in csv.DictReader(handle)
        }


def load_names(apps, schema_editor):
    from taxonomy.search import refresh_sector_search

    Sector = apps.get_model("taxonomy", "Sector")
    alias = schema_editor.connection.alias
    shipped = shipped_names()
    changed = []
    for sector in Sector.objects.using(alias).order_by("code").iterator(chunk_size=1000):
        names = shipped.get(sector.code, {})
        edited = list(sector.edited_names or [])
        for language in LANGUAGES:
            column, new = f"name_{language}", names.get(language)
            held = getattr(sector, column)
            if not new:
                continue
            if not held:
                setattr(sector, column, new)
            elif held != new and language not in edited:
                edited.append(language)  # someone's name, not the file's: import_hs_codes keeps it
        sector.edited_names = edited
        changed.append(sector)
    Sector.objects.using(alias).bulk_update(
        changed, [f"name_{language}" for language in LANGUAGES] + ["edited_names"], batch_size=1000
    )
    refresh_sector_search(model=Sector, term_model=apps.get_model("taxonomy", "SectorTerm"), using=alias)


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON taxonomy_sectorterm USING gist (word gist_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("taxonomy", "0002_hs_names_in_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="sector",
            name="edited_names",
            field=models.JSONField(
                blank=True,
                db_default=models.Value([], models.JSONField()),
                default=list,
                editable=False,
                verbose_name="names edited by an operator",
            ),
        ),
        migrations.AddField(
            model_name="sector",
            name="search_keys",
            field=models.TextField(blank=True, db_default="", default="", editable=False),
        ),
        migrations.CreateModel(
            name="SectorTerm",
            fields=[
                (
                    "word",
                    models.CharField(max_length=100, primary_key=True, serialize=False, verbose_name="word"),
                ),
            ],
            options={
                "verbose_name": "HS search term",
                "verbose_name_plural": "HS search terms",
            },
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index, elidable=False),
        migrations.RunPython(load_names, migrations.RunPython.noop, elidable=False),
    ]
