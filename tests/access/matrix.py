"""The access matrix: who may do what to whose object, on the API and on the pages.

One row per (surface, resource, action, method, object scope); one column per role:

    anonymous       not signed in
    producer        P1's owner (its "own" objects: P1, P1's products, matches with P1)
    buyer           B1's owner (its "own" objects: B1, matches with B1)
    counsellor      posted in the buyers' market (Iraq): the matches are routed to them (in scope)
    counsellor_out  posted elsewhere (Turkey): the same matches are out of their scope
    staff           portal staff

plus, on the rows that create a profile, `new_producer` and `new_buyer` (signed up, no profile
yet), and on the rows of company teams and of a few of a company's writes, `editor` (an editor of
P1's company: acts for P1 in everything but its members) and `member_other` (an editor of P2's). The objects are those of `tests.access.world`; a row's scope names its target from the
view of the role that owns it ("own" = P1's / B1's / the Iraq desk's, "other" = another
company's or desk's, "in-scope" = routed to the Iraq desk, "pool" = routed to nobody,
"none" = no object).

Each cell says "allowed" (OK) or "refused" (NO, HIDDEN), optionally with the exact answer.
The conventions (docs/api.md, docs/design.md "Roles and what each may see") give the default answers:

    API   allowed: GET/PATCH/PUT 200, POST 201, DELETE 204 (or the status in the cell)
          refused: 401 when anonymous, 403 when signed in; HIDDEN: 404 (not visible to the caller)
    pages allowed: GET 200, POST a 302 redirect (or the status/redirect in the cell)
          refused: a redirect to the sign-in page when anonymous, 403 when signed in;
          HIDDEN: 404

Refused writes leave their object unchanged (the row's `state` probe is read before and after);
allowed writes change it, except where the cell says the input is ignored (mass assignment of
`owner`, `role`, `user`, `author`). List rows also say which objects each role finds in the
list (`lists`). Reading a producer or a product (`GET .../{id}/`) is open to anyone: the
catalogue is public with contacts hidden (docs/design.md); docs/api.md's "owner, staff" rules the writes.

`test_matrix.py` turns every cell into one pytest case named
`<surface>-<resource>-<action>-<METHOD>-<role>-<scope>-<allowed|refused>`, checked by
`test_the_cell_count_is_the_documented_one` (issue 16's buying requests, quotes,
conversation, their files and outcomes: 67 of the rows; issue 17's files, verification requests, evidence and company teams among
the rest; issue 18's exports: 17 rows; the producer import page: 4 rows). A row whose body holds a file is sent as multipart.
A row's `contacts` says, per role, which shown objects reveal their `contact_field` (a
company's `email`; a buying request's `buyer`, withheld from a producer until forward).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from accounts.models import BuyerProfile, Invitation, ProducerProfile, User, Verification
from catalogue.models import ProducerImportUpload, ProducerInvitation, Product, ProductImage
from counsellors.models import CounsellorProfile, MarketBrief
from deals.models import Message, Quote
from digests.models import DigestPreference
from matchmaking.models import Match
from sourcing.models import BuyingRequest
from tests.access.world import catalogue_upload, picture_upload
from tests.deals.quote_support import in_days, quote_input

ROLES = ("anonymous", "producer", "buyer", "counsellor", "counsellor_out", "staff")
EXTRA_ROLES = ("new_producer", "new_buyer", "editor", "member_other")
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


# --- Outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    allowed: bool
    status: int | None = None  # None: the convention's default for the surface, method and role
    redirect: str | None = None  # the path (prefix) a 302 must lead to
    effect: str | None = None  # "ignored": allowed, yet the probed state must not change


OK = Outcome(True)
NO = Outcome(False)
HIDDEN = Outcome(False, 404)
_ = None  # not asked of this role (the cell is not generated)


def ok(status: int | None = None, *, redirect: str | None = None, effect: str | None = None) -> Outcome:
    return Outcome(True, status, redirect, effect)


def no(status: int | None = None, *, redirect: str | None = None) -> Outcome:
    return Outcome(False, status, redirect)


IGNORED = ok(effect="ignored")
BAD = no(400)  # refused as bad input: a field the caller may not set
CONFLICT = no(409)


# --- Rows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    surface: str  # "api" or "page"
    resource: str
    action: str
    method: str
    scope: str
    path: str  # "{pk}" is the target's id
    cells: dict[str, Outcome]
    target: str | None = None  # "products.own": see World.object
    body: Callable[[Any], dict] | dict | None = None
    state: Callable[[Any], Any] | None = None  # the side-effect probe
    lists: dict[str, set[str]] | None = None  # role -> the refs the list must show (exactly)
    contacts: dict[str, set[str]] | None = None  # role -> the shown refs whose `contact_field` is shown
    contact_field: str = "email"
    multipart: bool = False  # the body is sent as multipart (it holds a file), not JSON

    def url(self, world) -> str:
        if self.target is None:
            return self.path
        target = world.object(self.target)
        stored = getattr(target, "file", None)
        # "{product}": a product photo's product (its path names both).
        return self.path.format(
            pk=target.pk,
            token=getattr(target, "token", ""),
            file=getattr(stored, "name", ""),
            product=getattr(target, "product_id", ""),
            company=getattr(target, "company_id", ""),
        )

    def payload(self, world) -> dict | None:
        return self.body(world) if callable(self.body) else self.body


def _row(surface: str, resource: str, action: str, method: str, scope: str, path: str, cells, **options):
    named = dict(zip(ROLES, cells, strict=True))
    for role in EXTRA_ROLES:
        if role in options:
            named[role] = options.pop(role)
    return Row(
        surface,
        resource,
        action,
        method,
        scope,
        path,
        {role: outcome for role, outcome in named.items() if outcome is not None},
        **options,
    )


def api(resource, action, method, scope, path, cells, **options) -> Row:
    return _row("api", resource, action, method, scope, path, cells, **options)


def page(resource, action, method, scope, path, cells, **options) -> Row:
    return _row("page", resource, action, method, scope, path, cells, **options)


# --- Side-effect probes (one cheap query each) ------------------------------------------------


def value_of(ref: str, *fields: str) -> Callable:
    """The object's `fields` as they are in the database now (None once deleted)."""

    def probe(world):
        obj = world.object(ref)
        return type(obj).objects.filter(pk=obj.pk).values_list(*fields).first()

    return probe


def count_of(model, **lookups) -> Callable:
    def probe(world):
        resolved = {key: (value(world) if callable(value) else value) for key, value in lookups.items()}
        return model.objects.filter(**resolved).count()

    return probe


def role_of(user_role: str) -> Callable:
    return lambda world: User.objects.filter(pk=world.users[user_role].pk).values_list("role").first()


def preference_of(other: str) -> Callable:
    return lambda world: (
        DigestPreference.objects.filter(user=world.others[other]).values_list("frequency", "language").first()
    )


def match_state(ref: str) -> Callable:
    return value_of(ref, "status", "counsellor", "producer_response", "buyer_response")


# --- Bodies ---------------------------------------------------------------------------------

NEW_PRODUCT = {
    "name": "Chest freezer 300 l",
    "hs_code": "841810",
    "annual_capacity": "500",
    "capacity_unit": "units",
}
NEW_BRIEF = {"title": "Cold chain in Basra", "body": "Ports expand.", "country": "IQ"}


def _product_for(ref: str) -> Callable:
    return lambda w: {**NEW_PRODUCT, "producer": w.object(ref).pk}


def _owner(user_role: str, **data) -> Callable:
    return lambda w: {**data, "owner": w.users[user_role].pk}


def _other_owner(kind: str, **data) -> Callable:
    return lambda w: {**data, "owner": w.others[kind].pk}


def _counsellor_out(**data) -> Callable:
    return lambda w: {**data, "counsellor": w.users["counsellor_out"].pk}


def _match_ids(*refs: str) -> Callable:
    return lambda w: {"match": [w.object(ref).pk for ref in refs], "bulk_action": "forward", "note": ""}


M = "/api/v1/matches/{pk}/"
# The companies' matches (engine and introductions) and the matches on buying requests.
PAIR_MATCHES = {f"matches.{key}" for key in ("fwd_own", "conn_own", "proposed", "fwd_other", "pool")}
ALL_MATCHES = PAIR_MATCHES | {"matches.req_fwd", "matches.req_proposed", "matches.req_declared"}
ENGINE_MATCHES = ALL_MATCHES - {"matches.req_proposed"}  # req_proposed is P1's interest
# P1's and B1's: forwarded or later (a producer's interest awaiting the counsellor is not shown).
PRODUCER_MATCHES = {"matches.fwd_own", "matches.conn_own", "matches.req_fwd", "matches.req_declared"}
BUYER_MATCHES = {"matches.fwd_own", "matches.req_fwd", "matches.req_declared"}
PROPOSED = {"matches.proposed", "matches.pool", "matches.req_proposed"}
ALL_BUYERS = {"buyers.own", "buyers.other", "buyers.turkey"}

