"""Rematch services and the upsert: idempotent, never touching what people acted on."""

from decimal import Decimal

import pytest

from accounts.models import BuyerProfile
from catalogue.models import Product
from matchmaking import engine, lifecycle, services
from matchmaking.models import (
    Match,
    MatchEvent,
    MatchingConfig,
    MatchSource,
    MatchStatus,
    get_matching_config,
)
from tests.factories import UserFactory

from .conftest import make_buyer, make_producer

pytestmark = pytest.mark.django_db


def rows():
    return sorted(
        Match.objects.values_list(
            "producer_id", "buyer_id", "score", "status", "sector_score", "capacity_score", "breakdown"
        )
    )


@pytest.fixture
def market():
    """Two fridge makers, a furniture maker (no shared sector), buyers in Iraq and Germany
    (a producer is a candidate only under a code the buyer seeks, at the buyer's level, so
    Germany seeks heading 8418 besides its subheading to be offered the freezers, issue 14)."""
    fridges = make_producer(("841810",), capacity="45000", markets=["IQ"], certifications=["CE"])
    freezers = make_producer(("841840",), capacity="800", markets=["AM"])
    furniture = make_producer(("940360",), capacity="60", markets=["IQ"])
    iraq = make_buyer(("8418",), country="IQ", demand="5000", certifications=["CE"])
    germany = make_buyer(("841810", "8418"), country="DE", demand="100")
    return {
        "fridges": fridges,
        "freezers": freezers,
        "furniture": furniture,
        "iraq": iraq,
        "germany": germany,
    }


def test_rematch_all_creates_the_kept_pairs_with_an_event_each(market):
    counts = services.rematch_all()

    assert counts.producers == 3 and counts.buyers == 2 and counts.pairs_scored == 6
    pairs = set(Match.objects.values_list("producer_id", "buyer_id"))
    fridges, freezers, iraq, germany = (market[k].pk for k in ("fridges", "freezers", "iraq", "germany"))
    assert pairs == {(fridges, iraq), (freezers, iraq), (fridges, germany), (freezers, germany)}
    assert counts.created == counts.kept == 4
    best = Match.objects.get(producer=market["fridges"], buyer=market["iraq"])
    assert best.score == Decimal("0.940")  # heading 0.85 × 0.4 + capacity, market, certifications 1.0
    assert best.status == MatchStatus.PROPOSED and best.source == MatchSource.ENGINE
    assert best.breakdown["sector"] == {
        "code": "same_heading",
        "hs": "8418",
        "producer_hs": "841810",
        "buyer_hs": "8418",
        "score": 0.85,
        "weight": 0.4,
    }
    assert best.breakdown["market"]["code"] == "target_market"
    events = MatchEvent.objects.filter(match=best)
    assert [(e.from_status, e.to_status, e.actor) for e in events] == [("", MatchStatus.PROPOSED, None)]
    assert MatchEvent.objects.count() == 4


def test_rematch_twice_gives_the_same_rows_and_no_new_events(market):
    services.rematch_all()
    before, events = rows(), MatchEvent.objects.count()
    counts = services.rematch_all()
    assert rows() == before and MatchEvent.objects.count() == events
    assert (counts.created, counts.updated, counts.withdrawn, counts.unchanged) == (0, 0, 0, 4)
    for rematch in (
        lambda: services.rematch_producer(market["fridges"].pk),
        lambda: services.rematch_buyer(market["iraq"].pk),
    ):
        counts = rematch()
        assert counts.created == counts.updated == counts.withdrawn == 0
        assert rows() == before and MatchEvent.objects.count() == events


def test_a_changed_input_updates_the_proposed_match_in_place(market):
    services.rematch_all()
    match = Match.objects.get(producer=market["fridges"], buyer=market["germany"])
    Product.objects.filter(producer=market["fridges"]).update(available_capacity=50)  # demand is 100

    counts = services.rematch_producer(market["fridges"].pk)

    assert counts.updated == 2 and counts.created == 0  # with Iraq's and Germany's
    match.refresh_from_db()
    assert match.capacity_score == Decimal("0.500")
    assert match.breakdown["capacity"]["code"] == "partial"
    assert MatchEvent.objects.filter(match=match).count() == 1  # re-scoring is not a transition


