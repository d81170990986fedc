from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        # Once the models are loaded, as Django asks of receivers and registrations.
        from . import hooks

        hooks.install()

        # Every write to a product records who did it (portal.audit).
        from auditlog.registry import auditlog

        from portal.audit import NOT_LOGGED

        from .models import Product

        auditlog.register(Product, exclude_fields=[*NOT_LOGGED, "search_name"])
