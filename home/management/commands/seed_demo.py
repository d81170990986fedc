import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from accounts.models import User
from home import demo_deals
from home.demo import DEMO_PASSWORD, STAFF_EMAIL, seed_demo_province
from home.demo_province import seed_province

REFUSAL = (
    "seed_demo makes accounts whose password is published (a superuser among them) and resets "
    "those passwords on every run, so it refuses to run with DJANGO_DEBUG off. On a laptop set "
    "DJANGO_DEBUG=True (`make run` does); for a demo deployment that is meant to be public, pass "
    "--allow-production (docker-compose.demo.yml does)."
)


class Command(BaseCommand):
    help = (
        "Create or refresh the demo province (idempotent) and print the demo logins; with "
        "--scale province, also the province at its real scale (hundreds of plants, buyers in 21 "
        "markets, a counsellor in each, a year of history) and its queues."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DJANGO_DEBUG off: only for a deployment that is a demo.",
        )
        parser.add_argument(
            "--scale",
            choices=("demo", "province"),
            default="demo",
            help="demo: the small demo (default); province: the small demo plus the province at scale.",
        )

    def handle(self, *args, allow_production: bool = False, scale: str = "demo", **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(REFUSAL)
        start = time.perf_counter()
        requests_before = sum(r is not None for r in demo_deals.demo_requests().values())
        # The demo's history (forwarded leads, introductions) would mail its made-up
        # addresses: nobody reads those, so the seed sends nothing.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            seeded = seed_demo_province()
            report = None
            if scale == "province":
                staff = User.objects.get(email=STAFF_EMAIL)
                report = seed_province(staff=staff, password=DEMO_PASSWORD)
        self.stdout.write(self.style.SUCCESS("Demo province ready."))
        self.stdout.write(f"Every demo account's password: {DEMO_PASSWORD}")
        for group, users in seeded.items():
            self.stdout.write(f"  {group}:")
            for user in users:
                self.stdout.write(f"    {user.email}")
        self.stdout.write(
            "Staff also signs in to /admin/; at the first sign-in, staff set up two-factor sign-in "
            "(an authenticator app on a phone), as in production."
        )
        self._deals(requests_before)
        if report is not None:
            self._province(report, time.perf_counter() - start)

    def _deals(self, requests_before: int) -> None:
        """The demo's buying requests and their deals, by status (home.demo_deals)."""
        held = demo_deals.summary()
        made = sum(held["requests"].values()) - requests_before
        self.stdout.write(f"Buying requests and their deals ({made} requests made this run):")
        for kind, by_status in held.items():
            counts = ", ".join(f"{status} {n}" for status, n in by_status.items()) or "none"
            self.stdout.write(f"  {kind}: {counts}")

    def _province(self, report, seconds: float) -> None:
        write = self.stdout.write
        counts = report.rematch
        write(
            f"\nProvince at scale: {report.created_users} accounts made this run; engine "
            f"{counts.producers} producers × {counts.buyers} buyers, {counts.created} matches created, "
            f"{counts.unchanged} unchanged."
        )
        played = report.history
        fates = ", ".join(f"{fate} {n}" for fate, n in sorted(played.by_fate.items()))
        write(
            f"History played on {played.played} new matches ({fates}); {played.escalated} escalated, "
            f"{played.checkins} check-ins, {played.briefs} briefs."
        )
        write("Queue (proposed matches) per counsellor:")
        for email, country, size in report.queues:
            write(f"  {country}  {size:5d}  {email}")
        write(f"  pool  {report.pool:5d}")
        write("Matches by status: " + ", ".join(f"{s} {n}" for s, n in report.by_status.items()))
        relevant, proposed = report.relevant
        share = f"{relevant / proposed:.0%}" if proposed else "-"
        write(
            f"Proposed pairs with a product under a code the buyer seeks: {relevant} of {proposed} "
            f"({share}, the queue's precision by issue 14's candidate rule)."
        )
        steps = ", ".join(f"{step} {took:.0f} s" for step, took in report.seconds.items())
        write(f"Seeded in {seconds:.0f} s (the province: {steps}).")
