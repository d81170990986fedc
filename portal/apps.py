from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from portal.cache import use_for_allauth
from portal.site import sync_site


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        # After the sites framework's own post_migrate (it comes first in INSTALLED_APPS).
        post_migrate.connect(sync_site, sender=self, dispatch_uid="portal.site.sync_site")

        # Sign-in, sign-up and password reset keep working, and limited, with Redis down.
        use_for_allauth()
