"""A foreign buyer in each of the five languages (issue 15), in a real browser.

For each language: the home page, sign-up, the catalogue search with a word of that language,
the product page (in the reader's language, else English, saying so) and the introduction
request. `lang` and `dir` are checked on every page, and every page visited goes through
axe-core (tests/e2e/checks.py). The interface strings themselves are checked against the
catalogues by tests/portal/test_translations.py.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e import journeys
from tests.e2e.journeys import PASSWORD, Person, Visitor, labelled

RTL = {"fa", "ar"}
PRODUCT = {
    "fa": "یخچال خانگی دو درب",
    "en": "Two-door household refrigerator",
    "ar": "ثلاجة منزلية ببابين",
}
# The word each reader types; the Russian and Turkish ones find the product through the names
# of its HS code (8418) in their language, the product itself having no such translation.
SEARCH = {
    "fa": "یخچال",
    "en": "refrigerator",
    "ar": "ثلاجة",
    "ru": "холодильник",
    "tr": "buzdolabı",
}
# What the product page's heading shows, and in which language.
SHOWN = {"fa": "fa", "en": "en", "ar": "ar", "ru": "en", "tr": "en"}


@pytest.fixture
def catalogue(transactional_db):
    from catalogue.services import product_create
    from tests.factories import ProducerProfileFactory

    journeys.ensure_hs_nomenclature()
    mail.outbox.clear()
    producer = ProducerProfileFactory(name="لوازم خانگی سهند", target_markets=["IQ", "RU", "TR"])
    product_create(
        producer=producer,
        actor=producer.owner,
        data={
            "name": PRODUCT["fa"],
            "hs_code": "841821",
            "annual_capacity": "24000",
            "capacity_unit": "units",
            "translations": {"en": {"name": PRODUCT["en"]}, "ar": {"name": PRODUCT["ar"]}},
        },
    )
    return producer


def expect_language(visitor: Visitor, language: str) -> None:
    html = visitor.page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", "rtl" if language in RTL else "ltr")


@pytest.mark.parametrize("language", ["fa", "en", "ar", "ru", "tr"])
def test_a_buyer_reads_signs_up_searches_and_asks_in_their_language(
    browser, live_server, catalogue, language
):
    from accounts.services import buyer_profile_create
    from matchmaking.models import Match

    person = Person(f"buyer.{language}@importers.example", "Layla Haddad", language)
    visitor = Visitor(browser, live_server.url, language)
    visitor.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = visitor.page

    # The home page.
    page.goto("/")
    expect_language(visitor, language)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # Sign-up, in the reader's language, with it as the preferred one; the confirmation mail too.
    page.goto("/accounts/signup/")
    expect_language(visitor, language)
    labelled(page, visitor.t("Full name")).fill(person.full_name)
    labelled(page, visitor.t("Email")).fill(person.email)
    page.get_by_role("radio", name=visitor.t("Buyer — my company abroad buys products")).check()
    labelled(page, visitor.t("Preferred language")).select_option(language)
    labelled(page, visitor.t("Password")).fill(PASSWORD)
    labelled(page, visitor.t("Password (again)")).fill(PASSWORD)
    visitor.button("Sign up").click()
    expect(page.get_by_role("heading", name=visitor.t("Verify Your Email Address"))).to_be_visible()
    page.goto(journeys.confirmation_path(mail.outbox, person.email))
    visitor.button("Confirm").click()
    if "/accounts/login/" in page.url:
        journeys.sign_in(visitor, person)
    buyer = journeys.user(person)
    assert buyer.preferred_language == language
    buyer_profile_create(
        actor=buyer, data={"company_name": "Tigris Trading", "country": "IQ", "sought_sectors": ["8418"]}
    )

    # The catalogue search with the reader's word.
    page.goto("/catalogue/")
    expect_language(visitor, language)
    form = page.get_by_role("search")
    labelled(form, visitor.t("Search")).fill(SEARCH[language])
    form.get_by_role("button", name=visitor.t("Search")).click()
    results = page.get_by_test_id("results")
    shown = SHOWN[language]
    expect(results.get_by_role("link", name=PRODUCT[shown])).to_be_visible()

    # The product page, in the reader's language or in English, saying so.
    results.get_by_role("link", name=PRODUCT[shown]).click()
    expect_language(visitor, language)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(PRODUCT[shown])
    expect(heading.locator("bdi")).to_have_attribute("lang", shown)
    note = page.locator("article .language-note").first
    if shown == language:
        expect(note).to_have_count(0)
    else:
        expect(note).to_be_visible()

    # The introduction request.
    request = page.get_by_test_id("request-introduction")
    request.get_by_label(re.compile(re.escape(visitor.t("Message to the trade counsellor")))).fill(
        "5,000 units a year."
    )
    request.get_by_role("button", name=visitor.t("Request an introduction")).click()
    expect(page.get_by_role("status")).to_contain_text(
        visitor.t("We will email you once they forward it to the producer.")
    )
    assert Match.objects.filter(buyer__owner=buyer, requested_product__name=PRODUCT["fa"]).exists()
    visitor.close()
