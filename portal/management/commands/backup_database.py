from django.core.management.base import BaseCommand, CommandError

from portal.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump -Fc on PostgreSQL, SQLite's online backup) and the uploaded "
        "files into one tar.gz with a manifest. PATH is the archive's file, or a folder where a "
        "dated archive is made (then --keep N removes all but the newest N). docs/operations.md."
    )

    def add_arguments(self, parser):
        # A string, not a Path: "backups/" (a folder, made if missing) keeps its slash.
        parser.add_argument("path", help="The archive to write, or a folder (existing, or ending in /).")
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="With a folder: keep only the newest N archives made by this command.",
        )
        parser.add_argument(
            "--no-media",
            action="store_true",
            help="The database only (e.g. when the file stores are buckets with their own versioning).",
        )

    def handle(self, *args, path: str, keep: int | None, no_media: bool, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be 1 or more.")
        try:
            result = backup(path, media=not no_media, keep=keep, report=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backed up to {result.path}"))
