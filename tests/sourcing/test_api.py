"""/api/v1/requests/ per role: the list and detail scoped (404 for what a caller may not see),
writes by who may (403 for who sees but may not), 409 on a wrong status, 400 field errors
(lines by line), and the buyer withheld from producers until a forward."""

import datetime

import pytest
from django.utils import timezone

from sourcing.models import BuyingRequest, RequestStatus
from tests.factories import UserFactory, hs_sector

from .support import forward_match, in_days, make_buyer, make_producer, make_request

pytestmark = pytest.mark.django_db

LIST = "/api/v1/requests/"


def detail(request) -> str:
    return f"/api/v1/requests/{request.pk}/"


def action(request, name: str) -> str:
    return f"/api/v1/requests/{request.pk}/{name}/"


@pytest.fixture(autouse=True)
def sectors(db):
    for code in ("84", "8413", "841370", "8481"):
        hs_sector(code)


def body(**overrides) -> dict:
    data = {
        "title": "Centrifugal pumps",
        "description": "For a water project.",
        "currency": "USD",
        "incoterm": "CIF",
        "destination_country": "IQ",
        "destination_port": "Umm Qasr",
        "deadline": in_days(60).isoformat(),
        "required_certifications": ["ISO9001"],
        "lines": [
            {"hs_code": "841370", "quantity": "2000", "unit": "units", "target_price": "350"},
            {"hs_code": "8481", "quantity": 500, "unit": "units", "specification": "DN100"},
        ],
    }
    data.update(overrides)
    return data


# --- Reading ------------------------------------------------------------------------------


def ids(response) -> set:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


@pytest.fixture
def world(buyer, other_buyer):
    made = {status: make_request(buyer, status=status) for status in RequestStatus.values}
    made["other"] = make_request(other_buyer, status=RequestStatus.PUBLISHED)
    made["elsewhere"] = make_request(make_buyer(country="DE"), status=RequestStatus.PENDING)
    return made


def test_each_role_lists_what_it_may_see(api, world, buyer, other_buyer, producer, desk, outsider, staff):
    own = {world[status].pk for status in RequestStatus.values}
    assert ids(api(buyer.owner).get(LIST)) == own
    assert ids(api(other_buyer.owner).get(LIST)) == {world["other"].pk}
    assert ids(api(desk).get(LIST)) == own | {world["other"].pk}
    assert ids(api(outsider).get(LIST)) == {world["elsewhere"].pk}
    assert ids(api(staff).get(LIST)) == {item.pk for item in world.values()}
    # A producer's list is its board: published, its sectors (8413xx), its market (Iraq).
    assert ids(api(producer.owner).get(LIST)) == {world["published"].pk, world["other"].pk}
    assert api().get(LIST).status_code == 401


def test_each_role_reads_one_or_gets_a_404(api, world, buyer, producer, desk, outsider, staff):
    pending, published = world["pending"], world["published"]
    assert api(buyer.owner).get(detail(pending)).status_code == 200
    assert api(desk).get(detail(pending)).status_code == 200
    assert api(staff).get(detail(world["elsewhere"])).status_code == 200
    assert api(outsider).get(detail(pending)).status_code == 404
    assert api(producer.owner).get(detail(pending)).status_code == 404
    assert api(producer.owner).get(detail(world["closed"])).status_code == 404
    assert api(producer.owner).get(detail(published)).status_code == 200
    assert api(make_buyer().owner).get(detail(published)).status_code == 404
    assert api().get(detail(published)).status_code == 401


@pytest.mark.parametrize("path", ["0", "999999999", "99999999999999999999999", "abc", "-1", "%D9%A3", "1.5"])
def test_malformed_or_unknown_ids_are_404(api, staff, path):
    assert api(staff).get(f"{LIST}{path}/").status_code == 404
    assert api(staff).post(f"{LIST}{path}/approve/", {}, format="json").status_code == 404


def test_the_shape_of_a_request_for_its_buyer(api, buyer):
    request = make_request(buyer)
    data = api(buyer.owner).get(detail(request)).json()
    assert {
        "id",
        "buyer",
        "title",
        "hs_code",
        "quantity",
        "unit",
        "target_price",
        "currency",
        "incoterm",
        "destination_country",
        "deadline",
        "required_certifications",
        "description",
        "status",
        "lines",
        "destination_port",
        "published_at",
        "events",
        "language",
        "translations",
    } <= set(data)
    assert data["buyer"] == buyer.pk and data["buyer_name"] == "Basra Water Works"
    assert (data["hs_code"], data["quantity"], data["unit"], data["target_price"]) == (
        "841370",
        "2000.00",
        "units",
        "350.50",
    )
    assert data["destination_country"] == "IQ" and data["status"] == "pending"
    assert data["deadline"] == in_days(90).isoformat()
    assert [line["hs_code"] for line in data["lines"]] == ["841370", "8481"]
    assert data["lines"][1]["target_price"] is None
    assert data["events"][0]["to_status"] == "pending" and data["events"][0]["from_status"] is None
    assert data["translations"] == {} and data["language"] == "en"


