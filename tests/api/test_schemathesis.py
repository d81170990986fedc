"""Schemathesis against /api/v1/schema/, as anonymous and as each role (token auth).

Every operation in the schema is called with generated input, valid and invalid, on a
database with a producer and their products, buyers, counsellors with desks, a brief and
matches in several statuses, with DEBUG off (pytest-django's default). Every call must hold:
no server error, a status code the schema declares for the operation (portal/api/schema.py
adds the conventional errors), a response body, content type and headers as the schema
declares them.

The input space is wider than what the schema admits, on purpose (docs/api.md: "never a 500 for
anything a client sends"): Schemathesis generates valid and invalid data in every media type
an operation accepts (JSON, form, multipart) with any Unicode, NUL bytes included; on top of
that, `_hostile` replaces path ids with existing ones or with ids of every shape (negative,
huge, text, NUL-bearing, 100,000 characters), strings in queries and bodies with long,
NUL-bearing, control-character and near-zero numeric values, lists with huge ones, a JSON body
with a deeply nested one, and a token with a malformed one. Ids that a body or a filter names
are drawn from the objects that exist too, so the calls also reach the views' logic.

Three tests:
- `test_api_conforms_to_its_schema`: each operation × role, `EB_FUZZ_EXAMPLES` generated cases
  each; half of those with a body start from the operation's valid body with a field or two
  spoiled.
- `test_api_sequences_conform_to_its_schema`: per role, `EB_FUZZ_SCENARIOS` sequences of up to
  `EB_FUZZ_STEPS` calls along the schema's OpenAPI links (portal/api/schema.py: create a
  product, then read, change and delete it; list matches, then forward, reject, respond to
  one...), so a call sees what the earlier ones wrote.
- `test_each_field_of_each_write_takes_hostile_values`: deterministic; every field of every
  write's valid body, alone replaced by each hostile value of its kind, as the role that may
  write it, in JSON and as a form (`EB_FUZZ_SWEEP_MEDIA_TYPES=1`: JSON only).

Sizes (README, "Two commands"): on PostgreSQL by default 30 examples, 20 scenarios of 6 steps;
on SQLite a lighter run (5, 3 of 4, the sweep in JSON only): the run that must find the
server errors is PostgreSQL's, which refuses what SQLite stores (over-long strings, NUL
bytes). The items are independent, so `-n auto` (pytest-xdist) shares them between processes.

Each case (each scenario) runs in a savepoint rolled back afterwards, so every case sees the
same data. `tests/api/conftest.py` prints how many cases ran per role, and every server error
with its traceback, at the end of the session.
"""

import copy
import os
import re
from urllib.parse import quote

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test.utils import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from counsellors import briefs
from deals.attachments import attach_files
from deals.models import Message
from matchmaking import outcomes
from matchmaking.models import MatchSource, MatchStatus
from sourcing.models import RequestStatus
from tests.deals.quote_support import in_days, make_quote, make_request, quote_input
from tests.factories import UserFactory, hs_sector
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match

from .conftest import CASES_RUN, SERVER_ERRORS

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "producer", "buyer", "counsellor", "staff"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _size(name: str, postgres: int, sqlite: int) -> int:
    value = os.environ.get(name)
    if value:
        return int(value)
    return postgres if django_settings.USING_POSTGRES else sqlite


EXAMPLES = _size("EB_FUZZ_EXAMPLES", postgres=30, sqlite=5)
SCENARIOS = _size("EB_FUZZ_SCENARIOS", postgres=20, sqlite=3)
STEPS = _size("EB_FUZZ_STEPS", postgres=6, sqlite=4)
# The field sweep sends each value as JSON and as a form on PostgreSQL, as JSON on SQLite.
SWEEP_MEDIA_TYPES = ["application/json", "application/x-www-form-urlencoded"][
    : _size("EB_FUZZ_SWEEP_MEDIA_TYPES", postgres=2, sqlite=1)
]


