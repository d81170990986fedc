from django.core.management.base import BaseCommand, CommandError

from accounts.models import BuyerProfile, ProducerProfile
from matchmaking import request_matching, services
from sourcing.models import BuyingRequest


class Command(BaseCommand):
    help = (
        "Re-score matches now, in this process: everything (the companies' pairs and the open "
        "buying requests), one producer, one buyer or one buying request. Prints the pairs scored "
        "and the matches created, updated and withdrawn."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--producer", type=int, metavar="ID", help="only this producer profile")
        which.add_argument("--buyer", type=int, metavar="ID", help="only this buyer profile")
        which.add_argument("--request", type=int, metavar="ID", help="only this buying request")

    def handle(self, *args, producer=None, buyer=None, request=None, **options):
        if request is not None:
            if not BuyingRequest.objects.filter(pk=request).exists():
                raise CommandError(f"No buying request with id {request}.")
            self._requests(request_matching.rematch_request(request))
            return
        if producer is not None:
            if not ProducerProfile.objects.filter(pk=producer).exists():
                raise CommandError(f"No producer profile with id {producer}.")
            counts = services.rematch_producer(producer)
        elif buyer is not None:
            if not BuyerProfile.objects.filter(pk=buyer).exists():
                raise CommandError(f"No buyer profile with id {buyer}.")
            counts = services.rematch_buyer(buyer)
        else:
            counts = services.rematch_all()
        self.stdout.write(
            f"Pairs scored: {counts.pairs_scored} ({counts.producers} producers × {counts.buyers} buyers); "
            f"kept by the engine: {counts.kept}"
        )
        self.stdout.write(f"Matches created: {counts.created}")
        self.stdout.write(f"Matches updated: {counts.updated + counts.reproposed}")
        self.stdout.write(f"Matches withdrawn: {counts.withdrawn}")
        self.stdout.write(
            f"Unchanged: {counts.unchanged}; left as a counsellor or a party set them: {counts.untouched}"
        )
        if producer is None and buyer is None:
            self._requests(request_matching.rematch_requests())

    def _requests(self, counts) -> None:
        self.stdout.write(
            f"Buying requests scored: {counts.requests} ({counts.lines} open lines × {counts.products} products); "
            f"kept by the engine: {counts.kept}"
        )
        self.stdout.write(
            f"Request matches created: {counts.created}; updated: {counts.updated + counts.reproposed}; "
            f"withdrawn: {counts.withdrawn}; unchanged: {counts.unchanged}; "
            f"left as a counsellor or a party set them: {counts.untouched}"
        )
