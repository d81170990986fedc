"""Structured reject reasons (issue 14): a code on every rejection, from the service, the API
and the pages; and a pair rejected as the wrong product stays gone until the HS codes of
either side change (matchmaking.persistence)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalogue.models import Product
from matchmaking import lifecycle, services
from matchmaking.models import Match, MatchEvent, MatchStatus, RejectReason
from tests.factories import ProductFactory

from .conftest import make_buyer, make_producer
from .lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    return make_counsellor("IQ")


@pytest.fixture
def proposed(desk):
    return make_match(counsellor=desk)


# --- The service ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", [RejectReason.WRONG_PRODUCT, RejectReason.TOO_SMALL, RejectReason.NOT_EXPORTING]
)
def test_a_code_other_than_other_needs_no_text(proposed, desk, code):
    match = lifecycle.match_reject(match=proposed, actor=desk, reason_code=code)
    match.refresh_from_db()
    assert (match.status, match.reject_reason, match.reason_code) == (MatchStatus.REJECTED, code, code)
    assert MatchEvent.objects.filter(match=match, to_status=MatchStatus.REJECTED).get().note == ""


def test_other_needs_the_text(proposed, desk):
    with pytest.raises(ValidationError) as error:
        lifecycle.match_reject(match=proposed, actor=desk, reason_code=RejectReason.OTHER, reason=" ")
    assert set(error.value.message_dict) == {"reason"}
    assert Match.objects.get(pk=proposed.pk).status == MatchStatus.PROPOSED


def test_no_code_is_other_with_its_text(proposed, desk):
    lifecycle.match_reject(match=proposed, actor=desk, reason="Met them at the fair; no fit.")
    assert Match.objects.get(pk=proposed.pk).reason_code == RejectReason.OTHER
    with pytest.raises(ValidationError):
        lifecycle.match_reject(match=make_match(counsellor=desk), actor=desk, reason="")


def test_an_unknown_code_is_a_field_error(proposed, desk):
    with pytest.raises(ValidationError) as error:
        lifecycle.match_reject(match=proposed, actor=desk, reason_code="cheap", reason="x")
    assert set(error.value.message_dict) == {"reason_code"}


def test_the_code_shows_only_while_the_match_is_rejected(proposed, desk):
    lifecycle.match_reject(match=proposed, actor=desk, reason_code=RejectReason.TOO_SMALL)
    Match.objects.filter(pk=proposed.pk).update(status=MatchStatus.PROPOSED)  # proposed again
    assert Match.objects.get(pk=proposed.pk).reason_code is None


# --- The wrong product stays gone -----------------------------------------------------------


@pytest.fixture
def pair():
    producer = make_producer(("841810",), capacity="5000", markets=["IQ"])
    buyer = make_buyer(("841810",), country="IQ", demand="1000")
    services.rematch_all()
    return producer, buyer, Match.objects.get(producer=producer, buyer=buyer)


def _status(match: Match) -> str:
    match.refresh_from_db()
    return match.status


@pytest.mark.parametrize("rematch", ["all", "producer", "buyer"])
def test_a_wrong_product_pair_stays_gone_after_a_capacity_or_market_edit(pair, staff, rematch):
    producer, buyer, match = pair
    lifecycle.match_reject(match=match, actor=staff, reason_code=RejectReason.WRONG_PRODUCT)

    Product.objects.filter(producer=producer).update(available_capacity=50, annual_capacity=50)
    producer.target_markets = ["IQ", "TR"]
    producer.certifications = ["CE"]
    producer.save()
    buyer.annual_demand = 2000
    buyer.save()
    run = {
        "all": services.rematch_all,
        "producer": lambda: services.rematch_producer(producer.pk),
        "buyer": lambda: services.rematch_buyer(buyer.pk),
    }[rematch]
    counts = run()

    assert _status(match) == MatchStatus.REJECTED and counts.reproposed == 0
    assert match.reason_code == RejectReason.WRONG_PRODUCT


def test_the_same_edit_brings_back_a_pair_rejected_for_another_reason(pair, staff):
    producer, _buyer, match = pair
    lifecycle.match_reject(match=match, actor=staff, reason_code=RejectReason.TOO_SMALL)
    Product.objects.filter(producer=producer).update(available_capacity=50, annual_capacity=50)
    services.rematch_producer(producer.pk)
    assert _status(match) == MatchStatus.PROPOSED


def test_a_changed_hs_code_of_the_producer_brings_it_back(pair, staff):
    producer, _buyer, match = pair
    lifecycle.match_reject(match=match, actor=staff, reason_code=RejectReason.WRONG_PRODUCT)
    ProductFactory(producer=producer, hs_code="841821", available_capacity=100, capacity_unit="units")
    counts = services.rematch_producer(producer.pk)
    assert _status(match) == MatchStatus.PROPOSED and counts.reproposed == 1
    event = MatchEvent.objects.filter(match=match).last()
    assert (event.from_status, event.to_status, event.actor) == (
        MatchStatus.REJECTED,
        MatchStatus.PROPOSED,
        None,
    )


def test_a_changed_sought_code_of_the_buyer_brings_it_back(pair, staff):
    _producer, buyer, match = pair
    lifecycle.match_reject(match=match, actor=staff, reason_code=RejectReason.WRONG_PRODUCT)
    buyer.sought_sectors.add("8418")
    services.rematch_all()
    assert _status(match) == MatchStatus.PROPOSED


# --- The API --------------------------------------------------------------------------------


def _url(match: Match) -> str:
    return f"/api/v1/matches/{match.pk}/reject/"


def test_api_reject_with_a_code(api, proposed, desk):
    response = api(desk).post(_url(proposed), {"reason_code": "not_exporting"})
    assert response.status_code == 200, response.json()
    assert response.json()["reason_code"] == "not_exporting" and response.json()["status"] == "rejected"


def test_api_reject_with_the_reason_alone_is_other(api, proposed, desk):
    response = api(desk).post(_url(proposed), {"reason": "Duplicate company"})
    assert response.status_code == 200 and response.json()["reason_code"] == "other"


@pytest.mark.parametrize("body", [{"reason_code": "cheap", "reason": "x"}, {"reason_code": "other"}])
def test_api_reject_refuses_an_unknown_code_or_other_without_text(api, proposed, desk, body):
    response = api(desk).post(_url(proposed), body)
    assert response.status_code == 400
    assert set(response.json()) <= {"reason", "reason_code"} and response.json()


def test_api_match_output_and_filter(api, desk):
    wrong = make_match(counsellor=desk)
    small = make_match(counsellor=desk)
    still = make_match(counsellor=desk)
    lifecycle.match_reject(match=wrong, actor=desk, reason_code=RejectReason.WRONG_PRODUCT)
    lifecycle.match_reject(match=small, actor=desk, reason_code=RejectReason.TOO_SMALL)

    body = api(desk).get(f"/api/v1/matches/{still.pk}/").json()
    assert body["reason_code"] is None
    found = api(desk).get("/api/v1/matches/", {"reason_code": "wrong_product"}).json()
    assert [m["id"] for m in found["results"]] == [wrong.pk]
    assert api(desk).get("/api/v1/matches/", {"reason_code": "cheap"}).status_code == 400


# --- The pages ------------------------------------------------------------------------------


def test_the_match_page_rejects_with_a_code(client, proposed, desk):
    client.force_login(desk)
    client.cookies["django_language"] = "en"
    url = reverse("matchmaking:match_reject", args=[proposed.pk])
    response = client.post(url, {"reason_code": "wrong_product", "reason": ""}, follow=True)
    assert response.status_code == 200
    assert Match.objects.get(pk=proposed.pk).reason_code == RejectReason.WRONG_PRODUCT
    html = response.content.decode()
    assert 'data-testid="reject-reason"' in html and "Wrong product" in html


def test_the_match_page_form_offers_the_codes(client, proposed, desk):
    client.force_login(desk)
    client.cookies["django_language"] = "fa"
    html = client.get(reverse("matchmaking:match_detail", args=[proposed.pk])).content.decode()
    assert 'name="reason_code"' in html and 'value="wrong_product"' in html
    assert "محصول نامربوط" in html  # the Persian label of "Wrong product"
