"""A producer's interest in a published buying request (matchmaking.interest): the service,
POST /api/v1/requests/{id}/interest/, the page matchmaking:request-interest, and what the
counsellor's queue and the match page show of it. The buyer stays withheld until forward."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from matchmaking import interest, lifecycle, request_matching, services
from matchmaking.models import Match, MatchEvent, MatchSource, MatchStatus
from portal.exceptions import StateConflict
from sourcing.models import BuyingRequest, RequestStatus
from tests.factories import UserFactory

from .conftest import make_buyer
from .lifecycle_support import make_counsellor
from .request_support import add_product, make_request, make_supplier

pytestmark = pytest.mark.django_db

P, W, F, R = MatchStatus.PROPOSED, MatchStatus.WITHDRAWN, MatchStatus.FORWARDED, MatchStatus.REJECTED
BUYER_NAME = "Basra Secret Water Company"


@pytest.fixture
def desk():
    return make_counsellor("IQ")


@pytest.fixture
def supplier():
    return make_supplier("841370", capacity="12000", lead_time=30, name="Sahand Pump Works")


@pytest.fixture
def buying_request():
    buyer = make_buyer(("841370",), country="IQ", company_name=BUYER_NAME, email="secret@basra.example")
    return make_request(
        buyer=buyer,
        lines=(("8413", "100", "units"), ("841370", "2000", "units")),
        title="Centrifugal pumps for Basra",
    )


def express(buying_request, producer, product=None, message="We can ship in March."):
    return interest.express_interest(
        request=buying_request,
        product=product or producer.products.get(),
        actor=producer.owner,
        message=message,
    )


# --- The service -----------------------------------------------------------------------------


def test_a_producer_expresses_interest_with_its_own_product(desk, supplier, buying_request):
    match = express(buying_request, supplier)

    assert match.status == P and match.source == MatchSource.PRODUCER_INTEREST
    assert match.request == buying_request and match.buyer == buying_request.buyer
    assert match.request_line.sector_id == "841370"  # the finest line covering the product
    assert match.requested_product == supplier.products.get()
    assert match.request_message == "We can ship in March."
    assert match.counsellor == desk  # the counsellor of the buyer's market
    assert match.score > 0 and match.breakdown["deadline"]["code"] == "fits"
    assert list(
        MatchEvent.objects.filter(match=match).values_list("actor", "from_status", "to_status", "note")
    ) == [(supplier.owner_id, "", P, "We can ship in March.")]


def test_a_product_under_no_line_answers_the_first_line_scored_with_sector_zero(desk, buying_request):
    producer = make_supplier("847960")  # coolers: not what is asked
    match = express(buying_request, producer)
    assert match.request_line == buying_request.lines.order_by("position").first()
    assert match.sector_score == 0 and match.breakdown["sector"]["code"] == "none"


def test_another_producers_or_an_unlisted_product_is_a_field_error(supplier, buying_request):
    other = make_supplier("841370")
    with pytest.raises(ValidationError) as error:
        express(buying_request, supplier, product=other.products.get())
    assert set(error.value.message_dict) == {"product"}
    unlisted = add_product(supplier, "841370", is_active=False)
    with pytest.raises(ValidationError) as error:
        express(buying_request, supplier, product=unlisted)
    assert set(error.value.message_dict) == {"product"}
    with pytest.raises(ValidationError):
        interest.express_interest(request=buying_request, product=None, actor=supplier.owner)
    assert not Match.objects.exists()


@pytest.mark.parametrize("role", ["buyer", "counsellor", "staff"])
def test_only_producers_express_interest(supplier, buying_request, role):
    with pytest.raises(PermissionDenied):
        interest.express_interest(
            request=buying_request, product=supplier.products.get(), actor=UserFactory(role=role)
        )


@pytest.mark.parametrize(
    "status", [RequestStatus.PENDING, RequestStatus.REJECTED, RequestStatus.CLOSED, RequestStatus.AWARDED]
)
def test_a_request_that_is_not_published_is_not_there(supplier, buying_request, status):
    BuyingRequest.objects.filter(pk=buying_request.pk).update(status=status)
    with pytest.raises(BuyingRequest.DoesNotExist):
        express(buying_request, supplier)


@pytest.mark.parametrize(
    ("message", "ok"),
    [("x" * 2000, True), ("x" * 2001, False), ("nul\x00byte", False), ("  two\r\nlines  ", True)],
)
def test_the_message(supplier, buying_request, message, ok):
    if ok:
        assert express(buying_request, supplier, message=message).request_message == message.strip().replace(
            "\r\n", "\n"
        )
    else:
        with pytest.raises(ValidationError) as error:
            express(buying_request, supplier, message=message)
        assert set(error.value.message_dict) == {"message"}


def test_a_second_interest_is_a_conflict(supplier, buying_request):
    express(buying_request, supplier)
    with pytest.raises(StateConflict):
        express(buying_request, supplier, message="again")
    assert Match.objects.get().request_message == "We can ship in March."


def test_the_engine_s_proposal_becomes_the_producer_s_interest(desk, supplier, buying_request):
    request_matching.rematch_request(buying_request.pk)
    proposed = Match.objects.get(request=buying_request)
    assert proposed.source == MatchSource.ENGINE

    match = express(buying_request, supplier)

    assert match.pk == proposed.pk and match.source == MatchSource.PRODUCER_INTEREST
    assert list(MatchEvent.objects.filter(match=match).values_list("from_status", "to_status"))[-1] == (P, P)


def test_a_withdrawn_proposal_comes_back_as_the_interest(supplier, buying_request):
    request_matching.rematch_request(buying_request.pk)
    Match.objects.filter(request=buying_request).update(status=W)
    match = express(buying_request, supplier)
    assert match.status == P and match.source == MatchSource.PRODUCER_INTEREST


@pytest.mark.parametrize("status", [R, F, MatchStatus.CONNECTED, MatchStatus.DECLINED])
def test_a_match_someone_acted_on_is_a_conflict(supplier, buying_request, status):
    request_matching.rematch_request(buying_request.pk)
    Match.objects.filter(request=buying_request).update(status=status)
    with pytest.raises(StateConflict):
        express(buying_request, supplier)
    assert Match.objects.get(request=buying_request).status == status


def test_the_interest_stays_beside_the_companies_pair(supplier, buying_request):
    services.rematch_all()
    pair = Match.objects.get(request__isnull=True)
    assert (pair.producer, pair.buyer) == (supplier, buying_request.buyer)
    express(buying_request, supplier)
    pair.refresh_from_db()
    assert pair.source == MatchSource.ENGINE and pair.status == P and pair.request_message == ""
    assert Match.objects.filter(producer=supplier, buyer=buying_request.buyer).count() == 2


def test_the_engine_keeps_the_interest_on_its_own_product_and_withdraws_it_with_the_request(
    supplier, buying_request
):
    producer = make_supplier("847960")  # a product the engine would never propose
    match = express(buying_request, producer)
    request_matching.rematch_request(buying_request.pk)
    match.refresh_from_db()
    assert match.status == P and match.requested_product == producer.products.get()

    BuyingRequest.objects.filter(pk=buying_request.pk).update(status=RequestStatus.CLOSED)
    request_matching.rematch_request(buying_request.pk)
    match.refresh_from_db()
    assert match.status == W

    BuyingRequest.objects.filter(pk=buying_request.pk).update(status=RequestStatus.PUBLISHED)
    request_matching.rematch_request(buying_request.pk)
    match.refresh_from_db()
    assert match.status == P and match.source == MatchSource.PRODUCER_INTEREST


def test_the_interest_is_rescored_on_its_own_product_when_the_request_is_rematched(supplier, buying_request):
    match = express(buying_request, supplier)
    supplier.products.update(lead_time_days=400)
    request_matching.rematch_request(buying_request.pk)
    match.refresh_from_db()
    assert match.breakdown["deadline"]["code"] == "late"


# --- The API ---------------------------------------------------------------------------------


def url(buying_request) -> str:
    return f"/api/v1/requests/{buying_request.pk}/interest/"


def test_api_201_with_the_match_and_the_buyer_withheld(api, desk, supplier, buying_request):
    response = api(supplier.owner).post(
        url(buying_request), {"product": supplier.products.get().pk, "message": "Ready"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"] == "producer_interest" and body["status"] == "proposed"
    assert body["request"] == buying_request.pk and body["buyer"] is None
    assert body["request_message"] == "Ready" and body["requested_product"] == supplier.products.get().pk
    assert body["counsellor"] is None and body["events"] == []
    assert set(body["breakdown"]) == {"sector", "capacity", "market", "certifications", "deadline"}
    text = response.content.decode()
    assert BUYER_NAME not in text and "secret@basra.example" not in text
    assert Match.objects.get().counsellor == desk


def test_api_field_errors(api, supplier, buying_request):
    other = make_supplier("841370")
    for body, field in [
        ({"product": other.products.get().pk}, "product"),
        ({"product": 999999}, "product"),
        ({"product": "pumps"}, "product"),
        ({"product": -1}, "product"),
        ({"product": [1]}, "product"),
        ({"product": 10**30}, "product"),
        ({}, "product"),
        ({"product": supplier.products.get().pk, "message": "x" * 2001}, "message"),
        ({"product": supplier.products.get().pk, "message": "a\x00b"}, "message"),
        ({"product": supplier.products.get().pk, "message": 12}, None),
    ]:
        response = api(supplier.owner).post(url(buying_request), body, format="json")
        if field is None:
            assert response.status_code in (201, 400), body
            Match.objects.all().delete()
            continue
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), (body, response.json())
    assert not Match.objects.exists()


@pytest.mark.parametrize("role", ["buyer", "counsellor", "staff"])
def test_api_other_roles_are_refused(api, supplier, buying_request, role):
    caller = buying_request.buyer.owner if role == "buyer" else UserFactory(role=role)
    response = api(caller).post(url(buying_request), {"product": supplier.products.get().pk}, format="json")
    assert response.status_code == 403
    assert not Match.objects.exists()


def test_api_anonymous_is_refused(api, supplier, buying_request):
    response = api().post(url(buying_request), {"product": supplier.products.get().pk}, format="json")
    assert response.status_code in (401, 403)


def test_api_unpublished_or_unknown_requests_are_404(api, supplier, buying_request):
    body = {"product": supplier.products.get().pk}
    BuyingRequest.objects.filter(pk=buying_request.pk).update(status=RequestStatus.PENDING)
    assert api(supplier.owner).post(url(buying_request), body, format="json").status_code == 404
    assert (
        api(supplier.owner).post("/api/v1/requests/424242/interest/", body, format="json").status_code == 404
    )
    assert api(supplier.owner).post("/api/v1/requests/abc/interest/", body, format="json").status_code == 404


def test_api_duplicate_is_409(api, supplier, buying_request):
    body = {"product": supplier.products.get().pk}
    assert api(supplier.owner).post(url(buying_request), body, format="json").status_code == 201
    assert api(supplier.owner).post(url(buying_request), body, format="json").status_code == 409


def test_the_match_api_has_the_request_and_filters_by_it(api, staff, supplier, buying_request):
    express(buying_request, supplier)
    services.rematch_all()
    client = api(staff)
    everything = client.get("/api/v1/matches/").json()["results"]
    assert sorted(m["request"] is None for m in everything) == [False, True]
    only = client.get("/api/v1/matches/", {"request": buying_request.pk}).json()["results"]
    assert [m["request"] for m in only] == [buying_request.pk]
    by_source = client.get("/api/v1/matches/", {"source": "producer_interest"}).json()["results"]
    assert [m["source"] for m in by_source] == ["producer_interest"]
    assert client.get("/api/v1/matches/", {"request": "x"}).status_code == 400


def test_the_producer_does_not_see_its_interest_in_the_match_list_before_forward(
    api, desk, supplier, buying_request
):
    match = express(buying_request, supplier)
    assert api(supplier.owner).get("/api/v1/matches/").json()["count"] == 0
    lifecycle.match_forward(match=match, actor=desk)
    (seen,) = api(supplier.owner).get("/api/v1/matches/").json()["results"]
    assert seen["request"] == buying_request.pk and seen["buyer"]["company_name"] == BUYER_NAME


# --- The page --------------------------------------------------------------------------------


def page(buying_request) -> str:
    return reverse("matchmaking:request-interest", args=[buying_request.pk])


def test_the_page_shows_the_request_without_the_buyer(client, supplier, buying_request):
    client.force_login(supplier.owner)
    response = client.get(page(buying_request), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Centrifugal pumps for Basra" in html and 'data-testid="request-lines"' in html
    assert "Iraq" in html or "عراق" in html
    assert BUYER_NAME not in html and "secret@basra.example" not in html
    assert page(buying_request) == f"/requests/{buying_request.pk}/interest/"


def test_the_page_posts_the_interest_and_goes_to_the_leads(client, desk, supplier, buying_request):
    client.force_login(supplier.owner)
    response = client.post(
        page(buying_request), {"product": supplier.products.get().pk, "message": "Ready"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("matchmaking:leads")
    assert any(m.level_tag == "success" for m in response.context["messages"])
    match = Match.objects.get()
    assert match.source == MatchSource.PRODUCER_INTEREST and match.counsellor == desk


def test_the_page_refuses_another_producer_s_product_on_the_form(client, supplier, buying_request):
    other = make_supplier("841370")
    client.force_login(supplier.owner)
    response = client.post(page(buying_request), {"product": other.products.get().pk})
    assert response.status_code == 200 and response.context["form"].errors["product"]
    assert not Match.objects.exists()


def test_the_page_says_when_the_interest_already_waits(client, supplier, buying_request):
    express(buying_request, supplier)
    client.force_login(supplier.owner)
    response = client.post(page(buying_request), {"product": supplier.products.get().pk})
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])


@pytest.mark.parametrize("role", ["buyer", "counsellor", "staff"])
def test_the_page_refuses_other_roles(client, buying_request, role):
    client.force_login(buying_request.buyer.owner if role == "buyer" else UserFactory(role=role))
    assert client.get(page(buying_request)).status_code == 403
    assert client.post(page(buying_request), {}).status_code == 403


def test_the_page_sends_anonymous_visitors_to_sign_in(client, buying_request):
    response = client.get(page(buying_request))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_page_is_404_for_an_unpublished_request(client, supplier, buying_request):
    BuyingRequest.objects.filter(pk=buying_request.pk).update(status=RequestStatus.CLOSED)
    client.force_login(supplier.owner)
    assert client.get(page(buying_request)).status_code == 404


def test_a_producer_without_products_is_told_to_add_one(client, buying_request):
    producer = make_supplier("841370")
    producer.products.update(is_active=False)
    client.force_login(producer.owner)
    html = client.get(page(buying_request)).content.decode()
    assert 'data-testid="empty-state"' in html and reverse("my_products:new") in html


# --- The counsellor's queue and the match page ------------------------------------------------


def test_interests_come_first_in_the_queue_with_the_request_line_and_message(
    client, desk, supplier, buying_request
):
    strong = make_supplier("841370", capacity="50000", lead_time=5)
    request_matching.rematch_request(buying_request.pk)  # engine proposals for both
    weak = make_supplier("847960")
    express(buying_request, weak, message="Coolers might do")
    client.force_login(desk)
    html = client.get("/counsellor/queue/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    interest_match = Match.objects.get(producer=weak)
    first = html.index(f'id="match-{interest_match.pk}-title"')
    assert first < html.index(f'id="match-{Match.objects.get(producer=strong).pk}-title"')
    assert 'data-testid="badge-interest"' in html and 'data-testid="request-block"' in html
    assert "Centrifugal pumps for Basra" in html and "Coolers might do" in html
    assert "841370" in html or "۸۴۱۳۷۰" in html


def test_the_match_page_shows_the_request(client, desk, supplier, buying_request):
    match = express(buying_request, supplier, message="Ready in March")
    client.force_login(desk)
    html = client.get(reverse("matchmaking:match_detail", args=[match.pk])).content.decode()
    assert 'data-testid="match-request"' in html
    assert "Centrifugal pumps for Basra" in html and "Ready in March" in html


def test_an_interest_whose_line_the_buyer_removed_answers_another_line(supplier, buying_request):
    match = express(buying_request, supplier)
    assert match.request_line.sector_id == "841370"
    match.request_line.delete()
    request_matching.rematch_request(buying_request.pk)
    match.refresh_from_db()
    assert match.request_line.sector_id == "8413" and match.requested_product == supplier.products.get()
    assert match.source == MatchSource.PRODUCER_INTEREST and match.status == P
