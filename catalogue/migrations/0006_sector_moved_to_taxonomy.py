"""The HS tree now lives in the taxonomy app: the product's HS code points there and the catalogue's
model of it goes (state only; the table `catalogue_sector` stays, now the taxonomy's)."""

import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    """Permissions and admin history of sectors follow the model to its new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="taxonomy", model="sector").exists():
        ContentType.objects.filter(app_label="catalogue", model="sector").update(app_label="taxonomy")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="catalogue", model="sector").exists():
        ContentType.objects.filter(app_label="taxonomy", model="sector").update(app_label="catalogue")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0005_search_covering_indexes"),
        ("taxonomy", "0001_sector_moved_from_catalogue"),
        ("accounts", "0007_sectors_in_taxonomy"),
        ("counsellors", "0002_sectors_in_taxonomy"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is: only Django's picture of the models changes.
            state_operations=[
                migrations.AlterField(
                    model_name="product",
                    name="hs_code",
                    field=models.ForeignKey(
                        db_column="hs_code",
                        limit_choices_to={"level__gte": 2},
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="products",
                        to="taxonomy.sector",
                        verbose_name="HS code",
                    ),
                ),
                migrations.DeleteModel(
                    name="Sector",
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