class _NoConnectionRecycling:
    """Django's WSGI handler closes "old" connections at each request's start and end; inside
    the test's transaction that would break it (Django's test client disconnects the same)."""

    def __enter__(self):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)

    def __exit__(self, *exc):
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _load_schema():
    # The app is built (its middleware reads the settings) in plain HTTP, as the suite's
    # session-wide settings have it; collection runs before that fixture.
    with override_settings(SECURE_SSL_REDIRECT=False), _NoConnectionRecycling():
        loaded = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    # Stated, not left to defaults: valid and invalid data, any Unicode, NUL bytes included.
    loaded.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], allow_x00=True, codec="utf-8"
    )
    return loaded


# Loaded at collection, so that each operation is a test item of its own (per role).
# (`schemathesis.pytest.from_fixture` would run them as subtests of one item, but with
# Schemathesis 4.32.5 it fails under pytest 9.2, whose nodes no longer have `_nodeid`.)
schema = _load_schema()


@pytest.fixture
def world(settings, tmp_path):
    """Realistic data, and the ids a generated case may name, per kind of object (the files it
    and the calls store in a folder of the test's own)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    for code in ("841810", "8418", "84", "940360", "0805"):
        hs_sector(code)
    desk = make_counsellor("IQ", covered=["SY"])
    outsider = make_counsellor("DE")
    producer = make_producer(("841810", "940360"), markets=("IQ", "DE"), certifications=("ISO9001",))
    other_producer = make_producer(("841810",), province="Tehran", city="Tehran")
    # Empty contacts and figures: what the schema must allow to be null or blank.
    bare_producer = make_producer(("0805",), website="", email="", phone="", contact_name="")
    buyer = make_buyer(("841810",), country="IQ")
    other_buyer = make_buyer(("940360",), country="DE")
    bare_buyer = make_buyer(("0805",), country="SY", demand=None, website="", phone="", contact_name="")
    matches = [
        make_match(producer, buyer, status=MatchStatus.PROPOSED, counsellor=desk),
        make_match(producer, other_buyer, status=MatchStatus.FORWARDED, counsellor=outsider),
        make_match(other_producer, buyer, status=MatchStatus.FORWARDED, counsellor=desk),
        make_match(producer, make_buyer(country="IQ"), status=MatchStatus.CONNECTED, counsellor=desk),
        make_match(other_producer, other_buyer, status=MatchStatus.REJECTED, counsellor=outsider),
        make_match(
            other_producer,
            make_buyer(country="IQ"),
            status=MatchStatus.WON,
            counsellor=desk,
            source=MatchSource.BUYER_REQUEST,
        ),
        make_match(producer, make_buyer(country="SY"), status=MatchStatus.LOST, counsellor=desk),
        make_match(bare_producer, bare_buyer, status=MatchStatus.FORWARDED, counsellor=None),
        make_match(bare_producer, buyer, status=MatchStatus.PROPOSED, counsellor=None),
        # Won as its buyer declared it, awaiting the producer's confirmation.
        declared_won(
            make_match(producer, make_buyer(country="IQ"), status=MatchStatus.CONNECTED, counsellor=desk)
        ),
    ]
    # The deal (issue 16): the buyer's published request with a forwarded match of the producer,
    # an open quote and a message on it; a pending one for the desk; another buyer's published
    # one the producer may show interest in.
    published, line = make_request(buyer, title="Chest freezers for Basra")
    pending, _pending_line = make_request(buyer, status=RequestStatus.PENDING, title="Display fridges")
    open_to_interest, _open_line = make_request(make_buyer(country="IQ"), title="Ice makers")
    deal = make_match(
        producer, buyer, status=MatchStatus.FORWARDED, counsellor=desk, request=published, request_line=line
    )
    matches.append(deal)
    quote = make_quote(deal)
    message = Message.objects.create(
        match=deal, author=buyer.owner, body="Can you ship by March?", language="en"
    )
    # A file on each: the download's tokens.
    files = [
        *attach_files(
            match=deal,
            files=[SimpleUploadedFile("price-list.txt", b"CIF Basra: 310 USD.", content_type="text/plain")],
            uploaded_by=producer.owner,
            quote=quote,
        ),
        *attach_files(
            match=deal,
            files=[SimpleUploadedFile("spec.csv", b"hs,qty\n841810,200\n", content_type="text/csv")],
            uploaded_by=buyer.owner,
            message=message,
        ),
    ]
    brief = briefs.brief_create(
        author=desk, data={"title": "Fridges in Iraq", "body": "Demand is **up**.", "sectors": ["841810"]}
    )
    staff = UserFactory(role="staff")
    users = {
        "anonymous": None,
        "producer": producer.owner,
        "buyer": buyer.owner,
        "counsellor": desk,
        "staff": staff,
    }
    # Accounts without a profile or a desk, which a create may name.
    spare = [UserFactory(role=role) for role in ("producer", "buyer", "counsellor")]
    products = [
        pk
        for profile in (producer, other_producer, bare_producer)
        for pk in profile.products.values_list("pk", flat=True)
    ]
    ids = {
        "producers": [producer.pk, other_producer.pk, bare_producer.pk],
        "products": products,
        "buyers": [buyer.pk, other_buyer.pk, bare_buyer.pk],
        "matches": [match.pk for match in matches],
        "counsellors": [desk.counsellor_profile.pk, outsider.counsellor_profile.pk],
        "briefs": [brief.pk],
        "requests": [published.pk, pending.pk, open_to_interest.pk],
        "quotes": [quote.pk],
        "attachments": [attachment.token for attachment in files],
        "sectors": ["841810", "8418", "84", "XVI"],
        "users": [user.pk for user in [*users.values(), *spare] if user is not None],
    }
    return {"users": users, "ids": ids, "seeds": _valid_bodies(ids, producer, desk, outsider, spare)}


def declared_won(match):
    return outcomes.match_record_outcome(
        match=match, actor=match.buyer.owner, outcome="won", value="5000", currency="USD", note="Signed."
    )


def _valid_bodies(ids: dict, producer, desk, outsider, spare) -> dict:
    """A valid body per operation, which `_hostile` starts from half the time and spoils in a
    field or two: so a long, NUL-bearing or near-zero value reaches the service and the
    database, not just the first field check (random bodies rarely get that far)."""
    spare_producer, spare_buyer, spare_counsellor = spare
    contacts = {"website": "https://example.com", "email": "sales@example.com", "phone": "+98 41 3333 0000"}
    producer_body = {
        "owner": spare_producer.pk,
        "name": "Tabriz Cooling",
        "description": "Refrigerators since 1990.",
        "province": "East Azerbaijan",
        "city": "Tabriz",
        **contacts,
        "contact_name": "Ali Rezaei",
        "sectors": ["841810"],
        "target_markets": ["IQ", "TR"],
        "export_experience": ["AZ"],
        "certifications": ["ISO9001"],
        "languages": ["fa", "en"],
        "employees": 120,
        "founded": 1990,
    }
    buyer_body = {
        "owner": spare_buyer.pk,
        "company_name": "Baghdad Appliances",
        "country": "IQ",
        "city": "Baghdad",
        **contacts,
        "contact_name": "Omar",
        "description": "Importer of home appliances.",
        "sought_sectors": ["841810"],
        "annual_demand": "500",
        "demand_unit": "units",
        "typical_order": "50",
        "required_certifications": ["ISO9001"],
        "languages": ["ar", "en"],
    }
    product_body = {
        "producer": producer.pk,
        "name": "Two-door refrigerator",
        "description": "A+ energy class.",
        "hs_code": "841810",
        "annual_capacity": "1000",
        "available_capacity": "800",
        "capacity_unit": "units",
        "moq": "10",
        "lead_time_days": 30,
        "price_min": "150",
        "price_max": "300",
        "currency": "USD",
        "incoterms": ["FOB", "CIF"],
        "certifications": ["CE"],
    }
    counsellor_body = {
        "user": spare_counsellor.pk,
        "posted_country": "TR",
        "covered_countries": ["AZ"],
        "sectors": ["8418"],
        "languages": ["fa", "en"],
        "phone": "+90 312 000 0000",
        "is_active": True,
    }
    brief_body = {"country": "IQ", "title": "Fridges", "body": "Demand is **up**.", "sectors": ["841810"]}
    request_body = {
        "title": "Chest freezers, 300 l",
        "description": "For a cold chain.",
        "currency": "USD",
        "incoterm": "CIF",
        "destination_country": "IQ",
        "destination_port": "Umm Qasr",
        "deadline": in_days(90).isoformat(),
        "required_certifications": ["ISO9001"],
        "lines": [
            {"hs_code": "841810", "quantity": "200", "unit": "units", "target_price": "310.50"},
            {"hs_code": "8418", "quantity": "50", "unit": "units", "specification": "Display units"},
        ],
    }
    return {
        "POST /api/v1/auth/token/": {"email": desk.email, "password": "not-the-password"},
        "POST /api/v1/users/": {
            "email": "new.user@example.com",
            "password": "a-long-Passphrase-42",
            "role": "producer",
            "full_name": "New User",
            "preferred_language": "fa",
        },
        "POST /api/v1/producers/": producer_body,
        "PATCH /api/v1/producers/{id}/": {k: v for k, v in producer_body.items() if k != "owner"},
        "PATCH /api/v1/producers/me/": {k: v for k, v in producer_body.items() if k != "owner"},
        "POST /api/v1/buyers/": buyer_body,
        "PATCH /api/v1/buyers/{id}/": {k: v for k, v in buyer_body.items() if k != "owner"},
        "PATCH /api/v1/buyers/me/": {k: v for k, v in buyer_body.items() if k != "owner"},
        "POST /api/v1/products/": product_body,
        "PATCH /api/v1/products/{id}/": {k: v for k, v in product_body.items() if k != "producer"},
        "POST /api/v1/counsellors/": counsellor_body,
        # What a counsellor changes on their own desk (the posting is staff's).
        "PATCH /api/v1/counsellors/{id}/": {k: counsellor_body[k] for k in ("phone", "languages", "sectors")},
        "POST /api/v1/briefs/": brief_body,
        "PATCH /api/v1/briefs/{id}/": brief_body,
        "PUT /api/v1/digests/preferences/": {"frequency": "weekly", "language": "en"},
        "POST /api/v1/introductions/": {"product": ids["products"][-1], "message": "We import 500 a year."},
        "POST /api/v1/matches/{id}/forward/": {"note": "A good fit."},
        "POST /api/v1/matches/{id}/reject/": {"reason": "Too small."},
        "POST /api/v1/matches/{id}/respond/": {"decision": "accept", "note": "Glad to talk."},
        "POST /api/v1/matches/{id}/outcome/": {
            "outcome": "won",
            "value": "12000",
            "currency": "USD",
            "note": "",
        },
        "POST /api/v1/matches/{id}/outcome/confirm/": {"note": "Confirmed."},
        "POST /api/v1/matches/{id}/reassign/": {"counsellor": outsider.pk, "note": "Your market."},
        "POST /api/v1/matches/rematch/": {"producer": producer.pk},
        "POST /api/v1/requests/": request_body,
        "PATCH /api/v1/requests/{id}/": request_body,
        "POST /api/v1/requests/{id}/approve/": {"note": "Clear and complete."},
        "POST /api/v1/requests/{id}/return/": {"note": "Say the voltage."},
        "POST /api/v1/requests/{id}/close/": {"note": "Bought elsewhere."},
        "POST /api/v1/requests/{id}/interest/": {
            "product": producer.products.order_by("pk").values_list("pk", flat=True).first(),
            "message": "We make these in Tabriz.",
        },
        "POST /api/v1/matches/{match_id}/quotes/": quote_input(),
        "POST /api/v1/quotes/{id}/accept/": {"note": "Agreed."},
        "POST /api/v1/quotes/{id}/decline/": {"note": "Too dear."},
        "POST /api/v1/matches/{id}/messages/": {"body": "March works for us.", "language": "en"},
    }


# Fields and filters naming another object, and the kind of object they name.
REFERENCES = {
    "producer": "producers",
    "product": "products",
    "buyer": "buyers",
    "owner": "users",
    "user": "users",
    "counsellor": "users",
    "author": "users",
    "request": "requests",
    "match": "matches",
    "quote": "quotes",
}

# --- Input of every shape -----------------------------------------------------------------

_LENGTHS = st.sampled_from([129, 256, 1_001, 100_000])
_long_text = st.builds(lambda seed, n: (seed * n)[:n], st.text(min_size=1, max_size=4), _LENGTHS)
_with_nul = st.text(max_size=10).map(lambda text: text[: len(text) // 2] + "\x00" + text[len(text) // 2 :])
_odd_text = st.sampled_from(
    [
        "",
        " ",
        "0.001",
        "0.0001",
        "-0.001",
        "1e-9",
        "-0",
        "1e400",
        "NaN",
        "Infinity",
        "۰٫۰۰۱",  # Persian digits
        "99999999999999999999.99",
        "\u202ename\u202c",
        "line\r\nbreak",
        "null",
        "true",
        "false",
        "[]",
        "{}",
        "%00",
        "../",
        "84\x00",
    ]
)
HOSTILE_TEXT = st.one_of(_long_text, _with_nul, _odd_text, st.text())
# A path segment as a client sends it: percent-encoded. Not "" or a dot segment, which a
# client's URL rules turn into another path (the list), nor `me`, a path of its own.
HOSTILE_ID = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**31, 2**63, "1.0", "1e3", " 1", "١", "0x1", "%00"]),
    HOSTILE_TEXT.filter(lambda text: text not in ("", ".", "..", "me")).map(
        lambda text: quote(text, safe="")
    ),
)
# A header as a WSGI server hands it over: the bytes sent, read as Latin-1 (PEP 3333). No line
# break: HTTP cannot carry one inside a header (servers and clients refuse it before any app).
HOSTILE_TOKEN = st.one_of(
    HOSTILE_TEXT.filter(lambda text: "\n" not in text and "\r" not in text).map(
        lambda text: f"Token {text}".encode().decode("latin-1")
    ),
    st.sampled_from(["Token", "Token a b", "Bearer x", "token 0", "Basic Og=="]),
)
_DEEP = 100_000


def _deep_json() -> bytes:
    return b"[" * _DEEP + b"]" * _DEEP


def _existing_or(data, known: list, generated):
    return data.draw(st.one_of(st.sampled_from(known), st.just(generated), HOSTILE_ID))


_HUGE_LIST = st.sampled_from([5_000, 30_000]).map(lambda n: [f"{i % 9000 + 1000}" for i in range(n)])


def _spoiled(data, value):
    """A hostile value in place of `value`, of its kind or not."""
    if isinstance(value, list):
        return data.draw(st.one_of(_HUGE_LIST, HOSTILE_TEXT, st.just([value])))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return data.draw(st.one_of(_odd_text, st.just(-value), st.just(10**30)))
    return data.draw(HOSTILE_TEXT)


def _hostile(case, data, ids: dict, seeds: dict, role: str) -> None:
    """Widen a generated case: existing and malformed ids, hostile strings, lists and bodies.

    Half the time a case with a body starts from the operation's valid body and has one or two
    fields spoiled, so the hostile value is the only thing wrong and reaches the service and
    the database; otherwise the generated body and query have fields spoiled at random."""
    if case.path_parameters:
        kind = case.path.split("/")[3]
        for name, value in case.path_parameters.items():
            known = ids.get(kind) or [value]
            case.path_parameters[name] = _existing_or(data, known, value)
    seed = seeds.get(f"{case.method.upper()} {case.path}")
    if seed is not None and case.media_type and data.draw(st.booleans()):
        body = copy.deepcopy(seed)
        if role != "staff":
            body.pop("owner", None)
        for _ in range(data.draw(st.sampled_from([1, 1, 1, 2, 0]))):
            name = data.draw(st.sampled_from(sorted(body)))
            body[name] = _spoiled(data, body[name])
        case.body = body
        return
    for container in (case.query, case.body if isinstance(case.body, dict) else None):
        if not container:
            continue
        for name, value in container.items():
            if name in REFERENCES and isinstance(value, int):
                container[name] = _existing_or(data, ids[REFERENCES[name]], value)
            elif data.draw(st.integers(0, 3)) == 0:
                container[name] = _spoiled(data, value)
    if case.body is not None and case.media_type == "application/json" and data.draw(st.integers(0, 30)) == 0:
        case.body = _deep_json()


def _headers(user, data) -> dict:
    if user is None:
        if data.draw(st.integers(0, 4)) == 0:
            return {"Authorization": data.draw(HOSTILE_TOKEN)}
        return {}
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


@pytest.mark.usefixtures("role")
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@schema.parametrize()
@schema.given(data=st.data())
def test_api_conforms_to_its_schema(case, data, role, world):
    headers = _headers(world["users"][role], data)
    _hostile(case, data, world["ids"], world["seeds"], role)
    # Throttling is tested elsewhere; here every case is answered on its merits.
    cache.clear()
    CASES_RUN[role] += 1
    recording = SERVER_ERRORS.recording(f"{role} {case.method} {case.path}", case)
    with _NoConnectionRecycling(), recording, transaction.atomic():
        case.call_and_validate(headers=headers, checks=CHECKS)
        transaction.set_rollback(True)


@pytest.mark.parametrize("role", ROLES)
def test_api_sequences_conform_to_its_schema(role, world):
    """Sequences along the schema's links, each in a savepoint rolled back at its end."""
    user = world["users"][role]
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"} if user else {}

    class Sequences(schema.as_state_machine()):
        def setup(self):
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self._recycling = _NoConnectionRecycling()
            self._recycling.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
            self._recycling.__exit__(None, None, None)

        def before_call(self, case):
            cache.clear()
            CASES_RUN[role] += 1

        def call(self, case, **kwargs):
            with SERVER_ERRORS.recording(f"{role} (sequence) {case.method} {case.path}", case):
                return case.call(**kwargs)

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, headers=headers)

    Sequences.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )


