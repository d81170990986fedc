"""The review queue: who sees it and which matches, filters, order, age badges, the row
forms, bulk forward/reject and a query count that does not grow with the rows."""

import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matchmaking import lifecycle
from matchmaking.models import Match, MatchEvent, MatchSource, MatchStatus
from tests.factories import BuyerProfileFactory, ProducerProfileFactory, UserFactory

from .pages_support import age, html_of, make_buyer, make_counsellor, make_match, make_producer, rematch
from .queue_markup import has, queue_rows

pytestmark = pytest.mark.django_db
QUEUE = "/counsellor/queue/"
BULK = "/counsellor/queue/bulk/"


@pytest.fixture
def world():
    """Two desks (Iraq, Turkey); matches routed to each and one in the shared pool (Brazil,
    no desk in its region); a buyer's request with a score of 0."""
    iraq = make_counsellor("IQ", full_name="Iraq Desk")
    turkey = make_counsellor("TR", full_name="Turkey Desk")
    sahand = make_producer(
        ("841810",), markets=("IQ", "TR", "BR"), name="Sahand Cooling", email="sales@sahand.example"
    )
    furniture = make_producer(("940360",), markets=("IQ",), name="Tabriz Furniture")
    baghdad = make_buyer(
        ("841810",), country="IQ", company_name="Baghdad Cold Chain", email="buy@baghdad.example"
    )
    istanbul = make_buyer(("841810",), country="TR", company_name="Istanbul Appliances")
    saopaulo = make_buyer(("841810",), country="BR", company_name="Sao Paulo Frio")
    mosul = make_buyer(("9403",), country="IQ", company_name="Mosul Interiors")
    rematch()
    request = lifecycle.request_introduction(actor=baghdad.owner, producer=furniture, message="Chairs please")
    pair = {(m.producer_id, m.buyer_id): m for m in Match.objects.all()}
    return SimpleNamespace(
        iraq=iraq,
        turkey=turkey,
        staff=UserFactory(role="staff"),
        sahand=sahand,
        furniture=furniture,
        baghdad_match=pair[(sahand.pk, baghdad.pk)],
        istanbul_match=pair[(sahand.pk, istanbul.pk)],
        pool_match=pair[(sahand.pk, saopaulo.pk)],
        mosul_match=pair[(furniture.pk, mosul.pk)],
        request=request,
    )


def row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="match-(\d+)-title"', html)]


def queue(client, user, **params):
    response, html = html_of(client, QUEUE, user, **params)
    assert response.status_code == 200, response.status_code
    return html


# --- Who may see it ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (QUEUE, BULK):
        response = client.get(url) if url == QUEUE else client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["producer", "buyer"])
