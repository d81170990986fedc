"""The admin of counsellor profiles and market briefs saves through the services: the pool
is routed to a new desk, briefs get their sanitised HTML, bad input is shown on the form."""

import pytest

from counsellors.models import CounsellorProfile, MarketBrief
from matchmaking.models import Match
from tests.factories import UserFactory, hs_sector
from tests.matchmaking.conftest import make_buyer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db

PROFILES = "/admin/counsellors/counsellorprofile/"
BRIEFS = "/admin/counsellors/marketbrief/"


@pytest.fixture
def admin(client):
    user = UserFactory(role="staff", is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def profile_form(user, **fields):
    form = {
        "user": user.pk,
        "posted_country": "IQ",
        "covered_countries": ["SY"],
        "sectors": "",
        "languages": '["fa", "ar"]',
        "phone": "",
        "is_active": "on",
    }
    form.update(fields)
    return form


def test_a_desk_added_in_the_admin_takes_the_pool(admin):
    hs_sector("841810")
    pooled = make_match(buyer=make_buyer(country="IQ"))
    user = UserFactory(role="counsellor")
    response = admin.post(f"{PROFILES}add/", profile_form(user, sectors="841810"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    profile = CounsellorProfile.objects.get(user=user)
    assert [c.code for c in profile.covered_countries] == ["SY"]
    assert list(profile.sectors.values_list("code", flat=True)) == ["841810"]
    assert profile.languages == ["fa", "ar"]
    assert Match.objects.get(pk=pooled.pk).counsellor == user


@pytest.mark.parametrize(
    ("user_role", "fields", "field"),
    [
        ("producer", {}, "user"),
        ("counsellor", {"languages": '["klingon"]'}, "languages"),
        ("counsellor", {"phone": "call me"}, "phone"),
    ],
)
def test_the_services_rules_are_shown_on_the_form(admin, user_role, fields, field):
    user = UserFactory(role=user_role)
    response = admin.post(f"{PROFILES}add/", profile_form(user, **fields))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not CounsellorProfile.objects.exists()


def test_the_admin_changes_a_desk_and_lists_it(admin):
    user = make_counsellor("DE")
    profile = CounsellorProfile.objects.get(user=user)
    pooled = make_match(buyer=make_buyer(country="BR"))
    form = profile_form(user, posted_country="DE", covered_countries=["BR"])
    del form["user"]
    response = admin.post(f"{PROFILES}{profile.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Match.objects.get(pk=pooled.pk).counsellor == user
    listing = admin.get(PROFILES, {"posted_country": "DE", "q": user.email})
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1


def test_a_brief_written_in_the_admin_is_rendered_and_sanitised(admin):
    hs_sector("841810")
    form = {
        "country": "IQ",
        "title": "Fridges",
        "body": "**Demand** <script>alert(1)</script>",
        "sectors": "841810",
        "language": "en",
    }
    response = admin.post(f"{BRIEFS}add/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    brief = MarketBrief.objects.get()
    assert brief.author == admin.user
    assert "<strong>Demand</strong>" in brief.body_html and "<script" not in brief.body_html
    assert list(brief.sectors.values_list("code", flat=True)) == ["841810"]

    response = admin.post(f"{BRIEFS}{brief.pk}/change/", {**form, "body": "Plain", "sectors": ""})
    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.body_html == "<p>Plain</p>"
    assert not brief.sectors.exists()
    assert admin.get(BRIEFS, {"q": "Fridges", "language": "en"}).context["cl"].result_count == 1

    response = admin.post(f"{BRIEFS}{brief.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not MarketBrief.objects.exists()
