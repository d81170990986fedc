"""`python manage.py import_producers PATH`: register producers from a chamber's member list
(CSV or Excel .xlsx); `import_producers --resend-invitations`: send again the invitations that
failed or were never sent."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from catalogue import invitations
from catalogue.imports import ImportReport, ProducerImportError, import_producers
from catalogue.invitations import default_base_url


class Command(BaseCommand):
    help = (
        "Register or update producers, their company profiles and products from a member list, CSV "
        "(UTF-8) or Excel .xlsx (its first sheet); columns in docs/import_producers.md. Bad rows are "
        "reported by line (row) number and skipped. With --resend-invitations (and no file), send "
        "again the invitations that failed or were never sent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "path", nargs="?", help="The CSV file (UTF-8, with or without BOM) or Excel workbook (.xlsx)."
        )
        parser.add_argument(
            "--base-url",
            default=None,
            help=f"Site address for the links in invitations (default: PORTAL_BASE_URL or {default_base_url()}).",
        )
        parser.add_argument("--no-email", action="store_true", help="Do not send invitations to new users.")
        parser.add_argument("--dry-run", action="store_true", help="Validate every row and write nothing.")
        parser.add_argument(
            "--resend-invitations",
            action="store_true",
            help="Instead of importing: email again every imported producer who has never signed in "
            "and whose invitation failed or was never sent (with --dry-run: only list them).",
        )
        parser.add_argument(
            "--email",
            action="append",
            default=[],
            help="With --resend-invitations: only this producer (repeat for several).",
        )

    def handle(
        self,
        *args,
        path: str | None,
        base_url: str | None,
        no_email: bool,
        dry_run: bool,
        resend_invitations: bool,
        email: list[str],
        **options,
    ) -> None:
        if resend_invitations:
            if path is not None or no_email:
                raise CommandError(_("--resend-invitations takes no file and no --no-email."))
            self._resend(base_url=base_url, emails=email, dry_run=dry_run)
            return
        if path is None:
            raise CommandError(_("Name the file to import, or use --resend-invitations."))
        try:
            report = import_producers(
                path=path, base_url=base_url, send_invitations=not no_email, dry_run=dry_run
            )
        except ProducerImportError as error:
            raise CommandError(str(error)) from error
        self._print(report, no_email=no_email)

    def _resend(self, *, base_url: str | None, emails: list[str], dry_run: bool) -> None:
        waiting = invitations.invitations_to_resend()
        if emails:
            waiting = waiting.filter(email__in=[address.strip().lower() for address in emails])
        if dry_run:
            users = list(waiting)
            self.stdout.write(_("Invitations waiting to be sent: %(n)d") % {"n": len(users)})
            for user in users:
                self.stdout.write(user.email)
            return
        ids = list(waiting.values_list("pk", flat=True))
        sent: list[str] = []
        failed: list[tuple[str, str]] = []
        try:
            for start in range(0, len(ids), invitations.MAX_RESEND):
                chunk = ids[start : start + invitations.MAX_RESEND]
                report = invitations.resend_invitations(actor=None, user_ids=chunk, base_url=base_url)
                sent += report.sent
                failed += report.failed
        except invitations.BaseURLError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(_("Invitations sent: %(n)d") % {"n": len(sent)})
        for address, error in failed:
            self.stderr.write(
                _("The invitation to %(email)s was not sent: %(error)s") % {"email": address, "error": error}
            )

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
