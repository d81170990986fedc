"""What every page the browser tests visit must pass (issue 12), checked automatically.

`PageChecks` is attached to every browser context an e2e test opens (conftest.py wraps
`browser.new_context`), so each journey helper, the site-shell tests and the counsellors'
forwarding test are covered without calling anything:

- **axe-core** (node_modules/axe-core, pinned in package.json) runs on each page just before
  the test acts on it in a way that may leave it (`Page.goto`, `reload`, `click`, a locator's
  `click` or `press`: conftest.py wraps them) and on the pages still open when the context
  closes, so the page is checked as the person left it (filled forms, htmx swaps; a swap
  marks the page for another check). A page loaded with GET is also loaded in the other
  language, in a second context with the same cookies, and checked there: every page in
  Persian and in English. The journeys replay the same pages test after test, so a page of
  the same shape, role and language as one already checked in the session is not checked
  again. A violation of impact "critical" or "serious" is a failure. The
  API docs (Swagger UI's and ReDoc's own markup, English only) are not the portal's pages:
  axe and the other language leave them alone, the two checks below do not.
- **Content-Security-Policy**: every `securitypolicyviolation` event (an init script reports it
  on the console) and every console message about the policy is a failure, and so is an
  uncaught script error (a script the policy broke).
- **Nothing from another host**: a request to anything but the live server is a failure
  ("nothing from a CDN").

axe is injected with `page.evaluate`, which the page's Content-Security-Policy does not
govern, so the pages are checked under their real policy (no `bypass_csp`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from playwright.sync_api import BrowserContext, Page, Request
from playwright.sync_api import Error as PlaywrightError

AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("critical", "serious")
LANGUAGE_COOKIE = "django_language"
LOCAL_SCHEMES = {"data", "blob", "about"}
# Swagger UI's and ReDoc's own markup, in English only (drf-spectacular-sidecar): not the
# portal's pages, so axe and the other language do not apply; the CSP and host checks do.
NOT_OURS = re.compile(r"^/api/v1/(docs|redoc)/")

# Runs in every document before its own scripts: a CSP violation is also written to the
# console, where the listener below reads it with the directive and what was blocked; an htmx
# swap changes the page, which is then checked again before the next action.
IN_EVERY_DOCUMENT = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    "CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " (" + (event.sourceFile || location.href) + ":" + event.lineNumber + ")"
  );
});
document.addEventListener("htmx:afterSettle", () => { window.__ebAxeChecked = false; });
"""

RUN_AXE = """
async (impacts) => {
  window.__ebAxeChecked = true;
  const results = await window.axe.run(document, { resultTypes: ["violations"] });
  return results.violations
    .filter((violation) => impacts.includes(violation.impact))
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      count: violation.nodes.length,
      nodes: violation.nodes.slice(0, 5).map((node) => ({
        target: node.target.join(" "),
        html: node.html.slice(0, 240),
        summary: (node.failureSummary || "").replace(/\\s+/g, " ").slice(0, 400),
      })),
    }));
}
"""

# The page's language and a hash of its shape (elements, classes, roles, types, which hold
# text): the journeys replay the same pages test after test, and a page of the same shape, for
# the same role and language, has already been checked.
PAGE_STATE = """
() => {
  let hash = 0;
  const elements = document.body ? document.body.querySelectorAll("*") : [];
  for (const element of elements) {
    const text = element.childElementCount === 0 && element.textContent.trim() ? "t" : "";
    const part = [element.tagName, element.getAttribute("class"), element.getAttribute("role"),
      element.getAttribute("type"), element.hidden ? "h" : "", text].join("|");
    for (let i = 0; i < part.length; i++) hash = (Math.imul(31, hash) + part.charCodeAt(i)) | 0;
  }
  return {
    checked: Boolean(window.__ebAxeChecked),
    hasAxe: typeof window.axe !== "undefined",
    language: document.documentElement.lang,
    url: location.href,
    shape: (hash >>> 0).toString(16) + ":" + elements.length,
  };
}
"""


def _axe_source() -> str:
    if not AXE_PATH.is_file():
        raise AssertionError(f"{AXE_PATH} is missing: run `npm ci` (axe-core is pinned in package.json)")
    return AXE_PATH.read_text(encoding="utf-8")


def _whose(cookies: list[dict]) -> str:
    """Whose pages these are: the signed-in user's role (pages differ by role), or anonymous."""
    key = next(
        (cookie["value"] for cookie in cookies if cookie["name"] == settings.SESSION_COOKIE_NAME), None
    )
    if not key:
        return "anonymous"
    user_id = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key).get(SESSION_KEY)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return user.role if user else "anonymous"


def _normalised(url: str) -> str:
    """The page a URL shows, ids aside: /matches/12/ and /matches/13/ are the same page."""
    parts = urlsplit(url)
    return re.sub(r"/\d+(?=/|$)", "/N", parts.path) + (f"?{parts.query}" if parts.query else "")


