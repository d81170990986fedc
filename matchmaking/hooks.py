"""What the matcher plugs into the apps below it, installed by `MatchmakingConfig.ready()`
(NetBox wires each app's receivers and registry entries from its `ready()` the same way):
accounts, the catalogue and the buying requests never import the matcher, it listens and contributes to them."""

from accounts import policies as account_policies
from accounts.signals import buyer_changed, producer_changed
from catalogue.pages import register_producer_page_context
from catalogue.signals import product_changed
from sourcing import policies as sourcing_policies
from sourcing.signals import request_changed

from . import exports, policies, receivers, selectors


def install() -> None:
    # A profile or a product written below is rematched once the write commits.
    producer_changed.connect(receivers.rematch_producer, dispatch_uid="matchmaking.rematch_producer")
    buyer_changed.connect(receivers.rematch_buyer, dispatch_uid="matchmaking.rematch_buyer")
    product_changed.connect(
        receivers.rematch_product_producer, dispatch_uid="matchmaking.rematch_product_producer"
    )
    # A buying request published, edited or closed is rematched (or its proposals withdrawn).
    request_changed.connect(receivers.rematch_buying_request, dispatch_uid="matchmaking.rematch_request")
    # The contact rules of accounts: whom a user's matches reveal, and the profiles of the
    # matches a counsellor sees.
    account_policies.register_revealed_profiles(policies.revealed_counterpart_ids)
    account_policies.register_match_profiles(policies.visible_match_profile_ids)
    # A buying request's buyer is revealed to a producer by a forwarded match on it; the
    # producers' board reaches the regions of their target markets.
    sourcing_policies.register_buyer_revealer(policies.revealed_request_ids)
    sourcing_policies.register_market_regions(policies.same_region_markets)
    # The producer and product pages offer a buyer the introduction to ask for (or its state).
    register_producer_page_context("matchmaking.introduction", selectors.introduction_context)
    # The matches' export, built by name when a task makes a large one (portal.exports).
    exports.register()
