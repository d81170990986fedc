"""`import_producers`: bulk registration from a chamber of commerce's CSV member list."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.models import ProducerProfile, User
from catalogue.imports import COLUMNS, import_producers
from catalogue.models import Product
from taxonomy.models import Sector

pytestmark = pytest.mark.django_db

BASE_URL = "http://testserver"
HEADER = [
    "email",
    "company_name",
    "contact_name",
    "phone",
    "website",
    "city",
    "province",
    "description",
    "target_markets",
    "certifications",
    "languages",
    "employees",
    "founded",
    "preferred_language",
    "product_name",
    "hs_code",
    "annual_capacity",
    "capacity_unit",
    "available_capacity",
    "moq",
]
# (code, level, name, parent, section): what the tests' rows use, until the HS migration lands.
HS_CODES = [
    ("XI", 0, "Textiles and textile articles", None, None),
    ("XVI", 0, "Machinery and mechanical appliances; electrical equipment", None, None),
    ("XVII", 0, "Vehicles, aircraft, vessels and associated transport equipment", None, None),
    ("57", 2, "Carpets and other textile floor coverings", None, "XI"),
    ("5701", 4, "Carpets and other textile floor coverings; knotted", "57", "XI"),
    ("570110", 6, "Carpets; knotted, of wool or fine animal hair", "5701", "XI"),
    ("84", 2, "Machinery and mechanical appliances, boilers, nuclear reactors; parts thereof", None, "XVI"),
    ("8418", 4, "Refrigerators, freezers and other refrigerating or freezing equipment", "84", "XVI"),
    ("841821", 6, "Refrigerators; for household use, compression-type", "8418", "XVI"),
    ("841830", 6, "Freezers; of the chest type, not exceeding 800l capacity", "8418", "XVI"),
    ("8450", 4, "Household or laundry-type washing machines", "84", "XVI"),
    ("845011", 6, "Washing machines; household, fully-automatic", "8450", "XVI"),
    ("87", 2, "Vehicles; other than railway or tramway rolling stock", None, "XVII"),
    ("8701", 4, "Tractors; (other than tractors of heading no 8709)", "87", "XVII"),
    ("870193", 6, "Tractors; of an engine power exceeding 37kW but not exceeding 75kW", "8701", "XVII"),
]


@pytest.fixture(autouse=True)
def hs_codes(db):
    for code, level, name, parent, section in HS_CODES:
        Sector.objects.get_or_create(
            code=code, defaults={"level": level, "name": name, "parent_id": parent, "section_id": section}
        )


@pytest.fixture(autouse=True)
def _english():
    """Reasons are the services' messages: read them in English here."""
    with translation.override("en"):
        yield


