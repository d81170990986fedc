"""The HS picker in a real browser, for a buyer (issue 15): an Iraqi buyer names the sectors they
buy from by typing Arabic words in the picker of several codes, under the site's checks (axe,
Content-Security-Policy, nothing from another host)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.services import buyer_profile_create
from tests.e2e import journeys
from tests.factories import DEFAULT_PASSWORD, UserFactory


@pytest.fixture
def buyer(transactional_db):
    journeys.ensure_hs_nomenclature()
    user = UserFactory(role="buyer", email="erbil@example.com", preferred_language="ar")
    buyer_profile_create(actor=user, data={"company_name": "Erbil Appliances", "country": "IQ"})
    return user


def test_an_iraqi_buyer_picks_sought_sectors_by_arabic_words(browser, live_server, buyer):
    context = browser.new_context(base_url=live_server.url, locale="ar-IQ")
    context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(buyer.email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(r"/(dashboard|onboarding)/"))

    page.goto("/onboarding/demand/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    codes = page.locator("input[name=sought_sectors]")
    search = page.locator("[data-hs-search]")

    search.fill("ثلاجة")  # the name says ثلاجات
    option = page.get_by_role("option", name=re.compile(r"^8418 "))
    expect(option).to_be_visible()
    expect(option).to_contain_text("ثلاجات")  # in the reader's language
    option.click()
    expect(codes).to_have_value("8418")

    search.fill("غسالة")  # a second code, chosen with the keyboard
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option", name=re.compile(r"^8450 "))).to_be_visible()
    for _ in range(20):  # down to 8450 among the washing machines' codes
        search.press("ArrowDown")
        if listbox.get_by_role("option", selected=True).get_attribute("data-code") == "8450":
            break
    search.press("Enter")
    expect(codes).to_have_value("8418, 8450")
    expect(page.locator("[data-hs-selected] li")).to_have_count(2)

    page.locator("input[name=annual_demand]").fill("1000")
    page.locator("select[name=demand_unit]").select_option("units")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/(dashboard|onboarding)/"))
    assert sorted(buyer.buyer_profile.sought_sectors.values_list("code", flat=True)) == ["8418", "8450"]
    context.close()  # the checks of every page (axe, the policy, other hosts)