# fmt: off
# ============================================================================================
# The API (every path and method of docs/api.md's Resources table, plus the routes beside them)
# ============================================================================================
#                                                               anonymous producer buyer couns. c_out staff
API_ROWS = [
    api("healthz", "status", "GET", "none", "/healthz",         (OK,      OK,      OK,   OK,    OK,   OK)),
    api("healthz", "live", "GET", "none", "/healthz/live",      (OK,      OK,      OK,   OK,    OK,   OK)),
    api("healthz", "ready", "GET", "none", "/healthz/ready",    (OK,      OK,      OK,   OK,    OK,   OK)),
    api("auth", "token", "POST", "own", "/api/v1/auth/token/",  (_,       ok(200), ok(200), ok(200), ok(200), ok(200))),
    # Sign out of the API: the caller's own token ends (each role holds one in the world).
    api("auth", "revoke", "DELETE", "own", "/api/v1/auth/token/",
                                                                (NO,      ok(204), ok(204), ok(204), ok(204), ok(204)),
        state=count_of(Token)),
    api("users", "create", "POST", "none", "/api/v1/users/",    (NO,      NO,      NO,   NO,    NO,   OK),
        body={"email": "made.by.staff@access.example", "password": "a-long-pass-phrase-1405", "role": "staff"},
        state=count_of(User, email="made.by.staff@access.example")),
    api("sectors", "list", "GET", "none", "/api/v1/sectors/?search=8418",
                                                                (OK,      OK,      OK,   OK,    OK,   OK)),
    # --- Producers
    api("producers", "list", "GET", "none", "/api/v1/producers/?page_size=200",
                                                                (OK,      OK,      OK,   OK,    OK,   OK),
        lists={role: {"producers.own", "producers.other"} for role in ROLES},
        contacts={"anonymous": set(), "producer": {"producers.own"},
                  "buyer": {"producers.own"},  # through the forwarded match P1-B1; not P2 (proposed)
                  "counsellor": {"producers.own", "producers.other"},
                  # In scope: producers targeting the desk's markets (P1, P2 target Iraq) or in its
                  # matches (the pool's P2).
                  "counsellor_out": {"producers.other"},
                  "staff": {"producers.own", "producers.other"}}),
    api("producers", "create", "POST", "none", "/api/v1/producers/",
                                                                (NO,      BAD,     NO,   NO,    NO,   BAD),
        new_producer=OK, new_buyer=NO, body={"name": "Fresh Works"}, state=count_of(ProducerProfile)),
    # Another user's id is "does not exist" to all but staff (an id of nobody answers the same).
    api("producers", "create", "POST", "owner-new-producer", "/api/v1/producers/",
                                                                (NO,      BAD,     NO,   NO,    NO,   OK),
        new_producer=OK, body=_owner("new_producer", name="For a member"), state=count_of(ProducerProfile)),
    api("producers", "detail", "GET", "own", "/api/v1/producers/{pk}/",
                                                                (OK,      OK,      OK,   OK,    OK,   OK), target="producers.own"),
    api("producers", "detail", "PATCH", "own", "/api/v1/producers/{pk}/",
                                                                (NO,      OK,      NO,   NO,    NO,   OK), target="producers.own",
        body={"name": "Renamed works"}, state=value_of("producers.own", "name")),
    api("producers", "detail", "PATCH", "other", "/api/v1/producers/{pk}/",
                                                                (NO,      NO,      NO,   NO,    NO,   OK), target="producers.other",
        body={"name": "Renamed works"}, state=value_of("producers.other", "name")),
    # Issue 17: `verified` follows the verification review; nobody sets it, staff included.
    api("producers", "detail-verified", "PATCH", "own", "/api/v1/producers/{pk}/",
                                                                (NO,      BAD,     NO,   NO,    NO,   BAD), target="producers.own",
        body={"verified": True}, state=value_of("producers.own", "verified")),
    api("producers", "detail-owner", "PATCH", "own", "/api/v1/producers/{pk}/",
                                                                (NO,      BAD,     NO,   NO,    NO,   IGNORED), target="producers.own",
        body=_other_owner("producer"), state=value_of("producers.own", "owner")),
    api("producers", "detail", "DELETE", "own", "/api/v1/producers/{pk}/",
                                                                (NO,      OK,      NO,   NO,    NO,   OK), target="producers.own",
        state=value_of("producers.own", "pk")),
    api("producers", "detail", "DELETE", "other", "/api/v1/producers/{pk}/",
                                                                (NO,      NO,      NO,   NO,    NO,   OK), target="producers.other",
        state=value_of("producers.other", "pk")),
    api("producers", "me", "GET", "own", "/api/v1/producers/me/",
                                                                (NO,      OK,      HIDDEN, HIDDEN, HIDDEN, HIDDEN), new_producer=HIDDEN),
    api("producers", "me", "PATCH", "own", "/api/v1/producers/me/",
                                                                (NO,      OK,      HIDDEN, HIDDEN, HIDDEN, HIDDEN),
        body={"city": "Marand"}, state=value_of("producers.own", "city")),
    api("producers", "me-verified", "PATCH", "own", "/api/v1/producers/me/",
                                                                (NO,      BAD,     _,    _,     _,    _),
        body={"verified": True}, state=value_of("producers.own", "verified")),
    api("producers", "me-role", "PATCH", "own", "/api/v1/producers/me/",
                                                                (NO,      IGNORED, _,    _,     _,    _),
        body={"role": "staff", "is_staff": True}, state=role_of("producer")),
    # --- Products
    api("products", "list", "GET", "none", "/api/v1/products/?page_size=200",
                                                                (OK,      OK,      OK,   OK,    OK,   OK),
        lists={"anonymous": {"products.own", "products.other"},
               "producer": {"products.own", "products.other", "products.own_unlisted"},
               "buyer": {"products.own", "products.other"},
               "counsellor": {"products.own", "products.other"},
               "counsellor_out": {"products.own", "products.other"},
               "staff": {"products.own", "products.other", "products.own_unlisted", "products.other_unlisted"}}),
    api("products", "create", "POST", "own", "/api/v1/products/",
                                                                (NO,      OK,      NO,   NO,    NO,   _),
        new_producer=BAD, body=NEW_PRODUCT, state=count_of(Product)),
    api("products", "create", "POST", "other", "/api/v1/products/",
                                                                (NO,      NO,      NO,   NO,    NO,   OK),
        body=_product_for("producers.other"), state=count_of(Product, producer=lambda w: w.producers["other"])),
    api("products", "detail", "GET", "own", "/api/v1/products/{pk}/",
                                                                (OK,      OK,      OK,   OK,    OK,   OK), target="products.own"),
    api("products", "detail", "GET", "own-unlisted", "/api/v1/products/{pk}/",
                                                                (HIDDEN,  OK,      HIDDEN, HIDDEN, HIDDEN, OK), target="products.own_unlisted",
        editor=OK, member_other=HIDDEN),
    api("products", "detail", "GET", "other-unlisted", "/api/v1/products/{pk}/",
                                                                (HIDDEN,  HIDDEN,  HIDDEN, HIDDEN, HIDDEN, OK), target="products.other_unlisted"),
    api("products", "detail", "PATCH", "own", "/api/v1/products/{pk}/",
                                                                (NO,      OK,      NO,   NO,    NO,   OK), target="products.own",
        editor=OK, member_other=NO, body={"name": "Renamed line"}, state=value_of("products.own", "name")),
    api("products", "detail", "PATCH", "other", "/api/v1/products/{pk}/",
                                                                (NO,      NO,      NO,   NO,    NO,   OK), target="products.other",
        body={"name": "Renamed line"}, state=value_of("products.other", "name")),
    api("products", "detail", "PATCH", "other-unlisted", "/api/v1/products/{pk}/",
                                                                (NO,      HIDDEN,  HIDDEN, HIDDEN, HIDDEN, OK), target="products.other_unlisted",
        body={"name": "Renamed line"}, state=value_of("products.other_unlisted", "name")),
    api("products", "detail-producer", "PATCH", "own", "/api/v1/products/{pk}/",
                                                                (NO,      BAD,     NO,   NO,    NO,   BAD), target="products.own",
        body=lambda w: {"producer": w.producers["other"].pk}, state=value_of("products.own", "producer")),
    api("products", "detail", "DELETE", "own", "/api/v1/products/{pk}/",
                                                                (NO,      OK,      NO,   NO,    NO,   OK), target="products.own",
        state=value_of("products.own", "pk")),
    api("products", "detail", "DELETE", "other", "/api/v1/products/{pk}/",
                                                                (NO,      NO,      NO,   NO,    NO,   OK), target="products.other",
        state=value_of("products.other", "pk")),
    # --- Buyers
    api("buyers", "list", "GET", "none", "/api/v1/buyers/?page_size=200",
                                                                (NO,      NO,      NO,   OK,    OK,   OK),
        # In scope: the buyers of the desk's markets and of the matches it sees (the pool's B3).
        lists={"counsellor": ALL_BUYERS, "counsellor_out": {"buyers.turkey"}, "staff": ALL_BUYERS}),
    api("buyers", "create", "POST", "none", "/api/v1/buyers/",
                                                                (NO,      NO,      BAD,  NO,    NO,   BAD),
        new_buyer=OK, new_producer=NO, body={"company_name": "Fresh Imports", "country": "IQ"},
        state=count_of(BuyerProfile)),
    api("buyers", "create", "POST", "owner-new-buyer", "/api/v1/buyers/",
                                                                (NO,      NO,      BAD,  NO,    NO,   OK),
        new_buyer=OK, body=_owner("new_buyer", company_name="For a member", country="IQ"), state=count_of(BuyerProfile)),
    api("buyers", "detail", "GET", "own", "/api/v1/buyers/{pk}/",
                                                                (NO,      HIDDEN,  OK,   OK,    HIDDEN, OK), target="buyers.own"),
    api("buyers", "detail", "GET", "other", "/api/v1/buyers/{pk}/",
                                                                (NO,      HIDDEN,  HIDDEN, OK,  HIDDEN, OK), target="buyers.other"),
    api("buyers", "detail", "PATCH", "own", "/api/v1/buyers/{pk}/",
                                                                (NO,      HIDDEN,  OK,   NO,    HIDDEN, OK), target="buyers.own",
        body={"city": "Erbil"}, state=value_of("buyers.own", "city")),
    api("buyers", "detail", "PATCH", "other", "/api/v1/buyers/{pk}/",
                                                                (NO,      HIDDEN,  HIDDEN, NO,  HIDDEN, OK), target="buyers.other",
        body={"city": "Erbil"}, state=value_of("buyers.other", "city")),
    api("buyers", "detail-owner", "PATCH", "own", "/api/v1/buyers/{pk}/",
                                                                (NO,      _,       BAD,  _,     _,    IGNORED), target="buyers.own",
        body=_other_owner("buyer"), state=value_of("buyers.own", "owner")),
    api("buyers", "me", "GET", "own", "/api/v1/buyers/me/",     (NO,      HIDDEN,  OK,   HIDDEN, HIDDEN, HIDDEN), new_buyer=HIDDEN),
    api("buyers", "me", "PATCH", "own", "/api/v1/buyers/me/",   (NO,      HIDDEN,  OK,   HIDDEN, HIDDEN, HIDDEN),
        body={"city": "Najaf"}, state=value_of("buyers.own", "city")),
    api("buyers", "me-owner", "PATCH", "own", "/api/v1/buyers/me/",
                                                                (NO,      _,       BAD,  _,     _,    _),
        body=_other_owner("buyer"), state=value_of("buyers.own", "owner")),
    api("buyers", "me-role", "PATCH", "own", "/api/v1/buyers/me/",
                                                                (_,       _,       IGNORED, _,  _,    _),
        body={"role": "counsellor"}, state=role_of("buyer")),
    # --- Counsellors
    api("counsellors", "list", "GET", "none", "/api/v1/counsellors/",
                                                                (OK,      OK,      OK,   OK,    OK,   OK),
        lists={role: {"desks.own", "desks.other"} for role in ROLES},
        contacts={role: set() if role == "anonymous" else {"desks.own", "desks.other"} for role in ROLES}),
    api("counsellors", "create", "POST", "none", "/api/v1/counsellors/",
                                                                (NO,      NO,      NO,   NO,    NO,   OK),
        body=lambda w: {"user": w.others["desk_less"].pk, "posted_country": "AE"}, state=count_of(CounsellorProfile)),
    api("counsellors", "detail", "GET", "own", "/api/v1/counsellors/{pk}/",
                                                                (OK,      OK,      OK,   OK,    OK,   OK), target="desks.own"),
    # Staff post counsellors (the posting decides the routing): a counsellor does not move its own desk
    # (a field error) but keeps its own phone; nobody else's.
    api("counsellors", "detail", "PATCH", "own", "/api/v1/counsellors/{pk}/",
                                                                (NO,      NO,      NO,   BAD,   NO,   OK), target="desks.own",
        body={"posted_country": "SY"}, state=value_of("desks.own", "posted_country")),
    api("counsellors", "detail-phone", "PATCH", "own", "/api/v1/counsellors/{pk}/",
                                                                (NO,      NO,      NO,   OK,    NO,   OK), target="desks.own",
        body={"phone": "+964 770 000 1122"}, state=value_of("desks.own", "phone")),
    # --- Matches
    api("matches", "list", "GET", "none", "/api/v1/matches/?page_size=200",
                                                                (NO,      OK,      OK,   OK,    OK,   OK),
        lists={"producer": PRODUCER_MATCHES,
               "buyer": BUYER_MATCHES,
               "counsellor": ALL_MATCHES,
               "counsellor_out": {"matches.pool"},
               "staff": ALL_MATCHES}),
    # Filters narrow a caller's scope, never widen it.
    api("matches", "list-filtered", "GET", "other", "/api/v1/matches/?page_size=200&status=proposed",
                                                                (NO,      OK,      OK,   OK,    OK,   OK),
        lists={"producer": set(), "buyer": set(), "counsellor": PROPOSED,
               "counsellor_out": {"matches.pool"}, "staff": PROPOSED}),
    api("matches", "list-filtered", "GET", "in-scope", "/api/v1/matches/?page_size=200&source=engine",
                                                                (NO,      OK,      OK,   OK,    OK,   OK),
        lists={"producer": PRODUCER_MATCHES, "buyer": BUYER_MATCHES,
               "counsellor": ENGINE_MATCHES, "counsellor_out": {"matches.pool"}, "staff": ENGINE_MATCHES}),
    api("matches", "detail", "GET", "forwarded-own", M,         (NO,      OK,      OK,   OK,    HIDDEN, OK), target="matches.fwd_own"),
    api("matches", "detail", "GET", "connected-own", M,         (NO,      OK,      HIDDEN, OK,  HIDDEN, OK), target="matches.conn_own"),
    api("matches", "detail", "GET", "proposed-in-scope", M,     (NO,      HIDDEN,  HIDDEN, OK,  HIDDEN, OK), target="matches.proposed"),
    api("matches", "detail", "GET", "forwarded-other", M,       (NO,      HIDDEN,  HIDDEN, OK,  HIDDEN, OK), target="matches.fwd_other"),
    api("matches", "detail", "GET", "pool", M,                  (NO,      HIDDEN,  HIDDEN, OK,  OK,   OK), target="matches.pool"),
    api("matches", "forward", "POST", "proposed-in-scope", M + "forward/",
                                                                (NO,      HIDDEN,  HIDDEN, ok(200), HIDDEN, ok(200)), target="matches.proposed",
        body={"note": "A good fit."}, state=match_state("matches.proposed")),
    api("matches", "forward", "POST", "pool", M + "forward/",   (NO,      HIDDEN,  HIDDEN, ok(200), ok(200), ok(200)), target="matches.pool",
        body={"note": ""}, state=match_state("matches.pool")),
    api("matches", "forward", "POST", "forwarded-own", M + "forward/",
                                                                (NO,      NO,      NO,   CONFLICT, HIDDEN, CONFLICT), target="matches.fwd_own",
        body={"note": ""}, state=match_state("matches.fwd_own")),
    api("matches", "reject", "POST", "proposed-in-scope", M + "reject/",
                                                                (NO,      HIDDEN,  HIDDEN, ok(200), HIDDEN, ok(200)), target="matches.proposed",
        body={"reason": "Capacity too small."}, state=match_state("matches.proposed")),
    api("matches", "reject", "POST", "forwarded-own", M + "reject/",
                                                                (NO,      NO,      NO,   CONFLICT, HIDDEN, CONFLICT), target="matches.fwd_own",
        body={"reason": "Too late."}, state=match_state("matches.fwd_own")),
    api("matches", "respond", "POST", "forwarded-own", M + "respond/",
                                                                (NO,      ok(200), ok(200), NO, HIDDEN, NO), target="matches.fwd_own",
        body={"decision": "accept", "note": ""}, state=match_state("matches.fwd_own")),
    api("matches", "respond", "POST", "forwarded-other", M + "respond/",
                                                                (NO,      HIDDEN,  HIDDEN, NO,  HIDDEN, NO), target="matches.fwd_other",
        body={"decision": "decline"}, state=match_state("matches.fwd_other")),
    api("matches", "respond", "POST", "proposed-in-scope", M + "respond/",
                                                                (NO,      HIDDEN,  HIDDEN, NO,  HIDDEN, NO), target="matches.proposed",
        body={"decision": "accept"}, state=match_state("matches.proposed")),
    # The outcome: the counsellor in scope and staff record it; the match's companies declare it
    # (a forwarded or connected match), the other company confirms it (matchmaking.outcomes).
    api("matches", "outcome", "POST", "connected-own", M + "outcome/",
                                                                (NO,      ok(200), HIDDEN, ok(200), HIDDEN, ok(200)), target="matches.conn_own",
        body={"outcome": "won", "value": "25000", "currency": "USD"}, state=match_state("matches.conn_own")),
    api("matches", "outcome", "POST", "forwarded-own", M + "outcome/",
                                                                (NO,      ok(200), ok(200), ok(200), HIDDEN, ok(200)), target="matches.fwd_own",
        body={"outcome": "lost", "note": "Lost on price."}, state=match_state("matches.fwd_own")),
    api("matches", "outcome", "POST", "pool", M + "outcome/",   (NO,      HIDDEN,  HIDDEN, NO,  NO,   CONFLICT), target="matches.pool",
        body={"outcome": "won", "value": "1000", "currency": "USD"}, state=match_state("matches.pool")),
    api("matches", "outcome-confirm", "POST", "forwarded-own", M + "outcome/confirm/",
                                                                (NO,      CONFLICT, CONFLICT, NO, HIDDEN, NO), target="matches.fwd_own",
        body={"note": ""}, state=value_of("matches.fwd_own", "status", "outcome_confirmed_at")),
    api("matches", "reassign", "POST", "proposed-in-scope", M + "reassign/",
                                                                (NO,      HIDDEN,  HIDDEN, ok(200), HIDDEN, ok(200)), target="matches.proposed",
        body=_counsellor_out(), state=match_state("matches.proposed")),
    api("matches", "reassign", "POST", "forwarded-own", M + "reassign/",
                                                                (NO,      NO,      NO,   ok(200), HIDDEN, ok(200)), target="matches.fwd_own",
        body=_counsellor_out(), state=match_state("matches.fwd_own")),
    api("matches", "rematch", "POST", "none", "/api/v1/matches/rematch/",
                                                                (NO,      NO,      NO,   NO,    NO,   ok(202)),
        body=lambda w: {"buyer": w.buyers["turkey"].pk}),
    api("introductions", "request", "POST", "other-product", "/api/v1/introductions/",
                                                                (NO,      NO,      OK,   NO,    NO,   NO),
        body=lambda w: {"product": w.products["other"].pk, "message": "Need 200 units."},
        state=value_of("matches.proposed", "source")),
    api("introductions", "request", "POST", "unlisted-product", "/api/v1/introductions/",
                                                                (NO,      NO,      BAD,  NO,    NO,   NO),
        body=lambda w: {"product": w.products["other_unlisted"].pk}, state=count_of(Match)),
    # --- Market briefs
    api("briefs", "list", "GET", "none", "/api/v1/briefs/",     (NO,      OK,      OK,   OK,    OK,   OK),
        lists={role: {"briefs.own", "briefs.other"} for role in ROLES[1:]}),
    # For the countries the desk is posted to or covers (NEW_BRIEF is on Iraq: the Turkey desk's
    # is refused, a field error); staff for any.
    api("briefs", "create", "POST", "none", "/api/v1/briefs/",  (NO,      NO,      NO,   OK,    BAD,  OK),
        body=NEW_BRIEF, state=count_of(MarketBrief)),
    api("briefs", "create", "POST", "own-country", "/api/v1/briefs/",
                                                                (NO,      NO,      NO,   BAD,   OK,   OK),
        body={**NEW_BRIEF, "country": "TR"}, state=count_of(MarketBrief)),
    api("briefs", "create-author", "POST", "none", "/api/v1/briefs/",
                                                                (NO,      NO,      NO,   IGNORED, BAD, IGNORED),
        body=lambda w: {**NEW_BRIEF, "author": w.others["desk_less"].pk},
        state=count_of(MarketBrief, author=lambda w: w.others["desk_less"])),
    api("briefs", "detail", "GET", "own", "/api/v1/briefs/{pk}/",
                                                                (NO,      OK,      OK,   OK,    OK,   OK), target="briefs.own"),
    api("briefs", "detail", "PATCH", "own", "/api/v1/briefs/{pk}/",
                                                                (NO,      NO,      NO,   OK,    NO,   OK), target="briefs.own",
        body={"title": "Retitled"}, state=value_of("briefs.own", "title")),
    api("briefs", "detail", "PATCH", "other", "/api/v1/briefs/{pk}/",
                                                                (NO,      NO,      NO,   NO,    OK,   OK), target="briefs.other",
        body={"title": "Retitled"}, state=value_of("briefs.other", "title")),
    api("briefs", "detail", "DELETE", "own", "/api/v1/briefs/{pk}/",
                                                                (NO,      NO,      NO,   OK,    NO,   OK), target="briefs.own",
        state=value_of("briefs.own", "pk")),
    api("briefs", "detail", "DELETE", "other", "/api/v1/briefs/{pk}/",
                                                                (NO,      NO,      NO,   NO,    OK,   OK), target="briefs.other",
        state=value_of("briefs.other", "pk")),
    # --- Digest preferences (always the caller's own)
    api("digests", "preferences", "GET", "own", "/api/v1/digests/preferences/",
                                                                (NO,      OK,      OK,   OK,    OK,   OK)),
    api("digests", "preferences", "PUT", "own", "/api/v1/digests/preferences/",
                                                                (NO,      OK,      OK,   OK,    OK,   OK),
        body={"frequency": "off", "language": "en"}),
    api("digests", "preferences-user", "PUT", "other", "/api/v1/digests/preferences/",
                                                                (NO,      IGNORED, IGNORED, IGNORED, IGNORED, IGNORED),
        body=lambda w: {"frequency": "off", "language": "en", "user": w.others["producer"].pk},
        state=preference_of("producer")),
]

