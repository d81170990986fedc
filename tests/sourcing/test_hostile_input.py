"""Every field of a request's write, alone replaced by each hostile value, on POST and PATCH:
a 400 with field errors or a success, never a server error (docs/api.md). Meant for PostgreSQL,
which refuses what SQLite stores (NUL bytes, over-long text, numbers beyond the column)."""

import json

import pytest

from sourcing.models import RequestStatus
from tests.factories import hs_sector

from .support import in_days, make_request

pytestmark = pytest.mark.django_db

HOSTILE = [
    None,
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202e\u2066",
    "x" * 5001,
    "۸۴۱۳",
    "0",
    "-1",
    "0.001",
    "0.005",
    "1e400",
    "-0",
    "NaN",
    "12345678901234567",
    "999999999999.995",
    0,
    -1,
    1e308,
    2**70,
    True,
    [],
    ["x"] * 50,
    {},
    {"a": {"b": "c"}},
    "1405-13-40",
    "0001-01-01",
    "9999-12-31",
]
HEADER = [
    "title",
    "description",
    "currency",
    "incoterm",
    "destination_country",
    "destination_port",
    "deadline",
    "required_certifications",
    "language",
    "translations",
    "buyer",
]
LINE = ["hs_code", "quantity", "unit", "target_price", "specification"]


def body() -> dict:
    return {
        "title": "Pumps",
        "deadline": in_days(30).isoformat(),
        "lines": [{"hs_code": "8413", "quantity": "5", "unit": "units", "target_price": "10"}],
    }


@pytest.fixture
def client(api, buyer):
    hs_sector("8413")
    return api(buyer.owner)


def _check(response):
    assert response.status_code in (200, 201, 400), (response.status_code, response.content[:300])
    if response.status_code == 400:
        assert isinstance(response.json(), dict)


@pytest.mark.parametrize("field", HEADER + [f"lines.{name}" for name in LINE] + LINE)
def test_each_field_takes_each_hostile_value(client, buyer, field):
    request = make_request(buyer, status=RequestStatus.PUBLISHED)
    for value in HOSTILE:
        data = body()
        if field.startswith("lines."):
            data["lines"][0][field.removeprefix("lines.")] = value
        elif field in LINE:
            del data["lines"]
            data.update({"hs_code": "8413", "quantity": "5", "unit": "units", field: value})
        else:
            data[field] = value
        payload = json.dumps(data)
        _check(client.post("/api/v1/requests/", payload, content_type="application/json"))
        _check(client.patch(f"/api/v1/requests/{request.pk}/", payload, content_type="application/json"))


def test_the_lines_take_hostile_shapes(client, buyer):
    request = make_request(buyer)
    for value in (
        None,
        "",
        "x",
        5,
        {},
        {"0": {}},
        [None],
        [[]],
        [{}],
        [{"hs_code": None}] * 25,
        [[{"x": 1}]],
    ):
        payload = json.dumps({**body(), "lines": value})
        _check(client.post("/api/v1/requests/", payload, content_type="application/json"))
        _check(client.patch(f"/api/v1/requests/{request.pk}/", payload, content_type="application/json"))


@pytest.mark.parametrize("name", ["approve", "return", "close"])
def test_the_transitions_take_hostile_notes(api, staff, buyer, name):
    for value in HOSTILE:
        request = make_request(buyer)
        response = api(staff).post(
            f"/api/v1/requests/{request.pk}/{name}/",
            json.dumps({"note": value}),
            content_type="application/json",
        )
        assert response.status_code in (200, 400), (value, response.status_code, response.content[:200])
