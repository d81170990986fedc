"""portal.exports: neutralised cells in both writers, the BOM, and a large export built by a
task with its progress, served to its requester and staff only."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import override_settings
from openpyxl import load_workbook
from rest_framework.test import APIClient

from portal import exports
from portal.models import ExportJob, ExportStatus
from tests.counsellors.pages_support import make_buyer, make_counsellor, make_match, make_producer
from tests.factories import UserFactory

FORMULAS = ["=1+2", "+98 41", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_like_text_is_prefixed_with_a_quote(value):
    assert exports.neutralise(value) == "'" + value
    assert exports.cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Tabriz", "کارخانه", "", "1=1", "a-b"])
def test_other_text_is_kept(value):
    assert exports.neutralise(value) == value


def test_numbers_dates_and_lists_become_cells():
    import datetime
    from decimal import Decimal

    assert exports.cell(-5) == -5  # a number is not a formula
    assert exports.cell(Decimal("1.50")) == Decimal("1.50")
    assert exports.cell(datetime.date(2026, 3, 1)) == "2026-03-01"
    assert exports.cell(["0101", "8418"]) == "0101; 8418"
    assert exports.cell(["=cmd"]) == "'=cmd"
    assert exports.cell(None) is None


@pytest.fixture
def hostile(db):
    """A match whose companies carry formula-like names, seen by a counsellor."""
    counsellor = make_counsellor(posted="IQ")
    producer = make_producer(name='=HYPERLINK("http://x","click")')
    buyer = make_buyer(country="IQ", company_name="@SUM(1+1)")
    match = make_match(producer, buyer, counsellor=counsellor)
    return counsellor, match


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def test_csv_neutralises_and_starts_with_a_bom(hostile):
    counsellor, match = hostile
    response = _client(counsellor).get("/api/v1/exports/matches.csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    header, row = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    values = dict(zip(header, row, strict=True))
    assert values["Producer"] == '\'=HYPERLINK("http://x","click")'
    assert values["Buyer"] == "'@SUM(1+1)"


def test_xlsx_neutralises_and_holds_no_formula(hostile):
    counsellor, match = hostile
    response = _client(counsellor).get("/api/v1/exports/matches.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    values = {cell.value for cell in cells}
    assert '\'=HYPERLINK("http://x","click")' in values
    assert "'@SUM(1+1)" in values


def test_xlsx_keeps_hs_codes_as_text(db):
    staff = UserFactory(role="staff")
    from tests.factories import hs_sector

    hs_sector("010121")
    make_buyer(codes=("010121",), country="IQ")
    response = _client(staff).get("/api/v1/exports/buyers.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in next(sheet.iter_rows())]
    column = header.index("Sought HS codes")
    value = [row[column] for row in sheet.iter_rows(min_row=2)][0]
    assert value.value == "010121"  # a leading zero kept
    assert value.number_format == "@"


# --- A large workbook: built by a task -----------------------------------------------------


@pytest.fixture
def large(db):
    counsellor = make_counsellor(posted="IQ")
    producer = make_producer()
    for _ in range(3):
        make_match(producer, make_buyer(country="IQ"), counsellor=counsellor)
    return counsellor


@override_settings(EXPORT_XLSX_INLINE_MAX_ROWS=2)
def test_a_large_xlsx_is_built_by_a_task_with_progress(
    large, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(large).get("/api/v1/exports/matches.xlsx", {"status": "proposed"})
    assert response.status_code == 202
    body = response.json()
    job = ExportJob.objects.get(pk=body["id"])
    assert job.requester == large
    assert job.params == {"status": ["proposed"]}
    assert job.status == ExportStatus.DONE
    assert (job.total, job.rows_done, job.percent) == (3, 3, 100)

    status = _client(large).get(body["status_url"])
    assert status.status_code == 200
    assert status.json()["status"] == "done"
    download = status.json()["download_url"]
    file = _client(large).get(download)
    assert file.status_code == 200
    assert file["Cache-Control"] == "private, no-store"
    rows = list(
        load_workbook(io.BytesIO(b"".join(file.streaming_content))).active.iter_rows(values_only=True)
    )
    assert len(rows) == 4  # the header and three matches

    # Only the requester and staff: a colleague, a producer get 404; staff the file.
    for other in (make_counsellor(posted="IQ"), UserFactory(role="producer")):
        assert _client(other).get(body["status_url"]).status_code == 404
        assert _client(other).get(download).status_code == 404
    assert _client(UserFactory(role="staff")).get(download).status_code == 200
    assert APIClient().get(download).status_code == 401


@override_settings(EXPORT_XLSX_INLINE_MAX_ROWS=2)
def test_progress_is_recorded_while_building(large, monkeypatch):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    job = ExportJob.objects.create(requester=large, kind="matches", params={}, language="en")
    written = []
    real = exports.write_xlsx

    def spy(export, user, queryset, target, progress=None):
        def record(done):
            progress(done)
            written.append(ExportJob.objects.get(pk=job.pk).rows_done)

        return real(export, user, queryset, target, record)

    monkeypatch.setattr(exports, "write_xlsx", spy)
    exports.build_job(job.pk)
    assert written == [1, 2, 3]
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert exports.build_job(job.pk) is None  # a second delivery does nothing


@override_settings(EXPORT_XLSX_INLINE_MAX_ROWS=2)
def test_the_page_follows_the_job_and_links_the_file(large, client, django_capture_on_commit_callbacks):
    client.force_login(large)
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/exports/matches.xlsx")
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Download the Excel file" in html
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert 'id="export-progress"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_a_pending_job_polls_and_its_file_is_not_there_yet(large, client):
    job = ExportJob.objects.create(
        requester=large, kind="matches", params={}, language="en", total=10, rows_done=4
    )
    client.force_login(large)
    client.cookies["django_language"] = "en"
    html = client.get(f"/exports/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert '<progress class="w-100" id="export-bar" max="100" value="40">' in html
    assert client.get(f"/exports/jobs/{job.pk}/download/").status_code == 404


def test_a_job_whose_requester_lost_the_right_fails(large):
    job = ExportJob.objects.create(requester=large, kind="matches", params={}, language="en")
    large.role = "producer"
    large.save(update_fields=["role"])
    assert exports.build_job(job.pk) is None
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
