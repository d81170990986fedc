from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Imported here, as Django asks: the steps' modules load models, which exist once the
        # app registry is ready.
        from . import onboarding_steps

        # The company, markets and demand steps; the catalogue adds the producer's products step.
        onboarding_steps.register()

        # The buyers' export, built by name when a task makes a large one (portal.exports).
        from . import exports

        exports.register()
