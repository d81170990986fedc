from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcingConfig(AppConfig):
    name = "sourcing"
    verbose_name = _("Buying requests")

    def ready(self) -> None:
        # The requests' export, built by name when a task makes a large one (portal.exports).
        from . import exports

        exports.register()
