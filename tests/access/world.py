"""The small province every access-matrix cell runs against, built once per module.

Two producers (each with a listed and an unlisted product), three buyers (two in Iraq, one in
Turkey), a counsellor posted in Iraq (the buyers' market: the matches are routed to them) and
one posted in Turkey, staff, a producer and a buyer who have not made their profile yet, a
counsellor user without a desk, a market brief by each counsellor, and five matches:

    key          producer  buyer   status     routed to
    fwd_own      P1        B1      forwarded  the Iraq counsellor   (P1's and B1's own)
    conn_own     P1        B2      connected  the Iraq counsellor   (P1's own; not B1's)
    proposed     P2        B1      proposed   the Iraq counsellor   (not yet shown to P2, B1)
    fwd_other    P2        B2      forwarded  the Iraq counsellor   (neither P1's nor B1's)
    pool         P2        B3      proposed   nobody (the shared pool: every counsellor)

The roles of the matrix sign in as: producer = P1's owner, buyer = B1's owner, counsellor =
the Iraq desk, counsellor_out = the Turkey desk, staff; new_producer and new_buyer have no
profile yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rest_framework.authtoken.models import Token

from counsellors.briefs import brief_create
from matchmaking.models import MatchStatus
from tests.factories import ProductFactory, UserFactory
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> User
    others: dict = field(default_factory=dict)  # name -> User (owners of the "other" objects)
    producers: dict = field(default_factory=dict)  # own / other -> ProducerProfile
    buyers: dict = field(default_factory=dict)  # own / other / turkey -> BuyerProfile
    products: dict = field(default_factory=dict)  # own / other / own_unlisted / other_unlisted
    matches: dict = field(default_factory=dict)  # key above -> Match
    briefs: dict = field(default_factory=dict)  # own (the Iraq desk's) / other (the Turkey desk's)
    desks: dict = field(default_factory=dict)  # own / other -> CounsellorProfile

    def object(self, ref: str):
        """`"products.own"` -> the object; how the table names its targets."""
        kind, key = ref.split(".", 1)
        return getattr(self, kind)[key]


def build_world() -> World:
    world = World()
    users = world.users
    users["counsellor"] = make_counsellor("IQ", email="desk.iq@access.example", full_name="Iraq Desk")
    users["counsellor_out"] = make_counsellor("TR", email="desk.tr@access.example", full_name="Turkey Desk")
    users["staff"] = UserFactory(role="staff", email="staff@access.example")
    users["new_producer"] = UserFactory(role="producer", email="new.producer@access.example")
    users["new_buyer"] = UserFactory(role="buyer", email="new.buyer@access.example")
    world.others["desk_less"] = UserFactory(role="counsellor", email="no.desk@access.example")
    world.desks = {
        "own": users["counsellor"].counsellor_profile,
        "other": users["counsellor_out"].counsellor_profile,
    }

    p1 = make_producer(name="Sahand Cooling", owner=UserFactory(role="producer", email="p1@access.example"))
    p2 = make_producer(name="Aras Freezers", owner=UserFactory(role="producer", email="p2@access.example"))
    users["producer"], world.others["producer"] = p1.owner, p2.owner
    world.producers = {"own": p1, "other": p2}
    world.products = {
        "own": p1.products.get(),
        "other": p2.products.get(),
        "own_unlisted": ProductFactory(producer=p1, name="P1 prototype", is_active=False),
        "other_unlisted": ProductFactory(producer=p2, name="P2 prototype", is_active=False),
    }

    b1 = make_buyer(company_name="Tigris Trading", owner=UserFactory(role="buyer", email="b1@access.example"))
    b2 = make_buyer(company_name="Basra Imports", owner=UserFactory(role="buyer", email="b2@access.example"))
    b3 = make_buyer(
        company_name="Bosphorus Supply",
        country="TR",
        owner=UserFactory(role="buyer", email="b3@access.example"),
    )
    users["buyer"], world.others["buyer"] = b1.owner, b2.owner
    world.buyers = {"own": b1, "other": b2, "turkey": b3}

    iraq = users["counsellor"]
    world.matches = {
        "fwd_own": make_match(p1, b1, status=MatchStatus.FORWARDED, counsellor=iraq),
        "conn_own": make_match(p1, b2, status=MatchStatus.CONNECTED, counsellor=iraq),
        "proposed": make_match(p2, b1, status=MatchStatus.PROPOSED, counsellor=iraq),
        "fwd_other": make_match(p2, b2, status=MatchStatus.FORWARDED, counsellor=iraq),
        "pool": make_match(p2, b3, status=MatchStatus.PROPOSED, counsellor=None),
    }
    world.briefs = {
        "own": brief_create(author=iraq, data={"title": "Iraq cooling market", "body": "Demand grows."}),
        "other": brief_create(
            author=users["counsellor_out"], data={"title": "Turkey white goods", "body": "Crowded."}
        ),
    }
    # Every role holds an API token (the revoke row ends the caller's own).
    for user in users.values():
        Token.objects.get_or_create(user=user)
    return world
