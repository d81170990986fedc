"""The matches' export (portal/exports.py): GET /api/v1/exports/matches.{csv,xlsx}.

Counsellors export the matches they see (`policies.matches_visible_to`: routed to them and the
unassigned pool), staff all, with the matches list's filters (`filtersets.MatchFilterSet`);
each side's contacts follow the same policies as the list's nested producer and buyer
(`accounts.policies.can_view_producer_contacts`, `can_view_buyer_contacts`). The review
queue's page exports the same columns with its own filters (`counsellors.exports`).
Columns, by key: id, status, source, score, producer_id, producer, producer_province,
producer_email, producer_phone, producer_contact_name, buyer_id, buyer, buyer_country_code,
buyer_country, buyer_email, buyer_phone, buyer_contact_name, counsellor, request_id,
created_at, forwarded_at, connected_at, outcome_value, outcome_currency.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.exports import contact
from accounts.policies import can_view_buyer_contacts, can_view_producer_contacts
from portal import exports
from portal.content import shown_text

from .filtersets import MatchFilterSet
from .models import Match
from .policies import matches_visible_to


def matches_for_export() -> QuerySet[Match]:
    """Matches with both companies and the counsellor: one query per chunk of rows."""
    return Match.objects.select_related("producer", "buyer", "counsellor")


def _producer_contact(name: str):
    return contact(name, can_view_producer_contacts, of=lambda match: match.producer)


def _buyer_contact(name: str):
    return contact(name, can_view_buyer_contacts, of=lambda match: match.buyer)


def _counsellor(match: Match, user) -> str | None:
    counsellor = match.counsellor
    return (counsellor.full_name or counsellor.email) if counsellor is not None else None


MATCH_COLUMNS = (
    exports.Column("id", _("Match ID"), lambda m, user: m.pk),
    exports.Column("status", _("Status"), lambda m, user: m.get_status_display()),
    exports.Column("source", _("Source"), lambda m, user: m.get_source_display()),
    exports.Column("score", _("Score"), lambda m, user: m.score),
    exports.Column("producer_id", _("Producer ID"), lambda m, user: m.producer_id),
    exports.Column("producer", _("Producer"), lambda m, user: shown_text(m.producer, "name")),
    exports.Column("producer_province", _("Producer’s province"), lambda m, user: m.producer.province),
    exports.Column("producer_email", _("Producer’s email"), _producer_contact("email")),
    exports.Column("producer_phone", _("Producer’s phone"), _producer_contact("phone")),
    exports.Column(
        "producer_contact_name", _("Producer’s contact person"), _producer_contact("contact_name")
    ),
    exports.Column("buyer_id", _("Buyer ID"), lambda m, user: m.buyer_id),
    exports.Column("buyer", _("Buyer"), lambda m, user: shown_text(m.buyer, "company_name")),
    exports.Column("buyer_country_code", _("Buyer’s country code"), lambda m, user: m.buyer.country.code),
    exports.Column("buyer_country", _("Buyer’s country"), lambda m, user: m.buyer.country.name),
    exports.Column("buyer_email", _("Buyer’s email"), _buyer_contact("email")),
    exports.Column("buyer_phone", _("Buyer’s phone"), _buyer_contact("phone")),
    exports.Column("buyer_contact_name", _("Buyer’s contact person"), _buyer_contact("contact_name")),
    exports.Column("counsellor", _("Trade counsellor"), _counsellor),
    exports.Column("request_id", _("Buying request ID"), lambda m, user: m.request_id),
    exports.Column("created_at", _("Proposed"), lambda m, user: m.created_at),
    exports.Column("forwarded_at", _("Forwarded"), lambda m, user: m.forwarded_at),
    exports.Column("connected_at", _("Connected"), lambda m, user: m.connected_at),
    exports.Column("outcome_value", _("Deal value"), lambda m, user: m.outcome_value),
    exports.Column("outcome_currency", _("Deal currency"), lambda m, user: m.outcome_currency or None),
)

MATCHES = exports.Export(
    name="matches",
    title=_("Matches"),
    columns=MATCH_COLUMNS,
    queryset=lambda user: matches_visible_to(user, matches_for_export()),
    filterset_class=MatchFilterSet,
)


def register() -> None:
    exports.register(MATCHES)
