"""The contact rules of accounts.policies read facts the apps above contribute at start-up
(matchmaking: reveals and a counsellor's matches; counsellors: desk markets). Registered
by their AppConfig.ready(); with nothing registered nothing is revealed."""

import pytest

from accounts import policies
from counsellors import policies as counsellor_policies
from matchmaking import policies as match_policies
from matchmaking.models import MatchStatus
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match

pytestmark = pytest.mark.django_db


def test_matchmaking_and_counsellors_fill_the_registry_at_start_up():
    assert policies._revealed_profiles == [match_policies.revealed_counterpart_ids]
    assert policies._match_profiles == [match_policies.visible_match_profile_ids]
    assert policies._desk_markets == [counsellor_policies.desk_markets]


@pytest.fixture
def nothing_registered(monkeypatch):
    for name in ("_revealed_profiles", "_match_profiles", "_desk_markets"):
        monkeypatch.setattr(policies, name, [])


def test_with_nothing_registered_a_forwarded_match_reveals_nothing(nothing_registered):
    match = make_match(status=MatchStatus.FORWARDED)
    buyer_user, producer_user = match.buyer.owner, match.producer.owner
    assert not policies.can_view_producer_contacts(buyer_user, match.producer)
    assert not policies.can_view_buyer_contacts(producer_user, match.buyer)


def test_with_nothing_registered_a_counsellor_has_no_desk_and_no_buyers(nothing_registered):
    counsellor = make_counsellor("IQ")
    buyer = make_buyer(country="IQ")
    make_match(producer=make_producer(), buyer=buyer)  # in the pool
    assert policies.counsellor_markets(counsellor) == frozenset()
    assert not policies.can_view_buyer(counsellor, buyer)
    assert not policies.buyers_visible_to(counsellor).exists()


def test_registered_the_same_match_reveals_the_contacts():
    match = make_match(status=MatchStatus.FORWARDED)
    assert policies.can_view_producer_contacts(match.buyer.owner, match.producer)
    assert policies.can_view_buyer_contacts(match.producer.owner, match.buyer)


def test_registering_twice_keeps_one_provider(monkeypatch):
    monkeypatch.setattr(policies, "_desk_markets", [])
    policies.register_desk_markets(counsellor_policies.desk_markets)
    policies.register_desk_markets(counsellor_policies.desk_markets)
    assert policies._desk_markets == [counsellor_policies.desk_markets]
