"""An index on the products' `updated_at`: matchmaking.producer_cache asks for the products
stamped since it last looked, on every buyer rematch."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_search_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["updated_at"], name="catalogue_product_updated_idx"),
        ),
    ]
