"""Reject reasons on the counsellors' pages: in the queue (one by one, in bulk, as a badge and
a filter) and in both dashboards (counts by reason, a chart and a table)."""

import json

import pytest

from matchmaking import lifecycle
from matchmaking.models import Match, MatchStatus, RejectReason
from tests.factories import UserFactory

from .pages_support import html_of, make_buyer, make_counsellor, make_match, make_producer

pytestmark = pytest.mark.django_db
QUEUE = "/counsellor/queue/"
BULK = "/counsellor/queue/bulk/"


@pytest.fixture
def desk():
    return make_counsellor("IQ", full_name="Iraq Desk")


def _matches(desk, n):
    producer = make_producer()
    return [make_match(producer, make_buyer(country="IQ"), counsellor=desk) for _ in range(n)]


def _bulk(client, user, ids, **fields):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    data = {"bulk_action": "reject", "match": [str(pk) for pk in ids], "next": QUEUE, **fields}
    return client.post(BULK, data, follow=True)


def test_bulk_reject_with_a_code_and_no_text(client, desk):
    matches = _matches(desk, 2)
    html = _bulk(client, desk, [m.pk for m in matches], reason_code="too_small", reason="").content.decode()
    assert "2 rejected, 0 skipped" in html
    assert set(Match.objects.values_list("reject_reason", flat=True)) == {RejectReason.TOO_SMALL}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason_code": "other", "reason": ""}, "Say why the matches are rejected."),
        ({"reason_code": "", "reason": ""}, "Say why the matches are rejected."),
        ({"reason_code": "cheap", "reason": "x"}, "Select a valid choice."),
    ],
)
def test_bulk_reject_without_a_usable_reason_changes_nothing(client, desk, fields, message):
    matches = _matches(desk, 2)
    response = _bulk(client, desk, [m.pk for m in matches], **fields)
    assert response.status_code == 400 and message in response.content.decode()
    assert set(Match.objects.values_list("status", flat=True)) == {MatchStatus.PROPOSED}


def test_the_queue_offers_the_codes_and_shows_and_filters_them(client, desk):
    wrong, small, waiting = _matches(desk, 3)
    lifecycle.match_reject(match=wrong, actor=desk, reason_code=RejectReason.WRONG_PRODUCT)
    lifecycle.match_reject(match=small, actor=desk, reason_code=RejectReason.TOO_SMALL)

    _response, html = html_of(client, QUEUE, desk)
    assert f'id="match-{waiting.pk}-reject-reason-code" name="reason_code"' in html
    assert 'id="bulk-reason-code"' in html

    _response, html = html_of(client, QUEUE, desk, status="rejected", reason_code="wrong_product")
    assert f'id="match-{wrong.pk}-title"' in html and f'id="match-{small.pk}-title"' not in html
    assert 'data-testid="badge-reject-reason"' in html and "Wrong product" in html


def _chart(html: str) -> dict:
    start = html.index('id="chart-rejections"')
    return json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])


def test_both_dashboards_count_the_rejections_by_reason(client, desk):
    colleague = make_counsellor("TR")
    wrong, small, other = _matches(desk, 3)
    theirs = make_match(make_producer(), make_buyer(country="TR"), counsellor=colleague)
    lifecycle.match_reject(match=wrong, actor=desk, reason_code=RejectReason.WRONG_PRODUCT)
    lifecycle.match_reject(match=small, actor=desk, reason_code=RejectReason.TOO_SMALL)
    lifecycle.match_reject(match=other, actor=desk, reason="Closed down")
    lifecycle.match_reject(match=theirs, actor=colleague, reason_code=RejectReason.WRONG_PRODUCT)

    response, html = html_of(client, "/counsellor/dashboard/", desk)
    counts = {row["code"]: row["count"] for row in response.context["rejections"]}
    assert counts == {"wrong_product": 1, "too_small": 1, "not_exporting": 0, "other": 1}
    assert _chart(html)["datasets"][0]["data"] == [1, 1, 0, 1]
    assert 'data-testid="rejections-wrong_product">1<' in html

    response, html = html_of(client, "/counsellor/province/", UserFactory(role="staff"))
    counts = {row["code"]: row["count"] for row in response.context["rejections"]}
    assert counts == {"wrong_product": 2, "too_small": 1, "not_exporting": 0, "other": 1}
    assert "reason_code=wrong_product" in html
