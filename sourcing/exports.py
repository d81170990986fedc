"""The buying requests' export (portal/exports.py): GET /api/v1/exports/requests.{csv,xlsx}.

Counsellors export the requests of the buyers in their markets (`policies.requests_visible_to`),
staff all, with the request list's filters (`filtersets.RequestFilterSet`); the buyer is named
where `policies.sees_buyer` allows it, as on the list. A row per request; its lines are in
`hs_codes` and `lines` ("8418: 100 units at 12.50 USD", one after another).
Columns, by key: id, title, status, buyer_id, buyer, destination_country_code,
destination_country, destination_port, deadline, hs_codes, lines, currency, incoterm,
required_certifications, created_at, published_at.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import exports
from portal.content import shown_text

from .filtersets import RequestFilterSet
from .models import BuyingRequest, RequestLine
from .policies import requests_visible_to, sees_buyer, shown_port


def requests_for_export(user) -> QuerySet[BuyingRequest]:
    lines = RequestLine.objects.order_by("position", "id")
    queryset = BuyingRequest.objects.select_related("buyer").prefetch_related(
        Prefetch("lines", queryset=lines)
    )
    return requests_visible_to(user, queryset)


def _sees_buyer(request: BuyingRequest, user) -> bool:
    # Exports are counsellors' and staff's: no producer's revealed requests to ask for.
    return sees_buyer(user, request, revealed=())


def _line(line: RequestLine, currency: str) -> str:
    text = _("%(code)s: %(quantity)s %(unit)s") % {
        "code": line.sector_id,
        "quantity": format(line.quantity.normalize(), "f"),
        "unit": line.get_unit_display(),
    }
    if line.target_price is not None:
        text += " " + _("at %(price)s %(currency)s") % {"price": line.target_price, "currency": currency}
    return text


REQUEST_COLUMNS = (
    exports.Column("id", gettext_lazy("Request ID"), lambda r, user: r.pk),
    exports.Column("title", gettext_lazy("Title"), lambda r, user: shown_text(r, "title")),
    exports.Column("status", gettext_lazy("Status"), lambda r, user: r.get_status_display()),
    exports.Column(
        "buyer_id", gettext_lazy("Buyer ID"), lambda r, user: r.buyer_id if _sees_buyer(r, user) else None
    ),
    exports.Column(
        "buyer",
        gettext_lazy("Buyer"),
        lambda r, user: shown_text(r.buyer, "company_name") if _sees_buyer(r, user) else None,
    ),
    exports.Column(
        "destination_country_code",
        gettext_lazy("Destination country code"),
        lambda r, user: r.destination_country.code,
    ),
    exports.Column(
        "destination_country", gettext_lazy("Destination country"), lambda r, user: r.destination_country.name
    ),
    exports.Column(
        "destination_port",
        gettext_lazy("Destination port or city"),
        lambda r, user: shown_port(r, withheld=not _sees_buyer(r, user)),
    ),
    exports.Column("deadline", gettext_lazy("Deadline"), lambda r, user: r.deadline),
    exports.Column(
        "hs_codes",
        gettext_lazy("HS codes"),
        lambda r, user: [line.sector_id for line in r.lines.all()],
        text=True,
    ),
    exports.Column(
        "lines", gettext_lazy("Lines"), lambda r, user: [_line(line, r.currency) for line in r.lines.all()]
    ),
    exports.Column("currency", gettext_lazy("Currency"), lambda r, user: r.currency),
    exports.Column("incoterm", gettext_lazy("Incoterm"), lambda r, user: r.incoterm),
    exports.Column(
        "required_certifications",
        gettext_lazy("Required certifications"),
        lambda r, user: r.required_certifications,
    ),
    exports.Column("created_at", gettext_lazy("Posted"), lambda r, user: r.created_at),
    exports.Column("published_at", gettext_lazy("Published"), lambda r, user: r.published_at),
)

REQUESTS = exports.Export(
    name="requests",
    title=gettext_lazy("Buying requests"),
    columns=REQUEST_COLUMNS,
    queryset=requests_for_export,
    filterset_class=RequestFilterSet,
)


def register() -> None:
    exports.register(REQUESTS)
