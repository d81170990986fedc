"""Producers verified by the old staff switch keep their badge, now as a verification on record:
decided by Export Bridge staff when the profile was last saved, with no evidence kept."""

from django.db import migrations

NOTE = "Verified by staff before evidence was kept (the former switch)."


def record_switch(apps, schema_editor):
    Producer = apps.get_model("accounts", "ProducerProfile")
    Verification = apps.get_model("accounts", "Verification")
    Company = apps.get_model("accounts", "Company")
    for profile in Producer.objects.filter(verified=True).only("pk", "company_id", "updated_at").iterator():
        verification = Verification.objects.create(
            company_id=profile.company_id,
            status="verified",
            reviewed_as="staff",
            note=NOTE,
            decided_at=profile.updated_at,
        )
        Company.objects.filter(pk=profile.company_id).update(standing=verification)
        Producer.objects.filter(pk=profile.pk).update(verified_at=profile.updated_at)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0014_verifications")]

    operations = [migrations.RunPython(record_switch, migrations.RunPython.noop)]
