from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = _("Quotes and conversations")

    def ready(self) -> None:
        # Once the models are loaded, as Django asks of receivers and registrations.
        from . import hooks

        hooks.install()
