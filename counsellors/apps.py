from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounsellorsConfig(AppConfig):
    name = "counsellors"
    verbose_name = _("Counsellors")

    def ready(self) -> None:
        # Once the models are loaded, as Django asks of receivers and registrations.
        from . import hooks

        hooks.install()
