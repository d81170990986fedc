"""Playwright driving Debian's Chromium (never a browser it downloads itself).

Every browser context a test opens is checked page by page (tests/e2e/checks.py): axe-core in
both languages, no Content-Security-Policy violation, nothing requested from another host.
"""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.checks import PageChecks, failure_message

# The suite runs on every core (pytest-xdist): a browser, a live server and the database share
# them with the other processes, so an htmx answer that takes 50 ms alone can take seconds.
# Assertions wait up to 15 s (Playwright's default is 5 s); a page that never answers still fails.
expect.set_options(timeout=15_000)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    missing = not CHROMIUM.exists() or shutil.which("chromium") is None
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if missing:
                item.add_marker(pytest.mark.skip(reason="Debian's chromium is not installed"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def pages_checked():
    """The pages already checked (PageChecks.seen), for the whole session."""
    return set()


@pytest.fixture(autouse=True)
def page_checks(request, browser, monkeypatch, pages_checked):
    """Attach PageChecks to every context the test opens. Closing a context checks the pages
    left open and fails on what any of its pages showed; contexts the test left open are
    checked and closed here, and fail the test the same way."""
    import os

    if "live_server" not in request.fixturenames or os.environ.get("EB_NO_CHECKS"):
        yield []
        return
    base_url = request.getfixturevalue("live_server").url
    new_context = browser.new_context
    all_checks: list[tuple[PageChecks, object]] = []

    def checked_context(**kwargs):
        context = new_context(**kwargs)
        checks = PageChecks(context, kwargs.get("base_url") or base_url, new_context, pages_checked)
        close = context.close
        all_checks.append((checks, close))

        def close_after_checks(**close_kwargs):
            try:
                checks.finish()
            finally:
                close(**close_kwargs)
            problems = checks.unreported()
            assert not problems, failure_message(problems)

        context.close = close_after_checks
        return context

    monkeypatch.setattr(browser, "new_context", checked_context)

    # The actions that may leave a page check it first (PageChecks.check runs once per
    # document, again after an htmx swap; a page of a context without checks is left alone).
    def checking_first(method, page_of):
        def action(self, *args, **kwargs):
            page = page_of(self)
            for checks, _close in all_checks:
                if checks.context is page.context and not checks.closed:
                    checks.check(page)
            return method(self, *args, **kwargs)

        return action

    for cls, name, page_of in (
        (Page, "goto", lambda page: page),
        (Page, "reload", lambda page: page),
        (Page, "go_back", lambda page: page),
        (Page, "click", lambda page: page),
        (Locator, "click", lambda locator: locator.page),
        (Locator, "press", lambda locator: locator.page),
    ):
        monkeypatch.setattr(cls, name, checking_first(getattr(cls, name), page_of))
    yield all_checks
    problems = []
    for checks, close in all_checks:
        if not checks.closed:
            try:
                checks.finish()
            finally:
                close()
        problems.extend(checks.unreported())
    assert not problems, failure_message(problems)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