def csv_text(rows: list[dict], header: list[str] = HEADER) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write(tmp_path: Path, text: str, *, name: str = "members.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def run(path: Path, **kwargs):
    kwargs.setdefault("base_url", BASE_URL)
    return import_producers(path=path, **kwargs)


def company(email: str, **overrides) -> dict:
    row = {
        "email": email,
        "company_name": "صنایع برودتی سهند",
        "contact_name": "رضا احمدی",
        "phone": "۰۴۱-۳۳۳۳۱۲۳۴",
        "website": "sahand.example.com",
        "city": "تبریز",
        "province": "آذربایجان شرقی",
        "description": "یخچال و فریزر خانگی",
        "target_markets": "IQ; AZ|AM",
        "certifications": "ISO 9001; CE",
        "languages": "fa;en;az",
        "employees": "۲۵۰",
        "founded": "۱۳۷۸",
        "preferred_language": "",
        "product_name": "یخچال فریزر دوقلو",
        "hs_code": "۸۴۱۸.۲۱",
        "annual_capacity": "۴۵٬۰۰۰",
        "capacity_unit": "دستگاه",
        "available_capacity": "30,000",
        "moq": "۲۰۰",
    }
    row.update(overrides)
    return row


def follow_up(email: str, **product) -> dict:
    """A further product line of a company: the company cells left blank."""
    row = dict.fromkeys(HEADER, "")
    row.update(email=email, capacity_unit="units", **product)
    return row


def reasons_by_line(report) -> dict[int, str]:
    return {row.line: "; ".join(row.reasons) for row in report.skipped}


MIXED_ROWS = [
    company("sales@sahand.example.com"),  # line 2: good
    company("not-an-email", company_name="Bad Email Co."),  # line 3
    company("hs@example.com", hs_code="123456"),  # line 4
    company("negative@example.com", annual_capacity="-500"),  # line 5
    company("country@example.com", target_markets="IQ;XX"),  # line 6
    company("staff@example.com", employees="about fifty"),  # line 7
    company("noname@example.com", company_name=""),  # line 8
    company("buyer@example.com"),  # line 9: an existing buyer
    # line 10: a second product line of line 2's company, company cells blank
    follow_up(
        "SALES@sahand.example.com", product_name="فریزر صندوقی", hs_code="841830", annual_capacity="12000"
    ),
    company(  # line 11: another company, in English
        "export@tractor.example.com",
        company_name="Tabriz Tractor Parts Co.",
        contact_name="Sara Karimi",
        preferred_language="en",
        target_markets="TR|GE",
        product_name="Tractor 75 hp",
        hs_code="870193",
        annual_capacity="1,200",
        capacity_unit="units",
        available_capacity="800",
        moq="5",
    ),
]


@pytest.fixture(autouse=True)
def buyer(make_user):
    return make_user("buyer", email="buyer@example.com")


def test_bad_rows_are_reported_by_line_and_reason_and_good_rows_land(tmp_path):
    report = run(write(tmp_path, csv_text(MIXED_ROWS)), send_invitations=False)

    reasons = reasons_by_line(report)
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9]
    assert reasons[3] == "email: Enter a valid email address."
    assert reasons[4] == "hs_code: HS code 123456 does not exist."
    assert reasons[5] == "annual_capacity: Enter a number greater than zero."
    assert reasons[6] == "target_markets: “XX” is not a country code (ISO 3166-1 alpha-2)."
    assert reasons[7] == "employees: Enter a whole number."
    assert reasons[8] == "company_name: This field is required."
    assert reasons[9].startswith("email: buyer@example.com already has an account as Buyer")
    assert (report.rows_read, report.rows_skipped) == (10, 7)
    assert (report.users_created, report.profiles_created, report.profiles_updated) == (2, 2, 0)
    assert (report.products_created, report.products_updated) == (3, 0)

    # Nothing of the bad rows was written; the buyer is untouched.
    assert set(User.objects.values_list("email", flat=True)) == {
        "buyer@example.com",
        "sales@sahand.example.com",
        "export@tractor.example.com",
    }
    assert not hasattr(User.objects.get(email="buyer@example.com"), "producer_profile")


def test_good_rows_land_with_profile_products_and_a_verified_account(tmp_path):
    run(write(tmp_path, csv_text(MIXED_ROWS)), send_invitations=False)

    user = User.objects.get(email="sales@sahand.example.com")
    assert user.role == "producer" and user.preferred_language == "fa" and user.full_name == "رضا احمدی"
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    profile = user.producer_profile
    assert profile.name == "صنایع برودتی سهند"
    assert profile.email == "sales@sahand.example.com"  # the login doubles as the contact address
    assert profile.phone == "041-33331234"
    assert profile.website == "https://sahand.example.com"
    assert (profile.city, profile.province) == ("تبریز", "آذربایجان شرقی")
    assert sorted(country.code for country in profile.target_markets) == ["AM", "AZ", "IQ"]
    assert profile.certifications == ["ISO9001", "CE"]
    assert profile.languages == ["fa", "en", "az"]
    assert profile.employees == 250
    assert profile.founded == 1999  # solar hijri 1378
    fridge, freezer = profile.products.order_by("hs_code")
    assert (fridge.name, fridge.hs_code_id, fridge.capacity_unit) == ("یخچال فریزر دوقلو", "841821", "units")
    assert (fridge.annual_capacity, fridge.available_capacity, fridge.moq) == (
        Decimal("45000"),
        Decimal("30000"),
        Decimal("200"),
    )
    assert (freezer.name, freezer.hs_code_id, freezer.available_capacity) == (
        "فریزر صندوقی",
        "841830",
        Decimal("12000"),
    )
    tractor = User.objects.get(email="export@tractor.example.com")
    assert tractor.preferred_language == "en"
    assert tractor.producer_profile.products.get().annual_capacity == Decimal("1200")