def test_matches_people_acted_on_are_never_touched(market, staff):
    services.rematch_all()
    forwarded = Match.objects.get(producer=market["fridges"], buyer=market["iraq"])
    lifecycle.match_forward(match=forwarded, actor=staff)
    snapshot = Match.objects.filter(pk=forwarded.pk).values().get()

    Product.objects.filter(producer=market["fridges"]).update(available_capacity=1)
    market["fridges"].products.update(is_active=False)  # not even ready to match any more
    services.rematch_all()
    services.rematch_producer(market["fridges"].pk)

    assert Match.objects.filter(pk=forwarded.pk).values().get() == snapshot
    assert MatchEvent.objects.filter(match=forwarded).count() == 2


def test_a_pair_below_the_threshold_is_withdrawn_and_comes_back_when_it_recovers(market):
    services.rematch_all()
    match = Match.objects.get(producer=market["freezers"], buyer=market["germany"])
    # 0.85 × 0.4 + capacity 1.0 × 0.25 + other market 0.2 × 0.25 + 1.0 × 0.1 = 0.74
    assert match.score == Decimal("0.740")
    MatchingConfig.objects.create(min_score=Decimal("0.75"))

    counts = services.rematch_all()

    match.refresh_from_db()
    assert match.status == MatchStatus.WITHDRAWN and counts.withdrawn >= 1
    event = MatchEvent.objects.filter(match=match).last()
    assert (event.from_status, event.to_status, event.actor) == (
        MatchStatus.PROPOSED,
        MatchStatus.WITHDRAWN,
        None,
    )

    MatchingConfig.objects.update(min_score=Decimal("0.35"))
    counts = services.rematch_buyer(market["germany"].pk)
    match.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED and counts.reproposed == 1
    event = MatchEvent.objects.filter(match=match).last()
    assert (event.from_status, event.to_status) == (MatchStatus.WITHDRAWN, MatchStatus.PROPOSED)


def test_out_of_the_top_k_is_withdrawn_by_the_sweep(market):
    services.rematch_all()
    MatchingConfig.objects.create(top_k_per_buyer=1, min_per_buyer=0, top_k_per_producer=1)
    services.rematch_all()
    proposed = set(Match.objects.filter(status=MatchStatus.PROPOSED).values_list("producer_id", "buyer_id"))
    assert proposed == {
        (market["fridges"].pk, market["iraq"].pk),
        (market["freezers"].pk, market["germany"].pk),
    }
    assert Match.objects.filter(status=MatchStatus.WITHDRAWN).count() == 2


def test_a_rejected_pair_returns_only_after_a_material_change(market, staff):
    services.rematch_all()
    match = Match.objects.get(producer=market["freezers"], buyer=market["iraq"])
    lifecycle.match_reject(match=match, actor=staff, reason="They met at the fair; no fit.")

    services.rematch_all()
    services.rematch_producer(market["freezers"].pk)
    market["freezers"].description = "A new description is not a material change"
    market["freezers"].save()
    services.rematch_all()
    match.refresh_from_db()
    assert match.status == MatchStatus.REJECTED

    Product.objects.filter(producer=market["freezers"]).update(available_capacity=500)
    counts = services.rematch_producer(market["freezers"].pk)

    match.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED and counts.reproposed == 1
    event = MatchEvent.objects.filter(match=match).last()
    assert (event.from_status, event.to_status, event.actor) == (
        MatchStatus.REJECTED,
        MatchStatus.PROPOSED,
        None,
    )