# ============================================================================================
# The pages (the same rules; POSTs through the test client, which skips CSRF checks)
# ============================================================================================
COUNSELLOR_PAGE = (NO, NO, NO, OK, OK, OK)
SIGNED_IN_PAGE = (NO, OK, OK, OK, OK, OK)
MP = "/matches/{pk}/"
TO_DASHBOARD = no(302, redirect="/dashboard/")
#                                                               anonymous producer buyer couns. c_out staff
PAGE_ROWS = [
    page("home", "index", "GET", "none", "/",                   (OK,      OK,      OK,   OK,    OK,   OK)),
    page("dashboard", "index", "GET", "none", "/dashboard/",    SIGNED_IN_PAGE, new_producer=OK),
    page("language", "set", "POST", "none", "/i18n/setlang/",   (OK,      OK,      OK,   OK,    OK,   OK),
        body={"language": "en", "next": "/"}),
    page("healthz", "status", "GET", "none", "/healthz",        (OK,      OK,      OK,   OK,    OK,   OK)),
    page("admin", "index", "GET", "none", "/admin/",
         (no(302, redirect=ADMIN_LOGIN), no(302, redirect=ADMIN_LOGIN), no(302, redirect=ADMIN_LOGIN),
          no(302, redirect=ADMIN_LOGIN), no(302, redirect=ADMIN_LOGIN), OK)),
    # --- Onboarding and the own profile: producers and buyers
    page("onboarding", "start", "GET", "own", "/onboarding/",   (NO,      ok(302, redirect="/dashboard/"), ok(302, redirect="/dashboard/"), NO, NO, NO),
        new_producer=ok(302, redirect="/onboarding/company/")),
    page("onboarding", "company", "GET", "own", "/onboarding/company/",
                                                                (NO,      OK,      OK,   NO,    NO,   NO), new_buyer=OK),
    page("onboarding", "company", "POST", "own", "/onboarding/company/",
                                                                (NO,      _,       _,    NO,    NO,   NO),
        new_producer=ok(302, redirect="/onboarding/"), body={"name": "Fresh Works"}, state=count_of(ProducerProfile)),
    page("profile", "edit", "GET", "own", "/my/profile/",       (NO,      OK,      OK,   NO,    NO,   NO)),
    page("profile", "edit", "POST", "own", "/my/profile/",      (NO,      ok(302, redirect="/my/profile/"), _, NO, NO, NO),
        body={"name": "Sahand Cooling Co"},
        state=value_of("producers.own", "name")),
    page("profile", "edit-verified", "POST", "own", "/my/profile/",
                                                                (_,       ok(302, redirect="/my/profile/", effect="ignored"), _, _, _, _),
        body={"name": "Sahand Cooling", "verified": "on"}, state=value_of("producers.own", "verified", "owner")),
    # --- A producer's products
    page("my-products", "list", "GET", "own", "/my/products/",  (NO,      OK,      NO,   NO,    NO,   NO),
        new_producer=no(302, redirect="/onboarding/company/")),
    page("my-products", "new", "GET", "own", "/my/products/new/",
                                                                (NO,      OK,      NO,   NO,    NO,   NO)),
    page("my-products", "new", "POST", "own", "/my/products/new/",
                                                                (NO,      ok(302, redirect="/my/products/"), NO, NO, NO, NO),
        body={**NEW_PRODUCT, "currency": "USD", "is_active": "on"}, state=count_of(Product)),
    page("my-products", "edit", "GET", "own", "/my/products/{pk}/edit/",
                                                                (NO,      OK,      NO,   NO,    NO,   OK), target="products.own"),
    page("my-products", "edit", "GET", "other", "/my/products/{pk}/edit/",
                                                                (NO,      HIDDEN,  NO,   NO,    NO,   OK), target="products.other"),
    page("my-products", "edit", "POST", "own", "/my/products/{pk}/edit/",
                                                                (NO,      ok(302, redirect="/my/products/"), NO, NO, NO, ok(302, redirect="/dashboard/")),
        editor=ok(302, redirect="/my/products/"), member_other=HIDDEN, target="products.own", body={**NEW_PRODUCT, "name": "Renamed line", "currency": "USD", "is_active": "on"},
        state=value_of("products.own", "name")),
    page("my-products", "edit", "POST", "other", "/my/products/{pk}/edit/",
                                                                (NO,      HIDDEN,  NO,   NO,    NO,   ok(302, redirect="/dashboard/")),
        target="products.other", body={**NEW_PRODUCT, "name": "Renamed line", "currency": "USD", "is_active": "on"},
        state=value_of("products.other", "name")),
    page("my-products", "delete", "GET", "own", "/my/products/{pk}/delete/",
                                                                (NO,      OK,      NO,   NO,    NO,   OK), target="products.own"),
    page("my-products", "delete", "POST", "own", "/my/products/{pk}/delete/",
                                                                (NO,      ok(302, redirect="/my/products/"), NO, NO, NO, OK),
        target="products.own", state=value_of("products.own", "pk")),
    page("my-products", "delete", "POST", "other", "/my/products/{pk}/delete/",
                                                                (NO,      HIDDEN,  NO,   NO,    NO,   OK),
        target="products.other", state=value_of("products.other", "pk")),
    # --- The catalogue (public; unlisted products only for their producer and staff)
    page("catalogue", "list", "GET", "none", "/catalogue/",     (OK,      OK,      OK,   OK,    OK,   OK),
        lists={"anonymous": {"products.own", "products.other"},
               "producer": {"products.own", "products.other", "products.own_unlisted"},
               "buyer": {"products.own", "products.other"},
               "counsellor": {"products.own", "products.other"},
               "staff": {"products.own", "products.other", "products.own_unlisted", "products.other_unlisted"}}),
    page("catalogue", "hs-picker", "GET", "none", "/catalogue/hs-picker/?q=8418",
                                                                (OK,      OK,      OK,   OK,    OK,   OK)),
    page("catalogue", "product", "GET", "own", "/catalogue/products/{pk}/",
                                                                (OK,      OK,      OK,   OK,    OK,   OK), target="products.own"),
    page("catalogue", "product", "GET", "own-unlisted", "/catalogue/products/{pk}/",
                                                                (HIDDEN,  OK,      HIDDEN, HIDDEN, HIDDEN, OK), target="products.own_unlisted"),
    page("catalogue", "product", "GET", "other-unlisted", "/catalogue/products/{pk}/",
                                                                (HIDDEN,  HIDDEN,  HIDDEN, HIDDEN, HIDDEN, OK), target="products.other_unlisted"),
    page("catalogue", "producer", "GET", "other", "/catalogue/producers/{pk}/",
                                                                (OK,      OK,      OK,   OK,    OK,   OK), target="producers.other"),
    # --- One match and its actions
    page("matches", "detail", "GET", "forwarded-own", MP,       (NO,      OK,      OK,   OK,    HIDDEN, OK), target="matches.fwd_own"),
    page("matches", "detail", "GET", "connected-own", MP,       (NO,      OK,      HIDDEN, OK,  HIDDEN, OK), target="matches.conn_own"),
    page("matches", "detail", "GET", "proposed-in-scope", MP,   (NO,      HIDDEN,  HIDDEN, OK,  HIDDEN, OK), target="matches.proposed"),
    page("matches", "detail", "GET", "forwarded-other", MP,     (NO,      HIDDEN,  HIDDEN, OK,  HIDDEN, OK), target="matches.fwd_other"),
    page("matches", "detail", "GET", "pool", MP,                (NO,      HIDDEN,  HIDDEN, OK,  OK,   OK), target="matches.pool"),
    page("matches", "forward", "POST", "proposed-in-scope", MP + "forward/",
                                                                (NO,      HIDDEN,  HIDDEN, OK,  HIDDEN, OK), target="matches.proposed",
        body={"note": "A good fit."}, state=match_state("matches.proposed")),
    page("matches", "forward", "POST", "forwarded-own", MP + "forward/",
                                                                (NO,      NO,      NO,   no(302), HIDDEN, no(302)), target="matches.fwd_own",
        body={"note": ""}, state=match_state("matches.fwd_own")),
    page("matches", "reject", "POST", "proposed-in-scope", MP + "reject/",
                                                                (NO,      HIDDEN,  HIDDEN, OK,  HIDDEN, OK), target="matches.proposed",
        body={"reason": "Capacity too small."}, state=match_state("matches.proposed")),
    page("matches", "reject", "POST", "pool", MP + "reject/",   (NO,      HIDDEN,  HIDDEN, OK,  OK,   OK), target="matches.pool",
        body={"reason": "Wrong sector."}, state=match_state("matches.pool")),
    page("matches", "respond", "POST", "forwarded-own", MP + "respond/",
                                                                (NO,      OK,      OK,   NO,    HIDDEN, NO), target="matches.fwd_own",
        body={"decision": "accept", "note": ""}, state=match_state("matches.fwd_own")),
    page("matches", "respond", "POST", "forwarded-other", MP + "respond/",
                                                                (NO,      HIDDEN,  HIDDEN, NO,  HIDDEN, NO), target="matches.fwd_other",
        body={"decision": "decline"}, state=match_state("matches.fwd_other")),
    page("matches", "outcome", "POST", "connected-own", MP + "outcome/",
                                                                (NO,      OK,      HIDDEN, OK,  HIDDEN, OK), target="matches.conn_own",
        body={"outcome": "won", "value": "25000", "currency": "USD"}, state=match_state("matches.conn_own")),
    page("matches", "outcome-confirm", "POST", "forwarded-own", MP + "outcome/confirm/",
                                                                (NO,      no(302), no(302), NO, HIDDEN, NO), target="matches.fwd_own",
        body={"note": ""}, state=value_of("matches.fwd_own", "status", "outcome_confirmed_at")),
    page("matches", "reassign", "POST", "proposed-in-scope", MP + "reassign/",
                                                                (NO,      HIDDEN,  HIDDEN, OK,  HIDDEN, OK), target="matches.proposed",
        body=_counsellor_out(), state=match_state("matches.proposed")),
    page("matches", "reassign", "POST", "forwarded-own", MP + "reassign/",
                                                                (NO,      NO,      NO,   OK,    HIDDEN, OK), target="matches.fwd_own",
        body=_counsellor_out(), state=match_state("matches.fwd_own")),
    # --- A party's matches and the buyer's request
    page("leads", "list", "GET", "own", "/leads/",              (NO,      OK,      ok(302, redirect="/introductions/"), TO_DASHBOARD, TO_DASHBOARD, TO_DASHBOARD),
        lists={"producer": PRODUCER_MATCHES}),
    page("introductions", "list", "GET", "own", "/introductions/",
                                                                (NO,      ok(302, redirect="/leads/"), OK, TO_DASHBOARD, TO_DASHBOARD, TO_DASHBOARD),
        lists={"buyer": BUYER_MATCHES}),
    page("introductions", "request", "POST", "other-product", "/introductions/request/",
                                                                (NO,      NO,      ok(302, redirect="/catalogue/products/"), NO, NO, NO),
        body=lambda w: {"product": w.products["other"].pk, "message": "Need 200 units."},
        state=value_of("matches.proposed", "source")),
    page("introductions", "request", "POST", "other-unlisted", "/introductions/request/",
                                                                (NO,      HIDDEN,  HIDDEN, HIDDEN, HIDDEN, NO),
        body=lambda w: {"product": w.products["other_unlisted"].pk}, state=count_of(Match)),
    # --- The counsellors' pages
    page("counsellor", "queue", "GET", "in-scope", "/counsellor/queue/",
                                                                COUNSELLOR_PAGE,
        lists={"counsellor": PROPOSED, "counsellor_out": {"matches.pool"}, "staff": PROPOSED}),
    page("counsellor", "queue-bulk", "POST", "in-scope", "/counsellor/queue/bulk/",
                                                                (NO,      NO,      NO,   ok(302, redirect="/counsellor/queue/"),
                                                                 no(302, redirect="/counsellor/queue/"), ok(302, redirect="/counsellor/queue/")),
        body=_match_ids("matches.proposed"), state=match_state("matches.proposed")),
    page("counsellor", "dashboard", "GET", "own", "/counsellor/dashboard/", COUNSELLOR_PAGE),
    # A counsellor's own desk (phone, languages, sectors, leave); staff use the admin.
    page("counsellor", "desk", "GET", "own", "/counsellor/desk/",
                                                                (NO,      NO,      NO,   OK,    OK,   NO)),
    # (the Turkey desk's own POST changes its own desk, not the probed one: its GET row covers it)
    page("counsellor", "desk", "POST", "own", "/counsellor/desk/",
                                                                (NO,      NO,      NO,   OK,    _,    NO),
        body={"phone": "+964 770 000 1122", "is_active": "on"}, state=value_of("desks.own", "phone")),
    page("counsellor", "province", "GET", "none", "/counsellor/province/",
                                                                (NO,      NO,      NO,   NO,    NO,   OK)),
    # The counsellor of a buyer's market writes its texts in other languages (issue 15).
    page("buyers", "translations", "GET", "own", "/counsellor/buyers/{pk}/translations/",
                                                                (NO,      NO,      NO,   OK,    HIDDEN, OK), target="buyers.own"),
    page("buyers", "translations", "GET", "other-market", "/counsellor/buyers/{pk}/translations/",
                                                                (NO,      NO,      NO,   HIDDEN, OK,  OK), target="buyers.turkey"),
    page("buyers", "translations", "POST", "own", "/counsellor/buyers/{pk}/translations/",
                                                                (NO,      NO,      NO,   ok(302, redirect="/counsellor/buyers/"),
                                                                 HIDDEN, ok(302, redirect="/counsellor/buyers/")),
        target="buyers.own", body={"company_name_en": "Tigris Traders"},
        state=value_of("buyers.own", "company_name_en")),
    page("counsellor", "queue-buyer-translations", "GET", "in-scope", "/counsellor/queue/{pk}/buyer-translations/",
                                                                (NO,      NO,      NO,   ok(302, redirect="/counsellor/buyers/"),
                                                                 HIDDEN, ok(302, redirect="/counsellor/buyers/")),
        target="matches.proposed"),
    page("briefs", "list", "GET", "none", "/counsellor/briefs/?all=1", SIGNED_IN_PAGE),
    page("briefs", "detail", "GET", "own", "/counsellor/briefs/{pk}/", SIGNED_IN_PAGE, target="briefs.own"),
    page("briefs", "new", "GET", "none", "/counsellor/briefs/new/", COUNSELLOR_PAGE),
    page("briefs", "new", "POST", "none", "/counsellor/briefs/new/",
                                                                (NO,      NO,      NO,   ok(302, redirect="/counsellor/briefs/"),
                                                                 no(200), ok(302, redirect="/counsellor/briefs/")),
        body={**NEW_BRIEF, "language": "en", "sectors": ""}, state=count_of(MarketBrief)),
    page("briefs", "edit", "GET", "own", "/counsellor/briefs/{pk}/edit/",
                                                                (NO,      NO,      NO,   OK,    NO,   OK), target="briefs.own"),
    page("briefs", "edit", "POST", "own", "/counsellor/briefs/{pk}/edit/",
                                                                (NO,      NO,      NO,   OK,    NO,   OK), target="briefs.own",
        body={**NEW_BRIEF, "title": "Retitled", "language": "en", "sectors": ""}, state=value_of("briefs.own", "title")),
    page("briefs", "edit", "POST", "other", "/counsellor/briefs/{pk}/edit/",
                                                                (NO,      NO,      NO,   NO,    OK,   OK), target="briefs.other",
        body={**NEW_BRIEF, "country": "TR", "title": "Retitled", "language": "en", "sectors": ""},
        state=value_of("briefs.other", "title")),
    page("briefs", "delete", "GET", "other", "/counsellor/briefs/{pk}/delete/",
                                                                (NO,      NO,      NO,   NO,    OK,   OK), target="briefs.other"),
    page("briefs", "delete", "POST", "own", "/counsellor/briefs/{pk}/delete/",
                                                                (NO,      NO,      NO,   OK,    NO,   OK), target="briefs.own",
        state=value_of("briefs.own", "pk")),
    page("briefs", "delete", "POST", "other", "/counsellor/briefs/{pk}/delete/",
                                                                (NO,      NO,      NO,   NO,    OK,   OK), target="briefs.other",
        state=value_of("briefs.other", "pk")),
    # --- Digests
    page("digests", "preferences", "GET", "own", "/digests/preferences/", SIGNED_IN_PAGE),
    page("digests", "preferences", "POST", "own", "/digests/preferences/",
                                                                (NO,      ok(302, redirect="/digests/preferences/"), ok(302, redirect="/digests/preferences/"),
                                                                 ok(302, redirect="/digests/preferences/"), ok(302, redirect="/digests/preferences/"),
                                                                 ok(302, redirect="/digests/preferences/")),
        body={"frequency": "off", "language": "en"}),
    page("digests", "preview", "GET", "own", "/digests/preview/", SIGNED_IN_PAGE),
]
# fmt: on


