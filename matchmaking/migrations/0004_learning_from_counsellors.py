"""What the engine learns from the counsellors (issue 14).

- A rejection's structured reason: wrong product, too small, not exporting, other. Matches
  rejected before there were reasons keep their free text (the rejection event's note) and
  count as "other", which is what a free text alone now means.
- A partial index on the forwarded matches: matchmaking.learning counts each producer's
  unanswered introductions on every rematch, and must not scan every proposed match to do so.
"""

from django.db import migrations, models


def rejected_before_as_other(apps, schema_editor):
    Match = apps.get_model("matchmaking", "Match")
    Match.objects.filter(status="rejected", reject_reason="").update(reject_reason="other")


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0003_match_notice"),
    ]

    operations = [
        migrations.AddField(
            model_name="match",
            name="reject_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("wrong_product", "Wrong product"),
                    ("too_small", "Too small"),
                    ("not_exporting", "Not exporting"),
                    ("other", "Other"),
                ],
                db_default="",
                default="",
                max_length=16,
                verbose_name="reason for rejecting",
            ),
        ),
        migrations.RunPython(rejected_before_as_other, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="match",
            index=models.Index(
                condition=models.Q(("forwarded_at__isnull", False)),
                fields=["forwarded_at", "producer"],
                name="match_forwarded_idx",
            ),
        ),
    ]
