"""The four journeys' browser steps, shared by tests/e2e/test_journeys.py.

Each journey starts from a clean database and replays the earlier ones through the browser
(journey 3 signs up the producer and the buyer again, page by page), so every test is the
whole chain from an empty portal. Locators name controls by their label or role in the
language the page is shown in (`Visitor.t` translates the msgid), which checks the labels
and their translations too.

Screenshots (`Shots`) are taken only when EB_SCREENSHOTS_DIR is set (`make screenshots`),
and only by the journey that a page belongs to, not by its replays.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core import mail
from django.utils import translation
from django_countries import countries
from playwright.sync_api import Browser, Page, expect

from tests.factories import DEFAULT_PASSWORD

LANGUAGES = ("fa", "en")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "Tabriz-bridge-1405!"

# What the producer lists, and the words a buyer finds it by (Persian, the same word typed on
# an Arabic keyboard with ي for ی, and English, matched through the description and HS name).
PRODUCT_NAME = "یخچال خانگی دو درب"
PRODUCT_DESCRIPTION = "Two-door household refrigerator, 18 cu ft, A+ energy class."
PRODUCT_HS = "841821"
SEARCHES = ("یخچال", "يخچال", "refrigerator")


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str
    language: str


PRODUCER = Person("export@sahand-cooling.example", "Reza Sahandi", "fa")
BUYER = Person("purchasing@baghdad-cold.example", "Layla Haddad", "en")
COUNSELLOR = Person("iraq.desk@trade-counsellors.example", "Maryam Tabrizi", "fa")
PRODUCER_COMPANY = "Sahand Cooling Industries"
BUYER_COMPANY = "Baghdad Cold Chain"
REQUEST_MESSAGE = "We import about 5,000 refrigerators a year; please send a quotation."
FORWARD_NOTE = "Reliable importer in Baghdad; I recommend a call this week."


def translate(language: str, msgid: str, context: str | None = None) -> str:
    with translation.override(language):
        return translation.pgettext(context, msgid) if context else translation.gettext(msgid)


# --- Screenshots ------------------------------------------------------------------------------


class Shots:
    """Screenshots of key pages in both languages, written under EB_SCREENSHOTS_DIR.

    `page(visitor, name, fill=...)` shows the page in the other language first, then in the
    visitor's own, and leaves it there: `fill(t)` (re)fills a form after each reload, with
    the translator of the language shown. Without the variable it only calls `fill` once.
    """

    def __init__(self, directory: str | None):
        self.directory = Path(directory) if directory else None
        if self.directory:
            self.directory.mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_environment(cls) -> Shots:
        return cls(os.environ.get("EB_SCREENSHOTS_DIR") or None)

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    def page(
        self,
        visitor: Visitor,
        name: str,
        *,
        fill: Callable[[Callable[[str], str]], None] | None = None,
        full_page: bool = False,
        phone: bool = False,
    ) -> None:
        if not self.enabled:
            if fill:
                fill(visitor.t)
            return
        own = visitor.language
        for language in (*(code for code in LANGUAGES if code != own), own):
            visitor.show_in(language)
            if fill:
                fill(lambda msgid, language=language: translate(language, msgid))
            self._save(visitor.page, f"{name}-{language}", full_page=full_page)
            if phone and language == own:
                visitor.page.set_viewport_size(PHONE)
                self._save(visitor.page, f"{name}-{language}-phone", full_page=full_page)
                visitor.page.set_viewport_size(DESKTOP)

    def _save(self, page: Page, name: str, *, full_page: bool) -> None:
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(self.directory / f"{name}.png"), full_page=full_page, animations="disabled")


NO_SHOTS = Shots(None)


def labelled(page: Page, text: str):
    """The control whose whole label is `text` (a required field's label ends in " *")."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(text)}(\s*\*)?\s*$"))


# --- A person at a browser --------------------------------------------------------------------


class Visitor:
    """One browser context (its own cookies) and the language its pages are shown in."""

    def __init__(self, browser: Browser, base_url: str, language: str = "fa"):
        self.base_url = base_url
        self.context = browser.new_context(base_url=base_url, viewport=DESKTOP, locale="fa-IR")
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.language = language

    def t(self, msgid: str, context: str | None = None) -> str:
        return translate(self.language, msgid, context)

    def show_in(self, language: str) -> None:
        """Reload the current page in `language` (the switcher's cookie)."""
        self.context.add_cookies([{"name": "django_language", "value": language, "url": self.base_url}])
        self.page.reload()
        self.expect_language(language)

    def expect_language(self, language: str) -> None:
        expect(self.page.locator("html")).to_have_attribute("lang", language)
        expect(self.page.locator("html")).to_have_attribute(
            "dir", "rtl" if language in ("fa", "ar") else "ltr"
        )

    def switch_language(self, language: str) -> None:
        """The navbar's language switcher (a select and a button)."""
        page = self.page
        labelled(page, self.t("Language")).select_option(language)
        page.get_by_role("button", name=self.t("Switch")).click()
        self.language = language
        self.expect_language(language)

    def close(self) -> None:
        self.context.close()

    def button(self, msgid: str, **kwargs):
        return self.page.get_by_role("button", name=self.t(msgid), **kwargs)


# --- Accounts ---------------------------------------------------------------------------------


def confirmation_path(outbox: list, email: str) -> str:
    """The path of the email-confirmation link in the last message sent to `email`."""
    messages = [message for message in outbox if email in message.to]
    assert messages, f"no message was sent to {email}"
    found = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", messages[-1].body)
    assert found, messages[-1].body
    return found.group(1)


def sign_up(visitor: Visitor, person: Person, role_msgid: str, shots: Shots) -> None:
    """Sign up with the role, confirm the address from the captured email, sign in."""
    page = visitor.page
    page.goto("/accounts/signup/")
    if visitor.language != person.language:
        visitor.switch_language(person.language)
    visitor.expect_language(person.language)

    def fill(t):
        labelled(page, t("Full name")).fill(person.full_name)
        labelled(page, t("Email")).fill(person.email)
        page.get_by_role("radio", name=t(role_msgid)).check()
        labelled(page, t("Preferred language")).select_option(person.language)
        labelled(page, t("Password")).fill(PASSWORD)
        labelled(page, t("Password (again)")).fill(PASSWORD)

    shots.page(visitor, "signup", fill=fill, full_page=True)
    visitor.button("Sign up").click()
    expect(page.get_by_role("heading", name=visitor.t("Verify Your Email Address"))).to_be_visible()

    page.goto(confirmation_path(mail.outbox, person.email))
    visitor.button("Confirm").click()
    if "/accounts/login/" in page.url:
        sign_in(visitor, person)
    expect(page).to_have_url(re.compile(r"/onboarding/"))


def sign_in(
    visitor: Visitor, person: Person, password: str = PASSWORD, totp_secret: str | None = None
) -> None:
    """Sign in on the page; with `totp_secret` (staff: tests.factories.STAFF_TOTP_SECRET) the
    second step too, typing the code an authenticator app with that secret shows now."""
    page = visitor.page
    if "/accounts/login/" not in page.url:
        page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(person.email)
    page.locator("input[name=password]").fill(password)
    page.locator("form").get_by_role("button", name=visitor.t("Sign in")).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    if totp_secret is not None:
        enter_totp_code(page, totp_secret, visitor.t("Sign in"))


def enter_totp_code(page: Page, secret: str, button: str | re.Pattern) -> None:
    """The second step of signing in: the current code of an authenticator app with `secret`."""
    from tests.factories import totp_code

    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator("form").filter(has=page.locator("input[name=code]")).get_by_role(
        "button", name=button
    ).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/2fa/authenticate/"))


def signed_in(browser: Browser, base_url: str, user, language: str, viewport=None) -> Page:
    """A new context with `user` signed in (the factories' password), its pages in `language`."""
    context = browser.new_context(base_url=base_url, locale="fa-IR", viewport=viewport or DESKTOP)
    context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return page


def no_horizontal_scroll(page: Page) -> None:
    """The page fits its width: nothing to scroll sideways."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def expect_profile_complete(visitor: Visitor) -> None:
    page = visitor.page
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(
        page.locator(".alert-success")
        .filter(has_text=visitor.t("Your profile is complete and ready for matching."))
        .first
    ).to_be_visible()


# --- Journey 1: the producer ------------------------------------------------------------------


def producer_journey(browser: Browser, base_url: str, shots: Shots = NO_SHOTS) -> Visitor:
    """A Tabriz producer signs up (in Persian), confirms the address and onboards: company,
    a product with its capacity and HS code (picked with the HS picker), target markets."""
    producer = Visitor(browser, base_url, PRODUCER.language)
    page = producer.page
    sign_up(producer, PRODUCER, "Producer — my company makes products and wants to export them", shots)

    # Step 1: the company.
    expect(page).to_have_url(re.compile(r"/onboarding/company/$"))

    def company(t):
        labelled(page, t("Company name")).fill(PRODUCER_COMPANY)
        labelled(page, t("What your company makes")).fill(
            "Household refrigerators and freezers, made in Tabriz since 1998."
        )
        labelled(page, t("Contact person")).fill(PRODUCER.full_name)
        labelled(page, t("Contact email")).fill(PRODUCER.email)
        labelled(page, t("Phone")).fill("+98 41 3456 7890")
        # The year in the page's calendar (Jalali on Persian pages), stored as 1998 either way.
        persian = page.locator("html").get_attribute("lang") == "fa"
        labelled(page, t("Year founded")).fill("۱۳۷۷" if persian else "1998")  # Persian digits are read too

    shots.page(producer, "onboarding-company", fill=company, full_page=True)
    producer.button("Save and continue").click()

    # Step 2: a product, its HS code from the picker and its capacity (in Persian digits).
    expect(page).to_have_url(re.compile(r"/onboarding/products/$"))

    def product(t):
        labelled(page, t("Product name")).fill(PRODUCT_NAME)
        search = page.get_by_role("combobox", name=t("Find an HS code by number or name"))
        search.fill(PRODUCT_HS)
        option = page.get_by_role("option", name=re.compile(PRODUCT_HS))
        expect(option).to_be_visible()
        option.click()
        expect(labelled(page, t("HS code"))).to_have_value(PRODUCT_HS)
        labelled(page, t("Annual production capacity")).fill("۲۴۰۰۰")
        labelled(page, t("Capacity free for export each year")).fill("۱۲۰۰۰")
        labelled(page, t("Capacity unit")).select_option("units")
        labelled(page, t("Minimum order quantity")).fill("200")

    shots.page(producer, "product-form", fill=product, full_page=True)
    producer.button("Add product").click()
    expect(
        page.get_by_role("cell", name=PRODUCT_NAME).or_(page.get_by_text(PRODUCT_NAME)).first
    ).to_be_visible()
    page.get_by_role("link", name=producer.t("Continue")).click()

    # Step 3: target markets.
    expect(page).to_have_url(re.compile(r"/onboarding/markets/$"))

    def markets(t):
        pick_countries(page, t("Target markets"), ["IQ", "AM", "AZ"])

    markets(producer.t)
    producer.button("Save and continue").click()

    expect_profile_complete(producer)
    shots.page(producer, "dashboard-producer", full_page=True)
    return producer


def pick_countries(page: Page, label: str, codes: list[str]) -> None:
    """Choose countries in the country picker labelled `label`: each name typed in the page's
    language in the filter box, Enter choosing the one country left."""
    search = page.get_by_role("searchbox", name=re.compile(rf"^\s*{re.escape(label)}"))
    picker = search.locator("xpath=ancestor::*[@data-country-picker]")
    with translation.override(page.locator("html").get_attribute("lang")):
        names = {code: str(countries.name(code)) for code in codes}
    for code in codes:
        search.fill(names[code])
        search.press("Enter")
        expect(picker.locator(f"input[type=checkbox][value={code}]")).to_be_checked()


# --- The database behind the pages ------------------------------------------------------------


def ensure_hs_nomenclature() -> None:
    """Load the shipped HS nomenclature if a flush removed it (as the data migrations do)."""
    import importlib
    from types import SimpleNamespace

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from taxonomy.models import Sector

    if Sector.objects.exists():
        return
    loader, editor = MigrationLoader(connection), SimpleNamespace(connection=connection)
    # Each migration against the models as it knew them (the HS tree was the catalogue's then):
    # the codes with English and Persian, then every language's names and the search keys.
    for app, name, function in (
        ("catalogue", "0002_load_hs_taxonomy", "load_hs_taxonomy"),
        ("taxonomy", "0003_hs_names_and_search", "load_names"),
    ):
        migration = importlib.import_module(f"{app}.migrations.{name}")
        getattr(migration, function)(loader.project_state((app, name)).apps, editor)


def user(person: Person):
    from accounts.models import User

    return User.objects.get(email=person.email)


def producer_profile(person: Person = PRODUCER):
    return user(person).producer_profile


def buyer_profile(person: Person = BUYER):
    return user(person).buyer_profile


# --- Journey 2: the buyer ---------------------------------------------------------------------


def search_catalogue(visitor: Visitor, words: str):
    """Search the catalogue for `words`; the result card of the producer's product."""
    page = visitor.page
    form = page.get_by_role("search")
    labelled(form, visitor.t("Search")).fill(words)
    form.get_by_role("button", name=visitor.t("Search")).click()
    expect(page).to_have_url(re.compile(r"/catalogue/\?"))
    results = page.get_by_test_id("results")
    expect(page.get_by_test_id("result-count")).to_contain_text(
        re.compile(r"^\s*(1|۱)\s"), use_inner_text=True
    )
    return results.get_by_role("link", name=PRODUCT_NAME)


def buyer_journey(browser: Browser, base_url: str, shots: Shots = NO_SHOTS) -> Visitor:
    """A buyer in Baghdad opens the portal (Persian by default), switches to English, signs up,
    confirms, onboards (company, sought sectors and demand), finds the producer's product in
    Persian and in English and asks the trade counsellor for an introduction."""
    buyer = Visitor(browser, base_url, "fa")
    page = buyer.page
    sign_up(buyer, BUYER, "Buyer — my company abroad buys products", NO_SHOTS)

    expect(page).to_have_url(re.compile(r"/onboarding/company/$"))

    def company(t):
        labelled(page, t("Company name")).fill(BUYER_COMPANY)
        labelled(page, t("Country")).select_option("IQ")
        labelled(page, t("City")).fill("Baghdad")
        labelled(page, t("Contact person")).fill(BUYER.full_name)
        labelled(page, t("Contact email")).fill(BUYER.email)
        labelled(page, t("Phone")).fill("+964 770 123 4567")

    company(buyer.t)
    buyer.button("Save and continue").click()

    expect(page).to_have_url(re.compile(r"/onboarding/demand/$"))
    labelled(page, buyer.t("Sectors you buy from (HS codes)")).fill("8418")
    labelled(page, buyer.t("Annual demand")).fill("5000")
    labelled(page, buyer.t("Unit of the demand")).select_option("units")
    labelled(page, buyer.t("Typical order size")).fill("500")
    buyer.button("Save and continue").click()
    expect_profile_complete(buyer)

    # The catalogue, in Persian (as typed on a Persian and on an Arabic keyboard) and in English.
    page.get_by_role("navigation", name=buyer.t("Main navigation")).get_by_role(
        "link", name=buyer.t("Catalogue")
    ).click()
    for words in SEARCHES:
        expect(search_catalogue(buyer, words)).to_be_visible()
    shots.page(buyer, "catalogue-search", phone=True)

    search_catalogue(buyer, SEARCHES[-1]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PRODUCT_NAME)
    shots.page(buyer, "product-page", full_page=True)

    request = page.get_by_test_id("request-introduction")
    request.get_by_label(re.compile(re.escape(buyer.t("Message to the trade counsellor")))).fill(
        REQUEST_MESSAGE
    )
    request.get_by_role("button", name=buyer.t("Request an introduction")).click()
    expect(page.get_by_role("status")).to_contain_text(
        buyer.t("We will email you once they forward it to the producer.")
    )
    expect(page.get_by_test_id("request-introduction")).to_contain_text(
        buyer.t("Your request is with the trade counsellor. Sending it again replaces your message.")
    )
    return buyer


# --- Journey 3: the trade counsellor ----------------------------------------------------------


def make_counsellor_through_the_api() -> None:
    """Staff make the counsellor's account and post them to Iraq (POST /api/v1/users/, then
    /api/v1/counsellors/); counsellors cannot sign up."""
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    staff = UserFactory(role="staff", email="staff@exportbridge.example")
    client = APIClient()
    client.force_authenticate(staff)
    response = client.post(
        "/api/v1/users/",
        {
            "email": COUNSELLOR.email,
            "password": PASSWORD,
            "role": "counsellor",
            "full_name": COUNSELLOR.full_name,
            "preferred_language": COUNSELLOR.language,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    response = client.post(
        "/api/v1/counsellors/",
        {"user": response.json()["id"], "posted_country": "IQ", "languages": ["fa", "en", "ar"]},
        format="json",
    )
    assert response.status_code == 201, response.content


def queue_row(visitor: Visitor):
    return visitor.page.locator("[data-match-row]").filter(has_text=BUYER_COMPANY)


def counsellor_journey(browser: Browser, base_url: str, shots: Shots = NO_SHOTS) -> Visitor:
    """The counsellor posted in Iraq signs in, finds the buyer's request first in the review
    queue and forwards it to both sides with a note."""
    make_counsellor_through_the_api()
    counsellor = Visitor(browser, base_url, COUNSELLOR.language)
    page = counsellor.page
    page.goto("/accounts/login/")
    sign_in(counsellor, COUNSELLOR)
    page.get_by_role("navigation", name=counsellor.t("Main navigation")).get_by_role(
        "link", name=counsellor.t("Review queue")
    ).click()
    expect(page).to_have_url(re.compile(r"/counsellor/queue/"))
    row = queue_row(counsellor)
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("badge-request")).to_be_visible()
    expect(row).to_contain_text(REQUEST_MESSAGE)
    expect(row).to_contain_text(PRODUCT_NAME)
    shots.page(counsellor, "counsellor-queue", full_page=True)

    row = queue_row(counsellor)
    row.locator("[data-row-summary]").click()  # the line opens in place on its details and forms
    expect(row.get_by_test_id("queue-details")).to_be_visible()
    row.get_by_label(counsellor.t("Note to both sides (optional)")).fill(FORWARD_NOTE)
    row.get_by_role("button", name=counsellor.t("Forward"), exact=True).click()
    expect(row.get_by_test_id("match-status")).to_have_text(counsellor.t("Forwarded"))
    return counsellor


# --- Journey 4: both accept; the digests ------------------------------------------------------


def accept(visitor: Visitor, path: str, counterpart_email: str, shots: Shots, name: str) -> None:
    """On the leads (producer) or introductions (buyer) page: see the counterpart's contacts
    and the counsellor's note, and accept."""
    page = visitor.page
    page.goto(path)
    card = page.get_by_test_id("results").locator("article").filter(has_text=FORWARD_NOTE)
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("contacts")).to_contain_text(counterpart_email)
    shots.page(visitor, name, full_page=True)
    card = page.get_by_test_id("results").locator("article").filter(has_text=FORWARD_NOTE)
    card.get_by_role("button", name=visitor.t("Accept"), exact=True).click()


def choose_daily_digests(visitor: Visitor) -> None:
    page = visitor.page
    page.goto("/digests/preferences/")
    page.get_by_role("radio", name=visitor.t("Daily"), exact=True).check()
    visitor.button("Save", exact=True).click()
    expect(page.get_by_role("radio", name=visitor.t("Daily"), exact=True)).to_be_checked()


def connect(producer: Visitor, buyer: Visitor, shots: Shots = NO_SHOTS) -> str:
    """The producer accepts the lead, the buyer the introduction: connected. Returns the
    match page's path."""
    accept(producer, "/leads/", BUYER.email, shots, "leads")
    expect(producer.page.get_by_test_id("match-status").first).to_have_text(producer.t("Forwarded"))
    accept(buyer, "/introductions/", PRODUCER.email, NO_SHOTS, "introductions")
    buyer.page.get_by_role("link", name=re.compile(re.escape(buyer.t("Details and history")))).click()
    expect(buyer.page).to_have_url(re.compile(r"/matches/\d+/$"))
    path = re.sub(r"^https?://[^/]+", "", buyer.page.url)
    for visitor in (producer, buyer):
        visitor.page.goto(path)
        expect(visitor.page.get_by_test_id("match-status").first).to_have_text(visitor.t("Connected"))
    # Contacts revealed both ways: each side sees the other's address.
    expect(producer.page.get_by_test_id("buyer-contacts")).to_contain_text(BUYER.email)
    expect(buyer.page.get_by_test_id("producer-contacts")).to_contain_text(PRODUCER.email)
    shots.page(producer, "match-detail", full_page=True, phone=True)
    return path


def preview_digest(visitor: Visitor, shots: Shots = NO_SHOTS) -> None:
    """The digest preview: the next digest as it would be sent now, in a sandboxed frame."""
    page = visitor.page
    page.goto("/digests/preview/")
    preview = page.get_by_test_id("digest-preview")
    expect(preview).to_be_visible()
    expect(page.frame_locator("iframe").get_by_text(BUYER_COMPANY).first).to_be_visible()
    shots.page(visitor, "digest-preview", full_page=True)
