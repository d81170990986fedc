"""Each role walks its pages in a real browser (issue 19): the demo province, signed in as a
producer, a buyer, a counsellor and staff, every page their navigation and dashboard link to,
at a phone's width (375 px) and a laptop's (1280 px), in Persian and English.

On every page: it answers (no 404 or other error after following a link or sending a form),
nothing scrolls sideways, and axe-core finds nothing serious (tests/e2e/checks.py runs it on
each page, in both languages). The role's own first form is sent back unchanged too: a save
must land on a page, never on an error.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import Page

from tests.e2e import journeys

WIDTHS = {"phone": {"width": 375, "height": 740}, "laptop": {"width": 1280, "height": 900}}
LANGUAGES = ("fa", "en")
# Links a walk does not follow: they leave the session, download a file or leave the portal's pages.
SKIPPED = ("/accounts/logout/", "/i18n/", "/media/", "/api/", "/admin/", "/healthz/")
DOWNLOADS = (".csv", ".xlsx", ".pdf", ".ics", ".json")
# How many pages of each role's walk: the navigation and what the dashboard links to, a page
# of each kind (the first few of a list are the same page with another id).
MOST_PAGES = 24
PER_KIND = 2


@pytest.fixture
def province(transactional_db):
    """The demo province (home.demo): its accounts, companies, matches, requests and deals."""
    from django.test.utils import override_settings

    from home.demo import seed_demo_province

    journeys.ensure_hs_nomenclature()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        seeded = seed_demo_province()
    mail.outbox.clear()
    return seeded


def walker(role: str, seeded: dict):
    from accounts.models import User

    group = {"producer": "producers", "buyer": "buyers", "counsellor": "counsellors", "staff": "staff"}[role]
    user = User.objects.get(pk=seeded[group][0].pk)
    if role == "staff":  # staff sign in with a second factor (their first sign-in: test_two_factor)
        from tests.factories import enrol_two_factor

        enrol_two_factor(user)
    return user


def session_cookie(user, base_url: str) -> dict:
    """A signed-in session for `user`, as the sign-in page would leave it (the sign-in itself is
    the journeys' subject, not this walk's)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base_url,
    }


def kind(path: str) -> str:
    """A page's kind: its path with the ids taken out (/matches/12/ and /matches/13/ are one kind)."""
    return "/".join("#" if part.isdigit() or len(part) >= 20 else part for part in path.split("/"))


def links(page: Page, base_url: str) -> list[str]:
    """The portal's own pages the navigation and the main content link to."""
    host = urlsplit(base_url).netloc
    hrefs = page.eval_on_selector_all(
        "header a[href], nav a[href], main a[href]", "(links) => links.map((link) => link.href)"
    )
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc != host or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIPPED) or parts.path.endswith(DOWNLOADS):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in found:
            found.append(path)
    return found


def walk_paths(page: Page, base_url: str) -> list[str]:
    """The pages of a walk: the dashboard, its links and the navigation's, a few of each kind."""
    page.goto("/dashboard/")
    paths, per_kind = ["/dashboard/"], {"/dashboard/": 1}
    for path in links(page, base_url):
        shape = kind(urlsplit(path).path)
        if path in paths or per_kind.get(shape, 0) >= PER_KIND:
            continue
        per_kind[shape] = per_kind.get(shape, 0) + 1
        paths.append(path)
        if len(paths) >= MOST_PAGES:
            break
    return paths


# The elements that stick out of the viewport sideways (the culprits of a sideways scroll).
OUTSIDE = """
() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width && (box.right > width + 1 || box.left < -1)) {
      const parent = element.parentElement && element.parentElement.getBoundingClientRect();
      if (parent && (parent.right > width + 1 || parent.left < -1)) continue;
      let clipped = false;
      for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== "visible") { clipped = true; break; }
      }
      if (clipped) continue;
      out.push(element.tagName.toLowerCase() + (element.className ? "." + String(element.className).trim().replace(/\\s+/g, ".") : ""));
    }
  }
  return out.slice(0, 5);
}
"""


def page_problems(page: Page, response, path: str, where: str) -> list[str]:
    """What is wrong with the page `path` as shown: an error status, a sideways scroll."""
    if response is None:
        return [f"{where}: {path} gave no response"]
    if response.status >= 400:
        return [f"{where}: {path} answered {response.status}"]
    sideways = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if sideways > 0:
        return [f"{where}: {path} scrolls sideways by {sideways} px ({', '.join(page.evaluate(OUTSIDE))})"]
    return []


def send_first_form_unchanged(page: Page, path: str, where: str) -> bool:
    """Send the page's first form of the main content (not a search) back as it is; False if
    there is none. The answer must be a page (a redirect or the form with its errors), not an error."""
    form = page.locator("main form[method=post]:not([role=search])").first
    if not form.count():
        return False
    submit = form.locator("button[type=submit], button:not([type]), input[type=submit]").first
    if not submit.count() or not submit.is_visible():
        return False
    with page.expect_navigation() as navigation:
        submit.click()
    response = navigation.value
    assert response is not None and response.status < 400, (
        f"{where}: sending the form of {path} answered {response.status if response else 'nothing'}"
    )
    return True


@pytest.mark.parametrize("role", ["producer", "buyer", "counsellor", "staff"])
def test_each_role_walks_its_pages_on_a_phone_and_a_laptop_in_persian_and_english(
    browser, live_server, province, role
):
    user = walker(role, province)
    base_url = live_server.url
    walked, problems = {}, []
    for language in LANGUAGES:
        for width_name, viewport in WIDTHS.items():
            where = f"{role}, {language}, {width_name}"
            context = browser.new_context(base_url=base_url, viewport=viewport)
            context.add_cookies(
                [
                    session_cookie(user, base_url),
                    {"name": "django_language", "value": language, "url": base_url},
                ]
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
            paths = walk_paths(page, base_url)
            assert len(paths) >= 4, f"{where}: the dashboard links to almost nothing: {paths}"
            for path in paths:
                response = page.goto(path)
                problems += page_problems(page, response, path, where)
                if page.locator("html").get_attribute("lang") != language:
                    problems.append(f"{where}: {path} is not in {language}")
            walked[where] = paths
            context.close()
    # The role's own profile or settings form, sent back unchanged, lands on a page.
    context = browser.new_context(base_url=base_url, viewport=WIDTHS["laptop"])
    context.add_cookies([session_cookie(user, base_url)])
    page = context.new_page()
    sent = False
    for path in walked[f"{role}, fa, laptop"]:
        if path.startswith(("/my/", "/onboarding/", "/counsellor/profile", "/settings", "/digests/")):
            page.goto(path)
            if send_first_form_unchanged(page, path, role):
                sent = True
                break
    context.close()
    assert not problems, "\n".join(problems)
    assert sent or role == "staff", (
        f"{role}: no form of their own was found among {walked[f'{role}, fa, laptop']}"
    )
