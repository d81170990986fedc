"""Routing of proposed matches to counsellors (counsellors.routing): posted country, then
covered countries, then the same UN M49 region, else the shared pool; the shortest queue
among several; after a rematch and when a new desk opens."""

import pytest

from counsellors import routing, services
from counsellors.models import CounsellorProfile
from matchmaking import services as matching
from matchmaking.models import Match, MatchStatus
from tests.factories import UserFactory
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(role="staff")


def route_one(country: str) -> Match:
    match = make_match(buyer=make_buyer(country=country))
    routing.route_unassigned()
    match.refresh_from_db()
    return match


# --- Tiers ---------------------------------------------------------------------------------


def test_the_counsellor_posted_in_the_buyers_country_comes_first():
    make_counsellor("TR", covered=["IQ"])  # covers Iraq, same region too
    baghdad = make_counsellor("IQ")
    assert route_one("IQ").counsellor == baghdad


def test_then_one_whose_covered_countries_include_it():
    make_counsellor("JO")  # same region (Western Asia)
    ankara = make_counsellor("TR", covered=["IQ", "SY"])
    assert route_one("IQ").counsellor == ankara


def test_then_one_posted_in_the_same_region():
    make_counsellor("DE")  # Western Europe
    ankara = make_counsellor("TR")  # Western Asia, like Iraq
    assert route_one("IQ").counsellor == ankara


def test_else_the_match_stays_in_the_pool():
    make_counsellor("DE", covered=["FR"])
    assert route_one("IQ").counsellor is None


def test_with_no_desk_at_all_nothing_is_routed():
    make_match()
    assert routing.route_unassigned() == 0
    assert Match.objects.get().counsellor is None


def test_the_pure_tiers():
    desks = [
        routing.Desk(1, "IQ", frozenset()),
        routing.Desk(2, "TR", frozenset({"IQ"})),
        routing.Desk(3, "JO", frozenset()),
        routing.Desk(4, "DE", frozenset()),
    ]
    assert routing.candidates_for("iq", desks) == [1]
    assert routing.candidates_for("IQ", desks[1:]) == [2]
    assert routing.candidates_for("SA", desks) == [1, 2, 3]  # Western Asia, none posted or covering
    assert routing.candidates_for("FR", desks) == [4]
    assert routing.candidates_for("BR", desks) == []
    assert routing.candidates_for("", desks) == []


# --- Among several ---------------------------------------------------------------------------


def test_the_shortest_queue_wins():
    busy, free = make_counsellor("IQ"), make_counsellor("IQ")
    for _ in range(2):
        make_match(counsellor=busy)
    make_match(counsellor=free, status=MatchStatus.FORWARDED)  # not in the review queue
    assert route_one("IQ").counsellor == free


def test_a_batch_is_spread_over_the_desks():
    first, second = make_counsellor("IQ"), make_counsellor("IQ")
    make_match(counsellor=first)
    for _ in range(5):
        make_match(buyer=make_buyer(country="IQ"))
    assert routing.route_unassigned() == 5
    queues = {
        user: Match.objects.filter(counsellor=user, status=MatchStatus.PROPOSED).count()
        for user in (first, second)
    }
    assert queues == {first: 3, second: 3}


def test_the_pure_assignment_hands_out_by_queue_then_seniority():
    desks = [routing.Desk(1, "IQ", frozenset()), routing.Desk(2, "IQ", frozenset())]
    assigned = routing.assign({10: "IQ", 11: "IQ", 12: "IQ", 13: "DE"}, desks, {1: 1, 2: 0})
    assert assigned == {10: 2, 11: 1, 12: 2}  # 13: no desk for Germany, stays pooled


# --- Who takes no new matches --------------------------------------------------------------------


def test_a_counsellor_on_leave_is_skipped():
    make_counsellor("IQ", active=False)
    ankara = make_counsellor("TR")
    assert route_one("IQ").counsellor == ankara


def test_a_closed_account_or_a_changed_role_is_skipped():
    make_counsellor("IQ", is_active=False)
    former = make_counsellor("IQ")
    former.role = "staff"
    former.save(update_fields=["role"])
    assert route_one("IQ").counsellor is None


def test_only_unassigned_proposed_matches_are_routed():
    pooled_forwarded = make_match(status=MatchStatus.FORWARDED)
    withdrawn = make_match(status=MatchStatus.WITHDRAWN)
    desk = make_counsellor("IQ")
    other = make_counsellor("DE")
    held = make_match(counsellor=other)
    assert routing.route_unassigned() == 0
    assert Match.objects.get(pk=pooled_forwarded.pk).counsellor is None
    assert Match.objects.get(pk=withdrawn.pk).counsellor is None
    assert Match.objects.get(pk=held.pk).counsellor == other
    assert not Match.objects.filter(counsellor=desk).exists()


# --- When routing happens ------------------------------------------------------------------------


def test_a_rematch_routes_the_new_proposed_matches():
    baghdad = make_counsellor("IQ")
    berlin = make_counsellor("DE")
    producer = make_producer(("841810",), markets=["IQ", "DE"])
    iraq = make_buyer(("841810",), country="IQ")
    germany = make_buyer(("841810",), country="DE")
    brazil = make_buyer(("841810",), country="BR")
    counts = matching.rematch_all()
    assert counts.routed == 2
    routed = dict(Match.objects.filter(producer=producer).values_list("buyer_id", "counsellor_id"))
    assert routed == {iraq.pk: baghdad.pk, germany.pk: berlin.pk, brazil.pk: None}


def test_a_new_desk_drains_the_pool(staff):
    producer = make_producer(("841810",), markets=["IQ"])
    make_buyer(("841810",), country="IQ")
    make_buyer(("841810",), country="BR")
    matching.rematch_all()
    assert not Match.objects.filter(counsellor__isnull=False).exists()  # no desk yet
    user = UserFactory(role="counsellor")
    services.counsellor_profile_create(actor=staff, user=user, data={"posted_country": "IQ"})
    assert Match.objects.get(producer=producer, buyer__country="IQ").counsellor == user
    assert Match.objects.get(producer=producer, buyer__country="BR").counsellor is None


def test_covering_one_more_country_takes_its_pooled_matches(staff):
    user = make_counsellor("DE")
    match = make_match(buyer=make_buyer(country="BR"))
    routing.route_unassigned()
    assert Match.objects.get(pk=match.pk).counsellor is None
    profile = CounsellorProfile.objects.get(user=user)
    services.counsellor_profile_update(profile=profile, actor=staff, data={"covered_countries": ["BR"]})
    assert Match.objects.get(pk=match.pk).counsellor == user
