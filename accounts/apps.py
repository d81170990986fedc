from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Imported here, as Django asks: the steps' modules load models, which exist once the
        # app registry is ready.
        from . import onboarding_steps

        # The company, markets and demand steps; the catalogue adds the producer's products step.
        onboarding_steps.register()
        register_audit_log()


def register_audit_log() -> None:
    """Every write to a company, its profile, its members and invitations records who did it
    (portal.audit); of a user, only what makes them a member (and their role and access)."""
    from auditlog.registry import auditlog

    from portal.audit import NOT_LOGGED

    from .models import BuyerProfile, Company, Invitation, ProducerProfile, User

    auditlog.register(Company, exclude_fields=NOT_LOGGED)
    auditlog.register(Invitation, exclude_fields=["token_hash"])
    auditlog.register(User, include_fields=["company", "company_role", "role", "is_active", "is_staff"])
    auditlog.register(ProducerProfile, exclude_fields=NOT_LOGGED, m2m_fields={"declared_sectors"})
    auditlog.register(BuyerProfile, exclude_fields=NOT_LOGGED, m2m_fields={"sought_sectors"})
