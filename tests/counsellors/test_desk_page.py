"""A counsellor's own desk page: phone, languages, sectors and leave through the service, the
posting shown but not editable, field errors beside the fields, and nobody else's desk."""

import pytest

from counsellors.models import CounsellorProfile
from tests.factories import UserFactory, hs_sector

from .pages_support import html_of, make_counsellor

pytestmark = pytest.mark.django_db
DESK = "/counsellor/desk/"


@pytest.fixture
def desk_user():
    hs_sector("841810")
    hs_sector("84")
    return make_counsellor("IQ", covered=["SY"], email="iraq.desk@mission.example")


def post(client, user, data):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.post(DESK, data)


def test_the_page_shows_the_posting_and_the_counsellors_own_fields(client, desk_user):
    response, page = html_of(client, DESK, desk_user)
    assert response.status_code == 200
    assert "Posted in Iraq; also covers Syria." in page
    for name in ("phone", "languages", "sectors", "is_active"):
        assert f'name="{name}"' in page
    assert 'name="posted_country"' not in page and 'name="covered_countries"' not in page
    assert 'for="id_phone"' in page  # labelled


def test_saving_goes_through_the_service(client, desk_user):
    response = post(
        client, desk_user, {"phone": "+964 770 000 1122", "languages": "fa, AR ، en", "sectors": "۸۴, 841810"}
    )
    assert response.status_code == 302 and response["Location"] == DESK
    profile = CounsellorProfile.objects.get(user=desk_user)
    assert (profile.phone, profile.languages, profile.is_active) == (
        "+964 770 000 1122",
        ["fa", "ar", "en"],
        False,
    )
    assert sorted(sector.code for sector in profile.sectors.all()) == ["84", "841810"]
    assert profile.posted_country == "IQ" and [c.code for c in profile.covered_countries] == ["SY"]


def test_bad_input_comes_back_beside_the_field_and_nothing_is_saved(client, desk_user):
    response = post(client, desk_user, {"phone": "call me", "languages": "klingon", "is_active": "on"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"phone", "languages"}
    profile = CounsellorProfile.objects.get(user=desk_user)
    assert (profile.phone, profile.languages) == ("", [])


def test_a_counsellor_without_a_desk_is_told_so(client):
    response, page = html_of(client, DESK, UserFactory(role="counsellor"))
    assert response.status_code == 200
    assert "You have no desk yet" in page and "<form" not in page.split("<main", 1)[1]


@pytest.mark.parametrize("role", ["producer", "buyer", "staff"])
def test_other_roles_have_no_desk_page(client, role):
    response, _page = html_of(client, DESK, UserFactory(role=role))
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(DESK)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
