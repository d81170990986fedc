"""Schemathesis against /api/v1/schema/, as anonymous and as each role (token auth).

Every operation in the schema is called with generated input, valid and invalid, on a
database with a producer and their products, buyers, counsellors with desks, a brief and
matches in several statuses, with DEBUG off (pytest-django's default). Every call must hold:
no server error, a status code the schema declares for the operation (portal/api/schema.py
adds the conventional errors), a response body, content type and headers as the schema
declares them.

The input space is wider than what the schema admits, on purpose (API.md: "never a 500 for
anything a client sends"): Schemathesis generates valid and invalid data in every media type
an operation accepts (JSON, form, multipart) with any Unicode, NUL bytes included; on top of
that, `_hostile` replaces path ids with existing ones or with ids of every shape (negative,
huge, text, NUL-bearing, 100,000 characters), strings in queries and bodies with long,
NUL-bearing, control-character and near-zero numeric values, lists with huge ones, a JSON body
with a deeply nested one, and a token with a malformed one. Ids that a body or a filter names
are drawn from the objects that exist too, so the calls also reach the views' logic.

Two tests:
- `test_api_conforms_to_its_schema`: each operation × role, `EB_FUZZ_EXAMPLES` cases each.
- `test_api_sequences_conform_to_its_schema`: per role, `EB_FUZZ_SCENARIOS` sequences of up to
  `EB_FUZZ_STEPS` calls along the schema's OpenAPI links (create a product, then read, change
  and delete it; list matches, then forward, reject, respond to one...), so a call sees what
  the earlier ones wrote.

Sizes (see README, "Tests"): on PostgreSQL by default 40 examples and 30 scenarios per role;
on SQLite a lighter run (8 and 5): the run that must find the server errors is PostgreSQL's,
which refuses what SQLite stores (over-long strings, NUL bytes). The items are independent, so
`-n auto` (pytest-xdist) shares them between processes.

Each case (each scenario) runs in a savepoint rolled back afterwards, so every case sees the
same data. `tests/api/conftest.py` prints how many cases ran per role, and every server error
with its traceback, at the end of the session.
"""

import os
from urllib.parse import quote

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.cache import cache
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
from matchmaking.models import MatchSource, MatchStatus
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


EXAMPLES = _size("EB_FUZZ_EXAMPLES", postgres=40, sqlite=8)
SCENARIOS = _size("EB_FUZZ_SCENARIOS", postgres=30, sqlite=5)
STEPS = _size("EB_FUZZ_STEPS", postgres=8, sqlite=5)


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
def world():
    """Realistic data, and the ids a generated case may name, per kind of object."""
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
        "sectors": ["841810", "8418", "84", "XVI"],
        "users": [user.pk for user in [*users.values(), *spare] if user is not None],
    }
    return {"users": users, "ids": ids}


# Fields and filters naming another object, and the kind of object they name.
REFERENCES = {
    "producer": "producers",
    "product": "products",
    "buyer": "buyers",
    "owner": "users",
    "user": "users",
    "counsellor": "users",
    "author": "users",
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
# A header as a WSGI server hands it over: the bytes sent, read as Latin-1 (PEP 3333).
HOSTILE_TOKEN = st.one_of(
    HOSTILE_TEXT.map(lambda text: f"Token {text}".encode().decode("latin-1")),
    st.sampled_from(["Token", "Token a b", "Bearer x", "token 0", "Basic Og=="]),
)
_DEEP = 100_000


def _deep_json() -> bytes:
    return b"[" * _DEEP + b"]" * _DEEP


def _existing_or(data, known: list, generated):
    return data.draw(st.one_of(st.sampled_from(known), st.just(generated), HOSTILE_ID))


def _maybe_hostile(data, value):
    if isinstance(value, str):
        return data.draw(st.one_of(st.just(value), HOSTILE_TEXT))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return data.draw(st.one_of(st.just(value), _odd_text))
    if isinstance(value, list):
        huge = st.sampled_from([5_000, 30_000]).map(lambda n: [f"{i % 9000 + 1000}" for i in range(n)])
        return data.draw(st.one_of(st.just(value), huge))
    return value


def _hostile(case, data, ids: dict) -> None:
    """Widen a generated case: existing and malformed ids, hostile strings, lists and bodies."""
    if case.path_parameters:
        kind = case.path.split("/")[3]
        for name, value in case.path_parameters.items():
            known = ids.get(kind) or [value]
            case.path_parameters[name] = _existing_or(data, known, value)
    for container in (case.query, case.body if isinstance(case.body, dict) else None):
        if not container:
            continue
        for name, value in container.items():
            if name in REFERENCES and isinstance(value, int):
                container[name] = _existing_or(data, ids[REFERENCES[name]], value)
            elif data.draw(st.integers(0, 3)) == 0:
                container[name] = _maybe_hostile(data, value)
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
    _hostile(case, data, world["ids"])
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
