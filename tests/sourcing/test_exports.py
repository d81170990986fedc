"""GET /api/v1/exports/requests.{csv,xlsx} and the review page's links: content, scope, filters."""

from __future__ import annotations

import pytest

from sourcing.models import RequestStatus
from tests.counsellors.pages_support import make_counsellor
from tests.factories import UserFactory
from tests.matchmaking.test_exports import as_dicts, client_for, read_csv, read_xlsx
from tests.sourcing.support import make_buyer, make_request

pytestmark = pytest.mark.django_db
URL = "/api/v1/exports/requests.csv"


@pytest.fixture
def world():
    counsellor = make_counsellor(posted="IQ")
    iraqi = make_request(make_buyer(country="IQ", company_name="شرکت بغداد"), title="پمپ آب")
    turkish = make_request(make_buyer(country="TR"), status=RequestStatus.PUBLISHED)
    return counsellor, iraqi, turkish


def test_a_rows_values(world):
    counsellor, iraqi, _ = world
    rows = as_dicts(read_csv(client_for(counsellor).get(URL)))
    assert [row["Request ID"] for row in rows] == [str(iraqi.pk)]
    row = rows[0]
    assert row["Title"] == "پمپ آب"
    assert row["Buyer"] == "شرکت بغداد"
    assert row["Status"] == RequestStatus.PENDING.label
    assert row["Destination country code"] == "IQ"
    assert row["HS codes"] == "841370; 8481"
    assert row["Lines"] == "841370: 2000 units at 350.50 USD; 8481: 500 units"
    assert row["Currency"] == "USD"
    assert row["Deadline"] == iraqi.deadline.isoformat()


def test_staff_get_all_and_filters_apply(world):
    _, iraqi, turkish = world
    staff = UserFactory(role="staff")
    assert {row["Request ID"] for row in as_dicts(read_csv(client_for(staff).get(URL)))} == {
        str(iraqi.pk),
        str(turkish.pk),
    }
    rows = as_dicts(
        read_xlsx(client_for(staff).get("/api/v1/exports/requests.xlsx", {"status": "published"}))
    )
    assert [row["Request ID"] for row in rows] == [turkish.pk]


@pytest.mark.parametrize("role", ["producer", "buyer"])
def test_parties_may_not_export(role, world):
    assert client_for(UserFactory(role=role)).get(URL).status_code == 403


def test_the_review_page_links_its_export(world, client):
    counsellor, iraqi, _ = world
    client.force_login(counsellor)
    html = client.get("/requests/review/").content.decode()
    assert 'href="/exports/requests.csv?status=pending"' in html
    response = client.get("/exports/requests.csv?status=pending")
    assert response.status_code == 200
    assert [row[0] for row in read_csv(response)[1:]] == [str(iraqi.pk)]
