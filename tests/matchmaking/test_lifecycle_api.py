"""POST /api/v1/matches/{id}/forward|reject|respond|reassign/ and /api/v1/introductions/
per role: 404 where the match is not visible, 403 where it is but the action is not the
caller's, 409 on an illegal transition, 400 with field errors; contacts per the roles table.
The outcome's endpoints are in test_outcomes_api.py."""

import pytest

from accounts.models import User
from accounts.policies import CONTACT_FIELDS
from matchmaking import lifecycle
from matchmaking.models import Match, MatchEvent, MatchSource, MatchStatus
from tests.factories import ProductFactory, UserFactory

from .conftest import make_buyer, make_producer
from .lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db

P, F = MatchStatus.PROPOSED, MatchStatus.FORWARDED
ANONYMOUS = (401, 403)


def url(match: Match, action: str) -> str:
    return f"/api/v1/matches/{match.pk}/{action}/"


def fresh(user: User) -> User:
    """The user as a new request would load it (no per-request caches left on the object)."""
    return User.objects.get(pk=user.pk)


def contacts(profile_payload: dict) -> dict:
    return {field: profile_payload[field] for field in CONTACT_FIELDS}


def hidden(profile_payload: dict) -> bool:
    return all(value is None for value in contacts(profile_payload).values())


def shown(profile_payload: dict) -> bool:
    return all(value for value in contacts(profile_payload).values())


@pytest.fixture
def desk():
    """The counsellor in scope: posted in Iraq, where the buyers are."""
    return make_counsellor("IQ")


@pytest.fixture
def outsider():
    """A counsellor out of scope: posted in Germany, with a match of their own."""
    user = make_counsellor("DE")
    make_match(buyer=make_buyer(country="DE"), counsellor=user)
    return user


@pytest.fixture
def proposed(desk):
    return make_match(counsellor=desk)


@pytest.fixture
def forwarded(desk):
    return make_match(status=F, counsellor=desk)


@pytest.fixture
def connected(desk):
    return make_match(status=MatchStatus.CONNECTED, counsellor=desk)


def producer_of(match):
    return match.producer.owner


def buyer_of(match):
    return match.buyer.owner


# --- Forward and reject ------------------------------------------------------------------------


def test_anonymous_callers_act_on_nothing(api, proposed, forwarded, connected):
    for match, action, body in [
        (proposed, "forward", {}),
        (proposed, "reject", {"reason": "x"}),
        (forwarded, "respond", {"decision": "accept"}),
        (connected, "outcome", {"outcome": "lost"}),
        (proposed, "reassign", {"counsellor": 1}),
    ]:
        assert api().post(url(match, action), body).status_code in ANONYMOUS
    assert api().post("/api/v1/introductions/", {"producer": proposed.producer_id}).status_code in ANONYMOUS
    assert not MatchEvent.objects.exists()


