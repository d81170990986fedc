"""From a buying request to a confirmed deal in a real browser (issue 16's first "Done when"):
an Iraqi buyer posts a request; the counsellor of Iraq approves it; a producer finds it on the
board with the buyer withheld and expresses interest; the counsellor forwards the match; the
producer quotes; the buyer compares that quote with a second producer's and accepts it; the
buyer and the producer write to each other; the buyer declares the deal won with its value and
the producer confirms it; the dashboards show the awarded request and the value won. The board
and the compare page are also opened at a phone's width. Every page is checked by axe and
against the Content-Security-Policy (tests/e2e/checks.py)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from counsellors.models import CounsellorProfile
from deals.models import Quote, QuoteStatus
from deals.quotes import quote_create
from matchmaking.interest import express_interest
from matchmaking.lifecycle import match_forward
from matchmaking.models import Match, MatchStatus
from sourcing.models import BuyingRequest, RequestStatus
from tests.e2e import journeys
from tests.e2e.test_counsellor_forwarding import signed_in as signed_in_english
from tests.factories import UserFactory
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.request_support import add_product

BUYER_COMPANY = "Basra Water Works"
BUYER_CONTACT = "tenders@basra-water.example"
BUYER_LOGIN = "layla@basra-water.example"
PRODUCER_NAME = "Sahand Pumps"
OTHER_PRODUCER_NAME = "Tabriz Hydraulics"
PRODUCT_NAME = "Centrifugal pump CP-80"
TITLE = "Centrifugal pumps for a water project"
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def people(transactional_db):
    journeys.ensure_hs_nomenclature()
    counsellor = UserFactory(
        role="counsellor", email="iraq.desk@example.com", full_name="Sara Rahimi", preferred_language="en"
    )
    CounsellorProfile.objects.create(user=counsellor, posted_country="IQ")
    buyer = make_buyer(
        ("8413",),
        company_name=BUYER_COMPANY,
        email=BUYER_CONTACT,
        country="IQ",
        owner=UserFactory(role="buyer", email=BUYER_LOGIN, preferred_language="en"),
    )
    producer = make_producer((), name=PRODUCER_NAME, markets=("IQ",))
    add_product(producer, "841370", capacity="20000", lead_time=30, name=PRODUCT_NAME)
    other = make_producer((), name=OTHER_PRODUCER_NAME, markets=("IQ",))
    other_product = add_product(other, "841370", capacity="20000", lead_time=45, name="Pump TH-100")
    for user in (producer.owner, other.owner):
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])

    def second_quote(request: BuyingRequest) -> Quote:
        """The other producer's interest, forwarded, and its quote: through the services."""
        match = express_interest(request=request, product=other_product, actor=other.owner, message="")
        match_forward(match=match, actor=counsellor, note="")
        return quote_create(
            match=match,
            actor=other.owner,
            data={
                "unit_price": "47.50",
                "lead_time_days": "45",
                "valid_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
            },
        )

    return {
        "counsellor": counsellor,
        "buyer": buyer.owner,
        "producer": producer.owner,
        "producer_profile": producer,
        "second_quote": second_quote,
    }


def signed_in(browser, live_server, user, language: str = "en") -> Page:
    """A context with `user` signed in, its pages in `language`."""
    if language == "en":
        return signed_in_english(browser, live_server, user)
    return journeys.signed_in(browser, live_server.url, user, language)


def label(name: str) -> re.Pattern:
    """A control's label, marked required (" *") or not."""
    return re.compile(rf"^{re.escape(name)}( \*)?$")


def assert_buyer_withheld(page: Page) -> None:
    body = page.locator("body")
    expect(body).not_to_contain_text(BUYER_COMPANY)
    expect(body).not_to_contain_text(BUYER_CONTACT)
    expect(body).not_to_contain_text(BUYER_LOGIN)


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways at {widths[1]} px: {widths[0]} px wide"


