from django.core.management.base import BaseCommand

from digests import delivery, tasks


class Command(BaseCommand):
    help = (
        "Send the digests due now at one frequency, in this process: claim one row per user and "
        "period, build, send, mark. Running it twice sends nothing twice; rows left claimed by a "
        "crashed run (older than DIGEST_CLAIM_LEASE_MINUTES) are sent again. Prints the counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, choices=list(delivery.SENDING_FREQUENCIES))

    def handle(self, *args, period: str, **options):
        counts = delivery.send_due(frequency=period, retry=tasks.enqueue_retry)
        self.stdout.write(f"Claimed: {counts.claimed} ({counts.recovered} left claimed by an earlier run)")
        self.stdout.write(f"Sent: {counts.sent}")
        self.stdout.write(f"Empty (nothing new, no email): {counts.empty}")
        self.stdout.write(f"Failed: {counts.failed} (SMTP errors are retried with backoff by the worker)")
        self.stdout.write(f"Skipped (already done this period, or taken by another run): {counts.skipped}")
