"""Builders for the buying request tests: a buyer, producers, counsellors with desks, and
requests in any status (written by the service, then moved straight in the database)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from matchmaking.models import MatchSource, MatchStatus
from sourcing import services
from sourcing.models import BuyingRequest, RequestStatus
from tests.factories import hs_sector
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match

__all__ = ["make_buyer", "make_counsellor", "make_producer", "make_request", "forward_match", "valid_data"]


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def valid_data(**overrides) -> dict:
    """A valid request: two lines of pumps and valves, CIF Umm Qasr, in 90 days."""
    for code in ("841370", "8481"):
        hs_sector(code)
    data = {
        "title": "Centrifugal pumps for a water project",
        "description": "Stainless steel, for drinking water.",
        "currency": "USD",
        "incoterm": "CIF",
        "destination_port": "Umm Qasr",
        "deadline": in_days(90),
        "required_certifications": ["ISO9001"],
        "lines": [
            {"hs_code": "841370", "quantity": "2000", "unit": "units", "target_price": "350.50"},
            {"hs_code": "8481", "quantity": "500", "unit": "units", "specification": "DN100 gate valves"},
        ],
    }
    data.update(overrides)
    return data


def make_request(buyer=None, *, status=RequestStatus.PENDING, **overrides) -> BuyingRequest:
    """A request of `buyer` (a new Iraqi buyer by default) through the service, then put in
    `status` straight in the database (no event, signal or email for that move)."""
    buyer = buyer or make_buyer()
    request = services.request_create(actor=buyer.owner, data=valid_data(**overrides))
    if status != RequestStatus.PENDING:
        fields = {"status": status}
        if status != RequestStatus.REJECTED:
            fields["published_at"] = timezone.now()
        BuyingRequest.objects.filter(pk=request.pk).update(**fields)
        request.refresh_from_db()
    return request


def forward_match(request: BuyingRequest, producer, *, status=MatchStatus.FORWARDED, **fields):
    """A match on `request` between its buyer and `producer`, in `status` (forwarded: the buyer
    is revealed to the producer)."""
    return make_match(
        producer=producer,
        buyer=request.buyer,
        status=status,
        request=request,
        request_line=request.lines.first(),
        source=MatchSource.PRODUCER_INTEREST,
        **fields,
    )


def quantity(value: str) -> Decimal:
    return Decimal(value)
