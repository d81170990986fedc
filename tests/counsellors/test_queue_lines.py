"""The review queue at a real day's size (issue 19): a hundred proposals on one page, one line
each (the companies, the product, the score, the age, the source), their details and the
forward/reject forms in place under the line, the keyboard shortcuts written on the page, the
bulk bar sticky with its count, and no inline script."""

import re

import pytest
from django.urls import reverse

from matchmaking.models import MatchSource
from tests.factories import ProducerProfileFactory

from .pages_support import html_of, make_buyer, make_counsellor, make_match
from .queue_markup import has, queue_rows, tree

pytestmark = pytest.mark.django_db
QUEUE = "/counsellor/queue/"
# What a line may hold: text and inline marks only, nothing that breaks it or takes focus.
INLINE = {"span", "time", "i", "bdi", "strong", "kbd"}


@pytest.fixture
def hundred():
    counsellor = make_counsellor("IQ", full_name="Iraq Desk")
    # Ten producers by ten buyers: a hundred pairs.
    producers = [ProducerProfileFactory() for _index in range(10)]
    buyers = [make_buyer(("841810",), country="IQ", company_name=f"Buyer {index}") for index in range(10)]
    pairs = [(producer, buyer) for producer in producers for buyer in buyers]
    matches = [make_match(producer, buyer, counsellor=counsellor) for producer, buyer in pairs[:97]]
    for (producer, buyer), source in zip(
        pairs[97:],
        (MatchSource.BUYER_REQUEST, MatchSource.BUYER_REQUEST, MatchSource.PRODUCER_INTEREST),
        strict=True,
    ):
        matches.append(make_match(producer, buyer, counsellor=counsellor, source=source))
    return counsellor, matches


def test_a_hundred_proposals_fit_one_page_one_line_each(client, hundred):
    counsellor, matches = hundred
    response, html = html_of(client, QUEUE, counsellor)
    assert response.status_code == 200
    rows = queue_rows(html)
    assert len(rows) == 100
    assert {row.attrs["id"] for row in rows} == {f"match-{match.pk}" for match in matches}
    assert "100 matches" in html and "Page 1 of" not in html
    assert tree(html).first(has("aria-label", "Result pages")) is None  # no second page

    sources = {"badge-engine": 0, "badge-request": 0, "badge-interest": 0}
    for row in rows:
        assert "data-match-row" in row.attrs
        select, details = row.children  # a check box beside one disclosure
        assert select.first(has("data-select-match")).attrs["form"] == "bulk-form"
        assert details.tag == "details" and "open" not in details.attrs
        line, body = details.children
        assert line.tag == "summary"
        # One line: only inline marks inside, nothing interactive.
        assert not line.find_all(lambda node: node.tag not in INLINE), row.attrs["id"]
        assert "↔" in line.first(has("id", row.attrs["id"] + "-title")).all_text()
        assert re.search(r"score \d+%", line.all_text()) and "days old" in line.all_text()
        assert "841810" in line.first(has("data-testid", "queue-product")).all_text()
        for source in sources:
            sources[source] += bool(line.first(has("data-testid", source)))
        # What opens in place: both contact blocks, the reasons and the two forms.
        assert len(body.find_all(has("data-testid", "contacts"))) == 2
        assert body.first(lambda node: node.tag == "table") is not None
        actions = {node.attrs["action"] for node in body.find_all(lambda node: node.tag == "form")}
        pk = int(row.attrs["id"].split("-")[1])
        assert actions == {
            reverse("matchmaking:match_forward", args=[pk]),
            reverse("matchmaking:match_reject", args=[pk]),
        }
    assert sources == {"badge-engine": 97, "badge-request": 2, "badge-interest": 1}
    # Buyers' requests, then the producer's interest, come first.
    assert [row.attrs["id"] for row in rows[:3]] == [f"match-{match.pk}" for match in matches[97:]]


def test_the_bulk_bar_the_shortcuts_and_the_live_region_are_on_the_page(client, hundred):
    counsellor, _matches = hundred
    _response, html = html_of(client, QUEUE, counsellor)
    page = tree(html)
    bar = page.first(has("id", "bulk-form"))
    assert "queue-bulk" in bar.attrs["class"]  # sticky (counsellors.css)
    assert bar.first(has("data-selected-count")).attrs["aria-live"] == "polite"
    assert {node.attrs.get("value") for node in bar.find_all(has("name", "bulk_action"))} == {
        "forward",
        "reject",
    }
    keys = page.first(has("data-queue-keys"))
    written = keys.all_text()
    for key in ("j", "k", "↓", "↑", "Enter", "f", "r", "x", "b", "Esc", "?"):
        assert f" {key} " in f" {written} ", key
    assert "The shortcuts rest while you type in a field." in written
    region = page.first(has("data-queue-announce"))
    assert (
        region.attrs["aria-live"] == "polite" and region.attrs["data-position"] == "Match %(n)s of %(total)s"
    )
    # CSP: scripts from static files only, no handler in an attribute.
    scripts = page.find_all(lambda node: node.tag == "script")
    assert all(script.attrs.get("src") for script in scripts)
    assert any(script.attrs["src"].endswith("counsellors/queue_keys.js") for script in scripts)
    assert not page.find_all(lambda node: any(name.startswith("on") for name in node.attrs))


def test_the_line_names_the_requested_product_of_a_buyers_request(client, hundred):
    counsellor, matches = hundred
    from tests.factories import ProductFactory

    product = ProductFactory(producer=matches[-2].producer, name="Two-door refrigerator")
    matches[-2].requested_product = product
    matches[-2].save(update_fields=["requested_product"])
    _response, html = html_of(client, QUEUE, counsellor)
    (row,) = [row for row in queue_rows(html) if row.attrs["id"] == f"match-{matches[-2].pk}"]
    product_cell = row.first(has("data-testid", "queue-product"))
    assert "Two-door refrigerator" in product_cell.all_text()