# --- Every field of every write, with each hostile value alone ---------------------------------

# Who may write through each operation (so the value reaches the service and the database),
# and the id in its path. Random bodies rarely pass every other check, so here each field
# of the valid body is spoiled alone, with each value of its kind, deterministically.
WRITERS = {
    "POST /api/v1/users/": "staff",
    "POST /api/v1/producers/": "staff",
    "PATCH /api/v1/producers/{id}/": "producer",
    "PATCH /api/v1/producers/me/": "producer",
    "POST /api/v1/buyers/": "staff",
    "PATCH /api/v1/buyers/{id}/": "buyer",
    "PATCH /api/v1/buyers/me/": "buyer",
    "POST /api/v1/products/": "producer",
    "PATCH /api/v1/products/{id}/": "producer",
    "POST /api/v1/counsellors/": "staff",
    "PATCH /api/v1/counsellors/{id}/": "counsellor",
    "POST /api/v1/briefs/": "counsellor",
    "PATCH /api/v1/briefs/{id}/": "counsellor",
    "PUT /api/v1/digests/preferences/": "buyer",
    "POST /api/v1/introductions/": "buyer",
    "POST /api/v1/matches/{id}/forward/": "counsellor",
    "POST /api/v1/matches/{id}/reject/": "counsellor",
    "POST /api/v1/matches/{id}/respond/": "producer",
    "POST /api/v1/matches/{id}/outcome/": "counsellor",
    "POST /api/v1/matches/{id}/outcome/confirm/": "producer",
    "POST /api/v1/matches/{id}/reassign/": "counsellor",
    "POST /api/v1/matches/rematch/": "staff",
    "POST /api/v1/requests/": "buyer",
    "PATCH /api/v1/requests/{id}/": "buyer",
    "POST /api/v1/requests/{id}/approve/": "counsellor",
    "POST /api/v1/requests/{id}/return/": "counsellor",
    "POST /api/v1/requests/{id}/close/": "buyer",
    "POST /api/v1/requests/{id}/interest/": "producer",
    "POST /api/v1/matches/{match_id}/quotes/": "producer",
    "POST /api/v1/quotes/{id}/accept/": "buyer",
    "POST /api/v1/quotes/{id}/decline/": "buyer",
    "POST /api/v1/matches/{id}/messages/": "buyer",
}
# The object each path names, by index in world["ids"] (the role's own, in the right status).
PATH_OBJECT = {
    "producers": 0,
    "buyers": 0,
    "products": 0,
    "counsellors": 0,
    "briefs": 0,
    "matches/{id}/forward": 0,  # proposed, the desk's
    "matches/{id}/reject": 0,
    "matches/{id}/respond": 1,  # forwarded, the producer's
    "matches/{id}/outcome/confirm": 9,  # won as the buyer declared it (before "outcome": found first)
    "matches/{id}/outcome": 3,  # connected, the desk's
    "matches/{id}/reassign": 0,
    "matches/{match_id}/quotes": 10,  # forwarded, for the buyer's request
    "matches/{id}/messages": 10,
    "requests/{id}/approve": 1,  # pending, in the desk's market
    "requests/{id}/return": 1,
    "requests/{id}/interest": 2,  # another buyer's, published: the producer has no match on it
    "requests": 0,  # the buyer's own, published
    "quotes": 0,
}
TEXT_VALUES = [
    "x" * 100_000,
    "a\x00b",
    "\x00",
    "0.001",
    "0.0000001",
    "",
    "false",
    "%s %(x)s %-d",
    "\u202e\r\n",
]
NUMBER_VALUES = [0.001, -1, 10**30, "0.001", "NaN"]
LIST_VALUES = [[f"{i % 9000 + 1000}" for i in range(30_000)], ["x" * 100_000], ["a\x00b"], [""], "a,b"]