# --- The buyer withheld -------------------------------------------------------------------


def assert_withheld(data: dict) -> None:
    assert data["buyer"] is None and data["buyer_name"] is None
    assert data["events"] == [] and data["review_note"] is None and data["translations"] is None
    text = str(data)
    for secret in ("Basra Water Works", "Basra", "purchasing", "+964"):
        assert secret not in text, secret


def test_a_producer_gets_the_request_without_its_buyer_until_a_forward(api, buyer, producer):
    request = make_request(buyer, status=RequestStatus.PUBLISHED, destination_port="Basra Water Works jetty")
    client = api(producer.owner)
    assert_withheld(client.get(detail(request)).json())
    (listed,) = client.get(LIST).json()["results"]
    assert_withheld(listed)
    assert listed["destination_port"] is None and listed["destination_country"] == "IQ"
    assert listed["lines"] and listed["title"] == "Centrifugal pumps for a water project"

    forward_match(request, producer)
    data = api(producer.owner).get(detail(request)).json()
    assert data["buyer"] == buyer.pk and data["buyer_name"] == "Basra Water Works"
    assert data["destination_port"] == "Basra Water Works jetty"
    (listed,) = api(producer.owner).get(LIST).json()["results"]
    assert listed["buyer"] == buyer.pk
    # Another producer still sees no buyer.
    other = make_producer(("841370",), markets=("IQ",))
    assert api(other.owner).get(detail(request)).json()["buyer"] is None


def test_a_producer_cannot_find_a_buyers_requests_by_filtering(api, buyer, producer):
    make_request(buyer, status=RequestStatus.PUBLISHED)
    response = api(producer.owner).get(LIST, {"buyer": buyer.pk, "all": "true"})
    assert response.status_code == 400 and "buyer" in response.json()


# --- Filters ------------------------------------------------------------------------------


def test_the_filters(api, buyer, other_buyer, staff, producer):
    pumps = make_request(buyer, status=RequestStatus.PUBLISHED)
    valves = make_request(
        other_buyer,
        destination_country="AE",
        lines=[{"hs_code": "8481", "quantity": "1", "unit": "units"}],
    )
    client = api(staff)
    assert ids(client.get(LIST, {"status": "published"})) == {pumps.pk}
    assert ids(client.get(LIST, {"status": ["published", "pending"]})) == {pumps.pk, valves.pk}
    assert ids(client.get(LIST, {"hs": "84"})) == {pumps.pk, valves.pk}
    assert ids(client.get(LIST, {"hs": "8413"})) == {pumps.pk}
    assert ids(client.get(LIST, {"hs": "84.81"})) == {pumps.pk, valves.pk}  # both have a valve line
    assert ids(client.get(LIST, {"destination_country": "ae"})) == {valves.pk}
    assert ids(client.get(LIST, {"buyer": other_buyer.pk})) == {valves.pk}
    assert ids(client.get(LIST, {"ordering": "deadline"})) == {pumps.pk, valves.pk}
    assert ids(api(producer.owner).get(LIST, {"all": "true"})) == {pumps.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"hs": "abc"},
        {"hs": "000000"},
        {"status": "open"},
        {"destination_country": "ZZ"},
        {"buyer": "-1"},
        {"buyer": "x"},
        {"buyer": "99999999999999999999"},
        {"ordering": "buyer"},
        {"hs": "8" * 100},
        {"hs": "84\x00"},
    ],
    ids=str,
)
def test_bad_filters_are_400(api, staff, params):
    assert api(staff).get(LIST, params).status_code == 400


# --- Posting and changing -------------------------------------------------------------------


