from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from catalogue.pages import register_producer_page_context


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = _("Matchmaking")

    def ready(self) -> None:
        # Once the models are loaded, as Django asks of registrations (the selectors read models).
        from matchmaking.selectors import introduction_context

        register_producer_page_context("matchmaking.introduction", introduction_context)
