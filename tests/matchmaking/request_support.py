"""Builders for the buying-request matching tests: requests with lines in any status, products
with a lead time. Straight from the ORM (no services, so no signal and no rematch runs)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from sourcing.models import BuyingRequest, RequestLine, RequestStatus
from tests.factories import ProductFactory, hs_sector

from .conftest import make_buyer, make_producer


def make_request(
    buyer=None,
    lines=(("841370", "2000", "units"),),
    *,
    status=RequestStatus.PUBLISHED,
    country="IQ",
    days=90,
    certifications=(),
    title="Centrifugal pumps for Basra",
    **fields,
):
    """A buying request of `buyer` (a new Iraqi buyer by default) with one line per
    (HS code, quantity, unit), its deadline `days` from today."""
    buyer = buyer or make_buyer(("841370",), country="IQ")
    request = BuyingRequest.objects.create(
        buyer=buyer,
        title=title,
        destination_country=country,
        deadline=timezone.localdate() + datetime.timedelta(days=days),
        required_certifications=list(certifications),
        status=status,
        **fields,
    )
    for position, (code, quantity, unit) in enumerate(lines):
        RequestLine.objects.create(
            request=request, position=position, sector=hs_sector(code), quantity=Decimal(quantity), unit=unit
        )
    return request


def add_product(
    producer, code="841370", *, capacity="5000", unit="units", moq=None, lead_time=None, **fields
):
    """Another listed product of `producer`."""
    return ProductFactory(
        producer=producer,
        hs_code=code,
        annual_capacity=Decimal(capacity),
        available_capacity=Decimal(capacity),
        capacity_unit=unit,
        moq=None if moq is None else Decimal(moq),
        lead_time_days=lead_time,
        **fields,
    )


def make_supplier(code="841370", *, capacity="5000", lead_time=30, moq=None, markets=("IQ",), **fields):
    """A ready producer with one listed product (a lead time of `lead_time` days)."""
    producer = make_producer((), markets=markets, **fields)
    add_product(producer, code, capacity=capacity, moq=moq, lead_time=lead_time)
    return producer
