"""POST /api/v1/matches/{id}/outcome/ and /outcome/confirm/ per role (404 where the match is not
visible, 403 where it is but the action is not the caller's, 409 where its state refuses it,
400 with field errors for bad input, never a 500) and the Match's `outcome` and `events`.

Changed from the counsellor-only rule (the earlier tests in test_lifecycle_api.py): the companies
declare (`"confirmed": false`), a won deal needs its value and currency, a lost one its reason,
and a forwarded match takes an outcome."""

import pytest

from matchmaking.models import Match, MatchStatus
from tests.factories import UserFactory

from .conftest import make_buyer
from .lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db

C = MatchStatus.CONNECTED
WON = {"outcome": "won", "value": "125000.50", "currency": "usd", "note": "Signed in Erbil"}
LOST = {"outcome": "lost", "note": "The buyer chose a Turkish maker."}
OUTCOME_KEYS = {
    "result",
    "value",
    "currency",
    "note",
    "declared_by",
    "declared_at",
    "confirmed",
    "confirmed_at",
}


def url(match: Match, action: str = "outcome/") -> str:
    return f"/api/v1/matches/{match.pk}/{action}"


CONFIRM = "outcome/confirm/"


@pytest.fixture
def desk():
    return make_counsellor("IQ")


@pytest.fixture
def outsider():
    user = make_counsellor("DE")
    make_match(buyer=make_buyer(country="DE"), counsellor=user)
    return user


@pytest.fixture
def connected(desk):
    return make_match(status=C, counsellor=desk)


def producer_of(match):
    return match.producer.owner


def buyer_of(match):
    return match.buyer.owner


def status_of(match) -> str:
    return Match.objects.get(pk=match.pk).status


