from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from portal.cache import use_for_allauth

        # Sign-in, sign-up and password reset keep working, and limited, with Redis down.
        use_for_allauth()