def test_rerunning_the_file_updates_instead_of_duplicating(tmp_path):
    path = write(tmp_path, csv_text(MIXED_ROWS))
    run(path, send_invitations=False)
    counts = (User.objects.count(), ProducerProfile.objects.count(), Product.objects.count())

    again = run(path, send_invitations=False)
    assert (User.objects.count(), ProducerProfile.objects.count(), Product.objects.count()) == counts
    assert (again.users_created, again.profiles_created, again.products_created) == (0, 0, 0)
    assert (again.profiles_updated, again.products_updated) == (2, 3)

    changed = [
        company(
            "sales@sahand.example.com", description="توضیح تازه", annual_capacity="50000", employees="300"
        ),
        # Another spelling of the same product name (Arabic yeh, no ZWNJ): the same product.
        follow_up("sales@sahand.example.com", product_name="يخچال فريزر دوقلو", moq="100"),
    ]
    report = run(write(tmp_path, csv_text(changed), name="changed.csv"), send_invitations=False)
    assert report.skipped == []
    assert (report.profiles_updated, report.products_created, report.products_updated) == (1, 0, 1)
    profile = ProducerProfile.objects.get(owner__email="sales@sahand.example.com")
    assert (profile.description, profile.employees) == ("توضیح تازه", 300)
    fridge = profile.products.get(hs_code="841821")
    assert (fridge.annual_capacity, fridge.moq) == (Decimal("50000"), Decimal("100"))
    assert Product.objects.count() == counts[2]


def test_each_new_user_gets_one_invitation_whose_link_sets_a_password(
    tmp_path, client, django_capture_on_commit_callbacks
):
    path = write(tmp_path, csv_text(MIXED_ROWS))
    with django_capture_on_commit_callbacks(execute=True):
        report = run(path)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "export@tractor.example.com",
        "sales@sahand.example.com",
    ]
    assert report.invitations_sent == 2 and report.invitation_failures == []

    persian = next(m for m in mail.outbox if m.to == ["sales@sahand.example.com"])
    english = next(m for m in mail.outbox if m.to == ["export@tractor.example.com"])
    assert "پل صادرات" in persian.subject and "صنایع برودتی سهند" in persian.body
    assert "Tabriz Tractor Parts Co." in english.subject and "choose your password" in english.body.lower()
    html, mimetype = persian.alternatives[0]
    assert mimetype == "text/html" and 'dir="rtl"' in html

    link = re.search(r"http://testserver/\S+", persian.body).group(0)
    assert link in html
    response = client.get(urlsplit(link).path, follow=True)
    assert response.status_code == 200
    assert b'name="password1"' in response.content
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else urlsplit(link).path
    new_password = "a-new-strong-password-1405"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "sales@sahand.example.com", "password": new_password}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email="sales@sahand.example.com").pk)

    # The link works once; a rerun invites nobody again.
    assert b'name="password1"' not in client.get(urlsplit(link).path, follow=True).content
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(path)
    assert mail.outbox == []


