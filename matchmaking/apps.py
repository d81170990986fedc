from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = _("Matchmaking")

    def ready(self) -> None:
        # Imported here, not at the top: models and selectors load once the app registry is ready.
        from catalogue.pages import register_producer_page_context
        from matchmaking.selectors import introduction_context

        register_producer_page_context("matchmaking.introduction", introduction_context)
