"""The buyers' export (portal/exports.py): GET /api/v1/exports/buyers.{csv,xlsx}.

Counsellors export the buyers in their scope (`policies.buyers_visible_to`), staff all, with
the buyers list's filters (`filtersets.BuyerFilterSet`); contacts are empty where the list
shows them as null (`policies.can_view_buyer_contacts`). Columns, by key: id, company_name,
country_code, country, city, sought_sectors, annual_demand, demand_unit, typical_order,
required_certifications, languages, website, email, phone, contact_name, created_at.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portal import exports
from portal.content import shown_text

from .filtersets import BuyerFilterSet
from .models import BuyerProfile
from .policies import buyers_visible_to, can_view_buyer_contacts


def contact(name: str, policy, of=None):
    """A contact field's value where `policy(user, profile)` lets the user see it, else None;
    the profile is the row itself, or `of(row)` (a match's producer or buyer)."""

    def value(obj, user):
        profile = of(obj) if of is not None else obj
        return getattr(profile, name) if policy(user, profile) else None

    return value


def contact_columns(policy) -> tuple[exports.Column, ...]:
    """The four contact columns of a company list (website, email, phone, contact person),
    each empty where `policy` hides it, as the list does."""
    return (
        exports.Column("website", _("Website"), contact("website", policy)),
        exports.Column("email", _("Email"), contact("email", policy)),
        exports.Column("phone", _("Phone"), contact("phone", policy)),
        exports.Column("contact_name", _("Contact person"), contact("contact_name", policy)),
    )


def buyers_for_export(user) -> QuerySet[BuyerProfile]:
    return buyers_visible_to(user, BuyerProfile.objects.prefetch_related("sought_sectors")).order_by(
        "company_name", "id"
    )


BUYER_COLUMNS = (
    exports.Column("id", _("Buyer ID"), lambda b, user: b.pk),
    exports.Column("company_name", _("Company"), lambda b, user: shown_text(b, "company_name")),
    exports.Column("country_code", _("Country code"), lambda b, user: b.country.code),
    exports.Column("country", _("Country"), lambda b, user: b.country.name),
    exports.Column("city", _("City"), lambda b, user: b.city),
    exports.Column(
        "sought_sectors",
        _("Sought HS codes"),
        lambda b, user: sorted(sector.code for sector in b.sought_sectors.all()),
        text=True,
    ),
    exports.Column("annual_demand", _("Annual demand"), lambda b, user: b.annual_demand),
    exports.Column("demand_unit", _("Demand unit"), lambda b, user: b.demand_unit),
    exports.Column("typical_order", _("Typical order"), lambda b, user: b.typical_order),
    exports.Column(
        "required_certifications", _("Required certifications"), lambda b, user: b.required_certifications
    ),
    exports.Column("languages", _("Languages"), lambda b, user: b.languages),
    *contact_columns(can_view_buyer_contacts),
    exports.Column("created_at", _("Registered"), lambda b, user: b.created_at),
)

BUYERS = exports.Export(
    name="buyers",
    title=_("Buyers"),
    columns=BUYER_COLUMNS,
    queryset=buyers_for_export,
    filterset_class=BuyerFilterSet,
)


def register() -> None:
    exports.register(BUYERS)
