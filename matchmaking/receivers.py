"""The matcher's receivers of the signals of the apps below it (accounts.signals,
catalogue.signals), connected by `matchmaking.hooks` from `MatchmakingConfig.ready()`.

A profile or a product written below is rematched here, through the scheduling services,
which wait for the commit, skip writes the matching does not read and debounce a burst."""

from .services import schedule_buyer_rematch, schedule_producer_rematch, schedule_producer_rematch_for_product


def rematch_producer(sender, *, profile, changed, **kwargs) -> None:
    """A producer profile was created or updated: rematch it once the write commits."""
    schedule_producer_rematch(producer_id=profile.pk, changed=changed)


def rematch_buyer(sender, *, profile, changed, **kwargs) -> None:
    """A buyer profile was created or updated: rematch it once the write commits."""
    schedule_buyer_rematch(buyer_id=profile.pk, changed=changed)


def rematch_product_producer(sender, *, product, changed, **kwargs) -> None:
    """A product was created, updated or deleted: rematch its producer once the write commits."""
    schedule_producer_rematch_for_product(producer_id=product.producer_id, changed=changed)