def test_the_buyer_declares_and_the_producer_confirms(api, connected, desk):
    response = api(buyer_of(connected)).post(url(connected), WON, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "won"
    outcome = body["outcome"]
    assert set(outcome) == OUTCOME_KEYS
    assert (outcome["result"], outcome["value"], outcome["currency"], outcome["note"]) == (
        "won",
        "125000.50",
        "USD",
        "Signed in Erbil",
    )
    assert outcome["declared_by"] == "buyer" and outcome["declared_at"]
    assert outcome["confirmed"] is False and outcome["confirmed_at"] is None
    last = body["events"][-1]
    assert (last["from_status"], last["to_status"]) == ("connected", "won")
    assert last["details"]["outcome"] == "declared" and last["details"]["before"] is None

    # The producer sees it awaiting its confirmation, and confirms what it read.
    seen = api(producer_of(connected)).get(f"/api/v1/matches/{connected.pk}/").json()["outcome"]
    assert seen["confirmed"] is False
    response = api(producer_of(connected)).post(
        url(connected, CONFIRM), {"note": "Yes", "declared_at": seen["declared_at"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    outcome = response.json()["outcome"]
    assert outcome["confirmed"] is True and outcome["confirmed_at"] and outcome["declared_by"] == "buyer"
    assert response.json()["events"][-1]["details"]["outcome"] == "confirmed"


def test_the_counsellor_and_staff_record_confirmed_at_once(api, connected, desk, staff):
    response = api(desk).post(url(connected), LOST, format="json")
    assert response.status_code == 200, response.json()
    outcome = response.json()["outcome"]
    assert (outcome["result"], outcome["value"], outcome["currency"]) == ("lost", None, "")
    assert outcome["declared_by"] == "counsellor" and outcome["confirmed"] is True
    response = api(staff).post(url(connected), WON, format="json")
    assert response.status_code == 200
    assert response.json()["outcome"]["declared_by"] == "staff"
    assert response.json()["outcome"]["confirmed"] is True


def test_corrections_are_kept_in_the_events(api, connected):
    client = api(buyer_of(connected))
    client.post(url(connected), WON, format="json")
    response = client.post(url(connected), {**WON, "value": "99000", "note": "Smaller"}, format="json")
    assert response.status_code == 200
    correction = response.json()["events"][-1]
    assert correction["note"] == "Smaller"
    assert correction["details"] == {
        "outcome": "corrected",
        "before": {"result": "won", "value": "125000.50", "currency": "USD", "note": "Signed in Erbil"},
        "after": {"result": "won", "value": "99000.00", "currency": "USD", "note": "Smaller"},
        "confirmed": False,
    }
    # The counsellor's events (and the producer's view) carry the same details.
    producer_view = api(producer_of(connected)).get(f"/api/v1/matches/{connected.pk}/").json()
    assert [e["details"].get("outcome") for e in producer_view["events"]] == ["declared", "corrected"]


def test_a_forwarded_match_takes_an_outcome_from_a_company(api, desk):
    forwarded = make_match(status=MatchStatus.FORWARDED, counsellor=desk)
    response = api(producer_of(forwarded)).post(url(forwarded), LOST, format="json")
    assert response.status_code == 200
    assert response.json()["outcome"]["confirmed"] is False


# --- Refusals -----------------------------------------------------------------------------------


def test_anonymous_callers_declare_and_confirm_nothing(api, connected):
    assert api().post(url(connected), WON, format="json").status_code in (401, 403)
    assert api().post(url(connected, CONFIRM), {}, format="json").status_code in (401, 403)
    assert status_of(connected) == C


def test_invisible_matches_are_not_found(api, connected, outsider):
    pooled = make_match(status=C)  # staff's, from the pool
    for caller, match in [
        (outsider, connected),
        (outsider, pooled),
        (UserFactory(role="buyer"), connected),
        (UserFactory(role="producer"), connected),
        (producer_of(connected), make_match(status=MatchStatus.PROPOSED, producer=connected.producer)),
    ]:
        assert api(caller).post(url(match), WON, format="json").status_code == 404
        assert api(caller).post(url(match, CONFIRM), {}, format="json").status_code == 404
    assert api(outsider).post("/api/v1/matches/999999999/outcome/", WON, format="json").status_code == 404
    assert api(outsider).post("/api/v1/matches/99999999999999999999/outcome/", WON).status_code == 404
    assert status_of(connected) == C and status_of(pooled) == C


def test_the_counsellor_and_staff_do_not_confirm(api, connected, desk, staff):
    api(buyer_of(connected)).post(url(connected), WON, format="json")
    for caller in (desk, staff):
        response = api(caller, language="en").post(url(connected, CONFIRM), {}, format="json")
        assert response.status_code == 403
        assert "confirm" in response.json()["detail"]


def test_the_declarer_cannot_confirm_and_nothing_is_confirmed_twice(api, connected):
    api(buyer_of(connected)).post(url(connected), WON, format="json")
    assert api(buyer_of(connected)).post(url(connected, CONFIRM), {}, format="json").status_code == 409
    assert api(producer_of(connected)).post(url(connected, CONFIRM), {}, format="json").status_code == 200
    assert api(producer_of(connected)).post(url(connected, CONFIRM), {}, format="json").status_code == 409


def test_confirming_an_outcome_corrected_since_is_a_conflict(api, connected):
    api(buyer_of(connected)).post(url(connected), WON, format="json")
    seen = (
        api(producer_of(connected)).get(f"/api/v1/matches/{connected.pk}/").json()["outcome"]["declared_at"]
    )
    api(buyer_of(connected)).post(url(connected), {**WON, "value": "1000"}, format="json")
    response = api(producer_of(connected)).post(url(connected, CONFIRM), {"declared_at": seen}, format="json")
    assert response.status_code == 409
    assert Match.objects.get(pk=connected.pk).outcome_confirmed_at is None


@pytest.mark.parametrize(
    "state", [MatchStatus.DECLINED, MatchStatus.PROPOSED, MatchStatus.REJECTED, MatchStatus.WITHDRAWN]
)
def test_a_match_that_is_not_forwarded_or_connected_is_a_conflict(api, desk, staff, state):
    match = make_match(status=state, counsellor=desk)
    assert api(desk).post(url(match), WON, format="json").status_code == 409
    assert api(staff).post(url(match), LOST, format="json").status_code == 409
    if state == MatchStatus.DECLINED:  # the companies still see a declined match
        assert api(buyer_of(match)).post(url(match), WON, format="json").status_code == 409
        assert api(buyer_of(match)).post(url(match, CONFIRM), {}, format="json").status_code == 409
    assert status_of(match) == state


def test_a_company_cannot_correct_what_the_counsellor_recorded(api, connected, desk):
    api(desk).post(url(connected), WON, format="json")
    response = api(producer_of(connected), language="en").post(url(connected), LOST, format="json")
    assert response.status_code == 409 and "counsellor" in response.json()["detail"]
    assert status_of(connected) == MatchStatus.WON


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "won"}, "value"),
        ({"outcome": "won", "value": "100"}, "currency"),
        ({"outcome": "won", "value": None, "currency": "USD"}, "value"),
        ({"outcome": "won", "value": "0", "currency": "USD"}, "value"),
        ({"outcome": "won", "value": "0.004", "currency": "USD"}, "value"),
        ({"outcome": "won", "value": "-10", "currency": "USD"}, "value"),
        ({"outcome": "won", "value": "ten", "currency": "USD"}, "value"),
        ({"outcome": "won", "value": "NaN", "currency": "USD"}, "value"),
        ({"outcome": "won", "value": "1e400", "currency": "USD"}, "value"),
        ({"outcome": "won", "value": "1000000000000", "currency": "USD"}, "value"),
        ({"outcome": "won", "value": "99999999999999999999", "currency": "USD"}, "value"),
        ({"outcome": "won", "value": [1], "currency": "USD"}, "value"),
        ({"outcome": "won", "value": {"a": 1}, "currency": "USD"}, "value"),
        ({"outcome": "won", "value": True, "currency": "USD"}, "value"),
        ({"outcome": "won", "value": "10", "currency": "ABC"}, "currency"),
        ({"outcome": "won", "value": "10", "currency": "US\x00"}, "currency"),
        ({"outcome": "won", "value": "10", "currency": "DOLLARS"}, "currency"),
        ({"outcome": "won", "value": "10", "currency": 840}, "currency"),
        ({"outcome": "won", "value": "10", "currency": ["USD"]}, "currency"),
        ({"outcome": "lost"}, "note"),
        ({"outcome": "lost", "note": "   "}, "note"),
        ({"outcome": "lost", "note": "x" * 2001}, "note"),
        ({"outcome": "lost", "note": "Price\x00"}, "note"),
        ({"outcome": "lost", "note": 12}, None),  # a number is text enough: accepted
        ({"outcome": "connected"}, "outcome"),
        ({"outcome": 1}, "outcome"),
        ({"outcome": None}, "outcome"),
        ({}, "outcome"),
        ([], "non_field_errors"),
        ("won", "non_field_errors"),
    ],
)
def test_bad_input_is_a_field_error(api, connected, desk, body, field):
    for caller in (desk, buyer_of(connected)):
        response = api(caller).post(url(connected), body, format="json")
        if field is None:
            assert response.status_code == 200
            return
        assert response.status_code == 400, (caller.role, response.content)
        assert field in response.json()
    assert status_of(connected) == C


@pytest.mark.parametrize(
    "body",
    [{"note": "x" * 2001}, {"note": "a\x00b"}, {"declared_at": "yesterday"}, {"declared_at": 5}, []],
)
def test_bad_confirmation_input_is_a_field_error(api, connected, body):
    api(buyer_of(connected)).post(url(connected), WON, format="json")
    response = api(producer_of(connected)).post(url(connected, CONFIRM), body, format="json")
    assert response.status_code == 400
    assert Match.objects.get(pk=connected.pk).outcome_confirmed_at is None


def test_a_form_encoded_body_works_too(api, connected):
    response = api(buyer_of(connected)).post(url(connected), {"outcome": "lost", "note": "Too dear"})
    assert response.status_code == 200 and response.json()["outcome"]["note"] == "Too dear"
