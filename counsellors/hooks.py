"""What the counsellors' app plugs into the apps below it, installed by
`CounsellorsConfig.ready()` (NetBox fills its registry from each app's `ready()` the same
way): neither accounts nor the matcher imports the counsellors, they ask their registries."""

from accounts import policies as account_policies
from matchmaking.routing import register_router

from . import exports, policies, routing


def install() -> None:
    # Each proposed match the matcher writes goes to the counsellor for the buyer's market.
    register_router(routing.route_unassigned)
    # The contact rules of accounts: the markets of a counsellor's desk.
    account_policies.register_desk_markets(policies.desk_markets)
    # The review queue's export, built by name when a task makes a large one (portal.exports).
    exports.register()
