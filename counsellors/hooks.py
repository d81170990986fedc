"""What the counsellors' app plugs into the apps below it, installed by
`CounsellorsConfig.ready()` (NetBox fills its registry from each app's `ready()` the same
way): accounts does not import the counsellors, it asks its registry."""

from accounts import policies as account_policies

from . import policies


def install() -> None:
    # The contact rules of accounts: the markets of a counsellor's desk.
    account_policies.register_desk_markets(policies.desk_markets)