def test_producers_and_buyers_are_refused(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(QUEUE).status_code == 403
    assert client.post(BULK, {"bulk_action": "forward", "match": ["1"]}).status_code == 403


def test_the_url_names(world):
    assert reverse("counsellors:queue") == QUEUE
    assert reverse("counsellors:queue_bulk") == BULK


def test_a_counsellor_sees_their_matches_and_the_pool_not_a_colleagues(client, world):
    iraq = set(row_ids(queue(client, world.iraq)))
    assert iraq == {world.baghdad_match.pk, world.pool_match.pk, world.mosul_match.pk, world.request.pk}
    turkey = set(row_ids(queue(client, world.turkey)))
    assert turkey == {world.istanbul_match.pk, world.pool_match.pk}


def test_staff_see_every_match(client, world):
    assert len(row_ids(queue(client, world.staff))) == Match.objects.count() == 5


def test_a_row_shows_both_companies_with_contacts_reasons_and_badges(client, world):
    html = queue(client, world.iraq)
    assert "sales@sahand.example" in html and "buy@baghdad.example" in html
    assert "same HS subheading 841810" in html
    assert "<details" in html and "Why this match" in html
    assert 'data-testid="badge-request"' in html
    assert "Shared pool" in html


def test_row_forms_post_to_the_match_endpoints_in_place_and_back_to_the_queue(client, world):
    html = queue(client, world.iraq)
    pk = world.baghdad_match.pk
    forward = reverse("matchmaking:match_forward", args=[pk])
    reject = reverse("matchmaking:match_reject", args=[pk])
    assert f'action="{forward}" hx-post="{forward}" hx-target="#match-actions-{pk}"' in html
    assert f'action="{reject}" hx-post="{reject}" hx-target="#match-actions-{pk}"' in html
    assert f'id="match-actions-{pk}"' in html
    assert 'name="note"' in html and 'name="reason"' in html
    assert f'name="next" value="{QUEUE}#match-{pk}"' in html
    # Keyboard and screen readers: real check boxes with labels, tied to the bulk form.
    assert f'<label class="form-check-label visually-hidden" for="select-{pk}">' in html
    assert 'form="bulk-form"' in html and 'id="bulk-form"' in html


def test_forwarding_from_a_row_without_javascript_comes_back_to_the_queue(client, world):
    client.force_login(world.iraq)
    pk = world.baghdad_match.pk
    response = client.post(
        reverse("matchmaking:match_forward", args=[pk]), {"note": "Good fit", "next": f"{QUEUE}#match-{pk}"}
    )
    assert response.status_code == 302 and response["Location"].startswith(QUEUE)
    assert Match.objects.get(pk=pk).status == MatchStatus.FORWARDED


# --- Status, filters, order ----------------------------------------------------------------


def test_the_queue_shows_proposed_matches_unless_asked(client, world):
    lifecycle.match_forward(match=world.baghdad_match, actor=world.iraq, note="")
    assert world.baghdad_match.pk not in row_ids(queue(client, world.iraq))
    assert row_ids(queue(client, world.iraq, status="forwarded")) == [world.baghdad_match.pk]
    assert world.baghdad_match.pk in row_ids(queue(client, world.iraq, status=""))


def test_filters_combine(client, world):
    def ids(**params):
        return set(row_ids(queue(client, world.staff, **params)))

    assert ids(country="IQ") == {world.baghdad_match.pk, world.mosul_match.pk, world.request.pk}
    # Either side's codes: the request's buyer seeks 841810, its producer makes 940360.
    assert ids(country="IQ", sector="8418") == {world.baghdad_match.pk, world.request.pk}
    assert ids(country="IQ", sector="84") == ids(country="IQ", sector="841810")
    assert ids(country="IQ", sector="8418", min_score="50") == {world.baghdad_match.pk}
    assert ids(sector="9403") == {world.mosul_match.pk, world.request.pk}
    assert ids(sector="XX") == ids(sector="94")  # a section
    assert ids(source="buyer_request") == {world.request.pk}
    assert ids(source="engine", sector="9403") == {world.mosul_match.pk}
    assert ids(country="BR", min_score="50") == {world.pool_match.pk}
    assert ids(country="BR", source="buyer_request") == set()


def test_age_filters(client, world):
    age(world.pool_match, 10)
    age(world.mosul_match, 3)

    def ids(**params):
        return set(row_ids(queue(client, world.staff, **params)))

    assert ids(ageing="on") == {world.pool_match.pk}
    assert ids(older_than="2") == {world.pool_match.pk, world.mosul_match.pk}
    assert ids(older_than="9", country="BR") == {world.pool_match.pk}
    assert ids(older_than="11") == set()


def test_invalid_filters_are_shown_not_a_server_error(client, world):
    html = queue(client, world.staff, min_score="abc", sector="0199", country="XX")
    assert "Some filters are not valid" in html
    assert row_ids(html) == []


def test_buyer_requests_come_first_then_the_best_scores(client, world):
    ids = row_ids(queue(client, world.iraq))
    assert ids[0] == world.request.pk  # a score of 0, yet first
    assert world.request.source == MatchSource.BUYER_REQUEST
    scores = [Match.objects.get(pk=pk).score for pk in ids[1:]]
    assert scores == sorted(scores, reverse=True)


def test_empty_state(client, db):
    html = queue(client, make_counsellor("AM"))
    assert 'data-testid="empty-state"' in html
    assert "Nothing is waiting for your review." in html


# --- Age badges -----------------------------------------------------------------------------


def test_ageing_and_overdue_badges(client, world, settings):
    settings.MATCH_AGEING_DAYS, settings.MATCH_ESCALATION_DAYS = 7, 14
    html = queue(client, world.iraq)
    assert 'data-testid="badge-ageing"' not in html and 'data-testid="badge-overdue"' not in html

    age(world.baghdad_match, 8)
    html = queue(client, world.iraq)
    (row,) = [row for row in queue_rows(html) if row.attrs["id"] == f"match-{world.baghdad_match.pk}"]
    line = row.first(has("data-row-summary"))
    assert line.first(has("data-testid", "badge-ageing")) is not None and "8 days old" in line.all_text()
    assert "queue-row-ageing" in row.attrs["class"]
    assert html.count('data-testid="badge-ageing"') == 1

    age(world.baghdad_match, 15)
    html = queue(client, world.iraq)
    assert 'data-testid="badge-overdue"' in html and "Overdue" in html
    assert 'data-testid="badge-ageing"' not in html


def test_an_escalated_match_says_so(client, world):
    Match.objects.filter(pk=world.pool_match.pk).update(escalated_at=world.pool_match.created_at)
    html = queue(client, world.iraq)
    assert "Escalated to staff" in html


# --- Bulk review ----------------------------------------------------------------------------


def bulk(client, user, action, ids, **fields):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    data = {"bulk_action": action, "match": [str(pk) for pk in ids], "next": QUEUE, **fields}
    return client.post(BULK, data, follow=True)


def test_bulk_forward_reports_and_skips_what_a_colleague_handled(client, world):
    # The Turkey desk takes the pool match first; the Iraq desk's selection still names it,
    # and a match routed to the Turkey desk is not the Iraq desk's to forward.
    lifecycle.match_forward(match=world.pool_match, actor=world.turkey, note="")
    selected = [world.baghdad_match.pk, world.pool_match.pk, world.istanbul_match.pk]
    response = bulk(client, world.iraq, "forward", selected, note="Strong fit for the summer season")
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == QUEUE
    assert "1 forwarded, 2 skipped (already handled, or no longer yours to review)." in html
    assert "Sao Paulo Frio" not in html and "Istanbul" not in html  # counted, never named
    baghdad = Match.objects.get(pk=world.baghdad_match.pk)
    assert baghdad.status == MatchStatus.FORWARDED
    assert baghdad.forward_note == "Strong fit for the summer season"
    assert Match.objects.get(pk=world.istanbul_match.pk).status == MatchStatus.PROPOSED
    assert Match.objects.get(pk=world.pool_match.pk).counsellor == world.turkey


def test_bulk_reject_needs_a_reason_and_changes_nothing_without_one(client, world):
    selected = [world.baghdad_match.pk, world.mosul_match.pk]
    response = bulk(client, world.iraq, "reject", selected, reason="  ")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="bulk-errors"' in html and "Say why the matches are rejected." in html
    assert f'id="select-{world.baghdad_match.pk}" data-select-match checked' in html
    assert set(Match.objects.filter(pk__in=selected).values_list("status", flat=True)) == {"proposed"}


def test_after_a_bulk_error_the_forms_still_come_back_to_the_filtered_queue(client, world):
    client.force_login(world.iraq)
    back = f"{QUEUE}?country=IQ&source=engine"
    data = {"bulk_action": "reject", "match": [world.baghdad_match.pk], "reason": "", "next": back}
    response = client.post(BULK, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert set(row_ids(html)) == {world.baghdad_match.pk, world.mosul_match.pk}  # the filters kept
    escaped = back.replace("&", "&amp;")
    assert f'name="next" value="{escaped}"' in html
    assert f'name="next" value="{escaped}#match-{world.baghdad_match.pk}"' in html


def test_bulk_reject_with_a_reason(client, world):
    selected = [world.baghdad_match.pk, world.mosul_match.pk]
    html = bulk(
        client, world.iraq, "reject", selected, reason="Producer lacks export licence"
    ).content.decode()
    assert "2 rejected, 0 skipped (already handled, or no longer yours to review)." in html
    assert set(Match.objects.filter(pk__in=selected).values_list("status", flat=True)) == {"rejected"}
    notes = MatchEvent.objects.filter(match_id__in=selected, to_status="rejected").values_list(
        "note", flat=True
    )
    assert list(notes) == ["Producer lacks export licence"] * 2


def test_bulk_with_nothing_selected(client, world):
    response = bulk(client, world.iraq, "forward", [])
    assert response.status_code == 400
    assert "Select at least one match." in response.content.decode()


def test_bulk_ignores_a_next_off_the_site(client, world):
    client.force_login(world.iraq)
    response = client.post(
        BULK, {"bulk_action": "forward", "match": [world.baghdad_match.pk], "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == QUEUE


# --- Pages and queries ----------------------------------------------------------------------


def fill_queue(counsellor, count: int) -> None:
    buyer = make_buyer(country="IQ")
    for _index in range(count):
        make_match(ProducerProfileFactory(), buyer, counsellor=counsellor)


def test_the_queue_takes_a_constant_number_of_queries(client, django_assert_max_num_queries):
    counsellor = make_counsellor("IQ")
    client.force_login(counsellor)

    def count(**params) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(QUEUE, params)
        assert response.status_code == 200
        return len(queries)

    fill_queue(counsellor, 5)
    few = count()
    few_filtered = count(country="IQ", sector="8418", min_score="10", older_than="0")
    fill_queue(counsellor, 25)
    assert Match.objects.count() == 30
    with django_assert_max_num_queries(few):
        client.get(QUEUE)
    with django_assert_max_num_queries(few_filtered):
        client.get(QUEUE, {"country": "IQ", "sector": "8418", "min_score": "10", "older_than": "0"})
    assert few <= 8


def test_pagination(client, monkeypatch):
    monkeypatch.setattr("counsellors.views.QUEUE_PER_PAGE", 25)
    counsellor = make_counsellor("IQ")
    fill_queue(counsellor, 30)
    first = queue(client, counsellor)
    assert len(row_ids(first)) == 25 and "30 matches" in first and "Page 1 of 2" in first
    second = queue(client, counsellor, page="2", source="engine")
    assert len(row_ids(second)) == 5
    assert f'href="{QUEUE}?page=1&amp;source=engine"' in second


def test_the_page_reads_in_persian_by_default(client, world):
    client.force_login(world.iraq)
    html = client.get(QUEUE).content.decode()
    assert 'dir="rtl"' in html and "۴" in html  # "4 matches" in Persian digits


def test_buyer_names_are_escaped(client, world):
    buyer = BuyerProfileFactory._meta.model.objects.get(pk=world.baghdad_match.buyer_id)
    buyer.company_name = "<script>alert(1)</script>"  # the original (portal/content.py)
    buyer.save()
    html = queue(client, world.iraq)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
