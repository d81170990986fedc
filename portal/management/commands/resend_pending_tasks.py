from django.core.management.base import BaseCommand, CommandError

from portal.outbox import RESEND_LIMIT, resend_pending


class Command(BaseCommand):
    help = (
        "Publish the Celery tasks recorded in the outbox while the broker was down (beat does "
        "it every minute too); prints how many were sent and how many still wait."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=RESEND_LIMIT, help="At most this many tasks.")

    def handle(self, *args, limit: int, **options):
        counts = resend_pending(limit=limit)
        self.stdout.write(f"sent: {counts.sent}, still pending: {counts.remaining}")
        if counts.failed:
            raise CommandError("the broker still refuses tasks; the rest wait in the outbox")
