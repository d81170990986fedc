import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0012_companies_for_profiles")]

    operations = [
        migrations.AlterField(
            model_name="producerprofile",
            name="company",
            field=models.OneToOneField(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="producer",
                to="accounts.company",
                verbose_name="company",
            ),
        ),
        migrations.AlterField(
            model_name="buyerprofile",
            name="company",
            field=models.OneToOneField(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="buyer",
                to="accounts.company",
                verbose_name="company",
            ),
        ),
    ]
