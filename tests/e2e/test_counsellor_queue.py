"""The counsellor's review queue at a real day's size (issue 19), in a real browser: a hundred
proposals, one line each, worked with the keyboard alone (move down, open one, forward it, move
on, reject one with a reason, select two and forward them together) at 1280 and 375 px, in
Persian and English, with no horizontal scroll. Every page goes through axe-core and the CSP
check (tests/e2e/checks.py)."""

import re

import pytest
from playwright.sync_api import Page, expect

from matchmaking.models import Match, MatchStatus
from tests.counsellors.pages_support import make_buyer, make_counsellor, make_match
from tests.e2e.journeys import Person, Visitor, sign_in
from tests.factories import DEFAULT_PASSWORD, ProducerProfileFactory

COUNSELLOR = Person("queue.desk@trade-counsellors.example", "Queue Desk", "fa")
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}
NOTE = "just fix the kickoff; x-check quotes"  # j, k, f, r, x, b and ? typed in a field do nothing else
REASON = "Producer lacks an export licence"

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
# What sticks out sideways, for the failure message.
WIDER_THAN_THE_SCREEN = """
() => Array.from(document.querySelectorAll("body *")).filter((element) => {
  const box = element.getBoundingClientRect();
  return box.width && (box.right > document.documentElement.clientWidth + 0.5 || box.left < -0.5);
}).slice(0, 8).map((element) => element.tagName + "." + element.className)
"""
# The height of each line, in lines of text (its padding left out).
LINE_HEIGHTS = """
() => Array.from(document.querySelectorAll("[data-row-summary]")).map((line) => {
  const style = getComputedStyle(line);
  const inner = line.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  return inner / parseFloat(style.lineHeight);
})
"""


@pytest.fixture
def queue(transactional_db):
    """A counsellor posted in Iraq with a hundred proposed matches (ten producers by ten buyers)."""
    counsellor = make_counsellor("IQ", full_name=COUNSELLOR.full_name, email=COUNSELLOR.email)
    producers = [ProducerProfileFactory(name=f"Tabriz Cooling Works {index}") for index in range(10)]
    buyers = [
        make_buyer(("841810",), country="IQ", company_name=f"Baghdad Cold Chain Trading {index}")
        for index in range(10)
    ]
    for producer in producers:
        for buyer in buyers:
            make_match(producer, buyer, counsellor=counsellor)
    return list(Match.objects.filter(counsellor=counsellor).order_by("id"))


def focused_row(page: Page) -> str:
    return page.evaluate("document.activeElement.closest('[data-match-row]')?.id || ''")


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(WIDER_THAN_THE_SCREEN)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_queue_is_worked_with_the_keyboard_alone(browser, live_server, queue, language, width):
    visitor = Visitor(browser, live_server.url, language)
    visitor.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = visitor.page
    page.set_viewport_size(WIDTHS[width])
    sign_in(visitor, COUNSELLOR, password=DEFAULT_PASSWORD)
    page.goto("/counsellor/queue/")
    visitor.expect_language(language)

    rows = page.locator("[data-queue] > [data-match-row]")
    expect(rows).to_have_count(100)
    no_sideways_scroll(page)
    # One line each at 1280 px; at most two at 375 px.
    most = 1.5 if width == "desktop" else 2.5
    heights = page.evaluate(LINE_HEIGHTS)
    assert len(heights) == 100 and max(heights) <= most, max(heights)
    expect(page.locator("[data-row-details][open]")).to_have_count(0)

    first, second, third, fourth, fifth = (f"match-{match.pk}" for match in queue[:5])

    # ? shows the shortcuts written on the page, and hides them again.
    page.keyboard.press("?")
    expect(page.get_by_test_id("queue-keys")).to_have_attribute("open", "")
    page.keyboard.press("?")
    expect(page.get_by_test_id("queue-keys")).not_to_have_attribute("open", "")

    # Down twice, open the second proposal in place.
    page.keyboard.press("j")
    assert focused_row(page) == first
    page.keyboard.press("ArrowDown")
    assert focused_row(page) == second
    expect(page.locator("[data-queue-announce]")).to_have_text(re.compile("2" if language == "en" else "۲"))
    page.keyboard.press("Enter")
    row = page.locator(f"#{second}")
    expect(row.locator("[data-row-details]")).to_have_attribute("open", "")
    expect(row.get_by_test_id("contacts")).to_have_count(2)
    no_sideways_scroll(page)

    # f: at the note (shortcut letters typed there are only text); Tab to the button, Enter.
    page.keyboard.press("f")
    note = row.locator("textarea[name=note]")
    expect(note).to_be_focused()
    page.keyboard.type(NOTE)
    expect(note).to_have_value(NOTE)
    assert focused_row(page) == second
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(row.get_by_test_id("match-status")).to_have_text(visitor.t("Forwarded"))
    expect(page.locator(f"#{second} [data-row-summary]")).to_be_focused()
    forwarded = Match.objects.get(pk=queue[1].pk)
    assert forwarded.status == MatchStatus.FORWARDED and forwarded.forward_note == NOTE

    # Move on and reject the third with a reason.
    page.keyboard.press("j")
    assert focused_row(page) == third
    page.keyboard.press("r")
    row = page.locator(f"#{third}")
    expect(row.locator("select[name=reason_code]")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(row.locator("select[name=reason_code]")).not_to_have_value("")
    page.keyboard.press("Tab")
    expect(row.locator("textarea[name=reason]")).to_be_focused()
    page.keyboard.type(REASON)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(row.get_by_test_id("match-status")).to_have_text(visitor.t("Rejected"))
    expect(page.locator(f"#{third} [data-row-summary]")).to_be_focused()
    rejected = Match.objects.get(pk=queue[2].pk)
    assert rejected.status == MatchStatus.REJECTED
    assert rejected.events.get(to_status=MatchStatus.REJECTED).note == REASON

    # Select the next two, go to the bulk bar (always in reach) and forward them together.
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert focused_row(page) == fifth
    for selected in (fourth, fifth):
        expect(page.locator(f"#{selected} [data-select-match]")).to_be_checked()
    expect(page.locator("[data-select-match]:checked")).to_have_count(2)
    expect(page.get_by_test_id("selected-count")).to_have_text(re.compile("2" if language == "en" else "۲"))
    bar = page.get_by_test_id("bulk-bar")
    expect(bar).to_be_in_viewport()
    page.keyboard.press("b")
    expect(bar.locator("[data-bulk-forward]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/counsellor/queue/$"))
    expect(page.locator(".alert-success").first).to_be_visible()
    assert set(Match.objects.filter(pk__in=[queue[3].pk, queue[4].pk]).values_list("status", flat=True)) == {
        MatchStatus.FORWARDED
    }
    assert Match.objects.get(pk=queue[0].pk).status == MatchStatus.PROPOSED
    expect(rows).to_have_count(96)  # the proposed ones left
    no_sideways_scroll(page)
    visitor.close()