# ============================================================================================
# From match to deal (issue 16): buying requests, interest, quotes, the conversation, outcomes
# ============================================================================================
# The requests: a buyer its own; producers the published ones, the buyer withheld (null)
# until a match on the request is forwarded to them; counsellors those of the buyers in their
# markets; staff all. What a role may not see is a 404; what it sees but may not do, a 403.


def _request_body(**data) -> dict:
    return {
        "title": "Chest freezers, 300 l",
        "currency": "USD",
        "incoterm": "CIF",
        "destination_country": "IQ",
        "deadline": in_days(90).isoformat(),
        "lines": [{"hs_code": "841810", "quantity": "200", "unit": "units"}],
        **data,
    }


def _request_form(**data) -> dict:
    return {
        "title": "Chest freezers, 300 l",
        "description": "",
        "destination_country": "IQ",
        "destination_port": "",
        "incoterm": "CIF",
        "currency": "USD",
        "deadline": in_days(90).isoformat(),
        "required_certifications": "",
        "language": "en",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "20",
        "lines-0-hs_code": "841810",
        "lines-0-quantity": "200",
        "lines-0-unit": "units",
        **data,
    }


def _interest(w) -> dict:
    return {"product": w.products["own"].pk, "message": "We make these in Tabriz."}


def _matches_of(ref: str) -> Callable:
    return lambda w: w.object(ref).pk