def test_a_request_becomes_a_confirmed_deal(browser, live_server, people):
    deadline = timezone.localdate() + datetime.timedelta(days=150)

    # 1. The buyer posts a request with one line.
    buyer = signed_in(browser, live_server, people["buyer"])
    buyer.goto("/requests/mine/")
    buyer.get_by_role("link", name=re.compile("Post a buying request|New request", re.I)).first.click()
    expect(buyer).to_have_url(re.compile(r"/requests/new/$"))
    buyer.get_by_label(label("Title")).fill(TITLE)
    buyer.get_by_label(label("Description")).fill("Stainless steel, 50 m head, for a pumping station.")
    expect(buyer.get_by_label("Destination country")).to_have_value("IQ")
    buyer.get_by_label("Destination port or city").fill("Umm Qasr")
    buyer.get_by_label("Incoterm 2020").select_option("CIF")
    buyer.get_by_label(label("Delivery deadline")).fill(deadline.isoformat())
    line = buyer.locator("[data-testid=request-line]").first
    search = line.get_by_label("Find an HS code by number or name")
    search.fill("841370")
    option = buyer.get_by_role("option", name=re.compile(r"^841370"))
    expect(option).to_be_visible()
    option.click()
    expect(line.get_by_label(label("HS code"))).to_have_value("841370")
    line.get_by_label(label("Quantity")).fill("2000")
    line.get_by_label(label("Unit")).select_option("units")
    line.get_by_label("Target unit price").fill("45")
    buyer.get_by_role("button", name="Send to the trade counsellor").click()
    expect(buyer).to_have_url(re.compile(r"/requests/\d+/$"))
    expect(buyer.get_by_role("alert").or_(buyer.get_by_role("status")).first).to_contain_text(
        "trade counsellor"
    )
    request = BuyingRequest.objects.get(title=TITLE)
    assert request.status == RequestStatus.PENDING and request.incoterm == "CIF"
    assert request.deadline == deadline and request.destination_port == "Umm Qasr"
    (request_line,) = request.lines.all()
    assert (request_line.sector_id, request_line.quantity, request_line.unit) == ("841370", 2000, "units")
    assert request_line.target_price == 45

    # 2. The counsellor of Iraq approves it on "Requests to approve", in Persian.
    def fa(msgid: str) -> str:
        return journeys.translate("fa", msgid)

    persian = signed_in(browser, live_server, people["counsellor"], language="fa")
    persian.goto("/requests/review/")
    expect(persian.locator("html")).to_have_attribute("dir", "rtl")
    approve = persian.locator("form", has=persian.get_by_role("button", name=fa("Approve and publish")))
    expect(approve).to_have_count(1)
    approve.get_by_label(fa("Note (optional)")).fill("با خریدار تلفنی هماهنگ شد.")
    approve.get_by_role("button", name=fa("Approve and publish")).click()
    expect(persian.get_by_test_id("empty-state")).to_be_visible()
    persian.context.close()
    request.refresh_from_db()
    assert request.status == RequestStatus.PUBLISHED
    assert request.events.filter(note="با خریدار تلفنی هماهنگ شد.").exists()
    counsellor = signed_in(browser, live_server, people["counsellor"])

    # 3. The producer finds it on the board, the buyer withheld there, on the request's page
    # and on the interest page, and expresses interest with one of its products.
    producer = signed_in(browser, live_server, people["producer"])
    producer.goto("/requests/")
    card = producer.locator("article", has=producer.get_by_role("link", name=TITLE))
    expect(card).to_be_visible()
    expect(card.get_by_test_id("request-buyer")).to_contain_text("Withheld")
    assert_buyer_withheld(producer)
    card.get_by_role("link", name=TITLE).click()
    expect(producer).to_have_url(re.compile(rf"/requests/{request.pk}/$"))
    assert_buyer_withheld(producer)
    producer.get_by_role("link", name="Express interest").click()
    expect(producer).to_have_url(re.compile(rf"/requests/{request.pk}/interest/$"))
    assert_buyer_withheld(producer)
    producer.get_by_label("Your product").select_option(label=f"{PRODUCT_NAME} (841370)")
    producer.get_by_label("Message to the trade counsellor").fill("We deliver 2,000 pumps in 30 days.")
    producer.get_by_role("button", name="Send my interest").click()
    expect(producer.get_by_role("alert").or_(producer.get_by_role("status")).first).to_contain_text(
        "trade counsellor"
    )
    assert_buyer_withheld(producer)
    match = Match.objects.get(producer=people["producer_profile"], request=request)

    # At a phone's width, the board (the request still published) does not scroll sideways.
    phone = signed_in(browser, live_server, people["producer"])
    phone.set_viewport_size(PHONE)
    phone.goto("/requests/")
    expect(phone.get_by_role("link", name=TITLE)).to_be_visible()
    assert_no_horizontal_scroll(phone)
    phone.context.close()
    assert match.status == MatchStatus.PROPOSED and match.counsellor == people["counsellor"]

    # 4. The counsellor forwards the match from the queue.
    counsellor.goto("/counsellor/queue/")
    counsellor.locator(f"#match-{match.pk} [data-row-summary]").click()  # the line opens in place
    row = counsellor.locator(f"#match-actions-{match.pk}")
    row.get_by_label(re.compile("note", re.I)).first.fill("A reliable pump maker; please compare its quote.")
    row.get_by_role("button", name=re.compile("Forward", re.I)).click()
    expect(counsellor.locator(f"#match-actions-{match.pk} [data-testid=match-status]")).to_have_text(
        re.compile("Forwarded", re.I)
    )

    # 5. The producer quotes on the match page (the request's terms prefilled).
    producer.goto(f"/matches/{match.pk}/")
    expect(producer.locator("body")).to_contain_text(BUYER_COMPANY)  # forwarded: now shown
    form = producer.get_by_role("form", name="Send a quote")
    expect(form.get_by_label("Quantity")).to_have_value("2000")
    expect(form.get_by_label("Currency")).to_have_value("USD")
    form.get_by_label("Unit price").fill("42")
    form.get_by_label("Lead time (days)").fill("30")
    form.get_by_label("Note to the buyer").fill("Price includes sea freight to Umm Qasr.")
    form.get_by_role("button", name="Send the quote").click()
    quote = producer.get_by_test_id("quotes").get_by_test_id("quote")
    expect(quote).to_have_count(1)
    expect(quote.get_by_test_id("quote-status")).to_have_text(re.compile("Open", re.I))
    mine = Quote.objects.get(match=match)

    # 6. A second producer's quote, forwarded, through the services.
    other_quote = people["second_quote"](request)

    # 7. The buyer compares the two quotes side by side and accepts the first.
    buyer.goto(f"/requests/{request.pk}/")
    buyer.get_by_role("link", name="Compare the quotes").click()
    expect(buyer).to_have_url(re.compile(rf"/requests/{request.pk}/quotes/$"))
    table = buyer.get_by_test_id("quote-table")
    expect(table.get_by_test_id("quote")).to_have_count(2)
    expect(table).to_contain_text(PRODUCER_NAME)
    expect(table).to_contain_text(OTHER_PRODUCER_NAME)
    expect(table.locator(f"[data-quote='{mine.pk}'] [data-testid=quote-total]")).to_contain_text("84,000")
    expect(table.locator(f"[data-quote='{other_quote.pk}'] [data-testid=quote-total]")).to_contain_text(
        "95,000"
    )
    row = table.locator(f"[data-quote='{mine.pk}']")
    row.get_by_text("Accept…").click()
    accept = row.get_by_role("form", name="Accept this quote")
    accept.get_by_label("Note to the producer").fill("Agreed; we send the order this week.")
    accept.get_by_role("button", name="Yes, accept this quote").click()
    expect(buyer.get_by_test_id("request-status")).to_have_text(re.compile("Awarded", re.I))
    expect(buyer.locator(f"[data-quote='{mine.pk}'] [data-testid=quote-status]")).to_have_text(
        re.compile("Accepted", re.I)
    )
    expect(buyer.locator(f"[data-quote='{other_quote.pk}'] [data-testid=quote-status]")).to_have_text(
        re.compile("Declined", re.I)
    )
    request.refresh_from_db()
    other_quote.refresh_from_db()
    assert request.status == RequestStatus.AWARDED and other_quote.status == QuoteStatus.DECLINED

    # 8. The buyer writes; the producer sees the unread badge, opens the conversation, answers.
    buyer.goto(f"/matches/{match.pk}/conversation/")
    buyer.get_by_label("Your message").fill("Please send the proforma invoice.")
    buyer.get_by_role("button", name="Send", exact=True).click()
    expect(buyer.get_by_test_id("messages")).to_contain_text("Please send the proforma invoice.")

    producer.goto(f"/matches/{match.pk}/")
    expect(producer.get_by_test_id("unread-badge")).to_contain_text("1")
    expect(producer.get_by_test_id("conversation-unread")).to_contain_text("1 unread")
    producer.get_by_test_id("conversation-link").click()
    expect(producer).to_have_url(re.compile(rf"/matches/{match.pk}/conversation/$"))
    expect(producer.get_by_test_id("messages")).to_contain_text("Please send the proforma invoice.")
    producer.get_by_label("Your message").fill("The proforma invoice is on its way.")
    producer.get_by_role("button", name="Send", exact=True).click()
    expect(producer.get_by_test_id("messages")).to_contain_text("The proforma invoice is on its way.")
    expect(producer.get_by_test_id("unread-badge")).to_have_count(0)

    buyer.goto("/messages/")
    expect(buyer.get_by_test_id("unread-badge")).to_contain_text("1")
    buyer.goto(f"/matches/{match.pk}/conversation/")
    expect(buyer.get_by_test_id("messages")).to_contain_text("The proforma invoice is on its way.")

    # 9. The buyer declares the deal won with its value; the producer confirms.
    buyer.goto(f"/matches/{match.pk}/")
    outcome = buyer.get_by_test_id("outcome-form")
    outcome.get_by_label("Deal won").check()
    outcome.get_by_label("Deal value").fill("84000")
    outcome.get_by_label("Currency").fill("USD")
    outcome.get_by_role("button", name="Declare the outcome").click()
    expect(buyer.get_by_test_id("match-outcome")).to_contain_text("84,000")
    expect(buyer.get_by_test_id("outcome-awaiting")).to_contain_text("producer")

    producer.goto(f"/matches/{match.pk}/")
    confirm = producer.get_by_test_id("confirm-outcome")
    expect(confirm).to_contain_text("84,000")
    confirm.get_by_role("button", name="Confirm the outcome").click()
    expect(producer.get_by_test_id("outcome-confirmed")).to_be_visible()
    match.refresh_from_db()
    assert match.status == MatchStatus.WON and match.outcome_value == 84000
    assert match.outcome_currency == "USD" and match.outcome_confirmed_by == people["producer"]

    # 10. The dashboards show the awarded request and the value won.
    for page in (buyer, counsellor):
        page.goto("/dashboard/")
        expect(page.get_by_test_id("funnel-posted")).to_have_text("1")
        expect(page.get_by_test_id("funnel-awarded")).to_have_text("1")
        won = page.get_by_test_id("won-value")
        expect(won.get_by_test_id("confirmed").first).to_contain_text("84,000")
    expect(
        counsellor.get_by_test_id("table-won-market")
        .locator("tr", has_text="Iraq")
        .get_by_test_id("confirmed")
    ).to_contain_text("84,000")

    for page in (buyer, producer, counsellor):
        page.context.close()

    # 11. At a phone's width the compare page does not scroll sideways (nor did the board, above).
    phone = signed_in(browser, live_server, people["buyer"])
    phone.set_viewport_size(PHONE)
    phone.goto(f"/requests/{request.pk}/quotes/")
    expect(phone.get_by_test_id("quote")).to_have_count(2)
    assert_no_horizontal_scroll(phone)
    phone.context.close()
