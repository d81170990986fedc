"""The page shell in a real browser: Persian first, English one switch away, keyboard usable."""

import re

from playwright.sync_api import expect


def test_home_is_persian_rtl_and_switches_to_english(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    expect(page.get_by_role("heading", level=1)).to_contain_text("کارخانه‌های استان")
    # Vazirmatn, served by the portal itself, is the page's font.
    assert "Vazirmatn" in page.evaluate("getComputedStyle(document.body).fontFamily")
    # The navbar's start is on the right in RTL.
    brand = page.locator(".navbar-brand").bounding_box()
    assert brand["x"] > page.viewport_size["width"] / 2

    page.get_by_label("زبان").select_option("en")
    page.get_by_role("button", name="تغییر").click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("factories", re.I))


def test_skip_link_is_the_first_stop_for_keyboard_users(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_usable_on_a_phone(page):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    toggler.click()
    expect(page.get_by_role("navigation").get_by_role("link", name="ورود")).to_be_visible()
