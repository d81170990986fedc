"""Every existing profile gets its company, and its owner becomes the company's owner."""

from django.db import migrations


def give_companies(apps, schema_editor):
    Company = apps.get_model("accounts", "Company")
    User = apps.get_model("accounts", "User")
    for model_name, kind in (("ProducerProfile", "producer"), ("BuyerProfile", "buyer")):
        Profile = apps.get_model("accounts", model_name)
        for profile in Profile.objects.filter(company__isnull=True).only("pk", "owner_id").iterator():
            company = Company.objects.create(kind=kind)
            Profile.objects.filter(pk=profile.pk).update(company=company)
            User.objects.filter(pk=profile.owner_id).update(company=company, company_role="owner")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0011_companies")]

    operations = [migrations.RunPython(give_companies, migrations.RunPython.noop)]
