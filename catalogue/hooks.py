"""What the catalogue plugs into the apps below it, installed by `CatalogueConfig.ready()`
(NetBox wires each app's receivers and registry entries from its `ready()` the same way):
accounts never imports the catalogue, the catalogue listens to accounts."""

from accounts.signals import producer_changed

from . import exports, onboarding_steps, receivers


def install() -> None:
    # A producer's edited name, description or city re-indexes its products' search text.
    producer_changed.connect(
        receivers.reindex_producer_products, dispatch_uid="catalogue.reindex_producer_products"
    )
    # Accounts' onboarding, filled from above: the producer's products step.
    onboarding_steps.register()
    # The producers' export, built by name when a task makes a large one (portal.exports).
    exports.register()
