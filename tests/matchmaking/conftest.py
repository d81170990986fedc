"""Profiles made straight from factories (no services, so no rematch triggers) and API clients."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from taxonomy.models import Sector
from tests.factories import (
    BuyerProfileFactory,
    ProducerProfileFactory,
    ProductFactory,
    UserFactory,
    verify_company,
)


def make_producer(
    codes=("841810",),
    *,
    capacity="1000",
    unit="units",
    moq=None,
    markets=("IQ",),
    open_to_any_market=False,
    certifications=(),
    product_certifications=(),
    declared=(),
    proven=True,
    **fields,
):
    """A producer ready to match: one listed product per HS code. Its certifications (its own
    and its products') are backed by verified certificates unless `proven` is False."""
    producer = ProducerProfileFactory(
        target_markets=list(markets),
        open_to_any_market=open_to_any_market,
        certifications=list(certifications),
        **fields,
    )
    for code in codes:
        ProductFactory(
            producer=producer,
            hs_code=code,
            annual_capacity=Decimal(capacity),
            available_capacity=Decimal(capacity),
            capacity_unit=unit,
            moq=None if moq is None else Decimal(moq),
            certifications=list(product_certifications),
        )
    if declared:
        producer.declared_sectors.set(Sector.objects.filter(code__in=declared))
    if proven and (certifications or product_certifications):
        # Only certificates a counsellor verified count in matching (accounts.verifications).
        verify_company(producer, sorted({*certifications, *product_certifications}))
    return producer


def make_buyer(
    codes=("841810",), *, country="IQ", demand="500", unit="units", order=None, certifications=(), **fields
):
    """A buyer ready to match."""
    buyer = BuyerProfileFactory(
        country=country,
        annual_demand=None if demand is None else Decimal(demand),
        demand_unit=unit if demand is not None else "",
        typical_order=None if order is None else Decimal(order),
        required_certifications=list(certifications),
        **fields,
    )
    buyer.sought_sectors.set(Sector.objects.filter(code__in=codes))
    return buyer


@pytest.fixture
def producer_factory(db):
    return make_producer


@pytest.fixture
def buyer_factory(db):
    return make_buyer


@pytest.fixture
def api():
    def client_for(user=None, language=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        if language:
            client.credentials(HTTP_ACCEPT_LANGUAGE=language)
        return client

    return client_for


@pytest.fixture
def staff(db):
    return UserFactory(role="staff")


@pytest.fixture
def counsellor(db):
    return UserFactory(role="counsellor")
