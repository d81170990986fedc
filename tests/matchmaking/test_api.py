"""GET /api/v1/matches/ and /{id}/ per role, filters, reasons in fa and en, and the rematch endpoint."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from matchmaking import lifecycle, services, sweeps, tasks
from matchmaking.models import Match, MatchSource, MatchStatus
from taxonomy.models import Sector
from tests.factories import UserFactory

from .conftest import make_buyer, make_producer

pytestmark = pytest.mark.django_db
URL = "/api/v1/matches/"


@pytest.fixture
def matches(staff):
    """Fridges for Iraq and Armenia, furniture for Russia; the Iraqi fridge match forwarded."""
    fridges = make_producer(("841810",), capacity="45000", markets=["IQ", "AM"], certifications=["CE"])
    furniture = make_producer(("940360",), capacity="600", markets=["RU"])
    iraq = make_buyer(("8418",), country="IQ", demand="5000", certifications=["CE"])
    armenia = make_buyer(("841810",), country="AM", demand="100")
    russia = make_buyer(("9403",), country="RU", demand="40")
    services.rematch_all()
    forwarded = Match.objects.get(producer=fridges, buyer=iraq)
    lifecycle.match_forward(match=forwarded, actor=staff, note="Strong fit")
    return {
        "fridges": fridges,
        "furniture": furniture,
        "iraq": iraq,
        "armenia": armenia,
        "russia": russia,
        "forwarded": forwarded,
        "proposed": Match.objects.get(producer=fridges, buyer=armenia),
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {item["id"] for item in response.json()["results"]}


def test_anonymous_callers_are_refused(api, matches):
    assert api().get(URL).status_code in (401, 403)
    assert api().get(f"{URL}{matches['forwarded'].pk}/").status_code in (401, 403)


def test_staff_and_counsellors_see_the_pool(api, matches, staff, counsellor):
    everything = set(Match.objects.values_list("pk", flat=True))
    assert ids(api(staff).get(URL)) == everything
    # No desk, no routing: every proposed match waits in the pool; the one staff forwarded
    # from the pool stays with staff.
    pool = set(Match.objects.filter(status=MatchStatus.PROPOSED).values_list("pk", flat=True))
    assert pool and pool != everything
    assert ids(api(counsellor).get(URL)) == pool
    withdrawn = matches["proposed"]
    Match.objects.filter(pk=withdrawn.pk).update(status=MatchStatus.WITHDRAWN)
    assert withdrawn.pk not in ids(api(counsellor).get(URL))
    routed = Match.objects.get(producer=matches["furniture"], buyer=matches["russia"])
    Match.objects.filter(pk=routed.pk).update(counsellor=UserFactory(role="counsellor"))
    assert routed.pk not in ids(api(counsellor).get(URL))  # routed to another counsellor
    assert api(counsellor).get(f"{URL}{routed.pk}/").status_code == 404


def test_parties_see_their_own_matches_once_forwarded(api, matches):
    forwarded, proposed = matches["forwarded"], matches["proposed"]
    producer, buyer = matches["fridges"].owner, matches["iraq"].owner
    assert ids(api(producer).get(URL)) == {forwarded.pk}  # not the proposed Armenian one
    assert ids(api(buyer).get(URL)) == {forwarded.pk}
    assert api(producer).get(f"{URL}{proposed.pk}/").status_code == 404
    assert api(matches["armenia"].owner).get(f"{URL}{proposed.pk}/").status_code == 404
    assert ids(api(matches["armenia"].owner).get(URL)) == set()


def test_another_users_match_is_not_found(api, matches):
    forwarded = matches["forwarded"]
    for stranger in (matches["furniture"].owner, matches["russia"].owner, UserFactory(role="buyer")):
        assert api(stranger).get(f"{URL}{forwarded.pk}/").status_code == 404
    assert api(matches["fridges"].owner).get(f"{URL}999999/").status_code == 404


def test_the_detail_has_the_public_shape_with_reasons_in_english(api, matches, staff):
    Sector.objects.filter(code="8418").update(
        name="Refrigerators, freezers and other refrigerating equipment"
    )
    forwarded = matches["forwarded"]

    data = api(staff, language="en").get(f"{URL}{forwarded.pk}/").json()

    assert set(data) >= {
        "id", "producer", "buyer", "score", "breakdown", "status", "source", "counsellor",
        "producer_response", "buyer_response", "outcome", "created_at", "updated_at", "events",
    }  # fmt: skip
    assert data["score"] == 0.94 and data["status"] == "forwarded" and data["source"] == "engine"
    assert data["producer"]["id"] == matches["fridges"].pk and data["buyer"]["country"] == "IQ"
    assert data["producer_response"] == data["buyer_response"] == "pending" and data["outcome"] is None
    breakdown = data["breakdown"]
    assert set(breakdown) == {"sector", "capacity", "market", "certifications"}
    assert breakdown["sector"]["score"] == 0.85 and breakdown["sector"]["weight"] == 0.4
    assert breakdown["sector"]["reason"].startswith("same HS heading 8418 (Refrigerators, freezers and other")
    assert breakdown["capacity"]["reason"] == "capacity 45,000 units/yr covers demand 5,000"
    assert breakdown["market"]["reason"] == "Iraq is a target market"
    assert breakdown["certifications"]["reason"] == (
        "a verified, unexpired certificate for every required certification: CE"
    )
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in data["events"]] == [
        (None, "proposed", None),
        ("proposed", "forwarded", staff.pk),
    ]
    assert data["events"][1]["note"] == "Strong fit"


def test_reasons_follow_the_request_language(api, matches):
    Sector.objects.filter(code="8418").update(name_fa="یخچال، فریزر و سایر تجهیزات سردکننده")
    producer = matches["fridges"].owner
    url = f"{URL}{matches['forwarded'].pk}/"
    persian = api(producer, language="fa").get(url).json()["breakdown"]
    assert persian["sector"]["reason"].startswith("سرفصل مشترک ۸۴۱۸ (یخچال، فریزر")
    assert "۴۵٬۰۰۰" in persian["capacity"]["reason"] and "۵٬۰۰۰" in persian["capacity"]["reason"]
    assert "عراق" in persian["market"]["reason"]
    english = api(producer, language="en").get(url).json()["breakdown"]
    assert english["market"]["reason"] == "Iraq is a target market"


def test_without_accept_language_a_token_user_gets_their_preferred_language(matches):
    producer = matches["fridges"].owner
    url = f"{URL}{matches['forwarded'].pk}/"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=producer).key}")
    producer.preferred_language = "en"
    producer.save()
    assert client.get(url).json()["breakdown"]["market"]["reason"] == "Iraq is a target market"
    producer.preferred_language = "fa"
    producer.save()
    assert "عراق" in client.get(url).json()["breakdown"]["market"]["reason"]
    # Accept-Language wins over the preference.
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert english.json()["breakdown"]["market"]["reason"] == "Iraq is a target market"
    assert english["Content-Language"] == "en"


def test_contacts_are_revealed_to_the_other_side_once_forwarded(api, matches):
    forwarded, proposed = matches["forwarded"], matches["proposed"]
    data = api(matches["iraq"].owner).get(f"{URL}{forwarded.pk}/").json()
    assert data["producer"]["email"] == matches["fridges"].email
    data = api(matches["fridges"].owner).get(f"{URL}{forwarded.pk}/").json()
    assert data["buyer"]["email"] == matches["iraq"].email and data["buyer"]["phone"]
    # The Armenian buyer's match is only proposed: the producer pages show no contacts to it.
    page = api(matches["armenia"].owner).get(f"/api/v1/producers/{matches['fridges'].pk}/").json()
    assert page["email"] is None
    page = api(matches["iraq"].owner).get(f"/api/v1/producers/{matches['fridges'].pk}/").json()
    assert page["email"] == matches["fridges"].email
    assert proposed.status == MatchStatus.PROPOSED


def test_declining_hides_the_contacts_again(api, matches):
    Match.objects.filter(pk=matches["forwarded"].pk).update(status=MatchStatus.DECLINED)
    data = api(matches["iraq"].owner).get(f"{URL}{matches['forwarded'].pk}/").json()
    assert data["status"] == "declined"  # still in the buyer's list
    assert data["producer"]["email"] is None and data["producer"]["phone"] is None


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=forwarded", {"forwarded"}),
        ("status=proposed&status=forwarded", {"forwarded", "proposed", "furniture"}),
        ("source=buyer_request", set()),
        ("min_score=0.95", {"proposed"}),
        ("min_score=0.94", {"forwarded", "proposed", "furniture"}),
        ("country=am", {"proposed"}),
        ("sector=84", {"forwarded", "proposed"}),
        ("sector=9403", {"furniture"}),
        ("sector=940360", {"furniture"}),
        ("sector=94", {"furniture"}),
        ("sector=841810", {"forwarded", "proposed"}),
        ("sector=XVI", {"forwarded", "proposed"}),
        ("sector=XX", {"furniture"}),
    ],
)
def test_filters(api, matches, staff, query, expected):
    named = {
        "forwarded": matches["forwarded"].pk,
        "proposed": matches["proposed"].pk,
        "furniture": Match.objects.get(producer=matches["furniture"]).pk,
    }
    assert set(Match.objects.values_list("pk", flat=True)) == set(named.values())
    assert ids(api(staff).get(f"{URL}?{query}")) == {named[name] for name in expected}


def test_filters_by_party_and_counsellor(api, matches, staff, counsellor):
    fridges, iraq = matches["fridges"], matches["iraq"]
    assert ids(api(staff).get(f"{URL}?producer={fridges.pk}")) == {
        matches["forwarded"].pk,
        matches["proposed"].pk,
    }
    assert ids(api(staff).get(f"{URL}?buyer={iraq.pk}")) == {matches["forwarded"].pk}
    Match.objects.filter(pk=matches["proposed"].pk).update(counsellor=counsellor)
    assert ids(api(staff).get(f"{URL}?counsellor={counsellor.pk}")) == {matches["proposed"].pk}


@pytest.mark.parametrize(
    "query",
    [
        "status=maybe",
        "min_score=high",
        "min_score=2",
        "sector=12345",
        "sector=0000",
        "country=ZZ",
        "producer=x",
    ],
)
def test_bad_filter_values_are_a_400(api, matches, staff, query):
    response = api(staff).get(f"{URL}?{query}")
    assert response.status_code == 400
    assert set(response.json()) <= {"status", "min_score", "sector", "country", "producer"}


def test_ordering(api, matches, staff):
    results = api(staff).get(URL).json()["results"]
    scores = [item["score"] for item in results]
    assert scores == sorted(scores, reverse=True)
    results = api(staff).get(f"{URL}?ordering=score").json()["results"]
    assert [item["score"] for item in results] == sorted(scores)
    results = api(staff).get(f"{URL}?ordering=-created_at").json()["results"]
    assert len(results) == 3


def test_the_list_takes_the_same_number_of_queries_for_more_matches(api, staff):
    for _ in range(2):
        make_producer(("841810",), declared=["8450"])
        make_buyer(("8418",))
    services.rematch_all()
    client = api(staff)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for _ in range(4):
        make_producer(("841810",), declared=["8450"])
        make_buyer(("8418",))
    services.rematch_all()
    with CaptureQueriesContext(connection) as more:
        assert len(client.get(URL).json()["results"]) > 4
    assert len(more.captured_queries) == len(few.captured_queries)


def test_rematch_is_for_staff_and_answers_202_with_a_task_id(api, matches, staff, counsellor, monkeypatch):
    sent = []

    class Result:
        id = "task-1"

    def delay(name):
        return lambda *args: sent.append((name, args)) or Result()

    monkeypatch.setattr(tasks.sweep_all, "delay", delay("sweep"))
    monkeypatch.setattr(tasks.rematch_producer_task, "delay", delay("producer"))
    monkeypatch.setattr(tasks.rematch_buyer_task, "delay", delay("buyer"))
    url = f"{URL}rematch/"

    for user in (None, counsellor, matches["fridges"].owner, matches["iraq"].owner):
        assert api(user).post(url, {}, format="json").status_code in (401, 403)
    assert sent == []

    response = api(staff).post(url, {}, format="json")
    assert response.status_code == 202 and response.json() == {"task_id": "task-1"}
    assert api(staff).post(url, {"producer": matches["furniture"].pk}, format="json").status_code == 202
    assert api(staff).post(url, {"buyer": matches["russia"].pk}, format="json").status_code == 202
    assert sent == [
        ("sweep", ()),
        ("producer", (matches["furniture"].pk,)),
        ("buyer", (matches["russia"].pk,)),
    ]

    for body, field in (({"producer": 999999}, "producer"), ({"buyer": "x"}, "buyer")):
        response = api(staff).post(url, body, format="json")
        assert response.status_code == 400 and field in response.json()
    both = {"producer": matches["furniture"].pk, "buyer": matches["russia"].pk}
    assert api(staff).post(url, both, format="json").status_code == 400
    assert len(sent) == 3


def test_a_sweep_asked_for_while_one_runs_answers_409_with_since_when(api, matches, staff, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.sweep_all, "delay", lambda *args: sent.append(args))
    assert sweeps.claim("running-one")
    started = sweeps.running().started_at
    url = f"{URL}rematch/"

    response = api(staff).post(url, {}, format="json")

    assert response.status_code == 409 and sent == []
    body = response.json()
    assert body["sweep"] == "running-one" and started.isoformat(timespec="seconds") in body["detail"]
    assert datetime.fromisoformat(body["started_at"].replace("Z", "+00:00")) == started
    assert int(response["Retry-After"]) == sweeps.lease_seconds()
    # A single profile's rematch is not a sweep: it goes on.
    assert api(staff).post(url, {"buyer": matches["russia"].pk}, format="json").status_code == 202
    sweeps.release("running-one")
    assert api(staff).post(url, {}, format="json").status_code == 202 and sent == [()]


def test_rematch_runs_in_process_without_a_broker(api, matches, staff):
    Match.objects.exclude(pk=matches["forwarded"].pk).delete()
    response = api(staff).post(f"{URL}rematch/", {"buyer": matches["armenia"].pk}, format="json")
    assert response.status_code == 202 and response.json()["task_id"]
    assert Match.objects.filter(buyer=matches["armenia"], status=MatchStatus.PROPOSED).exists()
    response = api(staff).post(f"{URL}rematch/", {}, format="json")
    assert response.status_code == 202
    assert Match.objects.count() == 3


def test_a_won_match_shows_its_outcome(api, matches, staff):
    Match.objects.filter(pk=matches["forwarded"].pk).update(
        status=MatchStatus.WON, outcome_value=Decimal("125000"), outcome_currency="USD"
    )
    data = api(staff).get(f"{URL}{matches['forwarded'].pk}/").json()
    # Recorded before parties could declare outcomes (no declaration date): the counsellor's, confirmed.
    assert data["outcome"] == {
        "result": "won",
        "value": "125000.00",
        "currency": "USD",
        "note": "",
        "declared_by": None,
        "declared_at": None,
        "confirmed": True,
        "confirmed_at": None,
    }
    assert Match.objects.filter(source=MatchSource.ENGINE).count() == 3
