from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Imported here, as Django asks: the steps' modules load models, which exist once the
        # app registry is ready.
        from django.db.models.signals import post_delete

        from . import logos, onboarding_steps
        from .models import BuyerProfile, ProducerProfile

        # The company, markets and demand steps; the catalogue adds the producer's products step.
        onboarding_steps.register()
        # A deleted profile's logo files go with it (after the commit).
        for model in (ProducerProfile, BuyerProfile):
            post_delete.connect(
                logos.delete_logo_files, sender=model, dispatch_uid=f"accounts.logo_files.{model.__name__}"
            )
