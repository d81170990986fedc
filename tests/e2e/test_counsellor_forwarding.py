"""The counsellors' step in a real browser: a counsellor forwards a match from the review
queue; the producer sees the lead with the buyer's contacts and accepts; the buyer accepts;
all three see the match connected."""

import re

import pytest
from playwright.sync_api import expect

from counsellors.models import CounsellorProfile
from matchmaking import services
from matchmaking.models import Match, MatchStatus
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.matchmaking.conftest import make_buyer, make_producer

BUYER_EMAIL = "purchasing@baghdad-cold.example"
PRODUCER_EMAIL = "export@sahand-cooling.example"


@pytest.fixture
def pipeline(transactional_db):
    counsellor = UserFactory(role="counsellor", email="iraq.desk@example.com", preferred_language="en")
    CounsellorProfile.objects.create(user=counsellor, posted_country="IQ")
    producer = make_producer(("841810",), name="Sahand Cooling", email=PRODUCER_EMAIL, markets=("IQ",))
    buyer = make_buyer(("8418",), company_name="Baghdad Cold Chain", email=BUYER_EMAIL, country="IQ")
    for owner in (producer.owner, buyer.owner):
        owner.preferred_language = "en"
        owner.save(update_fields=["preferred_language"])
    services.rematch_all()
    match = Match.objects.get(producer=producer, buyer=buyer)
    assert match.counsellor == counsellor and match.status == MatchStatus.PROPOSED
    return {"counsellor": counsellor, "producer": producer.owner, "buyer": buyer.owner, "match": match}


def signed_in(browser, live_server, user):
    """A browser context (English) with `user` signed in through the sign-in page."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return page


def test_a_counsellor_forwards_and_both_sides_accept(browser, live_server, pipeline):
    match = pipeline["match"]

    counsellor = signed_in(browser, live_server, pipeline["counsellor"])
    counsellor.goto("/counsellor/queue/")
    counsellor.locator(f"#match-{match.pk} [data-row-summary]").click()  # opens in place
    row = counsellor.locator(f"#match-actions-{match.pk}")
    expect(row).to_be_visible()
    row.get_by_label(re.compile("note", re.I)).first.fill("Reliable importer; please send a quotation.")
    row.get_by_role("button", name=re.compile("Forward", re.I)).click()
    expect(counsellor.locator(f"#match-actions-{match.pk} [data-testid=match-status]")).to_have_text(
        re.compile("Forwarded", re.I)
    )

    producer = signed_in(browser, live_server, pipeline["producer"])
    producer.goto("/leads/")
    expect(producer.get_by_text(BUYER_EMAIL)).to_be_visible()
    expect(producer.get_by_text("Reliable importer; please send a quotation.")).to_be_visible()
    producer.locator(f"#match-actions-{match.pk}").get_by_role("button", name="Accept").click()
    expect(producer.locator(f"#match-actions-{match.pk} [data-testid=match-status]")).to_have_text(
        re.compile("Forwarded", re.I)
    )

    buyer = signed_in(browser, live_server, pipeline["buyer"])
    buyer.goto("/introductions/")
    expect(buyer.get_by_text(PRODUCER_EMAIL)).to_be_visible()
    buyer.locator(f"#match-actions-{match.pk}").get_by_role("button", name="Accept").click()

    for page in (buyer, producer, counsellor):
        page.goto(f"/matches/{match.pk}/")
        expect(page.locator("[data-testid=match-status]").first).to_have_text(re.compile("Connected", re.I))
    match.refresh_from_db()
    assert match.status == MatchStatus.CONNECTED
    for page in (buyer, producer, counsellor):
        page.context.close()


def test_the_counsellor_translates_the_buyer_from_the_queue(browser, live_server, pipeline):
    """The queue row's link leads to the buyer's translations page (checked by axe, in both
    languages, like every page); what the counsellor writes is what producers read."""
    page = signed_in(browser, live_server, pipeline["counsellor"])
    page.goto("/counsellor/queue/")
    page.locator("[data-row-summary]").first.click()  # the row opens in place
    page.get_by_role("link", name="Translate the buyer's texts").first.click()
    expect(page).to_have_url(re.compile(r"/counsellor/buyers/\d+/translations/$"))
    page.get_by_label("Company name in Arabic").fill("سلسلة بغداد للتبريد")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text(
        "Translations saved."
    )
    buyer = pipeline["match"].buyer
    buyer.refresh_from_db()
    assert buyer.company_name_ar == "سلسلة بغداد للتبريد"
    page.context.close()