def test_a_buyer_posts_a_request(api, buyer, mailoutbox):
    response = api(buyer.owner).post(LIST, body(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "pending" and data["buyer"] == buyer.pk and len(data["lines"]) == 2
    assert BuyingRequest.objects.get(pk=data["id"]).buyer == buyer
    assert mailoutbox == []


def test_a_one_line_request_is_posted_with_its_line_at_the_top(api, buyer):
    data = body(hs_code="8413", quantity="40", unit="sets", target_price=None)
    del data["lines"]
    response = api(buyer.owner).post(LIST, data, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["hs_code"], response.json()["quantity"]) == ("8413", "40.00")


def test_staff_post_for_a_buyer_and_a_buyer_only_for_itself(api, staff, buyer, other_buyer):
    response = api(staff).post(LIST, body(buyer=other_buyer.pk), format="json")
    assert response.status_code == 201 and response.json()["buyer"] == other_buyer.pk
    response = api(buyer.owner).post(LIST, body(buyer=other_buyer.pk), format="json")
    assert response.status_code == 400 and "buyer" in response.json()
    response = api(buyer.owner).post(LIST, body(buyer=buyer.pk), format="json")
    assert response.status_code == 201
    patched = api(staff).patch(f"{LIST}{response.json()['id']}/", {"buyer": other_buyer.pk}, format="json")
    assert patched.status_code == 400


@pytest.mark.parametrize("role", ["producer", "counsellor", "staff"])
def test_only_buyers_post(api, role):
    response = api(UserFactory(role=role)).post(LIST, body(), format="json")
    assert response.status_code == (400 if role == "staff" else 403)
    assert not BuyingRequest.objects.exists()


def test_anonymous_posts_nothing(api):
    assert api().post(LIST, body(), format="json").status_code == 401


def test_a_buyer_without_a_profile_is_told_to_make_one(api):
    response = api(UserFactory(role="buyer")).post(LIST, body(), format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_line_errors_come_line_by_line(api, buyer):
    lines = [
        {"hs_code": "841370", "quantity": "1", "unit": "units"},
        {"hs_code": "000000", "quantity": "0", "unit": "boxes"},
        {"hs_code": "8413", "quantity": "1", "unit": "units"},
    ]
    response = api(buyer.owner).post(LIST, body(lines=lines), format="json")
    assert response.status_code == 400
    errors = response.json()["lines"]
    assert errors[0] == {} and errors[2] == {} and set(errors[1]) == {"hs_code", "quantity", "unit"}


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"title": "t" * 201},
        {"title": "ok\x00"},
        {"deadline": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()},
        {"deadline": "2020-02-30"},
        {"deadline": "soon"},
        {"deadline": in_days(800).isoformat()},
        {"currency": "ABC"},
        {"currency": "DOLLARS"},
        {"incoterm": "XYZ"},
        {"destination_country": "ZZ"},
        {"lines": []},
        {"lines": "8413"},
        {"lines": [{"hs_code": "8413", "quantity": "1", "unit": "units"}] * 21},
        {"lines": [{"hs_code": "8413", "quantity": "0.001", "unit": "units"}]},
        {"lines": [{"hs_code": "8413", "quantity": "12345678901234567", "unit": "units"}]},
        {"lines": [None]},
        {"lines": [{"hs_code": "8413\x00", "quantity": "1", "unit": "units"}]},
        {"quantity": "-1", "lines": None},
        {"required_certifications": ["x" * 41]},
        {"required_certifications": "ISO9001"},
        {"translations": {"en": {"name": "x"}}},
        {"translations": "en"},
        {"language": "xx"},
    ],
    ids=lambda changes: ",".join(changes),
)
def test_bad_input_is_400_with_field_errors(api, buyer, changes):
    data = {k: v for k, v in body(**changes).items() if v is not None}
    response = api(buyer.owner).post(LIST, data, format="json")
    assert response.status_code == 400, response.content
    assert isinstance(response.json(), dict)
    assert not BuyingRequest.objects.exists()


def test_fields_a_buyer_may_not_set_are_ignored(api, buyer, other_buyer):
    data = body(status="published", owner=other_buyer.owner_id, published_at="2020-01-01")
    data["lines"][0]["colour"] = "red"
    response = api(buyer.owner).post(LIST, data, format="json")
    assert response.status_code == 201, response.content
    request = BuyingRequest.objects.get(pk=response.json()["id"])
    assert (request.status, request.buyer, request.published_at) == ("pending", buyer, None)


def test_a_form_encoded_post_works_too(api, buyer):
    data = body()
    data["lines"] = []
    response = api(buyer.owner).post(LIST, {"title": "x"}, format="multipart")
    assert response.status_code == 400 and "lines" in response.json()


