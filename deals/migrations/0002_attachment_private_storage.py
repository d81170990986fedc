"""Attachments live in the private store (portal/storage.py). Files written before, in the old
default folder (MEDIA_ROOT itself), are moved there: copied into the private store under the
same name, then removed from the old place. Nothing to do on a fresh install or when the file
is already there; the move can be run again (a file copied but not yet removed is left)."""

import os

from django.conf import settings
from django.core.files import File
from django.db import migrations, models

import deals.models
import portal.storage


def move_to_private_storage(apps, schema_editor):
    Attachment = apps.get_model("deals", "Attachment")
    root = os.path.realpath(settings.MEDIA_ROOT)
    store = portal.storage.private_storage()
    for name in Attachment.objects.exclude(file="").values_list("file", flat=True).iterator():
        old = os.path.realpath(os.path.join(root, name))
        if os.path.commonpath([root, old]) != root or not os.path.isfile(old):
            continue
        if getattr(store, "location", None) and os.path.realpath(store.path(name)) == old:
            continue  # the private store is the old folder itself
        if store.exists(name):
            continue
        with open(old, "rb") as handle:
            saved = store.save(name, File(handle, name=os.path.basename(name)))
        if saved == name:
            os.remove(old)


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="file",
            field=models.FileField(
                max_length=200,
                storage=portal.storage.private_storage,
                upload_to=deals.models._attachment_path,
                verbose_name="file",
            ),
        ),
        migrations.RunPython(move_to_private_storage, migrations.RunPython.noop, elidable=True),
    ]