R = "/api/v1/requests/{pk}/"
RP = "/requests/{pk}/"
ALL_REQUESTS = {f"requests.{key}" for key in ("own", "own_pending", "own_deal", "other", "turkey")}
PUBLISHED = {f"requests.{key}" for key in ("own", "own_deal", "other", "turkey")}
OWN_REQUESTS = {"requests.own", "requests.own_pending", "requests.own_deal"}
IRAQ_REQUESTS = ALL_REQUESTS - {"requests.turkey"}
QUOTE_READERS = {"quotes.open"}
MESSAGES = {"messages.own"}
# fmt: off
#                                                               anonymous producer buyer couns. c_out staff
DEAL_API_ROWS = [
    # --- Buying requests
    api("requests", "list", "GET", "none", "/api/v1/requests/?page_size=200&all=true",
                                                                (NO,      OK,      OK,   OK,    OK,   OK),
        lists={"producer": PUBLISHED, "buyer": OWN_REQUESTS, "counsellor": IRAQ_REQUESTS,
               "counsellor_out": {"requests.turkey"}, "staff": ALL_REQUESTS},
        # The buyer named: to a producer only through a forwarded (or later) match on the request.
        contacts={"producer": {"requests.own", "requests.own_deal"}, "buyer": OWN_REQUESTS,
                  "counsellor": IRAQ_REQUESTS, "counsellor_out": {"requests.turkey"}, "staff": ALL_REQUESTS},
        contact_field="buyer"),
    api("requests", "create", "POST", "own", "/api/v1/requests/",
                                                                (NO,      NO,      OK,   NO,    NO,   BAD),
        new_buyer=BAD, body=lambda w: _request_body(), state=count_of(BuyingRequest)),
    api("requests", "create-buyer", "POST", "other", "/api/v1/requests/",
                                                                (NO,      NO,      BAD,  NO,    NO,   OK),
        body=lambda w: _request_body(buyer=w.buyers["other"].pk), state=count_of(BuyingRequest)),
    api("requests", "detail", "GET", "own", R,                  (NO,      OK,      OK,   OK,    HIDDEN, OK), target="requests.own",
        contacts={"producer": {"requests.own"}, "buyer": {"requests.own"}}, contact_field="buyer"),
    api("requests", "detail", "GET", "own-pending", R,          (NO,      HIDDEN,  OK,   OK,    HIDDEN, OK), target="requests.own_pending"),
    api("requests", "detail", "GET", "other", R,                (NO,      OK,      HIDDEN, OK,  HIDDEN, OK), target="requests.other",
        contacts={"producer": set(), "counsellor": {"requests.other"}, "staff": {"requests.other"}},
        contact_field="buyer"),
    api("requests", "detail", "GET", "other-market", R,         (NO,      OK,      HIDDEN, HIDDEN, OK,  OK), target="requests.turkey",
        contacts={"producer": set(), "counsellor_out": {"requests.turkey"}}, contact_field="buyer"),
    api("requests", "detail", "PATCH", "own", R,                (NO,      NO,      OK,   NO,    HIDDEN, OK), target="requests.own",
        body={"title": "Chest freezers, 400 l"}, state=value_of("requests.own", "title")),
    api("requests", "detail", "PATCH", "other", R,              (NO,      NO,      HIDDEN, NO,  HIDDEN, OK), target="requests.other",
        body={"title": "Chest freezers, 400 l"}, state=value_of("requests.other", "title")),
    api("requests", "detail-buyer", "PATCH", "own", R,          (NO,      _,       BAD,  _,     _,    BAD), target="requests.own",
        body=lambda w: {"buyer": w.buyers["other"].pk}, state=value_of("requests.own", "buyer")),
    api("requests", "approve", "POST", "own-pending", R + "approve/",
                                                                (NO,      HIDDEN,  NO,   ok(200), HIDDEN, ok(200)), target="requests.own_pending",
        body={"note": "Clear."}, state=value_of("requests.own_pending", "status")),
    api("requests", "approve", "POST", "own", R + "approve/",   (NO,      NO,      NO,   CONFLICT, HIDDEN, CONFLICT), target="requests.own",
        body={}, state=value_of("requests.own", "status")),
    api("requests", "return", "POST", "own-pending", R + "return/",
                                                                (NO,      HIDDEN,  NO,   ok(200), HIDDEN, ok(200)), target="requests.own_pending",
        body={"note": "Say the voltage."}, state=value_of("requests.own_pending", "status")),
    api("requests", "close", "POST", "own", R + "close/",       (NO,      NO,      ok(200), ok(200), HIDDEN, ok(200)), target="requests.own",
        body={}, state=value_of("requests.own", "status")),
    api("requests", "close", "POST", "other-market", R + "close/",
                                                                (NO,      NO,      HIDDEN, HIDDEN, ok(200), ok(200)), target="requests.turkey",
        body={}, state=value_of("requests.turkey", "status")),
    # --- A producer's interest: a proposed match in the queue, the buyer withheld
    api("requests", "interest", "POST", "other-market", R + "interest/",
                                                                (NO,      OK,      NO,   NO,    NO,   NO), target="requests.turkey",
        body=_interest, state=count_of(Match, request=_matches_of("requests.turkey"))),
    api("requests", "interest", "POST", "other", R + "interest/",  # P1's interest already waits
                                                                (NO,      CONFLICT, NO,  NO,    NO,   NO), target="requests.other",
        body=_interest, state=count_of(Match, request=_matches_of("requests.other"))),
    api("requests", "interest", "POST", "own-pending", R + "interest/",
                                                                (NO,      HIDDEN,  NO,   NO,    NO,   NO), target="requests.own_pending",
        body=_interest, state=count_of(Match)),
    # --- Quotes: the parties, the match's counsellor and staff read them once forwarded; the
    # producer sends them; the buyer accepts or declines; the producer withdraws.
    api("quotes", "list", "GET", "forwarded-own", M + "quotes/",
                                                                (NO,      OK,      OK,   OK,    HIDDEN, OK), target="matches.req_fwd",
        lists=dict.fromkeys(("producer", "buyer", "counsellor", "staff"), QUOTE_READERS)),
    api("quotes", "list", "GET", "proposed-in-scope", M + "quotes/",
                                                                (NO,      HIDDEN,  HIDDEN, HIDDEN, HIDDEN, HIDDEN), target="matches.req_proposed"),
    api("quotes", "create", "POST", "forwarded-own", M + "quotes/",
                                                                (NO,      OK,      NO,   NO,    HIDDEN, NO), target="matches.req_fwd",
        body=lambda w: quote_input(), state=count_of(Quote)),
    api("quotes", "create", "POST", "forwarded-other", M + "quotes/",
                                                                (NO,      HIDDEN,  HIDDEN, NO,  HIDDEN, NO), target="matches.fwd_other",
        body=lambda w: quote_input(), state=count_of(Quote)),
    api("quotes", "detail", "GET", "own", "/api/v1/quotes/{pk}/",
                                                                (NO,      OK,      OK,   OK,    HIDDEN, OK), target="quotes.open"),
    api("quotes", "accept", "POST", "own", "/api/v1/quotes/{pk}/accept/",
                                                                (NO,      NO,      ok(200), NO, HIDDEN, NO), target="quotes.open",
        body={"note": ""}, state=value_of("quotes.open", "status")),
    api("quotes", "decline", "POST", "own", "/api/v1/quotes/{pk}/decline/",
                                                                (NO,      NO,      ok(200), NO, HIDDEN, NO), target="quotes.open",
        body={"note": "Too dear."}, state=value_of("quotes.open", "status")),
    api("quotes", "withdraw", "POST", "own", "/api/v1/quotes/{pk}/withdraw/",
                                                                (NO,      ok(200), NO,   NO,    HIDDEN, NO), target="quotes.open",
        state=value_of("quotes.open", "status")),
    api("quotes", "compare", "GET", "own", R + "quotes/",       (NO,      HIDDEN,  OK,   OK,    HIDDEN, OK), target="requests.own",
        lists={"buyer": QUOTE_READERS, "counsellor": QUOTE_READERS, "staff": QUOTE_READERS}),
    api("quotes", "compare", "GET", "other", R + "quotes/",     (NO,      HIDDEN,  HIDDEN, OK,  HIDDEN, OK), target="requests.other",
        lists={"counsellor": set(), "staff": set()}),
    # --- The conversation of a forwarded match
    api("messages", "list", "GET", "forwarded-own", M + "messages/",
                                                                (NO,      OK,      OK,   OK,    HIDDEN, OK), target="matches.req_fwd",
        lists=dict.fromkeys(("producer", "buyer", "counsellor", "staff"), MESSAGES)),
    api("messages", "list", "GET", "forwarded-other", M + "messages/",
                                                                (NO,      HIDDEN,  HIDDEN, OK,  HIDDEN, OK), target="matches.fwd_other"),
    api("messages", "create", "POST", "forwarded-own", M + "messages/",
                                                                (NO,      OK,      OK,   OK,    HIDDEN, OK), target="matches.req_fwd",
        body={"body": "March works for us."}, state=count_of(Message)),
    api("messages", "create", "POST", "proposed-in-scope", M + "messages/",
                                                                (NO,      HIDDEN,  HIDDEN, CONFLICT, HIDDEN, CONFLICT), target="matches.req_proposed",
        body={"body": "Hello."}, state=count_of(Message)),
    api("messages", "read", "POST", "forwarded-own", M + "messages/read/",
                                                                (NO,      ok(200), ok(200), ok(200), HIDDEN, ok(200)), target="matches.req_fwd"),
    # --- The files of messages and quotes, by token or session (401 anonymously)
    api("attachments", "download", "GET", "message-own", "/api/v1/attachments/{token}/",
                                                                (NO,      OK,      OK,   OK,    HIDDEN, OK), target="attachments.own"),
    api("attachments", "download", "GET", "quote-own", "/api/v1/attachments/{token}/",
                                                                (NO,      OK,      OK,   OK,    HIDDEN, OK), target="attachments.quote"),
    # --- The outcome a party declared, confirmed by the other
    api("matches", "outcome-confirm", "POST", "declared-own", M + "outcome/confirm/",
                                                                (NO,      ok(200), CONFLICT, NO, HIDDEN, NO), target="matches.req_declared",
        body={"note": "Confirmed."}, state=value_of("matches.req_declared", "status", "outcome_confirmed_at")),
    api("matches", "outcome", "POST", "declared-own", M + "outcome/",  # the declarer corrects it
                                                                (NO,      ok(200), ok(200), ok(200), HIDDEN, ok(200)), target="matches.req_declared",
        body={"outcome": "won", "value": "45000", "currency": "USD"},
        state=value_of("matches.req_declared", "outcome_value", "outcome_declared_by")),
]

