from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from portal.demo import DEMO_PASSWORD, seed_demo_province


class Command(BaseCommand):
    help = "Create or refresh the demo province (idempotent) and print the demo logins."

    def handle(self, *args, **options):
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
