"""The producers' export (portal/exports.py): GET /api/v1/exports/producers.{csv,xlsx}.

The producer list is public, but an export of it is a counsellor's work: counsellors export
the producers in their scope (`accounts.policies.producers_in_scope`, the queryset form of
`producer_in_counsellor_scope`), staff all, with the producer list's filters
(`filtersets.ProducerFilterSet`); contacts follow `can_view_producer_contacts` as the list does.
Columns, by key: id, name, province, city, sectors, target_markets, target_market_names,
export_experience, certifications, languages, employees, founded, verified, website, email,
phone, contact_name, created_at.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.exports import contact_columns
from accounts.models import ProducerProfile
from accounts.policies import can_view_producer_contacts, producers_in_scope
from portal import exports
from portal.content import shown_text

from .filtersets import ProducerFilterSet
from .selectors import producer_sector_codes, producers_for_listing


def producers_for_export(user) -> QuerySet[ProducerProfile]:
    return producers_in_scope(user, producers_for_listing()).order_by("name", "id")


def _codes(countries) -> list[str]:
    return [country.code for country in countries]


def _names(countries) -> list[str]:
    return [str(country.name) for country in countries]


PRODUCER_COLUMNS = (
    exports.Column("id", _("Producer ID"), lambda p, user: p.pk),
    exports.Column("name", _("Company"), lambda p, user: shown_text(p, "name")),
    exports.Column("province", _("Province"), lambda p, user: p.province),
    exports.Column("city", _("City"), lambda p, user: p.city),
    exports.Column("sectors", _("HS codes"), lambda p, user: producer_sector_codes(p), text=True),
    exports.Column("target_markets", _("Target market codes"), lambda p, user: _codes(p.target_markets)),
    exports.Column("target_market_names", _("Target markets"), lambda p, user: _names(p.target_markets)),
    exports.Column(
        "export_experience", _("Exported to (codes)"), lambda p, user: _codes(p.export_experience)
    ),
    exports.Column("certifications", _("Certifications"), lambda p, user: p.certifications),
    exports.Column("languages", _("Languages"), lambda p, user: p.languages),
    exports.Column("employees", _("Employees"), lambda p, user: p.employees),
    exports.Column("founded", _("Year founded"), lambda p, user: p.founded),
    exports.Column("verified", _("Verified"), lambda p, user: p.verified),
    *contact_columns(can_view_producer_contacts),
    exports.Column("created_at", _("Registered"), lambda p, user: p.created_at),
)

PRODUCERS = exports.Export(
    name="producers",
    title=_("Producers"),
    columns=PRODUCER_COLUMNS,
    queryset=producers_for_export,
    filterset_class=ProducerFilterSet,
)


def register() -> None:
    exports.register(PRODUCERS)