def test_the_counsellor_in_scope_forwards(api, proposed, desk):
    response = api(desk).post(url(proposed, "forward"), {"note": "Strong fit, same unit"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["status"], body["counsellor"]) == (proposed.pk, F, desk.pk)
    assert body["counsellor_note"] == "Strong fit, same unit"
    assert body["events"][-1]["to_status"] == F
    assert shown(body["producer"]) and shown(body["buyer"])


def test_staff_reject(api, proposed, staff):
    response = api(staff).post(url(proposed, "reject"), {"reason": "Duplicate company"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == MatchStatus.REJECTED
    assert response.json()["events"][-1]["note"] == "Duplicate company"


def test_a_pool_counsellor_takes_a_match_by_forwarding_it(api, outsider):
    pooled = make_match()
    response = api(outsider).post(url(pooled, "forward"), {})
    assert response.status_code == 200
    assert response.json()["counsellor"] == outsider.pk


def test_a_match_the_caller_cannot_see_is_not_found(api, proposed, outsider):
    callers = [producer_of(proposed), buyer_of(proposed), outsider, UserFactory(role="buyer")]
    for caller in callers:
        for action, body in [
            ("forward", {}),
            ("reject", {"reason": "No"}),
            ("reassign", {"counsellor": caller.pk}),
        ]:
            response = api(caller).post(url(proposed, action), body)
            assert response.status_code == 404, (caller.role, action)
    assert api(outsider).post("/api/v1/matches/999999/forward/", {}).status_code == 404
    assert Match.objects.get(pk=proposed.pk).status == P


def test_parties_see_a_forwarded_match_but_do_not_review_it(api, forwarded):
    for party in (producer_of(forwarded), buyer_of(forwarded)):
        assert api(party).post(url(forwarded, "forward"), {}).status_code == 403
        assert api(party).post(url(forwarded, "reject"), {}).status_code == 403  # 403 before 400
        assert api(party).post(url(forwarded, "reassign"), {"counsellor": party.pk}).status_code == 403


def test_reviewing_twice_is_a_conflict(api, forwarded, desk, staff):
    assert api(desk).post(url(forwarded, "forward"), {}).status_code == 409
    assert api(staff).post(url(forwarded, "reject"), {"reason": "Too late"}).status_code == 409
    assert not MatchEvent.objects.filter(match=forwarded).exists()


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_a_rejection_without_a_reason_is_a_field_error(api, proposed, desk, body):
    response = api(desk).post(url(proposed, "reject"), body)
    assert response.status_code == 400
    assert "reason" in response.json()


def test_a_note_too_long_is_a_field_error(api, proposed, desk):
    response = api(desk).post(url(proposed, "forward"), {"note": "x" * 2001})
    assert response.status_code == 400
    assert "note" in response.json()


def test_forward_ignores_what_it_does_not_take(api, proposed, desk):
    """Mass assignment: only the note is read; status, counsellor and scores stay the service's."""
    other = make_counsellor("IQ")
    body = {
        "note": "ok",
        "status": MatchStatus.WON,
        "counsellor": other.pk,
        "score": "1.000",
        "source": MatchSource.BUYER_REQUEST,
        "producer_response": "accepted",
        "buyer": make_buyer().pk,
    }
    response = api(desk).post(url(proposed, "forward"), body)
    assert response.status_code == 200
    match = Match.objects.get(pk=proposed.pk)
    assert (match.status, match.counsellor, match.score, match.source, match.buyer_id) == (
        F,
        desk,
        proposed.score,
        MatchSource.ENGINE,
        proposed.buyer_id,
    )
    assert match.producer_response == "pending"


# --- Respond --------------------------------------------------------------------------------------


def test_both_sides_accept_through_the_api(api, forwarded):
    response = api(producer_of(forwarded)).post(url(forwarded, "respond"), {"decision": "accept"})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["producer_response"]) == (F, "accepted")
    response = api(buyer_of(forwarded)).post(url(forwarded, "respond"), {"decision": "accept", "note": "Yes"})
    assert response.status_code == 200
    assert response.json()["status"] == MatchStatus.CONNECTED
    assert shown(response.json()["producer"])  # connected: the buyer sees the producer's contacts
    again = api(producer_of(forwarded)).post(url(forwarded, "respond"), {"decision": "decline"})
    assert again.status_code == 409


def test_counsellors_and_staff_do_not_respond(api, forwarded, desk, staff):
    for caller in (desk, staff):
        assert api(caller).post(url(forwarded, "respond"), {"decision": "accept"}).status_code == 403
        assert api(caller).post(url(forwarded, "respond"), {}).status_code == 403  # 403 before 400


def test_other_parties_do_not_find_the_match(api, forwarded, outsider):
    for stranger in (make_producer().owner, make_buyer().owner, outsider):
        assert api(stranger).post(url(forwarded, "respond"), {"decision": "accept"}).status_code == 404


def test_a_proposed_match_is_not_found_by_its_parties(api, proposed):
    assert api(buyer_of(proposed)).post(url(proposed, "respond"), {"decision": "accept"}).status_code == 404


@pytest.mark.parametrize("body", [{}, {"decision": "maybe"}, {"decision": "accept", "note": "x" * 2001}])
def test_a_bad_response_is_a_field_error(api, forwarded, body):
    response = api(buyer_of(forwarded)).post(url(forwarded, "respond"), body)
    assert response.status_code == 400
    assert set(response.json()) <= {"decision", "note"} and response.json()


def test_respond_ignores_what_it_does_not_take(api, forwarded):
    body = {"decision": "accept", "status": MatchStatus.CONNECTED, "buyer_response": "accepted"}
    response = api(producer_of(forwarded)).post(url(forwarded, "respond"), body)
    assert response.status_code == 200
    match = Match.objects.get(pk=forwarded.pk)
    assert (match.status, match.producer_response, match.buyer_response) == (F, "accepted", "pending")


# --- Contacts in match payloads ----------------------------------------------------------------------


def test_contacts_follow_the_roles_table(api, forwarded, desk, staff):
    producer, buyer = producer_of(forwarded), buyer_of(forwarded)
    detail = f"/api/v1/matches/{forwarded.pk}/"
    for caller in (producer, buyer, desk, staff):  # forwarded: both sides see each other
        body = api(fresh(caller)).get(detail).json()
        assert shown(body["producer"]) and shown(body["buyer"]), caller.role
    declined = api(buyer).post(url(forwarded, "respond"), {"decision": "decline"})
    assert declined.status_code == 200
    assert hidden(declined.json()["producer"]) and shown(declined.json()["buyer"])
    body = api(fresh(producer)).get(detail).json()  # after a decline: own contacts only
    assert hidden(body["buyer"]) and shown(body["producer"])
    body = api(fresh(buyer)).get(detail).json()
    assert hidden(body["producer"]) and shown(body["buyer"])
    for caller in (desk, staff):
        body = api(fresh(caller)).get(detail).json()
        assert shown(body["producer"]) and shown(body["buyer"])


# --- Reassign ----------------------------------------------------------------------------------------


def test_staff_reassign(api, proposed, staff):
    colleague = make_counsellor("TR")
    response = api(staff).post(url(proposed, "reassign"), {"counsellor": colleague.pk, "note": "Arabic"})
    assert response.status_code == 200, response.json()
    assert (response.json()["counsellor"], response.json()["status"]) == (colleague.pk, P)


def test_the_holder_hands_over_and_no_longer_sees_it(api, forwarded, desk):
    colleague = make_counsellor("TR")
    response = api(desk).post(url(forwarded, "reassign"), {"counsellor": colleague.pk})
    assert response.status_code == 200
    assert response.json()["counsellor"] == colleague.pk
    assert api(desk).get(f"/api/v1/matches/{forwarded.pk}/").status_code == 404


def test_another_counsellor_may_not_reassign(api, proposed, outsider, desk):
    response = api(outsider).post(url(proposed, "reassign"), {"counsellor": outsider.pk})
    assert response.status_code == 404
    assert Match.objects.get(pk=proposed.pk).counsellor == desk


@pytest.mark.parametrize("target", ["producer", "unknown", "holder", "missing"])
def test_a_bad_reassignment_is_a_field_error(api, proposed, staff, desk, target):
    counsellor = {
        "producer": lambda: UserFactory(role="producer").pk,
        "unknown": lambda: 999999,
        "holder": lambda: desk.pk,
        "missing": lambda: None,
    }[target]()
    body = {} if counsellor is None else {"counsellor": counsellor}
    response = api(staff).post(url(proposed, "reassign"), body)
    assert response.status_code == 400
    assert "counsellor" in response.json()


def test_a_closed_match_is_not_reassigned(api, desk, staff):
    rejected = make_match(status=MatchStatus.REJECTED, counsellor=desk)
    response = api(staff).post(url(rejected, "reassign"), {"counsellor": make_counsellor("TR").pk})
    assert response.status_code == 409


# --- Introductions ------------------------------------------------------------------------------------

INTRODUCTIONS = "/api/v1/introductions/"


@pytest.fixture
def fridge_maker():
    return make_producer(("841810",), markets=["IQ"])


@pytest.fixture
def iraqi_buyer():
    return make_buyer(("841810",), country="IQ")


def test_a_buyer_asks_for_an_introduction_from_a_product(api, fridge_maker, iraqi_buyer, desk):
    product = fridge_maker.products.get()
    body = {"product": product.pk, "message": "300 units a year"}
    response = api(iraqi_buyer.owner).post(INTRODUCTIONS, body)
    assert response.status_code == 201, response.json()
    match = response.json()
    # The buyer is not told who reviews the request (the counsellor sees it in their queue).
    assert (match["status"], match["source"], match["counsellor"]) == (P, MatchSource.BUYER_REQUEST, None)
    assert Match.objects.get(pk=match["id"]).counsellor == desk
    assert (match["requested_product"], match["request_message"]) == (product.pk, "300 units a year")
    assert match["events"] == []
    assert match["producer"]["id"] == fridge_maker.pk
    assert hidden(match["producer"])  # not forwarded yet: no contacts
    assert shown(match["buyer"])


def test_a_buyer_asks_for_an_introduction_to_a_producer(api, fridge_maker, iraqi_buyer):
    response = api(iraqi_buyer.owner).post(INTRODUCTIONS, {"producer": fridge_maker.pk})
    assert response.status_code == 201
    assert response.json()["requested_product"] is None


def test_an_introduction_ignores_what_it_does_not_take(api, fridge_maker, iraqi_buyer):
    other = make_counsellor("DE")
    body = {
        "producer": fridge_maker.pk,
        "status": F,
        "source": MatchSource.ENGINE,
        "counsellor": other.pk,
        "score": "1",
        "buyer": make_buyer().pk,
    }
    response = api(iraqi_buyer.owner).post(INTRODUCTIONS, body)
    assert response.status_code == 201
    match = Match.objects.get(pk=response.json()["id"])
    assert (match.status, match.source, match.buyer, match.counsellor) == (
        P,
        MatchSource.BUYER_REQUEST,
        iraqi_buyer,
        None,  # Germany's desk does not cover Iraq: the pool
    )


@pytest.mark.parametrize("role", ["producer", "counsellor", "staff"])
def test_only_buyers_ask_for_introductions(api, fridge_maker, role):
    caller = fridge_maker.owner if role == "producer" else UserFactory(role=role)
    response = api(caller).post(INTRODUCTIONS, {"producer": fridge_maker.pk})
    assert response.status_code == 403
    assert api(caller).post(INTRODUCTIONS, {"product": 999999}).status_code == 403  # 403 before 400
    assert not Match.objects.exists()


def test_unknown_or_unlisted_products_are_field_errors(api, fridge_maker, iraqi_buyer):
    buyer = iraqi_buyer.owner
    unlisted = ProductFactory(producer=fridge_maker, is_active=False)
    for body, field in [
        ({"product": 999999}, "product"),
        ({"product": unlisted.pk}, "product"),
        ({"product": "fridge"}, "product"),
        ({"producer": 999999}, "producer"),
        ({}, "non_field_errors"),
        ({"producer": fridge_maker.pk, "message": "x" * 2001}, "message"),
    ]:
        response = api(buyer).post(INTRODUCTIONS, body)
        assert response.status_code == 400, body
        assert field in response.json(), (body, response.json())
    assert not Match.objects.exists()


def test_an_introduction_to_a_producer_already_in_touch_is_a_conflict(api, fridge_maker, iraqi_buyer, desk):
    make_match(fridge_maker, iraqi_buyer, status=F, counsellor=desk)
    response = api(iraqi_buyer.owner).post(INTRODUCTIONS, {"producer": fridge_maker.pk})
    assert response.status_code == 409


def test_an_introduction_on_a_proposed_pair_marks_it_requested(api, fridge_maker, iraqi_buyer, desk):
    existing = make_match(fridge_maker, iraqi_buyer, counsellor=desk)
    response = api(iraqi_buyer.owner).post(INTRODUCTIONS, {"producer": fridge_maker.pk})
    assert response.status_code == 201
    assert response.json()["id"] == existing.pk
    assert response.json()["source"] == MatchSource.BUYER_REQUEST


def test_parties_see_the_log_from_the_forward_on_without_handovers(api, desk, staff):
    match = make_match(counsellor=desk)
    lifecycle.match_reassign(match=match, actor=staff, counsellor=desk_colleague(), note="internal")
    match.refresh_from_db()
    lifecycle.match_forward(match=match, actor=match.counsellor, note="Good fit")
    lifecycle.match_respond(match=match, actor=match.producer.owner, decision="accept")
    seen = api(match.buyer.owner).get(f"/api/v1/matches/{match.pk}/").json()["events"]
    assert [(e["from_status"], e["to_status"]) for e in seen] == [
        (P, "forwarded"),
        ("forwarded", "forwarded"),
    ]
    assert "internal" not in str(seen)
    everything = api(staff).get(f"/api/v1/matches/{match.pk}/").json()["events"]
    assert len(everything) == 3 and "internal" in str(everything)


def desk_colleague():
    return make_counsellor("TR")
