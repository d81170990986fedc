"""The counsellor's dashboard and the staff's province dashboard: who sees them, their
figures on a small data set, charts with a table beside them, a bounded number of queries."""

import datetime
import json
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from counsellors.selectors import month_start
from matchmaking.models import MatchStatus
from tests.factories import UserFactory

from .pages_support import age, html_of, make_buyer, make_counsellor, make_match, make_producer

pytestmark = pytest.mark.django_db
DASHBOARD = "/counsellor/dashboard/"
PROVINCE = "/counsellor/province/"
FURNITURE = {
    "sector": {"code": "same_heading", "hs": "9403", "score": 0.85, "weight": 0.4},
}


@pytest.fixture
def pipeline():
    """Iraq desk: 2 proposed (one 10 days old), forwarded, connected, 3 won (USD 1000 and
    500 this month, EUR 200 three months ago), lost. Pool: one 20 days old and one withdrawn.
    Turkey desk: furniture, proposed and forwarded. An idle desk in Armenia."""
    iraq = make_counsellor("IQ", full_name="Iraq Desk")
    turkey = make_counsellor("TR", full_name="Turkey Desk")
    idle = make_counsellor("AM", full_name="Armenia Desk")
    producer = make_producer(name="Sahand Cooling")
    long_ago = timezone.now() - datetime.timedelta(days=100)

    def match(country="IQ", **fields):
        return make_match(producer, make_buyer(country=country), **fields)

    proposed_old = match(counsellor=iraq)
    age(proposed_old, 10)
    match(counsellor=iraq)
    match(counsellor=iraq, status=MatchStatus.FORWARDED)
    match(counsellor=iraq, status=MatchStatus.CONNECTED)
    match(counsellor=iraq, status=MatchStatus.WON, outcome_value=Decimal("1000"), outcome_currency="USD")
    match(counsellor=iraq, status=MatchStatus.WON, outcome_value=Decimal("500"), outcome_currency="USD")
    match(
        counsellor=iraq,
        status=MatchStatus.WON,
        outcome_value=Decimal("200"),
        outcome_currency="EUR",
        forwarded_at=long_ago,
        connected_at=long_ago,
    )
    match(counsellor=iraq, status=MatchStatus.LOST)
    age(match(country="BR"), 20)
    match(country="AM", status=MatchStatus.WITHDRAWN)
    match(country="TR", counsellor=turkey, breakdown=FURNITURE)
    match(country="TR", counsellor=turkey, status=MatchStatus.FORWARDED, breakdown=FURNITURE)
    return SimpleNamespace(iraq=iraq, turkey=turkey, idle=idle, staff=UserFactory(role="staff"))


def page(client, url, user):
    response, html = html_of(client, url, user)
    assert response.status_code == 200
    return response, html


# --- Who may see them ---------------------------------------------------------------------


def test_url_names():
    assert reverse("counsellors:dashboard") == DASHBOARD
    assert reverse("counsellors:province") == PROVINCE


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for url in (DASHBOARD, PROVINCE):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("role", "dashboard", "province"),
    [("producer", 403, 403), ("buyer", 403, 403), ("counsellor", 200, 403), ("staff", 200, 200)],
)
def test_who_sees_which_dashboard(client, make_user, role, dashboard, province):
    client.force_login(make_user(role))
    assert client.get(DASHBOARD).status_code == dashboard
    assert client.get(PROVINCE).status_code == province


# --- The counsellor's figures ----------------------------------------------------------------


def test_a_counsellors_figures(client, pipeline):
    response, html = page(client, DASHBOARD, pipeline.iraq)
    figures = response.context["figures"]
    assert figures["queue"] == 3 and figures["routed"] == 2 and figures["pool"] == 1
    assert figures["ageing"] == 2 and figures["overdue"] == 1
    assert figures["forwarded_month"] == 5  # forwarded, connected, 2 won, lost; not last quarter's
    assert figures["connected_month"] == 4
    assert figures["won"] == 3
    won = {row["currency"]: (row["total"], row["deals"]) for row in response.context["won_values"]}
    assert won == {"USD": (Decimal("1500"), 2), "EUR": (Decimal("200"), 1)}
    # The colleague's furniture matches are not theirs: one chapter only (84, with the pool).
    chapters = {row.key: row.total for row in response.context["by_chapter"]}
    assert chapters == {"84": 9}
    assert re.search(r'data-testid="figure-queue">\s*3<', html)
    assert "1,500" in html and "USD" in html and "EUR" in html


def test_a_colleagues_figures_are_their_own(client, pipeline):
    response, _html = page(client, DASHBOARD, pipeline.turkey)
    figures = response.context["figures"]
    assert figures["queue"] == 2 and figures["routed"] == 1 and figures["pool"] == 1
    assert figures["forwarded_month"] == 1 and figures["won"] == 0
    assert response.context["won_values"] == []
    assert {row.key: row.total for row in response.context["by_chapter"]} == {"94": 2, "84": 1}


def test_staff_see_everyones_figures(client, pipeline):
    response, _html = page(client, DASHBOARD, pipeline.staff)
    figures = response.context["figures"]
    assert figures["queue"] == 4 and figures["forwarded_month"] == 6 and figures["won"] == 3