def test_a_buyer_request_is_rescored_but_never_withdrawn_by_the_engine(market):
    # The lathe maker shares no sector with the Iraqi buyer's 8418... a request for 8418 products:
    request = Match.objects.create(
        producer=market["freezers"],
        buyer=market["germany"],
        score=Decimal("0"),
        sector_score=0,
        capacity_score=0,
        market_score=0,
        certifications_score=0,
        source=MatchSource.BUYER_REQUEST,
    )
    MatchingConfig.objects.create(min_score=Decimal("0.99"))
    services.rematch_all()
    request.refresh_from_db()
    assert request.status == MatchStatus.PROPOSED and request.source == MatchSource.BUYER_REQUEST
    assert request.score == Decimal("0.740")  # scored on current data all the same
    services.rematch_buyer(market["germany"].pk)
    request.refresh_from_db()
    assert request.status == MatchStatus.PROPOSED


def test_a_profile_no_longer_ready_loses_its_proposed_matches(market):
    services.rematch_all()
    market["fridges"].products.update(is_active=False)
    counts = services.rematch_producer(market["fridges"].pk)
    assert counts.withdrawn == 2 and counts.producers == 0
    assert not Match.objects.filter(producer=market["fridges"], status=MatchStatus.PROPOSED).exists()
    BuyerProfile.objects.filter(pk=market["iraq"].pk).update(country="")
    counts = services.rematch_buyer(market["iraq"].pk)
    assert counts.withdrawn == 1


def test_a_one_profile_rematch_keeps_pairs_still_above_the_threshold(market):
    """Top-K caps of the other side need the whole sweep: a one-profile rematch withdraws a
    pair only when it falls below the minimum score (or shares no sector any more)."""
    services.rematch_all()
    MatchingConfig.objects.create(top_k_per_producer=1, top_k_per_buyer=1, min_per_buyer=0)
    counts = services.rematch_producer(market["fridges"].pk)
    assert counts.withdrawn == 0
    assert Match.objects.filter(producer=market["fridges"], status=MatchStatus.PROPOSED).count() == 2


def test_a_new_counterpart_is_matched_by_a_one_profile_rematch(market):
    services.rematch_all()
    newcomer = make_buyer(("8418",), country="IQ", demand="10")  # the heading: freezers too
    counts = services.rematch_buyer(newcomer.pk)
    assert counts.created == 2
    assert set(Match.objects.filter(buyer=newcomer).values_list("producer_id", flat=True)) == {
        market["fridges"].pk,
        market["freezers"].pk,
    }


def test_the_config_row_overrides_the_engine_defaults():
    assert get_matching_config() == engine.MatchingConfig()
    MatchingConfig.objects.create(weight_sector=Decimal("0.5"), min_score=Decimal("0.6"), top_k_per_buyer=7)
    config = get_matching_config()
    assert config.weight_sector == 0.5 and config.min_score == 0.6 and config.top_k_per_buyer == 7
    assert config.weight_market == engine.MatchingConfig().weight_market
    row = MatchingConfig.objects.get()
    assert row.pk == 1
    row.weight_sector = row.weight_capacity = row.weight_market = row.weight_certifications = 0
    with pytest.raises(Exception, match="weights"):
        row.full_clean()


def test_new_weights_rewrite_the_stored_breakdown_even_with_equal_scores(market):
    services.rematch_all()
    MatchingConfig.objects.create(weight_sector=Decimal("0.5"), weight_certifications=Decimal("0"))
    counts = services.rematch_all()
    assert counts.updated == 4
    match = Match.objects.get(producer=market["fridges"], buyer=market["iraq"])
    assert match.breakdown["sector"]["weight"] == 0.5


def test_review_transitions_check_the_status_and_the_actor(market, staff):
    services.rematch_all()
    match = Match.objects.get(producer=market["fridges"], buyer=market["iraq"])
    from django.core.exceptions import PermissionDenied

    from portal.exceptions import StateConflict as Conflict

    with pytest.raises(PermissionDenied):
        lifecycle.match_forward(match=match, actor=UserFactory(role="producer"))
    lifecycle.match_forward(match=match, actor=UserFactory(role="counsellor"), note="Good fit")
    with pytest.raises(Conflict):
        lifecycle.match_reject(match=match, actor=staff, reason="late")
