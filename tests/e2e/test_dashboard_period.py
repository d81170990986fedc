"""The dashboard's period, monthly trends and download in a real browser (issues 18 and 19): a
counsellor with deals in two months picks a preset and typed Jalali dates, the trends chart is
drawn under the Content-Security-Policy, the download links carry the period; a new producer
sees what to do next. In Persian and English, at 375 and 1280 px: no sideways scroll, and the
page checks (axe-core: no serious violation) run on every page visited."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matchmaking.models import Match, MatchStatus
from tests.e2e import journeys
from tests.e2e.test_deal_journey import assert_no_horizontal_scroll, signed_in
from tests.factories import UserFactory
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def people(transactional_db):
    journeys.ensure_hs_nomenclature()
    counsellor = make_counsellor("IQ", email="iraq.desk@example.com")
    buyer = make_buyer(("8418",), company_name="Baghdad Cold Chain", country="IQ")
    today = timezone.localdate()
    for months_ago, value in ((0, "1200"), (1, "800")):
        match = make_match(
            make_producer(("841810",), markets=("IQ",)),
            buyer,
            status=MatchStatus.WON,
            counsellor=counsellor,
            outcome_value=value,
            outcome_currency="USD",
        )
        moment = timezone.now() - datetime.timedelta(days=31 * months_ago)
        Match.objects.filter(pk=match.pk).update(created_at=moment, forwarded_at=moment, connected_at=moment)
    return {
        "counsellor": counsellor,
        "new_producer": UserFactory(role="producer", email="new.producer@example.com"),
        "today": today,
    }


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_counsellor_chooses_a_period_and_sees_the_trend(browser, live_server, people, language):
    page = signed_in(browser, live_server, people["counsellor"], language)
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto("/dashboard/?period=year")
        expect(page.get_by_test_id("period-year")).to_have_attribute("aria-current", "page")
        expect(page.get_by_test_id("table-trends")).to_be_visible()
        page.wait_for_function(
            "() => window.Chart && [...document.querySelectorAll('canvas[data-chart]')]"
            ".every((canvas) => window.Chart.getChart(canvas))"
        )
        assert_no_horizontal_scroll(page)
    # Typed dates: Jalali on the Persian page, Gregorian on the English one.
    today = people["today"]
    start = today - datetime.timedelta(days=90)
    if language == "fa":
        import jdatetime

        typed = jdatetime.date.fromgregorian(date=start).strftime("%Y-%m-%d")
    else:
        typed = start.isoformat()
    form = page.get_by_test_id("period-form")
    form.locator("input[name=start]").fill(typed)
    form.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"start="))
    csv_link = page.get_by_test_id("dashboard-download").locator("a").first
    expect(csv_link).to_have_attribute("href", re.compile(rf"start={typed}"))
    # A wrong period is a message beside the field, not an error page.
    form = page.get_by_test_id("period-form")
    form.locator("input[name=start]").fill("2026-13-40")
    form.get_by_role("button").click()
    expect(page.locator("#id_start_error")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.context.close()


@pytest.mark.parametrize("language", ["fa", "en"])
def test_a_new_producer_is_shown_the_next_steps(browser, live_server, people, language):
    page = signed_in(browser, live_server, people["new_producer"], language)
    page.set_viewport_size(PHONE)
    page.goto("/dashboard/")
    expect(page.get_by_test_id("next-steps")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.context.close()
