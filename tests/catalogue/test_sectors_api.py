"""GET /api/v1/sectors/: the HS tree, read-only, for anyone (the data migration loads it)."""

import pytest
from rest_framework.test import APIClient

from taxonomy.models import Sector

pytestmark = pytest.mark.django_db

LIST = "/api/v1/sectors/"
FIELDS = {"code", "level", "name", "language", "names", "name_fa", "parent", "section"}


@pytest.fixture
def api():
    return APIClient()


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_anonymous_visitors_read_the_paginated_tree_in_order(api, django_assert_num_queries):
    with django_assert_num_queries(2):  # the count and the page
        response = api.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == Sector.objects.count() == 6960
    assert set(body["results"][0]) == FIELDS
    # Level, then section order (I, II, …, not I, II, III, IV, IX, …), then code.
    assert codes(response)[:10] == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
    assert body["results"][0] == {
        "code": "I",
        "level": 0,
        "name": "حیوانات زنده؛ محصولات حیوانی",  # in the language asked: fa by default
        "language": "fa",
        "names": {
            "fa": "حیوانات زنده؛ محصولات حیوانی",
            "en": "Live animals; animal products",
            "ar": "حيوانات حية؛ منتجات المملكة الحيوانية",
            "ru": "Живые животные; продукты животного происхождения",
            "tr": "Canlı hayvanlar; hayvansal ürünler",
        },
        "name_fa": "حیوانات زنده؛ محصولات حیوانی",
        "parent": None,
        "section": None,
    }


def test_page_size_is_capped(api):
    assert len(codes(api.get(LIST, {"page_size": 500}))) == 200


def test_detail_by_code(api):
    body = api.get(f"{LIST}8418/").json()
    assert set(body) == FIELDS
    assert (body["code"], body["level"], body["parent"], body["section"]) == ("8418", 4, "84", "XVI")
    assert body["name"].startswith("یخچال‌ها، فریزرها") and body["language"] == "fa"
    api.cookies["django_language"] = "en"
    english = api.get(f"{LIST}8418/").json()
    assert english["name"].startswith("Refrigerators, freezers") and english["language"] == "en"
    api.cookies["django_language"] = "ru"
    assert api.get(f"{LIST}8418/").json()["name"].startswith("Холодильники")
    api.cookies["django_language"] = "fa"

    section = api.get(f"{LIST}XVI/").json()
    assert (section["level"], section["parent"], section["section"]) == (0, None, None)
    assert api.get(f"{LIST}84/").json()["parent"] == "XVI"


@pytest.mark.parametrize("code", ["1234", "XXX", "84181", "nope"])
def test_an_unknown_code_is_404(api, code):
    response = api.get(f"{LIST}{code}/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_filter_by_level(api):
    assert api.get(LIST, {"level": 2}).json()["count"] == 97
    assert api.get(LIST, {"level": 0}).json()["count"] == 21
    assert api.get(LIST, {"level": 6, "page_size": 1}).json()["count"] == 5613
    bad = api.get(LIST, {"level": 3})
    assert bad.status_code == 400
    assert "level" in bad.json()


def test_filter_by_parent(api):
    assert codes(api.get(LIST, {"parent": "XVI"})) == ["84", "85"]
    headings = codes(api.get(LIST, {"parent": "84", "page_size": 200}))
    assert "8418" in headings
    assert all(len(code) == 4 and code.startswith("84") for code in headings)
    assert len(headings) == Sector.objects.filter(parent="84").count()
    assert codes(api.get(LIST, {"parent": "8418"}))[0] == "841810"
    assert codes(api.get(LIST, {"parent": "0000"})) == []


def test_filter_by_section(api):
    response = api.get(LIST, {"section": "XVI", "level": 2})
    assert codes(response) == ["84", "85"]
    everything = api.get(LIST, {"section": "xvi"}).json()["count"]
    assert everything == Sector.objects.filter(section="XVI").count() > 500


def test_search_by_code_prefix(api):
    found = codes(api.get(LIST, {"search": "8418"}))
    assert found[0] == "8418"
    assert "841810" in found
    assert all(code.startswith("8418") for code in found)
    assert codes(api.get(LIST, {"search": "84.18"})) == found
    assert codes(api.get(LIST, {"search": "۸۴۱۸"})) == found  # Persian digits


def test_search_by_english_words(api):
    found = codes(api.get(LIST, {"search": "refrigerators FREEZERS", "level": 4}))
    assert "8418" in found


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ماشين", {"XVI", "84", "85"}),  # Arabic yeh
        ("كاغذ", {"47", "48"}),  # Arabic kaf
        ("ماشینآلات", {"XVI", "84", "85"}),  # no zero-width non-joiner
        ("چربی ها", {"III", "15"}),  # a space for the zero-width non-joiner
        ("منشا حیوانی", {"04", "05"}),  # alef without hamza
    ],
)
def test_search_in_persian_folds_variants(api, typed, expected):
    found = set(codes(api.get(LIST, {"search": typed})))
    assert expected <= found


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ثلاجة", "8418"),  # the name says ثلاجات
        ("холодильник", "8418"),  # the name says холодильники
        ("buzdolabi", "8418"),  # ASCII for buzdolabı; the name says buzdolapları
        ("refrigirator", "8418"),  # a typo
        ("مضخة", "8413"),
        ("насос", "8413"),
        ("pompa", "8413"),
    ],
)
def test_search_in_every_language(api, typed, expected):
    assert expected in codes(api.get(LIST, {"search": typed, "level": 4}))


def test_filters_combine(api):
    found = codes(api.get(LIST, {"search": "ماشين آلات", "level": 2}))
    assert found == ["84", "85"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_tree_is_read_only(api, make_user, method):
    url = LIST if method == "post" else f"{LIST}8418/"
    anonymous = getattr(api, method)(url, {"code": "9999", "level": 4, "name": "x"}, format="json")
    assert anonymous.status_code in (403, 405)
    api.force_authenticate(make_user("staff", is_superuser=True))
    staff = getattr(api, method)(url, {"code": "9999", "level": 4, "name": "x"}, format="json")
    assert staff.status_code == 405
    assert Sector.objects.get(code="8418").level == 4


def test_the_schema_documents_the_resource(api):
    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths["/api/v1/sectors/"]) == {"get"}
    parameters = {p["name"] for p in paths["/api/v1/sectors/"]["get"]["parameters"]}
    assert {"level", "parent", "section", "search", "page", "page_size"} <= parameters
    assert "/api/v1/sectors/{code}/" in paths


# --- The same tree in the admin --------------------------------------------------


def test_the_admin_lists_filters_and_searches_sectors(client, make_user):
    client.force_login(make_user("staff", is_superuser=True))

    listing = client.get("/admin/taxonomy/sector/", {"level__exact": 2, "section__code__exact": "XVI"})
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 2

    searched = client.get("/admin/taxonomy/sector/", {"q": "ماشين آلات", "level__exact": 2})  # Arabic yeh
    assert {sector.code for sector in searched.context["cl"].result_list} == {"84", "85"}

    change = client.get("/admin/taxonomy/sector/8418/change/")
    assert change.status_code == 200
    assert "code" in change.context["adminform"].readonly_fields

    autocomplete = client.get(
        "/admin/autocomplete/",
        {"app_label": "taxonomy", "model_name": "sector", "field_name": "section", "term": "XVI"},
    )
    assert [row["id"] for row in autocomplete.json()["results"]] == ["XVI"]
