"""An index on the producers' `updated_at`: matchmaking.producer_cache asks for the profiles
stamped since it last looked, on every buyer rematch."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_profile_sectors")]

    operations = [
        migrations.AddIndex(
            model_name="producerprofile",
            index=models.Index(fields=["updated_at"], name="accounts_producer_updated_idx"),
        ),
    ]
