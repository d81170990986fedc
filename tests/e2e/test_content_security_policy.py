"""The Content-Security-Policy in a real browser (issue 12).

Each kind of page works under the policy: the site's pages, htmx (the HS picker on the
catalogue), Chart.js (the province dashboard), Swagger UI and ReDoc (the API docs), and an
error page. What the browser reported is watched by PageChecks (checks.py), attached to every
context: a `securitypolicyviolation` event or a console message about the policy, an uncaught
script error, or a request to another host fails the test when the context closes. The last
two tests show that those checks (and axe) do catch what they are for.
"""

import re

import pytest
from playwright.sync_api import expect

from counsellors.models import CounsellorProfile
from matchmaking import services
from tests.e2e import journeys
from tests.factories import DEFAULT_PASSWORD, STAFF_TOTP_SECRET, UserFactory
from tests.matchmaking.conftest import make_buyer, make_producer

DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
)


@pytest.fixture
def staff(transactional_db):
    """A staff member, and a proposed match so that the province dashboard draws its charts."""
    journeys.ensure_hs_nomenclature()
    counsellor = UserFactory(role="counsellor", email="iraq.desk@example.com")
    CounsellorProfile.objects.create(user=counsellor, posted_country="IQ")
    make_producer(("841810",), name="Sahand Cooling", markets=("IQ",))
    make_buyer(("8418",), company_name="Baghdad Cold Chain", country="IQ")
    services.rematch_all()
    return UserFactory(role="staff", email="staff@exportbridge.example", preferred_language="en")


def checks_of(page, page_checks):
    return next(checks for checks, _close in page_checks if checks.context is page.context)


def visit(page, path: str, status: int = 200):
    response = page.goto(path)
    assert response.status == status, (path, response.status)
    policy = response.headers.get("content-security-policy", "")
    for directive in DIRECTIVES:
        assert directive in policy, (path, policy)
    assert "unsafe-inline" not in re.search(r"script-src[^;]*", policy).group(0), policy
    return response


def test_every_kind_of_page_works_under_the_policy(browser, live_server, staff, page_checks):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)

    visit(page, "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # Sign in (a form posted to the portal itself: form-action 'self').
    visit(page, "/accounts/login/")
    page.locator("input[name=login]").fill(staff.email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form").get_by_role("button", name=re.compile("Sign in|ورود")).click()
    # Staff sign in with a second factor: the code of the factory's authenticator app.
    journeys.enter_totp_code(page, STAFF_TOTP_SECRET, re.compile("Sign in|ورود"))
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    # htmx: the catalogue's HS picker lists codes as one types.
    visit(page, "/catalogue/")
    picker = page.locator("[data-hs-search]").first
    picker.fill("8418")
    expect(page.get_by_role("option", name=re.compile("841810")).first).to_be_visible()

    # Chart.js: the province dashboard draws every chart it has data for.
    visit(page, "/counsellor/province/")
    expect(page.locator("canvas[data-chart]").first).to_be_visible()
    page.wait_for_function(
        "() => window.Chart && [...document.querySelectorAll('canvas[data-chart]')]"
        ".every((canvas) => window.Chart.getChart(canvas))"
    )

    # Swagger UI: the operations are listed (its init script is a separate request).
    visit(page, "/api/v1/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()

    # ReDoc: rendered with its generated styles, nothing from another host (its fonts, its logo).
    response = visit(page, "/api/v1/redoc/")
    assert "style-src 'self' 'unsafe-inline'" in response.headers["content-security-policy"]
    # ReDoc lays the whole schema out before its heading shows: slow on a loaded machine.
    expect(page.get_by_role("heading", name=re.compile("Export Bridge API"))).to_be_visible(timeout=20_000)
    expect(page.locator("[data-section-id]").first).to_be_attached()

    # The error pages: a 404, and the request guard's standalone 400 (its style by nonce).
    visit(page, "/no-such-page/", status=404)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    visit(page, "/catalogue/?q=%00pump", status=400)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    checks = checks_of(page, page_checks)
    assert checks.problems == [], checks.problems
    context.close()  # checks the last page; fails on anything any page reported


def test_the_checks_catch_a_violation_and_a_request_to_another_host(page, page_checks):
    page.goto("/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.append(script);
          fetch("https://cdn.example.net/library.js").catch(() => null);
        }"""
    )
    checks = checks_of(page, page_checks)
    for _attempt in range(50):  # the console messages arrive on their own time
        if sum(problem.startswith(f"{page.url}: CSP violation") for problem in checks.problems) >= 2:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)  # Chrome's own console lines about the same violations
    problems = checks.unreported()
    assert not page.evaluate("() => Boolean(window.inlineRan)")
    assert any("CSP violation: script-src" in problem for problem in problems), problems
    assert any(
        "CSP violation: connect-src blocked https://cdn.example.net/" in problem for problem in problems
    ), problems


def test_the_checks_catch_an_accessibility_violation(page, page_checks):
    page.goto("/")
    # The hero's lead paragraph in yellow on its pale background: too little contrast.
    page.evaluate("""() => document.querySelector(".hero .lead").classList.add("text-warning")""")
    checks = checks_of(page, page_checks)
    checks.check(page)
    problems = checks.unreported()
    assert any(
        "color-contrast" in problem and "foreground color: #ffc107" in problem for problem in problems
    ), problems
