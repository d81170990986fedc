"""Builders for the quote tests: buying requests with a line, matches made for them in any
status, quotes straight from the ORM (no services), and the cast of every role around a match.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from deals.models import Quote, QuoteStatus
from matchmaking.models import Match, MatchStatus
from sourcing.models import BuyingRequest, RequestLine, RequestStatus
from tests.factories import UserFactory, hs_sector
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match


def today() -> datetime.date:
    return timezone.localdate()


def in_days(days: int) -> datetime.date:
    return today() + datetime.timedelta(days=days)


def make_request(
    buyer,
    *,
    status=RequestStatus.PUBLISHED,
    title="Centrifugal pumps for Basra",
    currency="USD",
    incoterm="CIF",
    quantity="2000",
    unit="units",
    code="841810",
) -> tuple[BuyingRequest, RequestLine]:
    """A buying request of `buyer` with one line, in `status`."""
    request = BuyingRequest.objects.create(
        buyer=buyer,
        title=title,
        currency=currency,
        incoterm=incoterm,
        destination_country="IQ",
        destination_port="Basra",
        deadline=in_days(120),
        status=status,
        published_at=timezone.now() if status != RequestStatus.PENDING else None,
    )
    line = RequestLine.objects.create(
        request=request, sector=hs_sector(code), quantity=Decimal(quantity), unit=unit, position=1
    )
    return request, line


def make_deal(
    producer=None,
    buyer=None,
    *,
    status=MatchStatus.FORWARDED,
    counsellor=None,
    request: BuyingRequest | None = None,
    line: RequestLine | None = None,
    with_request: bool = True,
) -> Match:
    """A match (for a buying request unless `with_request` is False) in `status`."""
    producer = producer or make_producer()
    buyer = buyer or make_buyer()
    if request is None and with_request:
        request, line = make_request(buyer)
    fields = {}
    if request is not None:
        fields = {"request": request, "request_line": line or request.lines.first()}
    return make_match(producer, buyer, status=status, counsellor=counsellor, **fields)


def make_quote(match: Match, *, status=QuoteStatus.OPEN, **fields) -> Quote:
    """A quote on `match` straight from the ORM."""
    values = {
        "unit_price": Decimal("125.50"),
        "currency": "USD",
        "quantity": Decimal("2000"),
        "unit": "units",
        "incoterm": "CIF",
        "lead_time_days": 45,
        "valid_until": in_days(30),
        "note": "",
    }
    values.update(fields)
    return Quote.objects.create(
        match=match,
        request=match.request,
        line=match.request_line,
        author=match.producer.owner,
        status=status,
        **values,
    )


QUOTE_INPUT = {
    "unit_price": "125.50",
    "currency": "USD",
    "quantity": "2000",
    "unit": "units",
    "incoterm": "CIF",
    "lead_time_days": 45,
    "note": "Packed on pallets.",
}


def quote_input(**changes) -> dict:
    data = {**QUOTE_INPUT, "valid_until": in_days(30).isoformat()}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not ...}


@dataclass
class Cast:
    """Everyone around one buying request of buyer B1: the match's producer P1 and counsellor
    C1, another producer P2 (with its own match on the same request), another buyer B2, another
    counsellor C2, staff. `matches` are P1's with B1 by status (each for its own request)."""

    producer: object
    other_producer: object
    buyer: object
    other_buyer: object
    counsellor: object
    other_counsellor: object
    staff: object
    request: BuyingRequest
    match: Match  # P1 ↔ B1, forwarded, for `request`
    other_match: Match  # P2 ↔ B1, forwarded, for `request`
    matches: dict

    def user(self, role: str):
        return None if role == "anonymous" else getattr(self, role)


ROLES = (
    "producer",
    "other_producer",
    "buyer",
    "other_buyer",
    "counsellor",
    "other_counsellor",
    "staff",
    "anonymous",
)


def make_cast() -> Cast:
    counsellor = make_counsellor("IQ")
    other_counsellor = make_counsellor("TR")
    p1, p2 = make_producer(), make_producer()
    b1, b2 = make_buyer(), make_buyer()
    request, line = make_request(b1)
    match = make_deal(p1, b1, request=request, line=line, counsellor=counsellor)
    other_match = make_deal(p2, b1, request=request, line=line, counsellor=counsellor)
    matches = {"forwarded": match}
    for status in (MatchStatus.PROPOSED, MatchStatus.CONNECTED, MatchStatus.DECLINED):
        own_request, own_line = make_request(b1, title=f"Request while {status}")
        matches[str(status)] = make_deal(
            p1, b1, status=status, counsellor=counsellor, request=own_request, line=own_line
        )
    return Cast(
        producer=p1.owner,
        other_producer=p2.owner,
        buyer=b1.owner,
        other_buyer=b2.owner,
        counsellor=counsellor,
        other_counsellor=other_counsellor,
        staff=UserFactory(role="staff"),
        request=request,
        match=match,
        other_match=other_match,
        matches=matches,
    )