TO_MINE = ok(302, redirect="/requests/mine/")
TO_REVIEW = ok(302, redirect="/requests/review/")
BUYER_PAGE = (NO, NO, OK, NO, NO, NO)
DEAL_PAGE_ROWS = [
    # --- Buying requests
    page("requests", "board", "GET", "none", "/requests/",      (NO,      OK,      TO_MINE, TO_REVIEW, TO_REVIEW, OK),
        lists={"producer": PUBLISHED, "staff": PUBLISHED}),
    page("requests", "board-all", "GET", "none", "/requests/?all=on",
                                                                (NO,      OK,      TO_MINE, TO_REVIEW, TO_REVIEW, OK),
        lists={"producer": PUBLISHED, "staff": PUBLISHED}),
    page("requests", "mine", "GET", "own", "/requests/mine/",   BUYER_PAGE, lists={"buyer": OWN_REQUESTS}),
    page("requests", "new", "GET", "none", "/requests/new/",    BUYER_PAGE),
    page("requests", "new", "POST", "none", "/requests/new/",   (NO,      NO,      ok(302, redirect="/requests/"), NO, NO, NO),
        body=lambda w: _request_form(), state=count_of(BuyingRequest)),
    page("requests", "review", "GET", "in-scope", "/requests/review/",
                                                                COUNSELLOR_PAGE,
        lists={"counsellor": {"requests.own_pending"}, "counsellor_out": set(), "staff": {"requests.own_pending"}}),
    page("requests", "detail", "GET", "own", RP,                (NO,      OK,      OK,   OK,    HIDDEN, OK), target="requests.own"),
    page("requests", "detail", "GET", "own-pending", RP,        (NO,      HIDDEN,  OK,   OK,    HIDDEN, OK), target="requests.own_pending"),
    page("requests", "detail", "GET", "other", RP,              (NO,      OK,      HIDDEN, OK,  HIDDEN, OK), target="requests.other"),
    page("requests", "edit", "GET", "own", RP + "edit/",        (NO,      NO,      OK,   NO,    HIDDEN, OK), target="requests.own"),
    page("requests", "edit", "POST", "own", RP + "edit/",       (NO,      NO,      ok(302, redirect="/requests/"), NO, HIDDEN, ok(302, redirect="/requests/")),
        target="requests.own", body=lambda w: _request_form(title="Chest freezers, 400 l"),
        state=value_of("requests.own", "title")),
    page("requests", "approve", "POST", "own-pending", RP + "approve/",
                                                                (NO,      HIDDEN,  NO,   ok(302, redirect="/requests/"), HIDDEN, ok(302, redirect="/requests/")),
        target="requests.own_pending", body={"note": ""}, state=value_of("requests.own_pending", "status")),
    page("requests", "return", "POST", "own-pending", RP + "return/",
                                                                (NO,      HIDDEN,  NO,   ok(302, redirect="/requests/"), HIDDEN, ok(302, redirect="/requests/")),
        target="requests.own_pending", body={"note": "Say the voltage."}, state=value_of("requests.own_pending", "status")),
    page("requests", "close", "POST", "own", RP + "close/",     (NO,      NO,      ok(302, redirect="/requests/"), ok(302, redirect="/requests/"),
                                                                 HIDDEN, ok(302, redirect="/requests/")),
        target="requests.own", body={"note": ""}, state=value_of("requests.own", "status")),
    page("requests", "interest", "GET", "other-market", RP + "interest/",
                                                                (NO,      OK,      NO,   NO,    NO,   NO), target="requests.turkey"),
    page("requests", "interest", "GET", "own-pending", RP + "interest/",
                                                                (NO,      HIDDEN,  NO,   NO,    NO,   NO), target="requests.own_pending"),
    page("requests", "interest", "POST", "other-market", RP + "interest/",
                                                                (NO,      ok(302, redirect="/leads/"), NO, NO, NO, NO), target="requests.turkey",
        body=_interest, state=count_of(Match, request=_matches_of("requests.turkey"))),
    # --- Quotes
    page("quotes", "new", "GET", "forwarded-own", MP + "quotes/new/",
                                                                (NO,      OK,      NO,   NO,    HIDDEN, NO), target="matches.req_fwd"),
    page("quotes", "new", "POST", "forwarded-own", MP + "quotes/new/",
                                                                (NO,      ok(302, redirect="/matches/"), NO, NO, HIDDEN, NO), target="matches.req_fwd",
        body=lambda w: quote_input(), state=count_of(Quote)),
    page("quotes", "accept", "POST", "own", "/quotes/{pk}/accept/",
                                                                (NO,      NO,      ok(302, redirect="/matches/"), NO, HIDDEN, NO), target="quotes.open",
        body={"note": ""}, state=value_of("quotes.open", "status")),
    page("quotes", "decline", "POST", "own", "/quotes/{pk}/decline/",
                                                                (NO,      NO,      ok(302, redirect="/matches/"), NO, HIDDEN, NO), target="quotes.open",
        body={"note": "Too dear."}, state=value_of("quotes.open", "status")),
    page("quotes", "withdraw", "POST", "own", "/quotes/{pk}/withdraw/",
                                                                (NO,      ok(302, redirect="/matches/"), NO, NO, HIDDEN, NO), target="quotes.open",
        state=value_of("quotes.open", "status")),
    page("quotes", "compare", "GET", "own", RP + "quotes/",     (NO,      HIDDEN,  OK,   OK,    HIDDEN, OK), target="requests.own"),
    # --- The conversation
    page("conversation", "thread", "GET", "forwarded-own", MP + "conversation/",
                                                                (NO,      OK,      OK,   OK,    HIDDEN, OK), target="matches.req_fwd"),
    page("conversation", "thread", "GET", "proposed-in-scope", MP + "conversation/",
                                                                (NO,      HIDDEN,  HIDDEN, HIDDEN, HIDDEN, HIDDEN), target="matches.req_proposed"),
    page("conversation", "thread", "POST", "forwarded-own", MP + "conversation/",
                                                                (NO,      ok(302, redirect="/matches/"), ok(302, redirect="/matches/"),
                                                                 ok(302, redirect="/matches/"), HIDDEN, ok(302, redirect="/matches/")),
        target="matches.req_fwd", body={"body": "March works for us."}, state=count_of(Message)),
    page("conversation", "inbox", "GET", "own", "/messages/",   SIGNED_IN_PAGE,
        # Those with a message (only req_fwd has one): its participants and staff, who watch them all.
        lists={"producer": {"matches.req_fwd"}, "buyer": {"matches.req_fwd"}, "counsellor": {"matches.req_fwd"},
               "counsellor_out": set(), "staff": {"matches.req_fwd"}}),
    page("conversation", "attachment", "GET", "own", "/deals/attachments/{token}/",
                                                                (NO,      OK,      OK,   OK,    HIDDEN, OK), target="attachments.own"),
    page("conversation", "attachment", "GET", "quote-own", "/deals/attachments/{token}/",
                                                                (NO,      OK,      OK,   OK,    HIDDEN, OK), target="attachments.quote"),
    # The same file by its storage name under MEDIA_URL: the private store is served nowhere.
    page("media", "private-file", "GET", "own", "/media/{file}",
                                                                (HIDDEN,  HIDDEN,  HIDDEN, HIDDEN, HIDDEN, HIDDEN), target="attachments.own"),
    # --- Public media (logos, photos): anyone, at MEDIA_URL
    page("media", "public-file", "GET", "none", "/media/access/logo.webp",
                                                                (OK,      OK,      OK,   OK,    OK,     OK)),
    # --- The outcome a party declared, confirmed by the other
    page("matches", "outcome-confirm", "POST", "declared-own", MP + "outcome/confirm/",
                                                                (NO,      ok(302, redirect="/matches/"), no(302), NO, HIDDEN, NO),
        target="matches.req_declared", body={"note": ""},
        state=value_of("matches.req_declared", "status", "outcome_confirmed_at")),
]

