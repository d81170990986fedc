"""What the catalogue plugs into the apps below it, installed by `CatalogueConfig.ready()`
(NetBox wires each app's receivers and registry entries from its `ready()` the same way):
accounts never imports the catalogue, the catalogue listens to accounts."""

from accounts.signals import producer_changed

from . import onboarding_steps, receivers, selectors


def install() -> None:
    # A producer's edited name, description or city re-indexes its products' search text.
    producer_changed.connect(
        receivers.reindex_producer_products, dispatch_uid="catalogue.reindex_producer_products"
    )
    # Accounts' registries, filled from above: the producer's products step of the onboarding,
    # and its listed products' codes among a producer's sectors.
    onboarding_steps.register()
    selectors.register_producer_sectors()
