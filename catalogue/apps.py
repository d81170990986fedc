from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        # Imported here, as Django asks: these modules load models, which exist once the app
        # registry is ready.
        from . import selectors

        # Accounts' registry, filled from above: its listed products' codes among a producer's
        # sectors.
        selectors.register_producer_sectors()
