"""`python manage.py import_producers PATH`: register producers from a chamber's CSV member list."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from catalogue.imports import ImportReport, ProducerImportError, import_producers
from catalogue.invitations import default_base_url


class Command(BaseCommand):
    help = (
        "Register or update producers, their company profiles and products from a CSV member list "
        "(UTF-8; columns in docs/import_producers.md). Bad rows are reported by line number and skipped."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="The CSV file (UTF-8, with or without BOM).")
        parser.add_argument(
            "--base-url",
            default=None,
            help=f"Site address for the links in invitations (default: PORTAL_BASE_URL or {default_base_url()}).",
        )
        parser.add_argument("--no-email", action="store_true", help="Do not send invitations to new users.")
        parser.add_argument("--dry-run", action="store_true", help="Validate every row and write nothing.")

    def handle(
        self, *args, path: str, base_url: str | None, no_email: bool, dry_run: bool, **options
    ) -> None:
        try:
            report = import_producers(
                path=path, base_url=base_url, send_invitations=not no_email, dry_run=dry_run
            )
        except ProducerImportError as error:
            raise CommandError(str(error)) from error
        self._print(report, no_email=no_email)

    def _print(self, report: ImportReport, *, no_email: bool) -> None:
        out = self.stdout
        if report.dry_run:
            out.write(
                self.style.WARNING(_("Dry run: nothing was written; the counts are what would happen."))
            )
        for label, value in (
            (_("Rows read"), report.rows_read),
            (_("Users created"), report.users_created),
            (_("Profiles created"), report.profiles_created),
            (_("Profiles updated"), report.profiles_updated),
            (_("Products created"), report.products_created),
            (_("Products updated"), report.products_updated),
            (_("Rows skipped"), report.rows_skipped),
            (_("Rows refused (producers the import did not make)"), report.rows_refused),
        ):
            out.write(f"{label}: {value}")
        if no_email:
            out.write(_("Invitations: not sent (--no-email)"))
        elif report.dry_run:
            out.write(_("Invitations that would be sent: %(n)d") % {"n": report.invitations_queued})
        else:
            out.write(_("Invitations sent: %(n)d") % {"n": report.invitations_sent})
        if report.ignored_columns:
            out.write(
                self.style.WARNING(
                    _("Ignored columns (not known): %(columns)s")
                    % {"columns": ", ".join(report.ignored_columns)}
                )
            )
        if report.skipped:
            out.write(_("Skipped rows:"))
            for row in report.skipped:
                out.write(self.style.ERROR(str(row)))
        if report.refused:
            out.write(_("Rows refused, nothing of them changed:"))
            for row in report.refused:
                out.write(self.style.WARNING(str(row)))
        for failure in report.invitation_failures:
            self.stderr.write(failure)
