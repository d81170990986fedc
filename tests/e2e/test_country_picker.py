"""The country picker in a real browser (issue 19): a producer picks target markets by typing
in the filter, in Persian and English, on a phone (375 px) and a desktop (1280 px), with the
keyboard and the mouse, under the site's checks (axe, Content-Security-Policy, other hosts)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.services import producer_profile_create
from tests.e2e.journeys import no_horizontal_scroll, signed_in, translate
from tests.factories import UserFactory

WIDTHS = (375, 1280)


@pytest.fixture
def producer(transactional_db):
    user = UserFactory(role="producer", email="sahand@example.com", preferred_language="fa")
    producer_profile_create(actor=user, data={"name": "Sahand Cooling", "target_markets": ["RU"]})
    return user


def checkbox(page, code: str):
    return page.locator(f"#id_target_markets_{code}")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_persian_producer_picks_markets_by_typing(browser, live_server, producer, width):
    page = signed_in(browser, live_server.url, producer, "fa", viewport={"width": width, "height": 800})
    page.goto("/onboarding/markets/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    t = lambda msgid: translate("fa", msgid)  # noqa: E731
    picker = page.locator("[data-country-picker]").first
    search = page.get_by_role("searchbox", name=re.compile(re.escape(t("Target markets"))))
    chips = picker.locator("[data-country-chips]")
    expect(chips.get_by_role("button", name=re.compile("روسیه"))).to_be_visible()  # chosen before
    no_horizontal_scroll(page)

    # A Persian name, typed with an Arabic ي: one country left, Enter chooses it.
    search.fill("تركيه")  # ترکیه typed on an Arabic keyboard
    expect(checkbox(page, "TR")).to_be_visible()
    expect(checkbox(page, "DE")).to_be_hidden()
    expect(picker.locator("[data-country-group]:visible")).to_have_count(1)
    search.press("Enter")
    expect(checkbox(page, "TR")).to_be_checked()
    expect(search).to_have_value("")
    expect(chips.get_by_role("button", name=t("Remove %(name)s") % {"name": "ترکیه"})).to_be_visible()

    # The English name finds the Persian one; the mouse chooses it.
    search.fill("Armenia")
    expect(picker.locator("[data-country-option]:visible")).to_have_count(1)
    picker.get_by_text("ارمنستان", exact=True).click()
    expect(checkbox(page, "AM")).to_be_checked()

    # Nothing found says so; a chip takes a country off again.
    search.fill("ناکجاآباد")
    expect(picker.locator("[data-country-none]")).to_be_visible()
    search.press("Escape")
    expect(checkbox(page, "DE")).to_be_visible()
    chips.get_by_role("button", name=re.compile("روسیه")).click()
    expect(checkbox(page, "RU")).not_to_be_checked()
    no_horizontal_scroll(page)

    page.get_by_role("button", name=t("Save and continue")).click()
    page.wait_for_url(re.compile(r"/(dashboard|onboarding)/"))
    producer.producer_profile.refresh_from_db()
    assert sorted(c.code for c in producer.producer_profile.target_markets) == ["AM", "TR"]
    page.context.close()  # the checks of every page (axe, the policy, other hosts)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_english_producer_picks_markets_with_the_keyboard(browser, live_server, producer, width):
    page = signed_in(browser, live_server.url, producer, "en", viewport={"width": width, "height": 800})
    page.goto("/my/profile/")
    search = page.get_by_role("searchbox", name=re.compile("^Target markets"))
    no_horizontal_scroll(page)

    search.fill("germ")
    expect(checkbox(page, "DE")).to_be_visible()
    search.press("ArrowDown")  # to the first country shown
    expect(checkbox(page, "DE")).to_be_focused()
    page.keyboard.press("Space")
    expect(checkbox(page, "DE")).to_be_checked()
    expect(page.locator("[data-country-status]").first).to_have_text("Chosen: Germany")

    search.fill("kaz")
    search.press("Enter")
    expect(checkbox(page, "KZ")).to_be_checked()
    chips = page.locator("[data-country-chips]").first
    expect(chips.get_by_role("button")).to_have_count(3)  # Russia, Germany, Kazakhstan
    no_horizontal_scroll(page)

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".alert-success").filter(has_text="Your profile has been saved.")).to_be_visible()
    producer.producer_profile.refresh_from_db()
    assert sorted(c.code for c in producer.producer_profile.target_markets) == ["DE", "KZ", "RU"]
    page.context.close()
