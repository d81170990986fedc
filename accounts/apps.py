from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Imported here, as Django asks: the steps' modules load models, which exist once the
        # app registry is ready.
        from django.db.models.signals import pre_delete

        from portal.request_guard import register_upload_route

        from . import logos, onboarding_steps, verifications
        from .models import BuyerProfile, ProducerProfile

        # The company, markets and demand steps; the catalogue adds the producer's products step.
        onboarding_steps.register()
        # The paths that take verification evidence or a logo get a body cap that fits their files.
        register_upload_route(r"^/api/v1/verifications/$", verifications.upload_cap)
        register_upload_route(r"^/my/verification/$", verifications.upload_cap)
        register_upload_route(r"^/api/v1/producers/[0-9]+/logo/$", logos.upload_cap)
        register_upload_route(r"^/my/profile/logo/$", logos.upload_cap)
        # A deleted profile's logo files go with it (after the commit).
        for model in (ProducerProfile, BuyerProfile):
            pre_delete.connect(
                logos.delete_logo_files, sender=model, dispatch_uid=f"accounts.logo_files.{model.__name__}"
            )
        # The buyers' export, built by name when a task makes a large one (portal.exports).
        from . import exports

        exports.register()
        register_audit_log()


def register_audit_log() -> None:
    """Every write to a company, its profile, its members invitations and verifications records who did it
    (portal.audit); of a user, only what makes them a member (and their role and access)."""
    from allauth.mfa.models import Authenticator
    from auditlog.registry import auditlog

    from portal.audit import NOT_LOGGED

    from .models import (
        ApiTokenConfig,
        BuyerProfile,
        Company,
        Invitation,
        ProducerProfile,
        User,
        Verification,
        VerificationDocument,
    )

    auditlog.register(Company, exclude_fields=NOT_LOGGED)
    auditlog.register(Invitation, exclude_fields=["token_hash"])
    auditlog.register(User, include_fields=["company", "company_role", "role", "is_active", "is_staff"])
    auditlog.register(ProducerProfile, exclude_fields=NOT_LOGGED, m2m_fields={"declared_sectors"})
    auditlog.register(BuyerProfile, exclude_fields=NOT_LOGGED, m2m_fields={"sought_sectors"})
    # A verification's review and its evidence (the files' names are random tokens: not logged).
    auditlog.register(Verification, exclude_fields=NOT_LOGGED)
    auditlog.register(VerificationDocument, exclude_fields=[*NOT_LOGGED, "file", "token"])
    # Two-factor sign-in set up and removed (reset_two_factor); never its secrets.
    auditlog.register(Authenticator, include_fields=["user", "type"])
    # The API tokens' lifetime, a setting staff change in the admin.
    auditlog.register(ApiTokenConfig, exclude_fields=NOT_LOGGED)
