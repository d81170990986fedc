"""The matcher's receivers of the signals of the apps below it (accounts.signals,
catalogue.signals, sourcing.signals), connected by `matchmaking.hooks` from
`MatchmakingConfig.ready()`.

A profile or a product written below is rematched here, through the scheduling services,
which wait for the commit, skip writes the matching does not read and debounce a burst."""

from .services import (
    schedule_buyer_rematch,
    schedule_producer_rematch,
    schedule_producer_rematch_for_product,
    schedule_request_rematch,
)


def rematch_producer(sender, *, profile, changed, **kwargs) -> None:
    """A producer profile was created or updated: rematch it once the write commits."""
    schedule_producer_rematch(producer_id=profile.pk, changed=changed)


def rematch_buyer(sender, *, profile, changed, **kwargs) -> None:
    """A buyer profile was created or updated: rematch it once the write commits."""
    schedule_buyer_rematch(buyer_id=profile.pk, changed=changed)


def rematch_product_producer(sender, *, product, changed, **kwargs) -> None:
    """A product was created, updated or deleted: rematch its producer once the write commits."""
    schedule_producer_rematch_for_product(producer_id=product.producer_id, changed=changed)


def rematch_buying_request(sender, *, request, change, **kwargs) -> None:
    """A buying request was published, edited, closed, returned or awarded (sent once the
    write committed): rematch it, which re-scores an open one and withdraws the still-proposed
    matches of one that is not."""
    schedule_request_rematch(request_id=request.pk)
