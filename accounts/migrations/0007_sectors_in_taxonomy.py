"""The sectors fields point at the HS tree in its new app, taxonomy (state only; same tables)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_api_token_config"),
        ("taxonomy", "0001_sector_moved_from_catalogue"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is: only Django's picture of the models changes.
            state_operations=[
                migrations.AlterField(
                    model_name="buyerprofile",
                    name="sought_sectors",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="seeking_buyers",
                        to="taxonomy.sector",
                        verbose_name="sought sectors",
                    ),
                ),
                migrations.AlterField(
                    model_name="producerprofile",
                    name="declared_sectors",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="declaring_producers",
                        to="taxonomy.sector",
                        verbose_name="declared sectors",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
