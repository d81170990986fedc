from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        # Imported here, as Django asks: these modules load models, which exist once the app
        # registry is ready.
        from . import onboarding_steps, selectors

        # Accounts' registries, filled from above: the producer's products step of the
        # onboarding, and its listed products' codes among a producer's sectors.
        onboarding_steps.register()
        selectors.register_producer_sectors()