class PageChecks:
    """The checks on one browser context's pages; `problems` lists what failed, readably."""

    def __init__(
        self,
        context: BrowserContext,
        base_url: str,
        new_context: Callable[..., BrowserContext],
        seen: set[tuple[str, ...]],
    ):
        self.context = context
        self.base_url = base_url.rstrip("/")
        self.origin = urlsplit(self.base_url)[:2]
        self._new_context = new_context  # the unwrapped browser.new_context, for the other language
        self.problems: list[str] = []
        self.reported = 0
        self.pages_checked = 0
        self._document_methods: dict[Page, str] = {}
        # What was checked, shared by the session's contexts (the journeys replay the same pages
        # test after test): (whose, language, page, shape) as visited, and (whose, language,
        # page) in the other language.
        self.seen = seen
        self._twin: Page | None = None
        self._twin_of = ""
        self.closed = False
        context.add_init_script(IN_EVERY_DOCUMENT)
        context.on("request", self._request)
        context.on("page", self._watch)
        for page in context.pages:
            self._watch(page)

    # --- Listeners ---------------------------------------------------------------------------

    def _local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in LOCAL_SCHEMES or (parts.scheme, parts.netloc) == self.origin

    def _watch(self, page: Page, *, twin: bool = False) -> None:
        where = "the other language's copy of " if twin else ""

        def console(message) -> None:
            # The init script's report of a `securitypolicyviolation` event, and Chrome's own
            # line about a violation (also where the init script does not run: a worker).
            text = message.text
            if text.startswith("CSP violation") or "Content Security Policy" in text:
                self.problems.append(f"{where}{page.url}: {text}")

        def page_error(error) -> None:
            self.problems.append(f"{where}{page.url}: uncaught script error: {error}")

        def response(response) -> None:
            request = response.request
            if request.is_navigation_request() and request.frame == page.main_frame:
                self._document_methods[page] = request.method

        page.on("console", console)
        page.on("pageerror", page_error)
        if not twin:
            page.on("response", response)

    def _request(self, request: Request, where: str = "") -> None:
        if not self._local(request.url):
            self.problems.append(
                f"request to another host: {request.url} (from {where or request.frame.url})"
            )

    # --- The checks ---------------------------------------------------------------------------

    def check(self, page: Page) -> None:
        """axe on the page as it is (once per document), then on its other-language copy."""
        if page.is_closed() or not self._local(page.url) or page.url.startswith("about:"):
            return
        if NOT_OURS.match(urlsplit(page.url).path):
            return
        try:
            state = page.evaluate(PAGE_STATE)
            if state["checked"]:
                return
            key = (
                _whose(self.context.cookies()),
                state["language"],
                _normalised(state["url"]),
                state["shape"],
            )
            if key in self.seen:
                page.evaluate("() => { window.__ebAxeChecked = true; }")
                return
            self.seen.add(key)
            violations = self._axe(page, state["hasAxe"])
        except PlaywrightError as error:
            self.problems.append(f"{page.url}: axe could not run: {error}")
            return
        self.pages_checked += 1
        self._report(state["url"], state["language"], violations)
        if self._document_methods.get(page, "GET") == "GET":
            self._check_other_language(page, state["url"], state["language"])

    def _axe(self, page: Page, has_axe: bool) -> list[dict]:
        if not has_axe:
            page.evaluate(_axe_source())
        return page.evaluate(RUN_AXE, list(BLOCKING_IMPACTS))

    def _check_other_language(self, page: Page, url: str, language: str) -> None:
        other = next((code for code, _name in settings.LANGUAGES if code != language), None)
        cookies = self.context.cookies()
        key = (_whose(cookies), other, _normalised(url))
        if other is None or key in self.seen:
            return
        self.seen.add(key)
        twin = self._twin_page(page)
        try:
            twin.context.clear_cookies()
            twin.context.add_cookies(
                [cookie for cookie in cookies if cookie["name"] != LANGUAGE_COOKIE]
                + [{"name": LANGUAGE_COOKIE, "value": other, "url": self.base_url}]
            )
            self._twin_of = f"{url} in {other}"
            twin.goto(url)
            shown = twin.evaluate(PAGE_STATE)
            if shown["language"] != other:
                self.problems.append(f"{url}: asked for it in {other}, got {shown['language']!r}")
                return
            self.pages_checked += 1
            self._report(shown["url"], other, self._axe(twin, shown["hasAxe"]))
        except PlaywrightError as error:
            self.problems.append(f"{url} in {other}: could not be checked: {error}")

    def _twin_page(self, page: Page) -> Page:
        """The page (in a context of its own, kept for the next page) that shows a page again
        in the other language, with the same cookies."""
        if self._twin is None:
            context = self._new_context(base_url=self.base_url, viewport=page.viewport_size)
            context.add_init_script(IN_EVERY_DOCUMENT)
            context.on("request", lambda request: self._request(request, self._twin_of))
            self._twin = context.new_page()
            self._twin.set_default_timeout(15_000)
            self._watch(self._twin, twin=True)
        return self._twin

    def _report(self, url: str, language: str, violations: list[dict]) -> None:
        for violation in violations:
            lines = [
                f"axe {violation['impact']}: {violation['id']} ({violation['help']}) on {url} [{language}], "
                f"{violation['count']} element(s):"
            ]
            for node in violation["nodes"]:
                lines.append(f"    {node['target']}: {node['html']}")
                lines.append(f"      {node['summary']}")
            self.problems.append("\n".join(lines))

    # --- Closing ------------------------------------------------------------------------------

    def finish(self) -> None:
        """Check the pages still open (as left), once; the context may be closed after this."""
        if self.closed:
            return
        self.closed = True
        try:
            for page in list(self.context.pages):
                self.check(page)
        finally:
            if self._twin is not None:
                self._twin.context.close()

    def unreported(self) -> list[str]:
        problems = self.problems[self.reported :]
        self.reported = len(self.problems)
        return problems


def failure_message(problems: list[str]) -> str:
    return f"{len(problems)} problem(s) on the pages visited:\n" + "\n".join(f"- {p}" for p in problems)
