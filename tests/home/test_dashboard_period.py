"""The dashboard's period, monthly trends and download (home.periods, home.trends,
home.dashboard_export): the period filters the figures, months are cut at the right moment
(Jalali months for Persian readers), the download is what the page shows in the reader's scope,
bad dates are form errors, and the queries stay bounded."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from home import periods
from home.deal_figures import deal_figures
from home.trends import monthly_trends
from matchmaking.models import Match, MatchStatus
from portal import exports
from sourcing.models import BuyingRequest, RequestStatus
from tests.factories import UserFactory
from tests.home.test_deal_figures import make_request, won
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db


def at(day: str, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """A local (Tehran) moment."""
    return timezone.make_aware(
        datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour, minute))
    )


def dated_request(buyer, posted: datetime.datetime, status=RequestStatus.PUBLISHED, closed=None):
    request, line = make_request(buyer, status)
    BuyingRequest.objects.filter(pk=request.pk).update(created_at=posted, closed_at=closed)
    return request, line


def dated_won(producer, buyer, counsellor, value, currency, declared: datetime.datetime, **fields):
    match = won(producer, buyer, counsellor, value, currency, **fields)
    Match.objects.filter(pk=match.pk).update(
        created_at=declared - datetime.timedelta(days=20),
        forwarded_at=declared - datetime.timedelta(days=10),
        outcome_declared_at=declared,
        outcome_confirmed_at=declared,
    )
    return match


def forwarded_at(producer, buyer, counsellor, moment: datetime.datetime):
    match = make_match(producer, buyer, status=MatchStatus.FORWARDED, counsellor=counsellor)
    Match.objects.filter(pk=match.pk).update(created_at=moment, forwarded_at=moment)
    return match


@pytest.fixture
def world():
    iraq, turkey = make_counsellor("IQ"), make_counsellor("TR")
    b_iq, b_tr = make_buyer(country="IQ"), make_buyer(country="TR")
    p1 = make_producer(markets=("IQ", "TR"))
    staff = UserFactory(role="staff")
    # January and March 2026 (Gregorian).
    dated_request(b_iq, at("2026-01-10"))
    dated_request(b_iq, at("2026-03-05"), RequestStatus.AWARDED, closed=at("2026-03-20"))
    dated_request(b_tr, at("2026-03-06"))
    dated_won(p1, b_iq, iraq, "1000", "USD", at("2026-01-15"))
    dated_won(make_producer(), b_iq, iraq, "400", "USD", at("2026-03-10"))
    dated_won(p1, b_tr, turkey, "700", "EUR", at("2026-03-12"))
    return {"staff": staff, "iraq": iraq, "turkey": turkey, "b_iq": b_iq, "b_tr": b_tr, "p1": p1}


MARCH = periods.chosen(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), jalali=False)
Q1 = periods.chosen(datetime.date(2026, 1, 1), datetime.date(2026, 3, 31), jalali=False)


# --- The period filters the figures --------------------------------------------------------------


def test_the_period_filters_the_funnel_and_the_won_value(world):
    staff = world["staff"]
    march = deal_figures(staff, MARCH)
    assert march["funnel"]["posted"] == 2 and march["funnel"]["awarded"] == 1
    assert {(r.key, r.currency): r.confirmed_total for r in march["won"].by_market} == {
        ("IQ", "USD"): Decimal("400.00"),
        ("TR", "EUR"): Decimal("700.00"),
    }
    everything = deal_figures(staff, periods.chosen(datetime.date(2025, 1, 1), None, jalali=False))
    assert everything["funnel"]["posted"] == 3
    january = deal_figures(staff, periods.chosen(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31)))
    assert january["funnel"]["posted"] == 1 and january["funnel"]["awarded"] == 0
    assert {r.key: r.confirmed_total for r in january["won"].by_market} == {"IQ": Decimal("1000.00")}
    # Each role keeps its scope within the period.
    turkey = deal_figures(world["turkey"], MARCH)
    assert turkey["funnel"]["posted"] == 1
    assert {r.key for r in turkey["won"].by_market} == {"TR"}


def test_monthly_series_per_gregorian_month(world):
    trends = monthly_trends(world["staff"], Q1)
    assert [row.first for row in trends.months] == [
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
        datetime.date(2026, 3, 1),
    ]
    assert [row.counts["posted"] for row in trends.months] == [1, 0, 2]
    assert [row.counts["awarded"] for row in trends.months] == [0, 0, 1]
    assert [row.counts["won"] for row in trends.months] == [1, 0, 2]
    assert [row.won_value for row in trends.months] == [
        {"USD": Decimal("1000.00")},
        {},
        {"EUR": Decimal("700.00"), "USD": Decimal("400.00")},
    ]
    assert trends.currencies == ["EUR", "USD"]
    assert trends.totals()["won"] == 3 and trends.won_total() == {
        "EUR": Decimal("700.00"),
        "USD": Decimal("1400.00"),
    }


def test_a_month_ends_at_local_midnight(db):
    staff, iraq = UserFactory(role="staff"), make_counsellor("IQ")
    producer, buyer = make_producer(), make_buyer()
    forwarded_at(producer, buyer, iraq, at("2026-01-31", 23, 59))
    forwarded_at(make_producer(), buyer, iraq, at("2026-02-01", 0, 1))
    period = periods.chosen(datetime.date(2026, 1, 15), datetime.date(2026, 2, 10), jalali=False)
    trends = monthly_trends(staff, period)
    # The first and last months are cut at the period's own days.
    assert [(row.first, row.last) for row in trends.months] == [
        (datetime.date(2026, 1, 15), datetime.date(2026, 1, 31)),
        (datetime.date(2026, 2, 1), datetime.date(2026, 2, 10)),
    ]
    assert [row.counts["forwarded"] for row in trends.months] == [1, 1]
    assert [row.counts["proposed"] for row in trends.months] == [1, 1]


def test_persian_readers_get_jalali_months(db):
    staff, iraq = UserFactory(role="staff"), make_counsellor("IQ")
    buyer = make_buyer()
    # 1 Farvardin 1405 is 21 March 2026: the 20th is still Esfand 1404.
    forwarded_at(make_producer(), buyer, iraq, at("2026-03-20", 23, 0))
    forwarded_at(make_producer(), buyer, iraq, at("2026-03-21", 1, 0))
    forwarded_at(make_producer(), buyer, iraq, at("2026-04-15"))
    with translation.override("fa"):
        period = periods.chosen(datetime.date(2026, 2, 20), datetime.date(2026, 4, 20))
        trends = monthly_trends(staff, period)
    assert period.jalali
    assert [row.label for row in trends.months] == ["اسفند ۱۴۰۴", "فروردین ۱۴۰۵"]
    assert [row.counts["forwarded"] for row in trends.months] == [1, 2]
    with translation.override("en"):
        gregorian = monthly_trends(
            staff, periods.chosen(datetime.date(2026, 3, 1), datetime.date(2026, 4, 30))
        )
    assert [row.label for row in gregorian.months] == ["March 2026", "April 2026"]
    assert [row.counts["forwarded"] for row in gregorian.months] == [2, 1]


def test_presets_follow_the_readers_calendar():
    today = datetime.date(2026, 4, 10)  # 21 Farvardin 1405
    assert periods.preset(periods.MONTH, today, jalali=True).start == datetime.date(2026, 3, 21)
    assert periods.preset(periods.MONTH, today, jalali=False).start == datetime.date(2026, 4, 1)
    assert periods.preset(periods.QUARTER, today, jalali=False).start == datetime.date(2026, 2, 1)
    assert periods.preset(periods.QUARTER, today, jalali=True).start == datetime.date(2026, 1, 21)
    assert periods.preset(periods.YEAR, today, jalali=True).start == datetime.date(2026, 3, 21)
    assert periods.preset(periods.YEAR, today, jalali=False).start == datetime.date(2026, 1, 1)
    assert periods.preset(periods.ALL, today).start is None


def test_all_time_starts_at_the_first_month_with_something(world):
    period = periods.preset(periods.ALL, datetime.date(2026, 4, 10), jalali=False)
    with translation.override("en"):
        trends = monthly_trends(world["staff"], period)
    # The first match was proposed on 26 December 2025 (won on 15 January).
    assert trends.months[0].first == datetime.date(2025, 12, 1)
    assert trends.months[0].label == "December 2025"
    assert trends.months[-1].first == datetime.date(2026, 4, 1)
    assert trends.totals()["posted"] == 3


# --- The page and its form ------------------------------------------------------------------------


def page(client, user, params=None, language="en", status=200):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("dashboard"), params or {})
    assert response.status_code == status
    return response


def test_the_page_shows_the_chosen_period(client, world):
    response = page(client, world["staff"], {"start": "2026-03-01", "end": "2026-03-31"})
    html = response.content.decode()
    assert response.context["period"].kind == periods.CUSTOM
    assert 'data-testid="funnel-posted">2<' in html
    assert 'data-testid="table-trends"' in html and 'data-chart="chart-trend-0"' in html
    assert 'data-testid="trend-2026-03-01"' in html and "chart.umd.min.js" in html
    # The download links carry the period.
    assert (
        reverse("dashboard_download", kwargs={"file_format": "csv"}) + "?end=2026-03-31&amp;start=2026-03-01"
        in html
    )


def test_persian_dates_are_typed_and_shown_in_jalali(client, world):
    # Esfand 1404 (20 Feb – 20 Mar 2026) holds the two March requests.
    response = page(client, world["staff"], {"start": "۱۴۰۴-۱۲-۰۱", "end": "1404-12-29"}, language="fa")
    period = response.context["period"]
    assert (period.start, period.end) == (datetime.date(2026, 2, 20), datetime.date(2026, 3, 20))
    html = response.content.decode()
    assert 'data-testid="funnel-posted">۲<' in html
    assert "اسفند ۱۴۰۴" in html
    assert "end=1404-12-29" in html  # the links repeat the Jalali dates


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2026-03-31", "end": "2026-03-01"}, "end", "must not be before its start"),
        ({"start": "yesterday"}, "start", "Enter a date as year-month-day"),
        ({"end": "99999-01-01"}, "end", "Enter a date as year-month-day"),
        ({"start": "2026-02-30"}, "start", "This date does not exist."),
        ({"start": "1800-01-01"}, "start", "Choose a date between"),
        ({"start": "2001-01-01", "end": "2026-01-01"}, "end", "ten years at most"),
        ({"period": "decade"}, "period", "Select a valid choice"),
    ],
)
def test_bad_dates_are_form_errors(client, world, params, field, message):
    response = page(client, world["staff"], params, status=400)
    form = response.context["period_form"]
    assert message in " ".join(form.errors[field])
    assert message in response.content.decode()
    assert response.context["period"].kind == periods.ALL  # the page still shows the figures
    client.force_login(world["staff"])
    download = client.get(reverse("dashboard_download", kwargs={"file_format": "csv"}), params)
    assert download.status_code == 400


def test_an_unknown_download_format_is_not_found(client, world):
    client.force_login(world["staff"])
    assert client.get(reverse("dashboard_download", kwargs={"file_format": "pdf"})).status_code == 404


# --- The download -------------------------------------------------------------------------------------


def download(client, user, file_format="csv", params=None):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("dashboard_download", kwargs={"file_format": file_format}), params or {})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="dashboard-')
    return response


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_is_what_the_page_shows(client, world):
    params = {"start": "2026-01-01", "end": "2026-03-31"}
    context = page(client, world["staff"], params).context
    rows = csv_rows(download(client, world["staff"], params=params))
    figures = {row[0]: row[1:] for row in rows if len(row) >= 2}
    trends = context["trends"]
    assert figures["Requests posted"][0] == str(trends.total("posted")) == "3"
    assert figures["Deals won"][0] == "3"
    won_values = {row[2]: Decimal(row[1]) for row in rows if row and row[0] == "Value won (confirmed)"}
    assert won_values == {"EUR": Decimal(700), "USD": Decimal(1400)} == trends.won_total()
    assert figures["Buying requests: Awarded"][0] == str(context["deals"]["funnel"]["awarded"])
    assert figures["From"][0] == "2026-01-01" and figures["To"][0] == "2026-03-31"
    monthly_start = rows.index(["Monthly trends"])
    header, *months = rows[monthly_start + 1 : monthly_start + 5]
    assert header[:3] == ["Month", "From", "To"] and "Requests posted" in header
    assert [m[0] for m in months] == ["January 2026", "February 2026", "March 2026"]
    posted = header.index("Requests posted")
    assert [m[posted] for m in months] == ["1", "0", "2"]


def test_a_counsellors_download_keeps_to_their_scope(client, world):
    rows = csv_rows(download(client, world["iraq"]))
    won = [row for row in rows if row and row[0] == "Buyer's market"]
    assert {row[1] for row in won} == {"IQ"}
    assert not any("Turkey" in cell or "EUR" in cell for row in rows for cell in row)
    # The other counsellor's file has their market and not this one's.
    other = csv_rows(download(client, world["turkey"]))
    assert {row[1] for row in other if row and row[0] == "Buyer's market"} == {"TR"}


def test_the_xlsx_has_the_three_tables(client, world):
    response = download(client, world["staff"], "xlsx", {"period": "all"})
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Figures", "Value won", "Monthly trends"]
    figures = {row[0]: row[1] for row in workbook["Figures"].iter_rows(min_row=2, values_only=True)}
    assert figures["Period"] == "All time" and figures["Requests posted"] == 3
    monthly = list(workbook["Monthly trends"].iter_rows(values_only=True))
    assert monthly[0][0] == "Month" and len(monthly) >= 2


def test_tables_neutralise_formulas():
    table = exports.Table("=title", ["=header"], [["=HYPERLINK(1)", -3, "+98 21"]])
    response = exports.tables_csv_response([table], "x.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))
    assert rows[:3] == [["'=title"], ["'=header"], ["'=HYPERLINK(1)", "-3", "'+98 21"]]
    workbook = openpyxl.load_workbook(io.BytesIO(exports.tables_xlsx_response([table], "x.xlsx").content))
    assert [
        tuple(v for v in row if v is not None) for row in workbook.worksheets[0].iter_rows(values_only=True)
    ] == [
        ("'=header",),
        ("'=HYPERLINK(1)", -3, "'+98 21"),
    ]


# --- Queries ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "iraq", "b_iq", "p1"])
def test_the_period_keeps_the_queries_bounded(client, world, role, django_assert_max_num_queries):
    user = world[role].owner if role in ("b_iq", "p1") else world[role]
    client.force_login(user)
    for params in ({"period": "all"}, {"start": "2016-06-01", "end": "2026-04-30"}):
        with django_assert_max_num_queries(20):
            assert client.get(reverse("dashboard"), params).status_code == 200
        with django_assert_max_num_queries(20):
            assert (
                client.get(reverse("dashboard_download", kwargs={"file_format": "csv"}), params).status_code
                == 200
            )
