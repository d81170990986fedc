"""The HS tree moves from the catalogue to the taxonomy app, below every app that reads it.

State only: the rows stay in the table `catalogue_sector`, which the model keeps as its name."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalogue", "0005_search_covering_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is: only Django's picture of the models changes.
            state_operations=[
                migrations.CreateModel(
                    name="Sector",
                    fields=[
                        (
                            "code",
                            models.CharField(
                                max_length=6, primary_key=True, serialize=False, verbose_name="code"
                            ),
                        ),
                        (
                            "level",
                            models.PositiveSmallIntegerField(
                                choices=[
                                    (0, "Section"),
                                    (2, "Chapter (2 digits)"),
                                    (4, "Heading (4 digits)"),
                                    (6, "Subheading (6 digits)"),
                                ],
                                db_index=True,
                                verbose_name="level",
                            ),
                        ),
                        ("name", models.CharField(max_length=600, verbose_name="name")),
                        (
                            "name_fa",
                            models.CharField(blank=True, max_length=600, verbose_name="Persian name"),
                        ),
                        ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                        (
                            "parent",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="children",
                                to="taxonomy.sector",
                                verbose_name="parent",
                            ),
                        ),
                        (
                            "section",
                            models.ForeignKey(
                                blank=True,
                                limit_choices_to={"level": 0},
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="taxonomy.sector",
                                verbose_name="section",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "sector",
                        "verbose_name_plural": "sectors",
                        "db_table": "catalogue_sector",
                        "ordering": ["level", "position", "code"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
