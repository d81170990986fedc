from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from home.demo import DEMO_PASSWORD, seed_demo_province

REFUSAL = (
    "seed_demo makes accounts whose password is published (a superuser among them) and resets "
    "those passwords on every run, so it refuses to run with DJANGO_DEBUG off. On a laptop set "
    "DJANGO_DEBUG=True (`make run` does); for a demo deployment that is meant to be public, pass "
    "--allow-production (docker-compose.demo.yml does)."
)


class Command(BaseCommand):
    help = "Create or refresh the demo province (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DJANGO_DEBUG off: only for a deployment that is a demo.",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(REFUSAL)
        # The demo's history (forwarded leads, introductions) would mail its made-up
        # addresses: nobody reads those, so the seed sends nothing.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            seeded = seed_demo_province()
        self.stdout.write(self.style.SUCCESS("Demo province ready."))
        self.stdout.write(f"Every demo account's password: {DEMO_PASSWORD}")
        for group, users in seeded.items():
            self.stdout.write(f"  {group}:")
            for user in users:
                self.stdout.write(f"    {user.email}")
        self.stdout.write("Staff also signs in to /admin/.")
