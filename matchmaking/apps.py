from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = _("Matchmaking")

    def ready(self) -> None:
        # Once the models are loaded, as Django asks of receivers and registrations.
        from auditlog.registry import auditlog

        from portal.audit import NOT_LOGGED

        from . import hooks
        from .models import MatchingConfig

        hooks.install()
        # The matching settings staff edit in the admin: who changed which weight, and when.
        auditlog.register(MatchingConfig, exclude_fields=NOT_LOGGED)
