import pytest
from rest_framework.test import APIClient

from accounts import services
from taxonomy.models import Sector


@pytest.fixture
def sectors(db):
    """The few HS rows these tests use (the full taxonomy ships in a data migration)."""
    rows = [
        ("XVI", 0, "Machinery", None),
        ("84", 2, "Machinery; boilers", "XVI"),
        ("8418", 4, "Refrigerators", "84"),
    ]
    for code, level, name, parent in rows:
        Sector.objects.get_or_create(
            code=code,
            defaults={
                "level": level,
                "name": name,
                "parent_id": parent,
                "section_id": "XVI" if level else None,
            },
        )
    return Sector.objects.in_bulk(["XVI", "84", "8418"])


@pytest.fixture
def api():
    def client_for(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def producer_profile(make_user, sectors):
    def make(user=None, **data):
        user = user or make_user("producer")
        fields = {
            "name": "Azar Appliances",
            "email": "sales@azar.example",
            "phone": "+98 41 3333 4444",
            "contact_name": "Reza Azari",
            "website": "https://azar.example",
            "target_markets": ["IQ", "AM"],
            "sectors": ["8418"],
            **data,
        }
        return services.producer_profile_create(actor=user, data=fields)

    return make


@pytest.fixture
def buyer_profile(make_user, sectors):
    def make(user=None, **data):
        user = user or make_user("buyer")
        fields = {
            "company_name": "Baghdad Home Trading",
            "country": "IQ",
            "email": "buy@baghdad.example",
            "phone": "+964 770 000 0000",
            "contact_name": "Ali Hassan",
            "sought_sectors": ["8418"],
            "annual_demand": "5000",
            "demand_unit": "units",
            "typical_order": "500",
            **data,
        }
        return services.buyer_profile_create(actor=user, data=fields)

    return make
