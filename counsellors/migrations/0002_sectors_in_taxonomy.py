"""The sectors fields point at the HS tree in its new app, taxonomy (state only; same tables)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("counsellors", "0001_initial"),
        ("taxonomy", "0001_sector_moved_from_catalogue"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is: only Django's picture of the models changes.
            state_operations=[
                migrations.AlterField(
                    model_name="counsellorprofile",
                    name="sectors",
                    field=models.ManyToManyField(
                        blank=True, related_name="counsellors", to="taxonomy.sector", verbose_name="sectors"
                    ),
                ),
                migrations.AlterField(
                    model_name="marketbrief",
                    name="sectors",
                    field=models.ManyToManyField(
                        blank=True, related_name="briefs", to="taxonomy.sector", verbose_name="sectors"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