# ============================================================================================
# Pictures and documents (issue 17): product photos, a product's catalogue, company logos
# ============================================================================================

PI = "/api/v1/products/{pk}/images/"
PIMG = "/api/v1/products/{product}/images/{pk}/"
LOGO = "/api/v1/producers/{pk}/logo/"


def _image() -> Callable:
    return lambda w: {"image": picture_upload()}


def _images() -> Callable:
    return lambda w: {"images": [picture_upload()]}


def photos_of(ref: str) -> Callable:
    return lambda w: ProductImage.objects.filter(product=w.object(ref)).count()


def photo_exists(ref: str) -> Callable:
    return lambda w: ProductImage.objects.filter(pk=w.object(ref).pk).exists()


MP_ = "/my/products/{pk}/"
#                                                               anonymous producer buyer couns. c_out staff
PICTURE_API_ROWS = [
    api("product-images", "list", "GET", "own", PI,             (OK,      OK,      OK,   OK,    OK,   OK), target="products.own"),
    api("product-images", "list", "GET", "own-unlisted", PI,    (HIDDEN,  OK,      HIDDEN, HIDDEN, HIDDEN, OK), target="products.own_unlisted"),
    api("product-images", "add", "POST", "own", PI,             (NO,      OK,      NO,   NO,    NO,   OK), target="products.own",
        body=_image(), multipart=True, state=photos_of("products.own")),
    api("product-images", "add", "POST", "other", PI,           (NO,      NO,      NO,   NO,    NO,   OK), target="products.other",
        body=_image(), multipart=True, state=photos_of("products.other")),
    api("product-images", "add", "POST", "other-unlisted", PI,  (NO,      HIDDEN,  HIDDEN, HIDDEN, HIDDEN, OK), target="products.other_unlisted",
        body=_image(), multipart=True, state=photos_of("products.other_unlisted")),
    api("product-images", "delete", "DELETE", "own", PIMG,      (NO,      OK,      NO,   NO,    NO,   OK), target="product_images.own",
        state=photo_exists("product_images.own")),
    api("product-images", "delete", "DELETE", "other", PIMG,    (NO,      NO,      NO,   NO,    NO,   OK), target="product_images.other",
        state=photo_exists("product_images.other")),
    api("producer-logo", "set", "PUT", "own", LOGO,             (NO,      OK,      NO,   NO,    NO,   OK), target="producers.own",
        body=_image(), multipart=True, state=value_of("producers.own", "logo")),
    api("producer-logo", "set", "PUT", "other", LOGO,           (NO,      NO,      NO,   NO,    NO,   OK), target="producers.other",
        body=_image(), multipart=True, state=value_of("producers.other", "logo")),
    api("producer-logo", "remove", "DELETE", "own", LOGO,       (NO,      OK,      NO,   NO,    NO,   OK), target="producers.own",
        state=value_of("producers.own", "logo")),
    api("producer-logo", "remove", "DELETE", "other", LOGO,     (NO,      NO,      NO,   NO,    NO,   OK), target="producers.other",
        state=value_of("producers.other", "logo")),
]
PICTURE_PAGE_ROWS = [
    page("my-products", "photos", "POST", "own", MP_ + "photos/",
                                                                (NO,      ok(302), NO,   NO,    NO,   ok(302)), target="products.own",
        body=_images(), state=photos_of("products.own")),
    page("my-products", "photos", "POST", "other", MP_ + "photos/",
                                                                (NO,      HIDDEN,  NO,   NO,    NO,   ok(302)), target="products.other",
        body=_images(), state=photos_of("products.other")),
    page("my-products", "photo-delete", "POST", "own", "/my/products/{product}/photos/{pk}/",
                                                                (NO,      ok(302), NO,   NO,    NO,   ok(302)), target="product_images.own",
        body={"action": "delete"}, state=photo_exists("product_images.own")),
    page("my-products", "photo-delete", "POST", "other", "/my/products/{product}/photos/{pk}/",
                                                                (NO,      HIDDEN,  NO,   NO,    NO,   ok(302)), target="product_images.other",
        body={"action": "delete"}, state=photo_exists("product_images.other")),
    page("my-products", "catalogue", "POST", "own", MP_ + "catalogue/",
                                                                (NO,      ok(302), NO,   NO,    NO,   ok(302)), target="products.own",
        body=lambda w: {"catalogue_pdf": catalogue_upload()}, state=value_of("products.own", "catalogue_pdf")),
    page("my-products", "catalogue", "POST", "other", MP_ + "catalogue/",
                                                                (NO,      HIDDEN,  NO,   NO,    NO,   ok(302)), target="products.other",
        body=lambda w: {"catalogue_pdf": catalogue_upload()}, state=value_of("products.other", "catalogue_pdf")),
    page("profile", "logo", "POST", "own", "/my/profile/logo/",
                                                                (NO,      ok(302), ok(302), NO, NO,   NO),
        body=_image()),
]
# fmt: on

# --- Issue 17: verification with evidence (P1's and P2's pending requests; P1's licence) ---
V = "/api/v1/verifications/"
CV = "/counsellor/verifications/{pk}/"
# fmt: off
#                                                               anonymous producer buyer couns. c_out staff
TRUST_API_ROWS = [
    api("verifications", "list", "GET", "none", V,             (NO,      OK,      OK,   OK,    OK,   OK),
        lists={"producer": {"verifications.own"}, "buyer": set(), "counsellor": {"verifications.own", "verifications.other"},
               # P2 is in the pool's match with B3, which every desk sees: in the Turkey desk's scope too.
               "counsellor_out": {"verifications.other"}, "staff": {"verifications.own", "verifications.other"}}),
    # JSON carries no files: a 400 for those who may ask, nothing stored (multipart: tests/verifications).
    api("verifications", "create", "POST", "none", V,          (NO,      BAD,     BAD,  NO,    NO,   NO),
        body={"documents": [], "kind": ["licence"]}, state=count_of(Verification)),
    api("verifications", "detail", "GET", "own", V + "{pk}/",   (NO,      OK,      HIDDEN, OK,  HIDDEN, OK), target="verifications.own"),
    api("verifications", "detail", "GET", "other", V + "{pk}/", (NO,      HIDDEN,  HIDDEN, OK,  OK,   OK), target="verifications.other"),
    api("verifications", "verify", "POST", "own", V + "{pk}/verify/",
                                                                (NO,      NO,      HIDDEN, ok(200), HIDDEN, ok(200)),
        target="verifications.own", body={}, state=value_of("verifications.own", "status")),
    api("verifications", "refuse", "POST", "own", V + "{pk}/refuse/",
                                                                (NO,      NO,      HIDDEN, ok(200), HIDDEN, ok(200)),
        target="verifications.own", body={"reason": "The licence is illegible."},
        state=value_of("verifications.own", "status")),
    api("verifications", "refuse-no-reason", "POST", "own", V + "{pk}/refuse/",
                                                                (NO,      NO,      HIDDEN, BAD, HIDDEN, BAD),
        target="verifications.own", body={"reason": ""}, state=value_of("verifications.own", "status")),
]
TRUST_PAGE_ROWS = [
    page("verification", "company", "GET", "own", "/my/verification/",
                                                                (NO,      OK,      OK,   NO,    NO,   NO),
        new_producer=ok(302, redirect="/onboarding/")),
    # Without a file the form comes back with its error; nothing is stored.
    page("verification", "company", "POST", "own", "/my/verification/",
                                                                (NO,      ok(200, effect="ignored"), ok(200, effect="ignored"), NO, NO, NO),
        body={"kind_1": "licence"}, state=count_of(Verification)),
    page("verification", "queue", "GET", "none", "/counsellor/verifications/",
                                                                (NO,      NO,      NO,   OK,    OK,   OK)),
    page("verification", "verify", "POST", "own", CV + "verify/",
                                                                (NO,      NO,      NO,   OK,    HIDDEN, OK),
        target="verifications.own", body={"note": ""}, state=value_of("verifications.own", "status")),
    page("verification", "refuse", "POST", "own", CV + "refuse/",
                                                                (NO,      NO,      NO,   OK,    HIDDEN, OK),
        target="verifications.own", body={"reason": "Blurred"}, state=value_of("verifications.own", "status")),
    # The evidence: 404 to everyone but the company, the reviewer in scope and staff.
    page("verification", "document", "GET", "own", "/verifications/documents/{token}/",
                                                                (HIDDEN,  OK,      HIDDEN, OK,  HIDDEN, OK), target="documents.own"),
]
# fmt: on

# --- Company teams (issue 17): its members see the team, its owner and staff change it -------

TEAM = "/api/v1/companies/{company}/members/"
INVITED = "invited@access.example"

