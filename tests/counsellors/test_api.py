"""/api/v1/counsellors/ and /api/v1/briefs/ per role: who reads, who writes, contacts for
anonymous callers, field errors, filters, and fields a client may not set."""

import pytest
from rest_framework.test import APIClient

from counsellors import briefs
from counsellors.models import CounsellorProfile, MarketBrief
from matchmaking.models import Match
from tests.factories import UserFactory, hs_sector
from tests.matchmaking.conftest import make_buyer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db

COUNSELLORS = "/api/v1/counsellors/"
BRIEFS = "/api/v1/briefs/"
ANONYMOUS = (401, 403)


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def staff():
    return UserFactory(role="staff")


@pytest.fixture
def sectors():
    return {code: hs_sector(code) for code in ("841810", "850110", "940360")}


@pytest.fixture
def baghdad(sectors):
    user = make_counsellor("IQ", covered=["SY"], full_name="Sara Ahmadi")
    profile = CounsellorProfile.objects.get(user=user)
    profile.sectors.set([sectors["841810"]])
    profile.phone = "+964 770 000 0000"
    profile.languages = ["fa", "ar"]
    profile.save()
    return profile


def results(response) -> list[dict]:
    assert response.status_code == 200, response.json()
    return response.json()["results"]


# --- Counsellor profiles: reading ------------------------------------------------------------


def test_anyone_reads_the_desks_but_contacts_only_when_signed_in(baghdad):
    (anonymous,) = results(api().get(COUNSELLORS))
    assert {
        "id",
        "user",
        "name",
        "posted_country",
        "covered_countries",
        "sectors",
        "email",
        "languages",
    } <= set(anonymous)
    assert (anonymous["posted_country"], anonymous["covered_countries"], anonymous["sectors"]) == (
        "IQ",
        ["SY"],
        ["841810"],
    )
    assert (anonymous["name"], anonymous["languages"]) == ("Sara Ahmadi", ["fa", "ar"])
    assert anonymous["email"] is None and anonymous["phone"] is None
    detail = api().get(f"{COUNSELLORS}{baghdad.pk}/").json()
    assert detail["email"] is None and detail["phone"] is None
    for role in ("producer", "buyer", "counsellor", "staff"):
        (item,) = results(api(UserFactory(role=role)).get(COUNSELLORS))
        assert (item["email"], item["phone"]) == (baghdad.user.email, "+964 770 000 0000")


def test_a_closed_account_is_no_desk_except_for_staff(baghdad, staff):
    baghdad.user.is_active = False
    baghdad.user.save(update_fields=["is_active"])
    assert results(api().get(COUNSELLORS)) == []
    assert api(UserFactory(role="buyer")).get(f"{COUNSELLORS}{baghdad.pk}/").status_code == 404
    assert [item["id"] for item in results(api(staff).get(COUNSELLORS))] == [baghdad.pk]


def test_desks_filter_by_country_and_sector(baghdad, sectors):
    berlin = CounsellorProfile.objects.get(user=make_counsellor("DE"))
    berlin.sectors.set([sectors["940360"]])

    def found(**params):
        return {item["id"] for item in results(api().get(COUNSELLORS, params))}

    assert found(country="IQ") == {baghdad.pk}
    assert found(country="sy") == {baghdad.pk}  # covered
    assert found(country="DE") == {berlin.pk}
    assert found(sector="84") == {baghdad.pk}
    assert found(sector="94") == {berlin.pk}
    assert api().get(COUNSELLORS, {"country": "XX"}).status_code == 400
    assert api().get(COUNSELLORS, {"sector": "99999"}).status_code == 400


# --- Counsellor profiles: writing ------------------------------------------------------------


