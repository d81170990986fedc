"""GET /api/v1/exports/matches.{csv,xlsx}: content, scope, contacts, filters, query counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient

from matchmaking.models import MatchStatus
from portal.exports import BOM
from tests.counsellors.pages_support import make_buyer, make_counsellor, make_match, make_producer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CSV_URL = "/api/v1/exports/matches.csv"
XLSX_URL = "/api/v1/exports/matches.xlsx"


def client_for(user=None, language="en"):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    return client


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(BOM.encode("utf-8"))
    return list(csv.reader(io.StringIO(body.decode("utf-8").removeprefix(BOM))))


def read_xlsx(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def as_dicts(rows):
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


@pytest.fixture
def desk():
    """A counsellor for Iraq with a match routed to them, one in the pool, one of a colleague's."""
    counsellor = make_counsellor(posted="IQ")
    colleague = make_counsellor(posted="TR")
    producer = make_producer(name="کارخانه تبریز")
    mine = make_match(producer, make_buyer(country="IQ", company_name="Baghdad Cold"), counsellor=counsellor)
    pool = make_match(make_producer(), make_buyer(country="IQ"), score="0.600")
    theirs = make_match(make_producer(markets=("TR",)), make_buyer(country="TR"), counsellor=colleague)
    return {"counsellor": counsellor, "colleague": colleague, "mine": mine, "pool": pool, "theirs": theirs}


def test_csv_has_the_documented_headers_and_a_rows_values(desk):
    response = client_for(desk["counsellor"]).get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="matches-')
    rows = read_csv(response)
    assert rows[0][:6] == ["Match ID", "Status", "Source", "Score", "Producer ID", "Producer"]
    by_id = {row["Match ID"]: row for row in as_dicts(rows)}
    mine = by_id[str(desk["mine"].pk)]
    assert mine["Producer"] == "کارخانه تبریز"  # Persian intact
    assert mine["Buyer"] == "Baghdad Cold"
    assert mine["Buyer’s country code"] == "IQ"
    assert mine["Buyer’s country"] == "Iraq"
    assert mine["Status"] == "Proposed"
    assert mine["Score"] == "0.800"
    assert mine["Producer’s phone"] == "'+98 41 3300 0000"  # a leading + is neutralised
    assert mine["Buyer’s email"] == desk["mine"].buyer.email
    assert "T" in mine["Proposed"] and mine["Proposed"][:4].isdigit()  # ISO 8601


def test_a_counsellor_never_gets_another_desks_match(desk):
    ids = {row["Match ID"] for row in as_dicts(read_csv(client_for(desk["counsellor"]).get(CSV_URL)))}
    assert ids == {str(desk["mine"].pk), str(desk["pool"].pk)}
    rows = as_dicts(read_xlsx(client_for(desk["counsellor"]).get(XLSX_URL)))
    assert {row["Match ID"] for row in rows} == {desk["mine"].pk, desk["pool"].pk}


def test_staff_get_every_match(desk):
    staff = UserFactory(role="staff")
    ids = {row["Match ID"] for row in as_dicts(read_csv(client_for(staff).get(CSV_URL)))}
    assert ids == {str(desk[key].pk) for key in ("mine", "pool", "theirs")}


def test_contacts_are_empty_where_the_list_hides_them(desk):
    # A match routed to the counsellor whose producer targets none of their markets and whose
    # buyer is outside them: the list shows the parties (the match is theirs) per the policies.
    from accounts.policies import can_view_buyer_contacts, can_view_producer_contacts

    counsellor = desk["counsellor"]
    rows = {row["Match ID"]: row for row in as_dicts(read_csv(client_for(counsellor).get(CSV_URL)))}
    for match in (desk["mine"], desk["pool"]):
        row = rows[str(match.pk)]
        shows_producer = can_view_producer_contacts(counsellor, match.producer)
        shows_buyer = can_view_buyer_contacts(counsellor, match.buyer)
        assert (row["Producer’s email"] != "") == shows_producer
        assert (row["Buyer’s email"] != "") == shows_buyer


def test_the_list_filters_apply(desk):
    forwarded = make_match(
        make_producer(),
        make_buyer(country="IQ"),
        counsellor=desk["counsellor"],
        status=MatchStatus.FORWARDED,
        score="0.500",
    )
    rows = as_dicts(read_csv(client_for(desk["counsellor"]).get(CSV_URL, {"status": "forwarded"})))
    assert [row["Match ID"] for row in rows] == [str(forwarded.pk)]
    rows = as_dicts(read_csv(client_for(desk["counsellor"]).get(CSV_URL, {"min_score": "0.7"})))
    assert {row["Match ID"] for row in rows} == {str(desk["mine"].pk)}


def test_bad_filters_are_a_400_with_field_errors(desk):
    response = client_for(desk["counsellor"]).get(CSV_URL, {"min_score": "many", "status": "nope"})
    assert response.status_code == 400
    assert set(response.json()) == {"min_score", "status"}


@pytest.mark.parametrize("url", [CSV_URL, XLSX_URL])
def test_who_may_export(url, desk):
    assert client_for().get(url).status_code == 401
    for role in ("producer", "buyer"):
        assert client_for(UserFactory(role=role)).get(url).status_code == 403


def test_headers_in_the_requesters_language(desk):
    rows = read_csv(client_for(desk["counsellor"], language="fa").get(CSV_URL))
    assert rows[0][0] == "شناسه تطابق"
    assert as_dicts(rows)[0]["وضعیت"] == "پیشنهادشده"


def test_xlsx_reads_back_with_text_and_numbers(desk):
    response = client_for(desk["counsellor"]).get(XLSX_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = {row["Match ID"]: row for row in as_dicts(read_xlsx(response))}
    mine = rows[desk["mine"].pk]
    assert mine["Producer"] == "کارخانه تبریز"
    assert float(mine["Score"]) == 0.8


def test_query_count_is_bounded(desk):
    staff = UserFactory(role="staff")
    for _ in range(3):
        make_match(make_producer(), make_buyer(country="IQ"))
    with CaptureQueriesContext(connection) as few:
        read_csv(client_for(staff).get(CSV_URL))
    for _ in range(10):
        make_match(make_producer(), make_buyer(country="IQ"))
    with CaptureQueriesContext(connection) as many:
        read_csv(client_for(staff).get(CSV_URL))
    assert len(many) == len(few)