def test_the_buyer_patches_while_editable(api, buyer):
    request = make_request(buyer)
    response = api(buyer.owner).patch(detail(request), {"quantity": "2500", "incoterm": "FOB"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["quantity"] == "2500.00" and response.json()["incoterm"] == "FOB"
    assert len(response.json()["lines"]) == 2
    replaced = api(buyer.owner).patch(
        detail(request), {"lines": [{"hs_code": "84", "quantity": "1", "unit": "sets"}]}, format="json"
    )
    assert [line["hs_code"] for line in replaced.json()["lines"]] == ["84"]


@pytest.mark.parametrize("status", [RequestStatus.CLOSED, RequestStatus.AWARDED])
def test_patching_a_closed_request_is_409(api, buyer, status):
    request = make_request(buyer, status=status)
    assert api(buyer.owner).patch(detail(request), {"title": "x"}, format="json").status_code == 409


def test_who_may_patch(api, buyer, other_buyer, producer, desk, outsider, staff):
    request = make_request(buyer, status=RequestStatus.PUBLISHED)
    change = {"title": "Changed"}
    assert api(other_buyer.owner).patch(detail(request), change, format="json").status_code == 404
    assert api(outsider).patch(detail(request), change, format="json").status_code == 404
    assert api(producer.owner).patch(detail(request), change, format="json").status_code == 403
    assert api(desk).patch(detail(request), change, format="json").status_code == 403
    assert api().patch(detail(request), change, format="json").status_code == 401
    assert BuyingRequest.objects.get(pk=request.pk).title != "Changed"
    assert api(staff).patch(detail(request), change, format="json").status_code == 200
    assert api(buyer.owner).put(detail(request), body(), format="json").status_code == 405
    assert api(buyer.owner).delete(detail(request)).status_code == 405


# --- Transitions --------------------------------------------------------------------------


def test_approve_return_and_close_per_role(api, buyer, other_buyer, producer, desk, outsider, staff):
    pending = make_request(buyer)
    assert api(producer.owner).post(action(pending, "approve"), {}, format="json").status_code == 404
    assert api(outsider).post(action(pending, "approve"), {}, format="json").status_code == 404
    assert api(other_buyer.owner).post(action(pending, "approve"), {}, format="json").status_code == 404
    assert api(buyer.owner).post(action(pending, "approve"), {}, format="json").status_code == 403
    assert api().post(action(pending, "approve"), {}, format="json").status_code == 401
    assert BuyingRequest.objects.get(pk=pending.pk).status == RequestStatus.PENDING

    response = api(desk).post(action(pending, "approve"), {"note": "Fine"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert response.json()["published_at"] is not None
    assert api(desk).post(action(pending, "approve"), {}, format="json").status_code == 409
    assert api(desk).post(action(pending, "return"), {"note": "x"}, format="json").status_code == 409
    # Now a producer sees it but may neither approve nor close it.
    assert api(producer.owner).post(action(pending, "approve"), {}, format="json").status_code == 403
    assert api(producer.owner).post(action(pending, "close"), {}, format="json").status_code == 403

    to_return = make_request(buyer)
    assert api(staff).post(action(to_return, "return"), {}, format="json").status_code == 400
    assert api(staff).post(action(to_return, "return"), {"note": ""}, format="json").status_code == 400
    assert (
        api(staff).post(action(to_return, "return"), {"note": "n" * 2001}, format="json").status_code == 400
    )
    returned = api(staff).post(action(to_return, "return"), {"note": "Give the head"}, format="json")
    assert returned.status_code == 200 and returned.json()["status"] == "rejected"
    assert returned.json()["review_note"] == "Give the head"

    assert (
        api(buyer.owner).post(action(pending, "close"), {"note": "Done"}, format="json").json()["status"]
        == "closed"
    )
    assert api(buyer.owner).post(action(pending, "close"), {}, format="json").status_code == 409
    assert api(desk).post(action(to_return, "close"), {}, format="json").status_code == 200


def test_a_forwarded_producer_may_not_act_on_the_request(api, buyer, producer):
    request = make_request(buyer, status=RequestStatus.CLOSED)
    forward_match(request, producer)
    assert api(producer.owner).get(detail(request)).status_code == 200
    for name in ("approve", "return", "close"):
        assert (
            api(producer.owner).post(action(request, name), {"note": "x"}, format="json").status_code == 403
        )
    assert api(producer.owner).patch(detail(request), {"title": "x"}, format="json").status_code == 403


def test_answers_come_in_the_asked_language(api, buyer):
    response = api(buyer.owner, language="fa").post(LIST, body(title=""), format="json")
    assert response.status_code == 400
    assert response.json()["title"] == ["این فیلد لازم است."] or response.json()["title"]


def test_a_list_costs_the_same_queries_however_long(
    api, buyer, producer, desk, django_assert_max_num_queries
):
    for _ in range(3):
        make_request(buyer, status=RequestStatus.PUBLISHED)
    for user in (buyer.owner, producer.owner, desk):
        with django_assert_max_num_queries(14):
            assert len(api(user).get(LIST).json()["results"]) == 3
    for _ in range(10):
        make_request(buyer, status=RequestStatus.PUBLISHED)
    for user in (buyer.owner, producer.owner, desk):
        with django_assert_max_num_queries(14):
            assert len(api(user).get(LIST).json()["results"]) == 13


def test_lines_refused_by_their_type_come_line_by_line_too(api, buyer):
    lines = [{"hs_code": "8413", "quantity": "1", "unit": "units"}, {"hs_code": "8413", "quantity": "9" * 41}]
    response = api(buyer.owner).post(LIST, body(lines=lines), format="json")
    assert response.status_code == 400
    errors = response.json()["lines"]
    assert errors[0] == {} and set(errors[1]) == {"quantity", "unit"}
