from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Imported here, as Django asks: the steps' modules load models, which exist once the
        # app registry is ready.
        from portal.request_guard import register_upload_route

        from . import onboarding_steps, verifications

        # The company, markets and demand steps; the catalogue adds the producer's products step.
        onboarding_steps.register()
        # The paths that take verification evidence get a body cap that fits their files.
        register_upload_route(r"^/api/v1/verifications/$", verifications.upload_cap)
        register_upload_route(r"^/my/verification/$", verifications.upload_cap)
