"""The matcher routes the proposed matches it writes through matchmaking.routing, a hook the
counsellors' app fills in CounsellorsConfig.ready(); without a router they stay in the pool.
Profile and product writes reach the matcher and the search index through signals."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.signals import buyer_changed, producer_changed
from catalogue import receivers as catalogue_receivers
from catalogue.signals import product_changed
from counsellors import routing
from matchmaking import receivers as matching_receivers
from matchmaking import routing as hook
from matchmaking import services as matching
from matchmaking.models import Match
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor

pytestmark = pytest.mark.django_db


def test_the_counsellors_register_their_router():
    assert hook._router is routing.route_unassigned


def test_a_second_router_is_refused():
    with pytest.raises(ImproperlyConfigured):
        hook.register_router(lambda queryset: 0)
    hook.register_router(routing.route_unassigned)  # the same again changes nothing


def test_a_rematch_routes_through_the_hook():
    baghdad = make_counsellor("IQ")
    make_producer()
    make_buyer(country="IQ")
    counts = matching.rematch_all()
    assert counts.routed == 1
    assert Match.objects.get().counsellor == baghdad


def test_without_a_router_matches_stay_in_the_pool(monkeypatch):
    monkeypatch.setattr(hook, "_router", None)
    make_counsellor("IQ")
    make_producer()
    make_buyer(country="IQ")
    counts = matching.rematch_all()
    assert counts.routed == 0
    assert Match.objects.get().counsellor is None


def _receivers(signal):
    return [ref() for _key, ref, *_ in signal.receivers]


def test_the_higher_apps_listen_to_the_lower_apps_signals():
    assert matching_receivers.rematch_producer in _receivers(producer_changed)
    assert catalogue_receivers.reindex_producer_products in _receivers(producer_changed)
    assert matching_receivers.rematch_buyer in _receivers(buyer_changed)
    assert matching_receivers.rematch_product_producer in _receivers(product_changed)
