"""A producer who never answers its forwarded introductions ranks lower (matchmaking.learning
loads the evidence, the engine applies it); the counsellors read why, the parties do not."""

import datetime

import pytest
from django.utils import timezone
from django.utils.translation import override

from matchmaking import services
from matchmaking.engine.responsiveness import MAX_PENALTY
from matchmaking.learning import ANSWER_DAYS, load_responsiveness
from matchmaking.models import Match, MatchStatus, PartyResponse
from matchmaking.reasons import render_responsiveness

from .conftest import make_buyer, make_producer
from .lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db


def _introduced(producer, *, days=ANSWER_DAYS + 1, **fields):
    """A match forwarded to `producer` `days` ago (to a new buyer elsewhere)."""
    return make_match(
        producer,
        make_buyer(("940360",), country="DE"),
        status=fields.pop("status", MatchStatus.FORWARDED),
        forwarded_at=timezone.now() - datetime.timedelta(days=days),
        **fields,
    )


def _counts(producer_id):
    evidence = load_responsiveness()
    pairs = zip(evidence.introduced.tolist(), evidence.unanswered.tolist(), strict=True)
    found = dict(zip(evidence.ids.tolist(), pairs, strict=True))
    return found.get(producer_id)


def test_what_counts_as_an_unanswered_introduction():
    producer = make_producer()
    for _ in range(3):
        _introduced(producer)  # pending past the window: unanswered
    _introduced(producer, producer_response=PartyResponse.ACCEPTED)
    _introduced(producer, status=MatchStatus.DECLINED, producer_response=PartyResponse.DECLINED)
    _introduced(producer, days=ANSWER_DAYS - 1)  # still has time to answer
    _introduced(producer, days=400)  # too long ago
    # The buyer declined before the producer had to answer: not held against it.
    _introduced(producer, status=MatchStatus.DECLINED, buyer_response=PartyResponse.DECLINED)
    assert _counts(producer.pk) == (5, 3)


def test_too_few_introductions_or_all_answered_are_not_loaded():
    few, answering = make_producer(), make_producer()
    for _ in range(2):
        _introduced(few)
    for _ in range(4):
        _introduced(answering, producer_response=PartyResponse.ACCEPTED)
    assert _counts(few.pk) is None and _counts(answering.pk) is None


@pytest.fixture
def twins():
    """Two fridge makers alike in what the engine reads; the second never answers."""
    responsive = make_producer(("841810",), capacity="5000", markets=["IQ"])
    silent = make_producer(("841810",), capacity="5000", markets=["IQ"])
    buyer = make_buyer(("841810",), country="IQ", demand="1000")
    for _ in range(4):
        _introduced(silent)
    services.rematch_all()
    return responsive, silent, buyer


def test_the_silent_producer_scores_lower_and_the_breakdown_says_why(twins):
    responsive, silent, buyer = twins
    good = Match.objects.get(producer=responsive, buyer=buyer)
    poor = Match.objects.get(producer=silent, buyer=buyer)
    assert float(poor.score) == pytest.approx(float(good.score) * (1 - MAX_PENALTY), abs=1e-3)
    assert poor.breakdown["responsiveness"] == {
        "code": "unanswered",
        "unanswered": 4,
        "introduced": 4,
        "score": 1 - MAX_PENALTY,
    }
    assert "responsiveness" not in good.breakdown
    with override("en"):
        assert (
            render_responsiveness(poor.breakdown)
            == "This producer has not answered 4 of 4 recent introductions."
        )
        assert render_responsiveness(good.breakdown) is None
    with override("fa"):
        assert (
            render_responsiveness(poor.breakdown)
            == "این تولیدکننده به ۴ مورد از ۴ معرفی اخیر پاسخ نداده است."
        )


def test_one_profile_rematches_apply_it_too(twins):
    _responsive, silent, buyer = twins
    before = Match.objects.get(producer=silent, buyer=buyer).score
    Match.objects.filter(buyer=buyer).delete()
    services.rematch_buyer(buyer.pk)
    assert Match.objects.get(producer=silent, buyer=buyer).score == before
    Match.objects.filter(producer=silent, buyer=buyer).delete()
    services.rematch_producer(silent.pk)
    assert Match.objects.get(producer=silent, buyer=buyer).score == before


def test_counsellors_read_it_the_parties_do_not(client, twins):
    _responsive, silent, buyer = twins
    match = Match.objects.get(producer=silent, buyer=buyer)
    desk = make_counsellor("IQ")
    Match.objects.filter(pk=match.pk).update(counsellor=desk)
    sentence = "This producer has not answered 4 of 4 recent introductions."

    client.force_login(desk)
    client.cookies["django_language"] = "en"
    assert sentence in client.get("/counsellor/queue/").content.decode()
    assert sentence in client.get(f"/matches/{match.pk}/").content.decode()

    Match.objects.filter(pk=match.pk).update(status=MatchStatus.FORWARDED, forwarded_at=timezone.now())
    client.force_login(silent.owner)
    page = client.get(f"/matches/{match.pk}/")
    assert page.status_code == 200 and sentence not in page.content.decode()