def test_no_email_skips_invitations(tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = run(write(tmp_path, csv_text(MIXED_ROWS)), send_invitations=False)
    assert report.users_created == 2 and mail.outbox == []


def test_dry_run_validates_everything_and_writes_nothing(tmp_path, django_capture_on_commit_callbacks):
    path = write(tmp_path, csv_text(MIXED_ROWS))
    before = (User.objects.count(), EmailAddress.objects.count(), ProducerProfile.objects.count())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dry = run(path, dry_run=True)
    assert callbacks == [] and mail.outbox == []
    assert (User.objects.count(), EmailAddress.objects.count(), ProducerProfile.objects.count()) == before
    assert Product.objects.count() == 0
    assert dry.dry_run and dry.invitations_queued == 2

    real = run(path, send_invitations=False)
    assert reasons_by_line(dry) == reasons_by_line(real)
    for count in ("rows_read", "users_created", "profiles_created", "products_created", "rows_skipped"):
        assert getattr(dry, count) == getattr(real, count), count


def test_bom_persian_headers_semicolons_and_persian_digits(tmp_path):
    text = (
        "ایمیل;نام شرکت;نام رابط;تلفن;بازارهای هدف;تعداد کارکنان;سال تأسیس;"
        "نام محصول;کد تعرفه;ظرفیت سالانه;واحد;حداقل سفارش\n"
        "info@heris.example.com;فرش دستباف هریس;مریم رضایی;۰۹۱۴ ۱۲۳ ۴۵۶۷;IQ،AE;۴۵;۱۳۹۰;"
        "فرش پشمی;٥٧٠١١٠;۳٬۵۰۰;متر مربع;٢٠\n"
    )
    report = run(write(tmp_path, text, bom=True), send_invitations=False)
    assert report.skipped == [] and report.ignored_columns == []
    profile = ProducerProfile.objects.get(owner__email="info@heris.example.com")
    assert (profile.name, profile.contact_name, profile.phone) == (
        "فرش دستباف هریس",
        "مریم رضایی",
        "0914 123 4567",
    )
    assert (profile.employees, profile.founded) == (45, 2011)
    product = profile.products.get()
    assert (product.hs_code_id, product.annual_capacity, product.capacity_unit, product.moq) == (
        "570110",
        Decimal("3500"),
        "m2",
        Decimal("20"),
    )


def test_line_numbers_are_physical_lines_with_multiline_cells_and_blank_lines(tmp_path):
    text = (
        "email,company_name,description,employees\n"
        'one@example.com,One Co.,"first line\nsecond line\nthird line",10\n'
        "\n"
        "two@example.com,Two Co.,,many\n"
    )
    report = run(write(tmp_path, text), send_invitations=False)
    assert reasons_by_line(report) == {6: "employees: Enter a whole number."}
    assert report.rows_read == 2
    assert ProducerProfile.objects.get(name="One Co.").description == "first line\nsecond line\nthird line"


def test_a_failing_row_leaves_no_orphan_user(tmp_path, django_capture_on_commit_callbacks):
    rows = [
        company("late-product@example.com", hs_code="123456"),  # fails after the user and profile were made
        company("late-profile@example.com", founded="3050"),  # fails after the user was made
        company("row-with-extra@example.com", product_name="", moq="5"),  # product cells without a name
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report = run(write(tmp_path, csv_text(rows)))
    assert reasons_by_line(report) == {
        2: "hs_code: HS code 123456 does not exist.",
        3: "founded: Enter a year between 1800 and this year.",
        4: "product_name: This field is required.",
    }
    assert not User.objects.filter(role="producer").exists()
    assert not EmailAddress.objects.filter(user__role="producer").exists()
    assert not ProducerProfile.objects.exists()
    assert mail.outbox == [] and report.invitations_queued == 0


def test_a_self_registered_producer_without_profile_is_refused_and_not_emailed(
    tmp_path, make_user, django_capture_on_commit_callbacks
):
    user = make_user("producer", email="signed-up@example.com", preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        report = run(write(tmp_path, csv_text([company("Signed-Up@example.com")])))
    assert (report.users_created, report.profiles_created, report.products_created) == (0, 0, 0)
    assert [row.line for row in report.refused] == [2] and report.rows_skipped == 0
    assert "registered on the portal themselves" in str(report.refused[0])
    assert not ProducerProfile.objects.filter(owner=user).exists()
    assert user.has_usable_password() and mail.outbox == []


# --- An import changes only what an import made (issue 12) -----------------------------------


@pytest.fixture
def self_registered(make_user):
    """A producer who signed up and wrote their own profile and product."""
    from accounts.services import producer_profile_create
    from catalogue.services import product_create

    user = make_user("producer", email="own@example.com")
    profile = producer_profile_create(
        actor=user,
        data={"name": "Own Words Co.", "email": "own-contact@example.com", "phone": "+98 41 1111 2222"},
    )
    product_create(
        producer=profile,
        actor=user,
        data={
            "name": "یخچال فریزر دوقلو",
            "hs_code": "841821",
            "annual_capacity": "10",
            "capacity_unit": "units",
        },
    )
    return profile


def test_a_self_registered_producers_contacts_and_products_are_never_overwritten(tmp_path, self_registered):
    before = {
        "profile": ProducerProfile.objects.filter(pk=self_registered.pk).values().get(),
        "products": list(Product.objects.filter(producer=self_registered).values()),
    }
    rows = [
        company("first@example.com"),
        company(
            "OWN@example.com", contact_email="chamber@example.com", phone="041-0000", annual_capacity="999"
        ),
        follow_up("own@example.com", product_name="Chest freezer", hs_code="841830", annual_capacity="5"),
        company("last@example.com"),
    ]

    report = run(write(tmp_path, csv_text(rows, header=[*HEADER, "contact_email"])), send_invitations=False)

    assert [row.line for row in report.refused] == [3, 4] and report.rows_skipped == 0
    assert ProducerProfile.objects.filter(pk=self_registered.pk).values().get() == before["profile"]
    assert list(Product.objects.filter(producer=self_registered).values()) == before["products"]
    assert report.profiles_created == 2 and report.profiles_updated == 0


def test_an_imported_profile_is_updated_until_its_producer_signs_in(tmp_path):
    from django.utils import timezone

    path = write(tmp_path, csv_text([company("imp@example.com")]))
    run(path, send_invitations=False)
    profile = ProducerProfile.objects.get(owner__email="imp@example.com")
    assert profile.imported_at is not None

    again = run(
        write(tmp_path, csv_text([company("imp@example.com", phone="041-3333-9999")])), send_invitations=False
    )
    assert again.profiles_updated == 1 and not again.refused
    User.objects.filter(pk=profile.owner_id).update(last_login=timezone.now())  # the producer took it over

    last = run(
        write(tmp_path, csv_text([company("imp@example.com", phone="041-3333-0000")])), send_invitations=False
    )
    assert [row.line for row in last.refused] == [2] and "signed in" in str(last.refused[0])
    profile.refresh_from_db()
    assert profile.phone.endswith("9999")


def test_the_command_lists_the_refused_rows_apart(tmp_path, self_registered):
    out = io.StringIO()
    call_command(
        "import_producers",
        str(write(tmp_path, csv_text([company("own@example.com")]))),
        "--no-email",
        stdout=out,
    )
    text = out.getvalue()
    assert "Rows refused (producers the import did not make): 1" in text
    assert "Rows skipped: 0" in text and "line 2: own@example.com registered on the portal themselves" in text


def test_profiles_imported_before_the_field_existed_are_recognised(make_user, self_registered):
    """The migration marks as imported the profiles whose owner has no usable password."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0005_producerprofile_imported_at")
    imported = make_user("producer", email="old-import@example.com")
    imported.set_unusable_password()
    imported.save()
    from accounts.services import producer_profile_create

    old = producer_profile_create(actor=imported, data={"name": "Old Import Co."})
    ProducerProfile.objects.update(imported_at=None)

    migration.mark_imported(apps, None)

    assert set(ProducerProfile.objects.exclude(imported_at=None).values_list("pk", flat=True)) == {old.pk}


def test_unknown_columns_are_reported_and_extra_cells_reject_the_row(tmp_path):
    text = "email,company_name,fax\na@example.com,A Co.,123\nb@example.com,B Co.,456,surplus\n"
    report = run(write(tmp_path, text), send_invitations=False)
    assert report.ignored_columns == ["fax"]
    assert reasons_by_line(report) == {3: "the row has 4 cells but the header only 3 columns"}


def test_command_prints_a_summary_and_each_skipped_row(tmp_path):
    out = io.StringIO()
    call_command("import_producers", str(write(tmp_path, csv_text(MIXED_ROWS))), "--no-email", stdout=out)
    output = out.getvalue()
    for line in (
        "Rows read: 10",
        "Users created: 2",
        "Profiles created: 2",
        "Profiles updated: 0",
        "Products created: 3",
        "Products updated: 0",
        "Rows skipped: 7",
        "line 3: email: Enter a valid email address.",
        "line 4: hs_code: HS code 123456 does not exist.",
    ):
        assert line in output


def test_command_dry_run_and_base_url(tmp_path):
    out = io.StringIO()
    path = str(write(tmp_path, csv_text(MIXED_ROWS[:1])))
    call_command("import_producers", path, "--dry-run", "--base-url", "https://portal.example", stdout=out)
    assert "Dry run" in out.getvalue() and "Invitations that would be sent: 1" in out.getvalue()
    assert not User.objects.filter(role="producer").exists()


def test_command_errors_for_missing_file_bad_header_and_non_utf8(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_producers", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="company_name"):
        call_command("import_producers", str(write(tmp_path, "email,name\na@example.com,A\n")))
    with pytest.raises(CommandError, match="empty"):
        call_command("import_producers", str(write(tmp_path, "")))
    windows = tmp_path / "windows-1256.csv"
    windows.write_bytes("email,company_name\na@example.com,صنايع سهند\n".encode("cp1256"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_producers", str(windows))
    with pytest.raises(CommandError, match="base URL"):
        call_command("import_producers", str(write(tmp_path, csv_text([]))), "--base-url", "portal.example")
    assert not User.objects.filter(role="producer").exists()


def test_the_documented_example_imports_cleanly():
    path = Path(settings.BASE_DIR) / "docs" / "examples" / "producers.csv"
    report = run(path, send_invitations=False)
    assert report.skipped == [] and report.ignored_columns == []
    assert report.users_created == report.profiles_created >= 3
    assert report.products_created > report.profiles_created  # one company lists two product lines


def test_each_column_spelling_names_one_column():
    from catalogue.imports import _header_key

    columns_by_key: dict[str, set[str]] = {}
    for column in COLUMNS:
        for spelling in (column.name, *column.aliases):
            columns_by_key.setdefault(_header_key(spelling), set()).add(column.name)
    assert {key: names for key, names in columns_by_key.items() if len(names) > 1} == {}


def test_an_open_file_yes_no_cells_and_declared_sectors(tmp_path):
    text = (
        "Email,Company Name,Open to any market,Sectors,Certifications\n"
        "a@example.com,A Co.,بله,8418;8450,ISO9001|HALAL\n"
        "b@example.com,B Co.,maybe,,\n"
    )
    report = import_producers(file=io.BytesIO(text.encode()), base_url=BASE_URL, send_invitations=False)
    assert reasons_by_line(report) == {3: "open_to_any_market: Enter yes or no."}
    profile = ProducerProfile.objects.get(name="A Co.")
    assert profile.open_to_any_market is True
    assert sorted(profile.declared_sectors.values_list("code", flat=True)) == ["8418", "8450"]
    assert profile.certifications == ["ISO9001", "HALAL"]


def test_two_products_of_the_same_name_make_the_row_ambiguous(tmp_path):
    from catalogue.services import product_create

    path = write(tmp_path, csv_text([company("sales@sahand.example.com")]))
    run(path, send_invitations=False)
    profile = ProducerProfile.objects.get(owner__email="sales@sahand.example.com")
    data = {"name": "یخچال فریزر دوقلو", "hs_code": "841821", "annual_capacity": 10, "capacity_unit": "units"}
    product_create(producer=profile, actor=profile.owner, data=data)
    report = run(path, send_invitations=False)
    assert reasons_by_line(report)[2].startswith("product_name: this producer has 2 products named")


class RefusingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


def test_a_failed_invitation_is_reported_and_the_account_stays(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        report = run(write(tmp_path, csv_text([company("sales@sahand.example.com")])))
    assert report.invitations_sent == 0
    assert report.invitation_failures == [
        "line 2: the invitation to sales@sahand.example.com was not sent: mail server down"
    ]
    assert User.objects.filter(email="sales@sahand.example.com").exists()


# --- Files that fail well: one bad row costs that row, never the file (issue 12) -------------

# Every column a cell of which is text stored as is: too long, it is refused before writing.
TEXT_COLUMNS = ["email", "company_name", "contact_name", "phone", "website", "city", "province"]
TEXT_COLUMNS += ["description", "product_name"]


def _cell_too_long(column: str) -> str:
    from catalogue.imports import _MAX_LENGTHS

    limit = _MAX_LENGTHS[column]
    if column == "email":
        return "a" * limit + "@example.com"
    if column == "website":
        return "https://example.com/" + "a" * limit
    if column == "phone":
        return "1" * (limit + 1)
    return "ب" * (limit + 1)


@pytest.mark.parametrize("column", TEXT_COLUMNS)
def test_an_over_long_cell_skips_its_row_by_line_and_the_rows_after_it_land(tmp_path, column):
    rows = [
        company("first@example.com"),
        {**company("long@example.com"), column: _cell_too_long(column)},
        company("last@example.com", product_name="Chest freezer", hs_code="841830"),
    ]
    report = run(write(tmp_path, csv_text(rows)), send_invitations=False)
    reasons = reasons_by_line(report)
    assert list(reasons) == [3], reasons
    assert reasons[3].startswith(f"{column}: ") and "at most" in reasons[3]
    assert (
        ProducerProfile.objects.filter(owner__email__in=["first@example.com", "last@example.com"]).count()
        == 2
    )


@pytest.mark.parametrize("column", [column for column in HEADER if column != "email"])
@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f"])
def test_a_control_character_in_any_cell_skips_its_row_and_the_rows_after_it_land(
    tmp_path, column, character
):
    rows = [
        company("first@example.com"),
        company("nul@example.com", **{column: "pump" + character + "s"}),
        company("last@example.com", product_name="Chest freezer", hs_code="841830"),
    ]
    report = run(write(tmp_path, csv_text(rows)), send_invitations=False)
    reasons = reasons_by_line(report)
    assert list(reasons) == [3], reasons
    assert reasons[3].startswith(f"{column}: ") and f"U+{ord(character):04X}" in reasons[3]
    assert not User.objects.filter(email="nul@example.com").exists()
    assert User.objects.filter(email__in=["first@example.com", "last@example.com"]).count() == 2


def test_a_nul_in_the_email_cell_is_a_bad_row_not_a_traceback(tmp_path):
    rows = [company("first@example.com"), company("n\x00ul@example.com"), company("last@example.com")]
    report = run(write(tmp_path, csv_text(rows)), send_invitations=False)
    assert list(reasons_by_line(report)) == [3]
    assert User.objects.filter(email__in=["first@example.com", "last@example.com"]).count() == 2


def test_line_breaks_stay_out_of_single_line_cells_and_are_kept_in_descriptions(tmp_path):
    rows = [
        company("broken@example.com", company_name="Sahand\nRefrigeration"),
        company("multi@example.com", description="Fridges.\r\nFreezers."),
    ]
    report = run(write(tmp_path, csv_text(rows)), send_invitations=False)
    assert list(reasons_by_line(report)) == [2]
    assert "single line" in reasons_by_line(report)[2]
    assert ProducerProfile.objects.get(owner__email="multi@example.com").description.startswith("Fridges.")


def test_stray_bytes_huge_cells_extra_cells_and_broken_quotes_cost_one_row_each(tmp_path):
    from portal.csvfiles import MAX_CELL_CHARS

    lines = [
        csv_text([company("first@example.com")]).rstrip("\n"),  # header, line 2
        csv_text([company("latin1@example.com", city="Tabriz\udce9")]).splitlines()[1],  # line 3
        csv_text([company("huge@example.com", description="x" * (MAX_CELL_CHARS + 1))]).splitlines()[1],
        csv_text([company("extra@example.com")]).splitlines()[1] + ",surplus",  # line 5
        csv_text([company("last@example.com")]).splitlines()[1],  # line 6
    ]
    raw = "\r\n".join(lines).encode("utf-8", errors="surrogateescape") + b"\r\n"
    path = tmp_path / "members.csv"
    path.write_bytes(b"\xef\xbb\xbf" + raw)
    report = run(path, send_invitations=False)
    reasons = reasons_by_line(report)
    assert sorted(reasons) == [3, 4, 5], reasons
    assert "0xe9" in reasons[3] and "UTF-8" in reasons[3]
    assert str(MAX_CELL_CHARS) in reasons[4]
    assert "cells" in reasons[5]
    assert User.objects.filter(email__in=["first@example.com", "last@example.com"]).count() == 2


def test_a_file_in_another_character_set_is_refused_as_a_whole(tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes("email,company_name\na@example.com,Café Tabriz\nb@example.com,Crème\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_producers", str(path), "--no-email", stdout=io.StringIO())
    assert not User.objects.filter(email__in=["a@example.com", "b@example.com"]).exists()


def test_a_row_the_database_refuses_is_skipped_alone(tmp_path, monkeypatch):
    """What the checks let through and the database refuses costs only its row."""
    from django.db import DataError

    from catalogue import imports

    real = imports.producer_profile_create

    def refusing(*, actor, data):
        if data.get("name") == "Refused Co.":
            raise DataError("value too long for type character varying(200)")
        return real(actor=actor, data=data)

    monkeypatch.setattr(imports, "producer_profile_create", refusing)
    rows = [
        company("a@example.com"),
        company("b@example.com", company_name="Refused Co."),
        company("c@example.com"),
    ]
    report = run(write(tmp_path, csv_text(rows)), send_invitations=False)
    assert list(reasons_by_line(report)) == [3]
    assert "database refused" in reasons_by_line(report)[3]
    assert set(User.objects.filter(role="producer").values_list("email", flat=True)) == {
        "a@example.com",
        "c@example.com",
    }


@pytest.mark.parametrize(
    "written, language",
    [
        ("Arabic", "ar"),
        ("العربية", "ar"),
        ("عربي", "ar"),  # an Arabic keyboard's yeh, folded
        ("RU", "ru"),
        ("Русский", "ru"),
        ("روسی", "ru"),
        ("Türkçe", "tr"),
        ("turkish", "tr"),
        ("ترکی", "tr"),
        ("فارسی", "fa"),
        ("English", "en"),
    ],
)
def test_the_preferred_language_may_be_any_interface_language_by_any_of_its_names(
    tmp_path, written, language
):
    rows = [company("lang@example.com", preferred_language=written)]
    report = run(write(tmp_path, csv_text(rows)), send_invitations=False)
    assert report.skipped == []
    assert User.objects.get(email="lang@example.com").preferred_language == language
