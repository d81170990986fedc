from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore an archive of backup_database into an empty database and empty file stores, "
        "after checking its manifest (kind of database, migrations, checksum); an archive older "
        "than the code is migrated afterwards. Stop web, worker and beat first. docs/operations.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The archive made by backup_database.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even into a database that holds data (it is emptied first) and over files "
            "of the same name.",
        )

    def handle(self, *args, path: Path, force: bool, **options):
        try:
            result = restore(path, force=force, report=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        files = ", ".join(f"{count} {label}" for label, count in result.files.items())
        migrated = " and migrated to this code's schema" if result.migrated else ""
        self.stdout.write(self.style.SUCCESS(f"Restored {path} ({files} files){migrated}."))
