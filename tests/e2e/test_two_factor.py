"""Two-factor sign-in in a real browser, in Persian on a phone: a new staff member is sent to
set up an authenticator app, gets recovery codes, and is asked for a code at the next sign-in."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD, UserFactory, totp_code

SHOTS = os.environ.get("EB_TWO_FACTOR_SHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def new_staff(transactional_db):
    return UserFactory(role="staff", email="new.staff@exportbridge.example", two_factor=False)


def password_step(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form").get_by_role("button", name="ورود").click()


def test_new_staff_set_up_the_app_then_sign_in_with_its_code(browser, live_server, new_staff):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)

    password_step(page, new_staff.email)
    # Sent to the setup; allauth asks for the password once more before it.
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    shot(page, "reauthenticate")
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("main form").get_by_role("button").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text("راه‌اندازی ورود دومرحله‌ای")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "activate")
    # Each showing of the page makes a new key (allauth): the checks' English copy of it made
    # one after this page's, so the key is read from a page shown again.
    page.reload()
    secret = page.get_by_label("کلید برای برنامهٔ احراز هویت").input_value()
    page.get_by_label("کد برنامه").fill(totp_code(secret))
    page.get_by_role("button", name="تأیید و روشن کردن").click()

    # The recovery codes, shown once set up; then the site opens.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    shot(page, "recovery_codes")
    page.goto("/dashboard/")
    expect(page.get_by_test_id("two-factor-card")).to_contain_text("روشن")
    page.goto("/accounts/2fa/")
    shot(page, "index")
    context.clear_cookies()  # signed out

    # The next sign-in asks for the code.
    password_step(page, new_staff.email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("ورود دومرحله‌ای")
    shot(page, "authenticate")
    page.get_by_label("کد").fill(totp_code(secret, offset=1))
    page.locator("main form").get_by_role("button", name="ورود").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    context.close()  # checks the last page; fails on anything any page reported
