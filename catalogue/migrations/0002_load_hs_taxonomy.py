"""Load the Harmonized System 2022 shipped in taxonomy/data (catalogue/data when this was written), so a fresh install offers every code.

Sections (I..XXI, from sections.csv), chapters, headings and subheadings (from
harmonized-system.csv) and their Persian names (the fa column of hs_names.csv, which
replaced hs_names_fa.csv; the other languages' columns came later: taxonomy 0003). The same rules as `taxonomy.hs.import_hs_codes`, which later
updates use; kept here, against the historical model, so this migration never
changes when that code does. Rows already present are left alone.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parents[2] / "taxonomy" / "data"  # moved with the HS tree
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def read_rows(name):
    with open(DATA_DIR / name, encoding="utf-8-sig", newline="") as handle:
        return [
            {key: " ".join(value.split()) for key, value in row.items()} for row in csv.DictReader(handle)
        ]


def roman_to_int(numeral):
    values = [ROMAN_VALUES[letter] for letter in numeral]
    return sum(
        -value if value < after else value for value, after in zip(values, [*values[1:], 0], strict=True)
    )


def load_hs_taxonomy(apps, schema_editor):
    Sector = apps.get_model("catalogue", "Sector")
    names_fa = {row["code"]: row["fa"] for row in read_rows("hs_names.csv")}
    nodes = []
    for row in read_rows("sections.csv"):
        code, name = row["section"], row["name"]
        nodes.append(
            Sector(
                code=code,
                level=0,
                name=name[:1].upper() + name[1:],
                name_fa=names_fa.get(code, ""),
                position=roman_to_int(code),
            )
        )
    sections = {node.code for node in nodes}
    for row in read_rows("harmonized-system.csv"):
        code, level = row["hscode"], row["level"]
        if level not in ("2", "4", "6") or not (code.isdigit() and len(code) == int(level)):
            continue  # the TOTAL row
        # Chapter 99 is filed under the pseudo-section TOTAL: it belongs to no section.
        section = row["section"] if row["section"] in sections else None
        nodes.append(
            Sector(
                code=code,
                level=int(level),
                name=row["description"],
                name_fa=names_fa.get(code, ""),
                parent_id=section if level == "2" else row["parent"],
                section_id=section,
            )
        )
    Sector.objects.using(schema_editor.connection.alias).bulk_create(
        nodes, batch_size=1000, ignore_conflicts=True
    )


def unload_hs_taxonomy(apps, schema_editor):
    Sector = apps.get_model("catalogue", "Sector")
    for level in (6, 4, 2, 0):  # children before their parents
        Sector.objects.using(schema_editor.connection.alias).filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_hs_taxonomy, unload_hs_taxonomy, elidable=False),
    ]