def _values_for(value) -> list:
    if isinstance(value, list):
        return LIST_VALUES
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return NUMBER_VALUES
    return TEXT_VALUES


def _path_parameters(operation: str, ids: dict) -> dict:
    path = operation.split(" ", 1)[1]
    name = re.search(r"{(\w+)}", path)
    if name is None:
        return {}
    kind = path.split("/")[3]
    key = next((k for k in PATH_OBJECT if k.startswith(kind) and k in path), kind)
    return {name.group(1): ids[kind][PATH_OBJECT[key]]}


@pytest.mark.parametrize("operation", sorted(WRITERS))
def test_each_field_of_each_write_takes_hostile_values(operation, world):
    """Each field of the operation's valid body, alone replaced by an over-long, NUL-bearing,
    near-zero, blank, huge or otherwise odd value, in JSON and as a form: never a server error,
    and every answer as the schema declares."""
    method, path = operation.split(" ", 1)
    api_operation = schema[path][method]
    user = world["users"][WRITERS[operation]]
    headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
    seed = world["seeds"][operation]
    parameters = _path_parameters(operation, world["ids"])
    with _NoConnectionRecycling(), transaction.atomic():
        valid = api_operation.Case(path_parameters=parameters, body=seed, media_type="application/json")
        response = valid.call(headers=headers)
        transaction.set_rollback(True)
    # Spoiling a field says something only if the body was accepted as it was.
    assert 200 <= response.status_code < 300, (
        f"the valid body is refused: {response.status_code} {response.text}"
    )
    failures = []
    for field in sorted(seed):
        for value in _values_for(seed[field]):
            for media_type in SWEEP_MEDIA_TYPES:
                if media_type != "application/json" and (isinstance(value, list) and len(value) > 100):
                    continue  # a form of 30,000 fields is refused whole (DATA_UPLOAD_MAX_NUMBER_FIELDS)
                body = {**seed, field: value}
                case = api_operation.Case(
                    path_parameters=parameters,
                    body=body,
                    media_type=media_type,
                )
                cache.clear()
                CASES_RUN["fields"] += 1
                recording = SERVER_ERRORS.recording(f"fields {method} {path}", case)
                try:
                    with _NoConnectionRecycling(), recording, transaction.atomic():
                        case.call_and_validate(headers=headers, checks=CHECKS)
                        transaction.set_rollback(True)
                except (Exception, BaseExceptionGroup) as error:  # each failing input is reported
                    failures.append(
                        f"{field}={str(value)[:30]!r} ({media_type}): {str(error).splitlines()[0]}"
                    )
    assert not failures, f"{len(failures)} failing inputs:\n" + "\n".join(failures)
