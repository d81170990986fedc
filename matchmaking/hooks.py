"""What the matcher plugs into the apps below it, installed by `MatchmakingConfig.ready()`
(NetBox wires each app's receivers and registry entries from its `ready()` the same way):
accounts and the catalogue never import the matcher, it listens to them."""

from accounts.signals import buyer_changed, producer_changed
from catalogue.signals import product_changed

from . import receivers


def install() -> None:
    # A profile or a product written below is rematched once the write commits.
    producer_changed.connect(receivers.rematch_producer, dispatch_uid="matchmaking.rematch_producer")
    buyer_changed.connect(receivers.rematch_buyer, dispatch_uid="matchmaking.rematch_buyer")
    product_changed.connect(
        receivers.rematch_product_producer, dispatch_uid="matchmaking.rematch_product_producer"
    )
