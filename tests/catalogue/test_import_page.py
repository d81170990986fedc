"""The staff page that imports producers (catalogue/import_pages.py): a dry run that shows each
row's fate and writes nothing, the commit of the very file dry-run, hostile files refused with
a form error, and the invitations that failed sent again."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import ProducerProfile, User
from catalogue.models import InvitationStatus, ProducerImportUpload, ProducerInvitation, Product
from portal import xlsxfiles
from taxonomy.models import Sector
from tests.accounts.test_import_producers import HS_CODES
from tests.factories import ProducerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/staff/producers/import/"
COMMIT = "/staff/producers/import/commit/"
RESEND = "/staff/producers/invitations/resend/"
HEADER = [
    "email",
    "company_name",
    "phone",
    "founded",
    "employees",
    "product_name",
    "hs_code",
    "annual_capacity",
    "capacity_unit",
]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def hs_codes(db):
    for code, level, name, parent, section in HS_CODES:
        Sector.objects.get_or_create(
            code=code, defaults={"level": level, "name": name, "parent_id": parent, "section_id": section}
        )


@pytest.fixture
def staff(client):
    user = UserFactory(role="staff", email="staff@example.com")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return user


def rows_of_members() -> list[list]:
    """Line 2: a new company; 3: its second product; 4: an unknown HS code; 5: a producer who
    registered themselves (refused)."""
    return [
        [
            "sales@sahand.example.com",
            "Sahand Cooling",
            "041-3333-1234",
            "1378",
            "250",
            "Fridge",
            "841821",
            "45000",
            "units",
        ],
        ["sales@sahand.example.com", "", "", "", "", "Chest freezer", "841830", "12000", "units"],
        ["bad@example.com", "Bad Row Co.", "", "", "", "Widget", "123456", "10", "units"],
        ["own@example.com", "Own Co.", "", "", "", "", "", "", ""],
    ]


def csv_upload(rows: list[list], name: str = "members.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


def xlsx_bytes(rows: list[list], *, header=HEADER, blank_row_after: int | None = None, formats=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for index, row in enumerate(rows):
        sheet.append(row)
        if blank_row_after is not None and index + 1 == blank_row_after:
            sheet.append([])
    for coordinate, number_format in (formats or {}).items():
        sheet[coordinate].number_format = number_format
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_upload(data: bytes, name: str = "members.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX_TYPE)


def self_registered(email: str = "own@example.com") -> ProducerProfile:
    return ProducerProfileFactory(owner=UserFactory(role="producer", email=email), name="Own Co.")


def fates(response) -> dict[int, str]:
    html = response.content.decode()
    return {int(line): fate for line, fate in re.findall(r'data-testid="row-(\d+)" data-fate="(\w+)"', html)}


def row_html(response, line: int) -> str:
    html = response.content.decode()
    start = html.index(f'data-testid="row-{line}"')
    return html[start : html.index("</tr>", start)]


def dry_run(client, upload, **data):
    return client.post(PAGE, {"file": upload, "send_invitations": "on", **data})


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def nothing_imported() -> bool:
    return (
        not User.objects.filter(email__in=["sales@sahand.example.com", "bad@example.com"]).exists()
        and not Product.objects.exists()
    )


# --- The dry run and the commit ----------------------------------------------------------------


def test_a_csv_dry_run_shows_each_rows_fate_and_writes_nothing(client, staff):
    self_registered()
    response = dry_run(client, csv_upload(rows_of_members()))

    assert response.status_code == 200
    assert fates(response) == {2: "imported", 3: "imported", 4: "skipped", 5: "refused"}
    first = row_html(response, 2)
    assert "Sahand Cooling" in first and "New account" in first and "Company profile created" in first
    assert "Product “<bdi>Fridge</bdi>” created" in first and "Invitation email to be sent" in first
    second = row_html(response, 3)
    assert "Sahand Cooling" in second and "New account" not in second and "Chest freezer" in second
    assert "HS code" in row_html(response, 4) and "123456" in row_html(response, 4)
    assert "registered on the portal themselves" in row_html(response, 5)
    assert "Dry run: nothing has been written yet" in response.content.decode()
    assert nothing_imported() and mail.outbox == []
    assert ProducerImportUpload.objects.filter(uploaded_by=staff, committed_at__isnull=True).count() == 1


# A transaction of its own: each row commits, and its invitation goes out, as in production.
@pytest.mark.django_db(transaction=True)
def test_the_commit_imports_the_file_dry_run_and_shows_the_rows_again(client, staff):
    self_registered()
    token = token_of(dry_run(client, csv_upload(rows_of_members())))

    response = client.post(COMMIT, {"token": token})

    assert response.status_code == 200
    assert fates(response) == {2: "imported", 3: "imported", 4: "skipped", 5: "refused"}
    assert "Invitation email sent" in row_html(response, 2)
    profile = ProducerProfile.objects.get(owner__email="sales@sahand.example.com")
    assert profile.imported_at is not None and profile.founded == 1999
    assert sorted(Product.objects.filter(producer=profile).values_list("name", flat=True)) == [
        "Chest freezer",
        "Fridge",
    ]
    assert not User.objects.filter(email="bad@example.com").exists()
    assert [message.to for message in mail.outbox] == [["sales@sahand.example.com"]]
    assert ProducerInvitation.objects.get(user=profile.owner).status == InvitationStatus.SENT
    staged = ProducerImportUpload.objects.get(token=token)
    assert staged.committed_at is not None and not staged.file

    again = client.post(COMMIT, {"token": token})  # a second click imports nothing twice
    assert again.status_code == 400 and "already been imported" in again.content.decode()
    assert Product.objects.filter(producer=profile).count() == 2


def test_an_xlsx_dry_run_and_commit_read_excel_values_and_report_bad_rows_by_sheet_row(
    client, staff, django_capture_on_commit_callbacks
):
    rows = [
        # founded a float, employees an int, the phone a number shown with its leading zero
        ["tractor@example.com", "Tabriz Tractor", 9141234567, 1994.0, 1200, "Tractor", 870193, 1200, "units"],
        [
            "carpet@example.com",
            "Heris Carpet",
            "0914 123 4567",
            datetime.date(1999, 3, 21),
            45,
            "Carpet",
            "570110",
            3500.5,
            "m2",
        ],
        ["broken@example.com", "Broken Co.", "", "", "many", "", "", "", ""],
    ]
    data = xlsx_bytes(rows, blank_row_after=2, formats={"C2": "00000000000"})

    response = dry_run(client, xlsx_upload(data))

    assert response.status_code == 200
    # Row 4 of the sheet is blank: the bad row is row 5, as Excel numbers it.
    assert fates(response) == {2: "imported", 3: "imported", 5: "skipped"}
    assert "employees" in row_html(response, 5)
    assert ">Row<" in response.content.decode()
    assert not User.objects.filter(email__in=["tractor@example.com", "carpet@example.com"]).exists()

    with django_capture_on_commit_callbacks(execute=True):
        committed = client.post(COMMIT, {"token": token_of(response)})

    assert committed.status_code == 200 and fates(committed) == {2: "imported", 3: "imported", 5: "skipped"}
    tractor = ProducerProfile.objects.get(owner__email="tractor@example.com")
    assert (tractor.phone, tractor.founded, tractor.employees) == ("09141234567", 1994, 1200)
    assert Product.objects.get(producer=tractor).hs_code_id == "870193"
    carpet = ProducerProfile.objects.get(owner__email="carpet@example.com")
    assert carpet.founded == 1999
    assert str(Product.objects.get(producer=carpet).annual_capacity) == "3500.50"
    assert not User.objects.filter(email="broken@example.com").exists()


def test_a_file_with_nothing_to_import_is_not_kept(client, staff):
    response = dry_run(client, csv_upload([rows_of_members()[2]]))
    assert response.status_code == 200 and fates(response) == {2: "skipped"}
    assert 'data-testid="nothing-to-import"' in response.content.decode()
    assert not ProducerImportUpload.objects.exists()


# --- Hostile and broken files --------------------------------------------------------------------


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def _not_a_workbook_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


@pytest.mark.parametrize(
    "name, data, says",
    [
        ("members.xlsx", _png(), "is not one"),
        ("members.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "password"),
        ("members.xlsx", xlsx_bytes(rows_of_members())[:1500], "damaged"),
        ("members.xlsx", _not_a_workbook_zip(), "is not one"),
        ("members.csv", _png(), "not UTF-8"),
        ("members.csv", b"", "empty"),
        ("members.csv", b"name,city\nx,y\n", "email, company_name"),
    ],
    ids=[
        "renamed-png",
        "encrypted-or-xls",
        "truncated-zip",
        "docx-renamed",
        "binary-as-csv",
        "empty",
        "no-header",
    ],
)
def test_a_hostile_or_broken_file_gets_a_form_error_and_nothing_is_written(client, staff, name, data, says):
    response = client.post(PAGE, {"file": SimpleUploadedFile(name, data)})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_file_error"' in html and says in html
    assert not ProducerImportUpload.objects.exists() and nothing_imported()


def test_an_oversize_file_is_refused_before_it_is_read(client, staff, settings):
    settings.PRODUCER_IMPORT_PAGE_MAX_BYTES = 1000
    response = dry_run(client, csv_upload(rows_of_members() * 10))
    assert response.status_code == 400 and "larger than" in response.content.decode()
    assert not ProducerImportUpload.objects.exists()


def test_too_many_rows_for_the_page_are_refused_as_a_whole(client, staff, settings):
    settings.PRODUCER_IMPORT_PAGE_MAX_ROWS = 2
    response = dry_run(client, xlsx_upload(xlsx_bytes(rows_of_members())))
    assert response.status_code == 400 and "at most 2 can be imported here" in response.content.decode()
    assert nothing_imported()


def test_a_zip_bomb_is_refused_by_its_declared_size_before_parsing(client, staff, monkeypatch):
    monkeypatch.setattr(xlsxfiles, "MAX_UNCOMPRESSED_BYTES", 2000)
    response = dry_run(client, xlsx_upload(xlsx_bytes(rows_of_members())))
    assert response.status_code == 400 and "too large to import once unpacked" in response.content.decode()


def test_a_sheet_of_more_rows_than_the_reader_takes_is_refused(monkeypatch):
    monkeypatch.setattr(xlsxfiles, "MAX_ROWS", 3)
    with pytest.raises(xlsxfiles.XLSXFileError, match="more than 3 rows"):
        xlsxfiles.records(xlsx_bytes(rows_of_members()))


@pytest.mark.parametrize(
    "value, number_format, text",
    [
        (1998.0, "General", "1998"),
        (9141234567, "00000000000", "09141234567"),
        (989141234567.0, "General", "989141234567"),
        (1.5e20, "General", "150000000000000000000"),
        (0.1, "General", "0.1"),
        (True, "General", "true"),
        (datetime.datetime(1999, 3, 21), "yyyy-mm-dd", "1999-03-21"),
        (None, "General", ""),
    ],
)
def test_excel_values_become_the_text_a_person_would_type(value, number_format, text):
    class Cell:
        pass

    cell = Cell()
    cell.value, cell.number_format = value, number_format
    assert xlsxfiles.cell_text(cell) == text


# --- The upload kept between the two steps ------------------------------------------------------


def test_a_token_commits_only_for_its_uploader_and_only_before_it_expires(client, staff):
    token = token_of(dry_run(client, csv_upload(rows_of_members()[:1])))

    other = UserFactory(role="staff", email="other-staff@example.com")
    client.force_login(other)
    response = client.post(COMMIT, {"token": token})
    assert response.status_code == 400 and "not on record" in response.content.decode()

    client.force_login(staff)
    ProducerImportUpload.objects.filter(token=token).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.post(COMMIT, {"token": token})
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert nothing_imported() and not ProducerImportUpload.objects.exists()


def test_a_stored_file_changed_since_the_dry_run_is_not_imported(client, staff):
    token = token_of(dry_run(client, csv_upload(rows_of_members()[:1])))
    staged = ProducerImportUpload.objects.get(token=token)
    with staged.file.storage.open(staged.file.name, "wb") as handle:  # swapped in the store
        handle.write(csv_upload([["evil@example.com", "Evil Co.", "", "", "", "", "", "", ""]]).read())

    response = client.post(COMMIT, {"token": token})

    assert response.status_code == 400 and "not the one the dry run read" in response.content.decode()
    assert not User.objects.filter(email__in=["evil@example.com", "sales@sahand.example.com"]).exists()


def test_the_commit_needs_a_token_not_a_file(client, staff):
    response = client.post(COMMIT, {"file": csv_upload(rows_of_members())})
    assert response.status_code == 400 and nothing_imported()


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["producer", "buyer", "counsellor"])
def test_nobody_but_staff_may_use_the_page(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"file": csv_upload(rows_of_members())}).status_code == 403
    assert client.post(RESEND, {"only": 1}).status_code == 403
    assert nothing_imported() and not ProducerImportUpload.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.post(PAGE, {"file": csv_upload(rows_of_members())})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert nothing_imported()


def test_staff_find_the_page_on_their_dashboard_and_counsellors_do_not(client, staff):
    assert reverse("producer_import:page") in client.get("/dashboard/").content.decode()
    client.force_login(UserFactory(role="counsellor"))
    assert reverse("producer_import:page") not in client.get("/dashboard/").content.decode()


def test_the_empty_page_guides_the_first_import(client, staff):
    response = client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="upload-form"' in html and 'data-testid="no-waiting-invitations"' in html
    assert 'data-testid="import-report"' not in html


def test_the_page_is_persian_and_right_to_left_by_default(client, staff):
    del client.cookies["django_language"]
    html = client.get(PAGE).content.decode()
    assert 'lang="fa" dir="rtl"' in html and "واردکردن تولیدکنندگان" in html


# --- Invitations that did not go out ------------------------------------------------------------


class RefusingEmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise OSError("mail server down")


@pytest.mark.django_db(transaction=True)
def test_an_invitation_that_failed_is_listed_and_sent_again(client, staff, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingEmailBackend"
    token = token_of(dry_run(client, csv_upload(rows_of_members()[:1])))
    committed = client.post(COMMIT, {"token": token})
    assert "Invitation email not sent" in row_html(committed, 2)
    user = User.objects.get(email="sales@sahand.example.com")
    failed = ProducerInvitation.objects.get(user=user)
    assert (failed.status, failed.attempts, failed.error) == (InvitationStatus.FAILED, 1, "mail server down")

    page = client.get(PAGE).content.decode()
    assert f'data-testid="waiting-{user.pk}"' in page and "mail server down" in page

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    response = client.post(RESEND, {"only": user.pk})

    assert response.status_code == 302 and response["Location"].endswith("#invitations")
    assert [message.to for message in mail.outbox] == [["sales@sahand.example.com"]]
    sent = ProducerInvitation.objects.get(user=user)
    assert (sent.status, sent.attempts, sent.error) == (InvitationStatus.SENT, 2, "")
    assert f'data-testid="waiting-{user.pk}"' not in client.get(PAGE).content.decode()


def test_resending_to_the_chosen_skips_a_producer_who_has_signed_in_since(client, staff, tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(
        csv_upload(
            rows_of_members()[:1] + [["two@example.com", "Two Co.", "", "", "", "", "", "", ""]]
        ).read()
    )
    call_command("import_producers", str(path), "--no-email", stdout=io.StringIO())
    first, second = (
        User.objects.get(email="sales@sahand.example.com"),
        User.objects.get(email="two@example.com"),
    )
    User.objects.filter(pk=second.pk).update(last_login=timezone.now())

    response = client.post(RESEND, {"users": [first.pk, second.pk]}, follow=True)

    assert [message.to for message in mail.outbox] == [["sales@sahand.example.com"]]
    assert "1 producer chosen no longer waits" in response.content.decode()
    assert not ProducerInvitation.objects.filter(user=second).exists()


def test_the_command_resends_the_invitations_never_sent(tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_upload(rows_of_members()[:1]).read())
    call_command("import_producers", str(path), "--no-email", stdout=io.StringIO())
    assert mail.outbox == []

    listed = io.StringIO()
    call_command("import_producers", "--resend-invitations", "--dry-run", stdout=listed)
    assert "sales@sahand.example.com" in listed.getvalue() and mail.outbox == []

    out = io.StringIO()
    call_command("import_producers", "--resend-invitations", "--base-url", "https://eb.example", stdout=out)
    assert [message.to for message in mail.outbox] == [["sales@sahand.example.com"]]
    assert "https://eb.example/" in mail.outbox[0].body
    again = io.StringIO()
    call_command("import_producers", "--resend-invitations", stdout=again)
    assert len(mail.outbox) == 1  # sent once: nobody waits any more