def test_staff_post_a_counsellor_and_the_pool_finds_the_desk(staff, sectors):
    pooled = make_match(buyer=make_buyer(country="IQ"))
    user = UserFactory(role="counsellor")
    body = {
        "user": user.pk,
        "posted_country": "iq",
        "covered_countries": ["SY", "JO", "IQ"],
        "sectors": ["841810", "8501"],
        "languages": ["FA", "ar"],
        "phone": "+964 1 234 5678",
    }
    response = api(staff).post(COUNSELLORS, body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["user"], created["posted_country"], created["covered_countries"]) == (
        user.pk,
        "IQ",
        ["JO", "SY"],
    )
    assert sorted(created["sectors"]) == ["841810", "8501"]
    assert (created["languages"], created["is_active"]) == (["fa", "ar"], True)
    assert Match.objects.get(pk=pooled.pk).counsellor == user


@pytest.mark.parametrize("role", ["producer", "buyer", "counsellor"])
def test_only_staff_post_and_patch_counsellors(baghdad, role):
    caller = baghdad.user if role == "counsellor" else UserFactory(role=role)
    user = UserFactory(role="counsellor")
    assert api(caller).post(COUNSELLORS, {"user": user.pk, "posted_country": "IQ"}).status_code == 403
    moved = api(caller).patch(f"{COUNSELLORS}{baghdad.pk}/", {"posted_country": "TR"})
    if role == "counsellor":  # their own desk: the field is staff's
        assert moved.status_code == 400 and "posted_country" in moved.json()
    else:
        assert moved.status_code == 403
    assert api().post(COUNSELLORS, {"user": user.pk, "posted_country": "IQ"}).status_code in ANONYMOUS
    assert api().patch(f"{COUNSELLORS}{baghdad.pk}/", {"posted_country": "TR"}).status_code in ANONYMOUS
    assert CounsellorProfile.objects.get(pk=baghdad.pk).posted_country == "IQ"
    assert not CounsellorProfile.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"posted_country": "IQ"}, "user"),
        ({"user": 999999, "posted_country": "IQ"}, "user"),
        ({"user": "producer", "posted_country": "IQ"}, "user"),
        ({"user": "taken", "posted_country": "IQ"}, "user"),
        ({"user": "new"}, "posted_country"),
        ({"user": "new", "posted_country": "Iraq"}, "posted_country"),
        ({"user": "new", "posted_country": "IQ", "covered_countries": ["ZZ"]}, "covered_countries"),
        ({"user": "new", "posted_country": "IQ", "sectors": ["123456"]}, "sectors"),
        ({"user": "new", "posted_country": "IQ", "sectors": ["84x"]}, "sectors"),
        ({"user": "new", "posted_country": "IQ", "languages": ["klingon"]}, "languages"),
        ({"user": "new", "posted_country": "IQ", "phone": "call me"}, "phone"),
    ],
)
def test_bad_counsellor_input_is_a_field_error(staff, baghdad, body, field):
    users = {
        "producer": lambda: UserFactory(role="producer").pk,
        "taken": lambda: baghdad.user_id,
        "new": lambda: UserFactory(role="counsellor").pk,
    }
    if isinstance(body.get("user"), str):
        body = {**body, "user": users[body["user"]]()}
    response = api(staff).post(COUNSELLORS, body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert CounsellorProfile.objects.count() == 1


def test_staff_patch_a_counsellor(staff, baghdad):
    pooled = make_match(buyer=make_buyer(country="BR"))
    response = api(staff).patch(
        f"{COUNSELLORS}{baghdad.pk}/", {"covered_countries": ["BR"], "is_active": True}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["covered_countries"] == ["BR"]
    assert response.json()["posted_country"] == "IQ"  # unchanged
    assert Match.objects.get(pk=pooled.pk).counsellor == baghdad.user
    assert api(staff).patch(f"{COUNSELLORS}999999/", {"phone": ""}).status_code == 404
    assert api(staff).put(f"{COUNSELLORS}{baghdad.pk}/", {"posted_country": "IQ"}).status_code == 405


def test_a_counsellor_keeps_their_own_contacts_languages_sectors_and_leave(baghdad):
    covered = list(CounsellorProfile.objects.get(pk=baghdad.pk).covered_countries)
    response = api(baghdad.user).patch(
        f"{COUNSELLORS}{baghdad.pk}/",
        {"phone": "+964 770 000 1122", "languages": ["fa", "ar", "en"], "is_active": False},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["languages"], response.json()["is_active"]) == (["fa", "ar", "en"], False)
    refused = api(baghdad.user).patch(
        f"{COUNSELLORS}{baghdad.pk}/", {"phone": "", "covered_countries": ["BR"]}, format="json"
    )
    assert refused.status_code == 400 and list(refused.json()) == ["covered_countries"]
    profile = CounsellorProfile.objects.get(pk=baghdad.pk)
    assert (profile.phone, list(profile.covered_countries), profile.is_active) == (
        "+964 770 000 1122",
        covered,
        False,
    )
    colleague = CounsellorProfile.objects.create(user=UserFactory(role="counsellor"), posted_country="TR")
    other = api(baghdad.user).patch(f"{COUNSELLORS}{colleague.pk}/", {"phone": ""}, format="json")
    assert other.status_code == 403


def test_a_profile_does_not_move_to_another_user(staff, baghdad):
    other = UserFactory(role="counsellor")
    response = api(staff).patch(f"{COUNSELLORS}{baghdad.pk}/", {"user": other.pk})
    assert response.status_code == 400
    assert "user" in response.json()
    same = api(staff).patch(f"{COUNSELLORS}{baghdad.pk}/", {"user": baghdad.user_id, "id": 12345})
    assert same.status_code == 200
    assert CounsellorProfile.objects.get(user=baghdad.user).pk == baghdad.pk


# --- Briefs: reading -------------------------------------------------------------------------------


@pytest.fixture
def brief(baghdad, sectors):
    return briefs.brief_create(
        author=baghdad.user,
        data={"title": "Fridges in Iraq", "body": "Demand is **up**."},
    )


@pytest.fixture
def tagged_brief(baghdad, sectors):
    hs_sector("8418")
    return briefs.brief_create(
        author=baghdad.user,
        data={"title": "Cold chain", "body": "Retailers expand.", "sectors": ["841810"], "language": "en"},
    )


def test_briefs_are_for_callers_who_are_signed_in(brief):
    assert api().get(BRIEFS).status_code in ANONYMOUS
    assert api().get(f"{BRIEFS}{brief.pk}/").status_code in ANONYMOUS
    for role in ("producer", "buyer", "counsellor", "staff"):
        (item,) = results(api(UserFactory(role=role)).get(BRIEFS))
        assert {
            "id",
            "country",
            "title",
            "body",
            "body_html",
            "sectors",
            "author",
            "language",
            "published_at",
        } <= set(item)
        assert (item["country"], item["author"], item["title"]) == ("IQ", brief.author_id, "Fridges in Iraq")
        assert "<strong>up</strong>" in item["body_html"]


def test_briefs_filter_by_country_and_sector(brief, tagged_brief, staff):
    berlin = make_counsellor("DE")
    german = briefs.brief_create(author=berlin, data={"title": "Furniture", "body": "Flat."})
    reader = UserFactory(role="producer")

    def found(**params):
        return {item["id"] for item in results(api(reader).get(BRIEFS, params))}

    assert found() == {brief.pk, tagged_brief.pk, german.pk}
    assert found(country="iq") == {brief.pk, tagged_brief.pk}
    assert found(country="DE") == {german.pk}
    assert found(sector="84") == {tagged_brief.pk}
    assert found(sector="841810") == {tagged_brief.pk}
    assert found(country="DE", sector="84") == set()
    assert api(reader).get(BRIEFS, {"country": "Iraq"}).status_code == 400
    assert api(reader).get(BRIEFS, {"sector": "abc"}).status_code == 400


# --- Briefs: writing ---------------------------------------------------------------------------------


def test_a_counsellor_publishes_a_brief_on_their_market(baghdad, sectors):
    body = {
        "title": "Air conditioners",
        "body": "Summer demand <script>alert(1)</script> [link](javascript:alert(1))",
        "sectors": ["841810"],
        "language": "en",
    }
    response = api(baghdad.user).post(BRIEFS, body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["country"], created["author"], created["sectors"], created["language"]) == (
        "IQ",
        baghdad.user_id,
        ["841810"],
        "en",
    )
    assert "<script" not in created["body_html"] and "javascript:" not in created["body_html"]


def test_a_brief_ignores_what_a_client_may_not_set(baghdad, staff):
    body = {
        "title": "Tiles",
        "body": "Text",
        "author": staff.pk,
        "published_at": "2001-01-01T00:00:00Z",
        "body_html": "<script>x</script>",
        "id": 777,
    }
    response = api(baghdad.user).post(BRIEFS, body, format="json")
    assert response.status_code == 201
    brief = MarketBrief.objects.get(pk=response.json()["id"])
    assert brief.pk != 777 and brief.author == baghdad.user
    assert brief.published_at.year > 2001
    assert "script" not in brief.body_html


def test_staff_publish_on_any_country(staff):
    response = api(staff).post(BRIEFS, {"title": "Turkey", "body": "Text", "country": "TR"})
    assert response.status_code == 201
    assert response.json()["country"] == "TR"
    missing = api(staff).post(BRIEFS, {"title": "Where?", "body": "Text"})
    assert missing.status_code == 400 and "country" in missing.json()


@pytest.mark.parametrize("role", ["producer", "buyer"])
def test_parties_do_not_publish(role):
    response = api(UserFactory(role=role)).post(BRIEFS, {"title": "Mine", "body": "Text", "country": "IQ"})
    assert response.status_code == 403
    assert api(UserFactory(role=role)).post(BRIEFS, {}).status_code == 403  # 403 before 400
    assert api().post(BRIEFS, {"title": "Mine", "body": "Text", "country": "IQ"}).status_code in ANONYMOUS
    assert not MarketBrief.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "Text"}, "title"),
        ({"title": "T"}, "body"),
        ({"title": "x" * 201, "body": "Text"}, "title"),
        ({"title": "T", "body": "Text", "country": "XX"}, "country"),
        ({"title": "T", "body": "Text", "sectors": ["123456"]}, "sectors"),
        ({"title": "T", "body": "Text", "language": "de"}, "language"),
    ],
)
def test_bad_briefs_are_field_errors(baghdad, body, field):
    response = api(baghdad.user).post(BRIEFS, body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_the_author_and_staff_change_a_brief(brief, staff):
    response = api(brief.author).patch(f"{BRIEFS}{brief.pk}/", {"title": "Fridges, revised"})
    assert response.status_code == 200, response.json()
    assert (response.json()["title"], response.json()["body"]) == ("Fridges, revised", "Demand is **up**.")
    response = api(staff).patch(f"{BRIEFS}{brief.pk}/", {"body": "# Heading\n\nMore", "author": staff.pk})
    assert response.status_code == 200
    assert "<h1>" not in response.json()["body_html"]  # only the allowed tags
    assert response.json()["author"] == brief.author_id


def test_others_may_read_but_not_change_a_brief(brief):
    for caller in (make_counsellor("IQ"), UserFactory(role="producer"), UserFactory(role="buyer")):
        assert api(caller).get(f"{BRIEFS}{brief.pk}/").status_code == 200
        assert api(caller).patch(f"{BRIEFS}{brief.pk}/", {"title": "Mine now"}).status_code == 403
        assert api(caller).delete(f"{BRIEFS}{brief.pk}/").status_code == 403
    assert api().delete(f"{BRIEFS}{brief.pk}/").status_code in ANONYMOUS
    assert MarketBrief.objects.get(pk=brief.pk).title == "Fridges in Iraq"


def test_the_author_and_staff_delete_briefs(brief, tagged_brief, staff):
    assert api(brief.author).delete(f"{BRIEFS}{brief.pk}/").status_code == 204
    assert api(staff).delete(f"{BRIEFS}{tagged_brief.pk}/").status_code == 204
    assert not MarketBrief.objects.exists()
    assert api(staff).delete(f"{BRIEFS}{brief.pk}/").status_code == 404
