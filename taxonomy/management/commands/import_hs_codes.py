"""`python manage.py import_hs_codes PATH`: load a Harmonized System CSV into the sectors."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from taxonomy.hs import HSImportError, import_hs_codes


class Command(BaseCommand):
    help = _(
        "Load a Harmonized System CSV (columns section, hscode, description, parent, level; optional "
        "name_fa, name_ar, name_ru, name_tr) into the sectors, with the names of hs_names.csv beside it "
        "or the shipped one. Idempotent; every row skipped and every name left out is reported with "
        "its line number and the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", type=Path, help=_("the CSV file, e.g. taxonomy/data/harmonized-system.csv")
        )

    def handle(self, *args, path: Path, **options) -> None:
        try:
            report = import_hs_codes(path=path)
        except HSImportError as error:
            raise CommandError(str(error)) from error
        for row in [*report.skipped, *report.names_ignored]:
            # A fixed shape, so the output can be read by scripts as well as people.
            self.stdout.write(self.style.WARNING(f"line {row.line}: {row.code}: {row.reason}"))
        if report.names_ignored:
            self.stdout.write(
                self.style.WARNING(_("Names left out: %(count)d.") % {"count": len(report.names_ignored)})
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Created %(created)d, updated %(updated)d, unchanged %(unchanged)d, skipped %(skipped)d.")
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "skipped": len(report.skipped),
                }
            )
        )