def test_the_month_is_jalali_for_persian_readers():
    now = timezone.make_aware(datetime.datetime(2025, 10, 10, 12, 0))  # 18 Mehr 1404
    assert month_start(now, jalali=False).date() == datetime.date(2025, 10, 1)
    assert month_start(now, jalali=True).date() == datetime.date(2025, 9, 23)  # 1 Mehr 1404


def test_the_chapter_chart_reads_json_and_has_a_table(client, pipeline):
    _response, html = page(client, DASHBOARD, pipeline.iraq)
    assert 'canvas data-chart="chart-chapters" role="img"' in html
    data = json.loads(
        re.search(r'<script id="chart-chapters" type="application/json">(.*?)</script>', html).group(1)
    )
    assert data["labels"][0].startswith("84")
    proposed = next(d for d in data["datasets"] if d["key"] == "proposed")
    assert proposed["data"] == [3]
    assert 'data-testid="table-chapters"' in html
    assert "/static/vendor/chartjs/chart.umd.min.js" in html and "/static/counsellors/charts.js" in html


def test_no_inline_script_beyond_json(client, pipeline):
    for url, user in ((DASHBOARD, pipeline.iraq), (PROVINCE, pipeline.staff)):
        _response, html = page(client, url, user)
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, tag


def test_empty_dashboard(client, db):
    _response, html = page(client, DASHBOARD, make_counsellor("AM"))
    assert "No deals won yet." in html and "No matches yet." in html
    assert "data-chart=" not in html


# --- The province ----------------------------------------------------------------------------


def test_the_province_pipeline(client, pipeline):
    response, html = page(client, PROVINCE, pipeline.staff)
    context = response.context
    assert context["funnel"] == {"proposed": 11, "forwarded": 7, "connected": 5, "won": 3}
    steps = {step["key"]: step for step in context["steps"]}
    assert steps["forwarded"]["of_previous"] == 64 and steps["won"]["of_previous"] == 60
    assert steps["won"]["of_first"] == 27

    countries = {row.key: row.total for row in context["by_country"]}
    assert countries == {"IQ": 8, "TR": 2, "BR": 1}  # the withdrawn Armenian pair is left out
    iraq = next(row for row in context["by_country"] if row.key == "IQ")
    assert iraq.counts["won"] == 3 and iraq.counts["proposed"] == 2 and iraq.counts["lost"] == 1

    assert {row.key: row.total for row in context["by_chapter"]} == {"84": 9, "94": 2}

    counsellors = [(row.label, row.total) for row in context["by_counsellor"]]
    assert counsellors == [("Iraq Desk", 8), ("Turkey Desk", 2), ("Armenia Desk", 0), ("", 1)]
    assert "Shared pool (no counsellor)" in html
    won = {row["currency"]: row["total"] for row in context["won_values"]}
    assert won == {"USD": Decimal("1500"), "EUR": Decimal("200")}

    for testid in ("table-funnel", "table-countries", "table-chapters", "table-counsellors"):
        assert f'data-testid="{testid}"' in html
    assert re.search(r'data-testid="funnel-connected">\s*5<', html)
    for chart in ("chart-funnel", "chart-countries", "chart-chapters", "chart-counsellors"):
        assert f'data-chart="{chart}"' in html and f'<script id="{chart}" type="application/json">' in html
    assert "Iraq" in html and "Turkey" in html  # country names, not codes


def test_the_province_in_persian(client, pipeline):
    client.force_login(pipeline.staff)
    html = client.get(PROVINCE).content.decode()
    assert 'dir="rtl"' in html
    assert re.search(r'data-testid="funnel-connected">\s*۵<', html)


def test_dashboards_take_a_bounded_number_of_queries(client, pipeline, django_assert_max_num_queries):
    def count(url, user) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    mine, province = count(DASHBOARD, pipeline.iraq), count(PROVINCE, pipeline.staff)
    producer = make_producer(("940360",), name="More Furniture")
    for _index in range(6):
        make_match(producer, make_buyer(country="DE"), counsellor=pipeline.iraq, breakdown=FURNITURE)
    make_counsellor("DE", full_name="Germany Desk")
    client.force_login(pipeline.iraq)
    with django_assert_max_num_queries(mine):
        client.get(DASHBOARD)
    client.force_login(pipeline.staff)
    with django_assert_max_num_queries(province):
        client.get(PROVINCE)
    assert mine <= 8 and province <= 11


# --- Links from the portal's dashboard ---------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "links", "hidden"),
    [
        ("counsellor", [DASHBOARD, "/counsellor/queue/", "/counsellor/briefs/"], [PROVINCE]),
        ("staff", [DASHBOARD, "/counsellor/queue/", PROVINCE], []),
        ("producer", ["/counsellor/briefs/"], [DASHBOARD, "/counsellor/queue/", PROVINCE]),
    ],
)
def test_the_portal_dashboard_links_them(client, make_user, role, links, hidden):
    _response, html = html_of(client, reverse("dashboard"), make_user(role))
    for link in links:
        assert f'href="{link}"' in html
    for link in hidden:
        assert f'href="{link}"' not in html