# fmt: off
TEAM_API_ROWS = [
    #                                                            anonymous producer buyer counsellor c_out staff
    api("teams", "members", "GET", "own", TEAM,
                                                                (NO,      OK,      HIDDEN, HIDDEN, HIDDEN, OK), target="producers.own",
        editor=OK, member_other=HIDDEN),
    api("teams", "members", "GET", "other", TEAM,
                                                                (NO,      HIDDEN,  HIDDEN, HIDDEN, HIDDEN, OK), target="producers.other",
        editor=HIDDEN, member_other=OK),
    api("teams", "invite", "POST", "own", TEAM,
                                                                (NO,      OK,      HIDDEN, HIDDEN, HIDDEN, OK), target="producers.own",
        editor=NO, member_other=HIDDEN, new_producer=HIDDEN, body={"email": INVITED, "role": "editor"},
        state=count_of(Invitation, email=INVITED)),
    api("teams", "remove", "DELETE", "own", TEAM + "{pk}/",
                                                                (NO,      OK,      HIDDEN, HIDDEN, HIDDEN, OK), target="members.editor",
        editor=NO, member_other=HIDDEN, state=value_of("members.editor", "company_id")),
    api("teams", "remove", "DELETE", "other", TEAM + "{pk}/",
                                                                (NO,      HIDDEN,  HIDDEN, HIDDEN, HIDDEN, OK), target="members.other",
        editor=HIDDEN, member_other=NO, state=value_of("members.other", "company_id")),
    api("teams", "revoke", "DELETE", "own", "/api/v1/companies/{company}/invitations/{pk}/",
                                                                (NO,      OK,      HIDDEN, HIDDEN, HIDDEN, OK), target="invitations.own",
        editor=NO, member_other=HIDDEN, state=value_of("invitations.own", "revoked_at")),
]

TEAM_PAGE_ROWS = [
    page("teams", "team", "GET", "own", "/my/team/",
                                                                (NO,      OK,      OK,   NO,    NO,   NO),
        editor=OK, member_other=OK, new_producer=no(302, redirect="/onboarding/company/")),
    page("teams", "invite", "POST", "own", "/my/team/",
                                                                (NO,      ok(302, redirect="/my/team/"), ok(302, redirect="/my/team/"), NO, NO, NO),
        editor=NO, member_other=NO, body={"email": INVITED}, state=count_of(Invitation, email=INVITED)),
    page("teams", "remove", "GET", "own", "/my/team/members/{pk}/remove/",
                                                                (NO,      OK,      HIDDEN, NO,  NO,   NO), target="members.editor",
        editor=NO, member_other=NO),
    page("teams", "remove", "POST", "own", "/my/team/members/{pk}/remove/",
                                                                (NO,      ok(302, redirect="/my/team/"), HIDDEN, NO, NO, NO),
        target="members.editor", editor=NO, member_other=NO, state=value_of("members.editor", "company_id")),
    page("teams", "remove", "POST", "other", "/my/team/members/{pk}/remove/",
                                                                (NO,      HIDDEN,  HIDDEN, NO,  NO,   NO), target="members.other",
        editor=NO, member_other=NO, state=value_of("members.other", "company_id")),
    page("teams", "transfer", "POST", "own", "/my/team/members/{pk}/ownership/",
                                                                (NO,      ok(302, redirect="/my/team/"), HIDDEN, NO, NO, NO),
        target="members.editor", editor=NO, member_other=NO, state=value_of("producers.own", "owner")),
    page("teams", "revoke", "POST", "own", "/my/team/invitations/{pk}/revoke/",
                                                                (NO,      ok(302, redirect="/my/team/"), HIDDEN, NO, NO, NO),
        target="invitations.own", editor=NO, member_other=NO, state=value_of("invitations.own", "revoked_at")),
    page("teams", "join", "GET", "own", "/team/join/{token}/",
                                                                (OK,      OK,      OK,   OK,    OK,   OK),
        target="invitations.own", new_buyer=OK),
    # Only the invited address (new_buyer's) joins; the others see why not (the page, 200).
    page("teams", "join", "POST", "own", "/team/join/{token}/",
                                                                (no(200), no(200), no(200), no(200), no(200), no(200)),
        target="invitations.own", editor=no(200), member_other=no(200), new_buyer=ok(302, redirect="/onboarding/"),
        state=value_of("invitations.own", "accepted_at")),
]
# fmt: on

# --- Exports (issue 18, portal/exports.py): counsellors (their scope) and staff; a large
# export's job is its requester's (the Iraq desk's) and staff's, hidden from everyone else.
EXPORTERS = (NO, NO, NO, OK, OK, OK)
JOB_OWNER = (NO, HIDDEN, HIDDEN, OK, HIDDEN, OK)
EXPORT_API_ROWS = [
    *(
        api(
            "exports",
            f"{name}-{file_format}",
            "GET",
            "none",
            f"/api/v1/exports/{name}.{file_format}",
            EXPORTERS,
        )
        for name in ("matches", "producers", "buyers", "requests")
        for file_format in ("csv", "xlsx")
    ),
    api("exports", "job", "GET", "own", "/api/v1/exports/jobs/{pk}/", JOB_OWNER, target="export_jobs.own"),
    api(
        "exports",
        "job-download",
        "GET",
        "own",
        "/api/v1/exports/jobs/{pk}/download/",
        JOB_OWNER,
        target="export_jobs.own",
    ),
]
EXPORT_PAGE_ROWS = [
    *(
        page("exports", name, "GET", "none", path, EXPORTERS)
        for name, path in (
            ("matches", "/exports/matches.csv"),
            ("producers", "/exports/producers.csv"),
            ("buyers", "/exports/buyers.csv"),
            ("requests", "/exports/requests.csv?status=pending"),
            ("queue", "/exports/queue.xlsx"),
        )
    ),
    page("exports", "job", "GET", "own", "/exports/jobs/{pk}/", JOB_OWNER, target="export_jobs.own"),
    page(
        "exports",
        "job-download",
        "GET",
        "own",
        "/exports/jobs/{pk}/download/",
        JOB_OWNER,
        target="export_jobs.own",
    ),
]

# --- The producer import page (issue 18) and its invitations (issue 19): portal staff only; a
# dry run keeps the upload (its count is the probe), a commit needs the uploader's own token.
STAFF_ONLY = (NO, NO, NO, NO, NO, OK)


def _member_list() -> dict:
    body = b"email,company_name\nmatrix.import@access.example,Matrix Import Co.\n"
    return {
        "file": SimpleUploadedFile("members.csv", body, content_type="text/csv"),
        "send_invitations": "on",
    }


IMPORT_PAGE_ROWS = [
    page("producer-import", "page", "GET", "none", "/staff/producers/import/", STAFF_ONLY),
    page(
        "producer-import",
        "dry-run",
        "POST",
        "none",
        "/staff/producers/import/",
        (NO, NO, NO, NO, NO, ok(200)),
        body=lambda w: _member_list(),
        state=count_of(ProducerImportUpload),
    ),
    # No upload of the world's: staff's unknown token is a form error, nothing is imported.
    page(
        "producer-import",
        "commit",
        "POST",
        "none",
        "/staff/producers/import/commit/",
        (NO, NO, NO, NO, NO, no(400)),
        body={"token": "not-a-token-of-yours"},
        state=count_of(User, email="matrix.import@access.example"),
    ),
    # P1's owner has never been invited by an import: staff's resend sends nothing (reported).
    page(
        "producer-import",
        "resend",
        "POST",
        "none",
        "/staff/producers/invitations/resend/",
        (NO, NO, NO, NO, NO, ok(302, redirect="/staff/producers/import/", effect="ignored")),
        body=lambda w: {"only": w.users["producer"].pk},
        state=count_of(ProducerInvitation),
    ),
]

# --- The dashboard's download (issue 18, home.dashboard_export): every signed-in user, their own
# dashboard's figures in their own scope (tests/home/test_dashboard_period.py checks the scope).
DASHBOARD_PAGE_ROWS = [
    page(
        "dashboard",
        f"download-{file_format}",
        "GET",
        "own",
        f"/dashboard/download.{file_format}?period=year",
        SIGNED_IN_PAGE,
        new_producer=OK,
    )
    for file_format in ("csv", "xlsx")
]

# Issue 19: a buyer's own introduction requests (none in the world is a buyer's request: the
# page lists none of the world's matches, engine proposals or another buyer's).
MY_INTRODUCTION_PAGE_ROWS = [
    page(
        "my-introductions",
        "list",
        "GET",
        "own",
        "/my/introductions/",
        (NO, TO_DASHBOARD, OK, TO_DASHBOARD, TO_DASHBOARD, TO_DASHBOARD),
        lists={"buyer": set()},
    ),
]

# Two-factor sign-in (accounts/two_factor.py): everyone signed in may set it up (staff come
# enrolled from the factory); the admin's own sign-in form is allauth's.
TO_LOGIN = no(302, redirect=LOGIN)
TWO_FACTOR_PAGE_ROWS = [
    page("two-factor", "index", "GET", "own", "/accounts/2fa/", (TO_LOGIN, OK, OK, OK, OK, OK)),
    page(
        "two-factor",
        "admin-login",
        "GET",
        "none",
        "/admin/login/?next=/admin/",
        (ok(302, redirect=f"{LOGIN}?next=/admin/"), NO, NO, NO, NO, ok(302, redirect="/admin/")),
    ),
]

API_ROWS = API_ROWS + DEAL_API_ROWS + PICTURE_API_ROWS + TRUST_API_ROWS + TEAM_API_ROWS + EXPORT_API_ROWS
PAGE_ROWS = (
    PAGE_ROWS
    + DEAL_PAGE_ROWS
    + PICTURE_PAGE_ROWS
    + TRUST_PAGE_ROWS
    + TEAM_PAGE_ROWS
    + EXPORT_PAGE_ROWS
    + IMPORT_PAGE_ROWS
    + DASHBOARD_PAGE_ROWS
    + MY_INTRODUCTION_PAGE_ROWS
    + TWO_FACTOR_PAGE_ROWS
)
ROWS = API_ROWS + PAGE_ROWS


# --- The cells ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    row: Row
    role: str
    outcome: Outcome

    @property
    def id(self) -> str:
        row = self.row
        verdict = "allowed" if self.outcome.allowed else "refused"
        return f"{row.surface}-{row.resource}-{row.action}-{row.method}-{self.role}-{row.scope}-{verdict}"

    def expected_status(self) -> int:
        outcome, row = self.outcome, self.row
        if outcome.status is not None:
            return outcome.status
        if outcome.allowed:
            if row.surface == "page":
                return 302 if row.method == "POST" else 200
            return {"POST": 201, "DELETE": 204}.get(row.method, 200)
        if self.role == "anonymous":
            return 302 if row.surface == "page" else 401
        return 403

    def expected_redirect(self) -> str | None:
        if self.outcome.redirect is not None:
            return self.outcome.redirect
        anonymous_page = self.row.surface == "page" and self.role == "anonymous"
        if anonymous_page and not self.outcome.allowed and self.outcome.status in (None, 302):
            return LOGIN
        return None


def cells() -> list[Cell]:
    return [Cell(row, role, outcome) for row in ROWS for role, outcome in row.cells.items()]
