"""Market briefs only for the countries a counsellor is posted to or covers (docs/design.md's roles
table; issue 12), at every door: the service, the API (create and change) and the page's form
(which offers only those countries). Staff publish for any country."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from counsellors import briefs
from counsellors.models import MarketBrief
from tests.factories import UserFactory
from tests.matchmaking.lifecycle_support import make_counsellor

pytestmark = pytest.mark.django_db

BRIEF = {"title": "Cold chain", "body": "Ports expand.", "language": "en", "sectors": ""}


def _service(user, country):
    try:
        briefs.brief_create(author=user, data={**BRIEF, "sectors": [], "country": country})
    except ValidationError as error:
        return error.message_dict
    return None


def _api_create(user, country):
    api = APIClient()
    api.force_authenticate(user)
    response = api.post("/api/v1/briefs/", {**BRIEF, "sectors": [], "country": country}, format="json")
    return None if response.status_code == 201 else (response.status_code, response.json())


def _api_change(user, country):
    own = (
        briefs.brief_create(author=user, data={**BRIEF, "sectors": []}) if not user.is_portal_staff else None
    )
    own = own or briefs.brief_create(author=user, data={**BRIEF, "sectors": [], "country": "IQ"})
    api = APIClient()
    api.force_authenticate(user)
    response = api.patch(f"/api/v1/briefs/{own.pk}/", {"country": country}, format="json")
    return None if response.status_code == 200 else (response.status_code, response.json())


def _page_create(user, country):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    response = client.post("/counsellor/briefs/new/", {**BRIEF, "country": country})
    return None if response.status_code == 302 else (response.status_code, response.content.decode())


DOORS = {"service": _service, "api create": _api_create, "api change": _api_change, "page": _page_create}


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(
    ("country", "allowed"), [("IQ", True), ("SY", True), ("DE", False)]
)  # posted in Iraq, covers Syria
def test_a_counsellor_publishes_for_their_countries_only(door, country, allowed):
    desk = make_counsellor("IQ", covered=["SY"])
    before = MarketBrief.objects.filter(country=country).count()
    refused = DOORS[door](desk, country)
    if allowed:
        assert refused is None, refused
        assert MarketBrief.objects.filter(country=country).count() == before + 1
    else:
        assert refused is not None
        assert "country" in str(refused)
        if door.startswith("api"):
            assert refused[0] == 400
        assert MarketBrief.objects.filter(country=country).count() == before


@pytest.mark.parametrize("door", ["service", "api create", "page"])
def test_a_counsellor_without_a_desk_publishes_nothing_and_staff_anything(door):
    deskless = UserFactory(role="counsellor")
    assert DOORS[door](deskless, "IQ") is not None
    assert not MarketBrief.objects.filter(author=deskless).exists()
    staff = UserFactory(role="staff")
    assert DOORS[door](staff, "DE") is None


def test_the_page_offers_only_the_counsellors_countries():
    desk = make_counsellor("IQ", covered=["SY"])
    client = Client()
    client.force_login(desk)
    html = client.get("/counsellor/briefs/new/").content.decode()
    assert 'value="IQ"' in html and 'value="SY"' in html
    assert 'value="DE"' not in html and 'value="TR"' not in html
    staff = Client()
    staff.force_login(UserFactory(role="staff"))
    assert 'value="DE"' in staff.get("/counsellor/briefs/new/").content.decode()
