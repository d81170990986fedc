"""Quotes over the API, from the outside: every path for every role on matches in every status
the parties may or may not see, the shapes (docs/api.md's fields and more), field errors, 409s,
malformed ids, the comparison's order, and the schema."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from deals.models import Quote, QuoteStatus
from sourcing.models import RequestStatus

from .quote_support import ROLES, in_days, make_cast, make_deal, make_quote, quote_input

pytestmark = pytest.mark.django_db

API_MD_FIELDS = {
    "id",
    "match",
    "request",
    "unit_price",
    "currency",
    "quantity",
    "unit",
    "incoterm",
    "lead_time_days",
    "valid_until",
    "note",
    "status",
}
# Who sees the quotes of P1 ↔ B1 once it is forwarded (the others get a 404, anonymous a 401).
SEES = {"producer", "buyer", "counsellor", "staff"}
STATUS_OF_ROLE_OUTSIDE = 404


@pytest.fixture(autouse=True)
def _no_mail(monkeypatch):
    monkeypatch.setattr("deals.tasks.notify_quote_event.delay", lambda event_id: None)


@pytest.fixture
def cast():
    return make_cast()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _expected_read(role: str, status: str) -> int:
    if role == "anonymous":
        return 401
    if status == "proposed" or role not in SEES:
        return 404
    return 200


# --- GET and POST /api/v1/matches/{id}/quotes/ -------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", ["proposed", "forwarded", "connected", "declined"])
def test_who_reads_a_matchs_quotes(cast, role, status):
    match = cast.matches[status]
    quote = make_quote(match)
    response = client_for(cast.user(role)).get(f"/api/v1/matches/{match.pk}/quotes/")
    assert response.status_code == _expected_read(role, status), response.content
    if response.status_code == 200:
        assert [row["id"] for row in response.json()["results"]] == [quote.pk]


def _expected_create(role: str, status: str) -> int:
    if role == "anonymous":
        return 401
    if status == "proposed" or role not in SEES:
        return 404
    if role != "producer":
        return 403
    return 201 if status in ("forwarded", "connected") else 409


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", ["proposed", "forwarded", "connected", "declined"])
def test_who_sends_a_quote(cast, role, status):
    match = cast.matches[status]
    response = client_for(cast.user(role)).post(
        f"/api/v1/matches/{match.pk}/quotes/", quote_input(), format="json"
    )
    expected = _expected_create(role, status)
    assert response.status_code == expected, response.content
    assert Quote.objects.filter(match=match).count() == (1 if expected == 201 else 0)
    if expected >= 400:
        assert "detail" in response.json()


def test_a_sent_quote_reads_as_the_contract_says(cast):
    response = client_for(cast.producer).post(
        f"/api/v1/matches/{cast.match.pk}/quotes/",
        quote_input(unit_price="1250.5", quantity=..., unit=..., incoterm=..., currency=...),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= API_MD_FIELDS
    quote = Quote.objects.get()
    assert body["id"] == quote.pk and body["match"] == cast.match.pk and body["request"] == cast.request.pk
    assert body["line"] == cast.match.request_line_id
    assert body["unit_price"] == "1250.50" and body["quantity"] == "2000.00"
    assert body["total"] == "2501000.00"
    assert (body["currency"], body["unit"], body["incoterm"]) == ("USD", "units", "CIF")
    assert body["status"] == "open" and body["valid_until"] == in_days(30).isoformat()
    assert body["producer"] == {"id": cast.match.producer_id, "name": cast.match.producer.name}
    assert body["decided_at"] is None and body["decision_note"] == ""
    # The same as a GET of it.
    assert client_for(cast.buyer).get(f"/api/v1/quotes/{quote.pk}/").json() == body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"unit_price": "0"}, "unit_price"),
        ({"unit_price": "0.004"}, "unit_price"),
        ({"unit_price": "1e999999"}, "unit_price"),
        ({"unit_price": "12\x00"}, "unit_price"),
        ({"unit_price": ...}, "unit_price"),
        ({"quantity": "-3"}, "quantity"),
        ({"quantity": "99999999999999999"}, "quantity"),
        ({"currency": "ABC"}, "currency"),
        ({"currency": "USDX"}, "currency"),
        ({"unit": "bananas"}, "unit"),
        ({"incoterm": "XYZ"}, "incoterm"),
        ({"lead_time_days": 731}, "lead_time_days"),
        ({"lead_time_days": "x"}, "lead_time_days"),
        ({"valid_until": "2020-01-01"}, "valid_until"),
        ({"valid_until": "not a date"}, "valid_until"),
        ({"note": "n" * 2001}, "note"),
        ({"note": "a\x00b"}, "note"),
    ],
)
def test_bad_input_is_a_400_with_the_field(cast, changes, field):
    response = client_for(cast.producer).post(
        f"/api/v1/matches/{cast.match.pk}/quotes/", quote_input(**changes), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Quote.objects.exists()


def test_a_form_encoded_quote_is_taken_too(cast):
    response = client_for(cast.producer).post(f"/api/v1/matches/{cast.match.pk}/quotes/", quote_input())
    assert response.status_code == 201, response.content


def test_no_quote_for_a_request_no_longer_published(cast):
    cast.request.status = RequestStatus.CLOSED
    cast.request.save(update_fields=["status"])
    response = client_for(cast.producer).post(
        f"/api/v1/matches/{cast.match.pk}/quotes/", quote_input(), format="json"
    )
    assert response.status_code == 409 and "detail" in response.json()


def test_a_matchs_quotes_sort_and_filter(cast):
    cheap = make_quote(cast.match, unit_price=Decimal("10"))
    dear = make_quote(cast.match, unit_price=Decimal("99"), status=QuoteStatus.DECLINED)
    client = client_for(cast.buyer)
    url = f"/api/v1/matches/{cast.match.pk}/quotes/"
    assert [q["id"] for q in client.get(url).json()["results"]] == [dear.pk, cheap.pk]  # newest first
    assert [q["id"] for q in client.get(url, {"ordering": "total"}).json()["results"]] == [cheap.pk, dear.pk]
    assert [q["id"] for q in client.get(url, {"status": "open"}).json()["results"]] == [cheap.pk]
    assert client.get(url, {"ordering": "bogus"}).status_code == 400
    assert client.get(url, {"status": "bogus"}).status_code == 400


# --- /api/v1/quotes/{id}/ and its transitions --------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_one_quote(cast, role):
    quote = make_quote(cast.match)
    response = client_for(cast.user(role)).get(f"/api/v1/quotes/{quote.pk}/")
    assert response.status_code == _expected_read(role, "forwarded")


def test_nobody_reads_a_quote_while_its_match_is_hidden_from_the_parties(cast):
    quote = make_quote(cast.matches["proposed"])
    for role in ("producer", "buyer", "counsellor", "staff"):
        assert client_for(cast.user(role)).get(f"/api/v1/quotes/{quote.pk}/").status_code == 404


TRANSITIONS = {
    "accept": ("buyer", QuoteStatus.ACCEPTED),
    "decline": ("buyer", QuoteStatus.DECLINED),
    "withdraw": ("producer", QuoteStatus.WITHDRAWN),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_who_moves_a_quote(cast, role, action):
    quote = make_quote(cast.match)
    allowed, to_status = TRANSITIONS[action]
    response = client_for(cast.user(role)).post(
        f"/api/v1/quotes/{quote.pk}/{action}/", {"note": "Fine."}, format="json"
    )
    if role == "anonymous":
        expected = 401
    elif role not in SEES:
        expected = 404
    else:
        expected = 200 if role == allowed else 403
    assert response.status_code == expected, response.content
    quote.refresh_from_db()
    assert quote.status == (to_status if expected == 200 else QuoteStatus.OPEN)
    if expected == 200:
        assert response.json()["status"] == to_status


def test_accepting_over_the_api_awards_the_request_and_a_second_try_is_a_409(cast):
    chosen, rival = make_quote(cast.match), make_quote(cast.other_match)
    client = client_for(cast.buyer)
    response = client.post(f"/api/v1/quotes/{chosen.pk}/accept/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["decided_at"] is not None
    cast.request.refresh_from_db()
    assert cast.request.status == RequestStatus.AWARDED
    assert client.post(f"/api/v1/quotes/{chosen.pk}/accept/", {}, format="json").status_code == 409
    assert client.post(f"/api/v1/quotes/{rival.pk}/accept/", {}, format="json").status_code == 409
    assert client.post(f"/api/v1/quotes/{rival.pk}/decline/", {}, format="json").status_code == 409
    assert client.get(f"/api/v1/quotes/{rival.pk}/").json()["status"] == "declined"


def test_on_a_declined_match_the_buyer_may_decline_but_not_accept(cast):
    match = cast.matches["declined"]
    first, second = make_quote(match), make_quote(match)
    client = client_for(cast.buyer)
    assert client.post(f"/api/v1/quotes/{first.pk}/accept/", {}, format="json").status_code == 409
    assert client.post(f"/api/v1/quotes/{second.pk}/decline/", {}, format="json").status_code == 200
    withdraw = client_for(cast.producer).post(f"/api/v1/quotes/{first.pk}/withdraw/")
    assert withdraw.status_code == 200


def test_a_quote_past_its_validity_is_a_409_to_accept(cast):
    quote = make_quote(cast.match, valid_until=in_days(-1))
    response = client_for(cast.buyer).post(f"/api/v1/quotes/{quote.pk}/accept/", {}, format="json")
    assert response.status_code == 409


@pytest.mark.parametrize("note", ["n" * 2001, "a\x00b"])
def test_a_bad_note_is_a_400(cast, note):
    quote = make_quote(cast.match)
    response = client_for(cast.buyer).post(
        f"/api/v1/quotes/{quote.pk}/decline/", {"note": note}, format="json"
    )
    assert response.status_code == 400 and "note" in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/quotes/{bad}/",
        "/api/v1/quotes/{bad}/accept/",
        "/api/v1/quotes/{bad}/withdraw/",
        "/api/v1/matches/{bad}/quotes/",
        "/api/v1/requests/{bad}/quotes/",
    ],
)
@pytest.mark.parametrize("bad", ["abc", "-1", "٣", "1.0", "99999999999999999999999", "123456"])
def test_malformed_and_unknown_ids_are_404s(cast, path, bad):
    client = client_for(cast.staff)
    url = path.format(bad=bad)
    response = (
        client.post(url, {}, format="json") if url.endswith(("accept/", "withdraw/")) else client.get(url)
    )
    assert response.status_code == 404


# --- GET /api/v1/requests/{id}/quotes/ -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_compares_a_requests_quotes(cast, role):
    make_quote(cast.match), make_quote(cast.other_match)
    response = client_for(cast.user(role)).get(f"/api/v1/requests/{cast.request.pk}/quotes/")
    expected = {"anonymous": 401, "buyer": 200, "counsellor": 200, "staff": 200}.get(role, 404)
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["count"] == 2


def test_the_comparison_lists_the_requests_quotes_cheapest_total_first(cast):
    dear = make_quote(cast.match, unit_price=Decimal("200"))
    cheap = make_quote(cast.other_match, unit_price=Decimal("100"), quantity=Decimal("1500"))
    small_but_dear = make_quote(cast.other_match, unit_price=Decimal("300"), quantity=Decimal("10"))
    make_quote(cast.matches["connected"])  # another request's
    client = client_for(cast.buyer)
    url = f"/api/v1/requests/{cast.request.pk}/quotes/"
    rows = client.get(url).json()["results"]
    assert [row["id"] for row in rows] == [small_but_dear.pk, cheap.pk, dear.pk]
    assert [row["total"] for row in rows] == ["3000.00", "150000.00", "400000.00"]
    assert {row["producer"]["id"] for row in rows} == {cast.match.producer_id, cast.other_match.producer_id}
    by_total_desc = client.get(url, {"ordering": "-total"}).json()["results"]
    assert [row["id"] for row in by_total_desc] == [dear.pk, cheap.pk, small_but_dear.pk]
    by_price = client.get(url, {"ordering": "unit_price"}).json()["results"]
    assert [row["id"] for row in by_price] == [cheap.pk, dear.pk, small_but_dear.pk]


def test_a_counsellor_compares_only_the_quotes_of_the_matches_they_hold(cast):
    make_quote(cast.match)
    cast.other_match.counsellor = cast.other_counsellor
    cast.other_match.save(update_fields=["counsellor"])
    make_quote(cast.other_match)
    url = f"/api/v1/requests/{cast.request.pk}/quotes/"
    assert client_for(cast.counsellor).get(url).json()["count"] == 1
    assert client_for(cast.other_counsellor).get(url).json()["count"] == 1
    assert client_for(cast.buyer).get(url).json()["count"] == 2


def test_a_request_without_quotes_is_an_empty_list_for_its_buyer():
    match = make_deal()
    response = client_for(match.buyer.owner).get(f"/api/v1/requests/{match.request_id}/quotes/")
    assert response.status_code == 200 and response.json()["count"] == 0


def test_the_quote_paths_resolve_beside_the_matches_routes():
    from django.urls import resolve

    assert resolve("/api/v1/matches/7/quotes/").url_name == "match-quote-list"
    assert resolve("/api/v1/matches/7/").url_name == "match-detail"
    assert resolve("/api/v1/quotes/7/accept/").url_name == "quote-accept"
    assert resolve("/api/v1/requests/7/quotes/").url_name == "request-quote-list"


def test_the_schema_has_the_quote_paths_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache, GENERATOR_STATS._warn_cache
    paths = schema["paths"]
    for path in (
        "/api/v1/matches/{match_id}/quotes/",
        "/api/v1/quotes/{id}/",
        "/api/v1/quotes/{id}/accept/",
        "/api/v1/quotes/{id}/decline/",
        "/api/v1/quotes/{id}/withdraw/",
        "/api/v1/requests/{request_id}/quotes/",
    ):
        assert path in paths
    assert {"get", "post"} <= set(paths["/api/v1/matches/{match_id}/quotes/"])
    assert "409" in paths["/api/v1/quotes/{id}/accept/"]["post"]["responses"]
    quote = schema["components"]["schemas"]["QuoteOutput"]["properties"]
    assert API_MD_FIELDS | {"total", "producer", "line", "created_at", "decided_at", "decision_note"} <= set(
        quote
    )
