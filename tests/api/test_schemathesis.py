"""Schemathesis against /api/v1/schema/, as anonymous and as each role (token auth).

Every operation in the schema is called with generated input, valid and invalid, on a
database with a producer and their products, buyers, counsellors with desks, a brief and
matches in several statuses. Three properties hold for every call: no server error, the
status code is one the schema declares for the operation (portal/api/schema.py adds the
conventional errors), and the response conforms to what the schema declares for it. Path ids (and the ids a
body or a filter names) are drawn mostly from the objects that exist, so the calls reach
the views' logic rather than stopping at 404s.

Each case runs in a savepoint rolled back afterwards, so every case sees the same data.
`tests/api/conftest.py` prints how many cases ran per role at the end of the session.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test.utils import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from counsellors import briefs
from matchmaking.models import MatchSource, MatchStatus
from tests.factories import UserFactory, hs_sector
from tests.matchmaking.conftest import make_buyer, make_producer
from tests.matchmaking.lifecycle_support import make_counsellor, make_match

from .conftest import CASES_RUN

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "producer", "buyer", "counsellor", "staff"]
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
MAX_EXAMPLES = 25


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
        return schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


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
    buyer = make_buyer(("841810",), country="IQ")
    other_buyer = make_buyer(("940360",), country="DE")
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
    products = list(producer.products.values_list("pk", flat=True)) + list(
        other_producer.products.values_list("pk", flat=True)
    )
    ids = {
        "producers": [producer.pk, other_producer.pk],
        "products": products,
        "buyers": [buyer.pk, other_buyer.pk],
        "matches": [match.pk for match in matches],
        "counsellors": [desk.counsellor_profile.pk, outsider.counsellor_profile.pk],
        "briefs": [brief.pk],
        "sectors": ["841810", "8418", "84", "XVI"],
        "users": [user.pk for user in users.values() if user is not None],
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


def _existing_or(data, known: list, generated):
    return data.draw(st.one_of(st.sampled_from(known), st.just(generated)))


def _aim_at_existing_objects(case, data, ids: dict) -> None:
    if case.path_parameters:
        kind = case.path.split("/")[3]
        for name, value in case.path_parameters.items():
            if kind in ids:
                case.path_parameters[name] = _existing_or(data, ids[kind], value)
    for container in (case.query, case.body if isinstance(case.body, dict) else None):
        if not container:
            continue
        for name, value in container.items():
            if name in REFERENCES and isinstance(value, int):
                container[name] = _existing_or(data, ids[REFERENCES[name]], value)


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


@pytest.mark.usefixtures("role")
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@schema.parametrize()
@schema.given(data=st.data())
def test_api_conforms_to_its_schema(case, data, role, world):
    user = world["users"][role]
    headers = {}
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        headers["Authorization"] = f"Token {token.key}"
    _aim_at_existing_objects(case, data, world["ids"])
    # Throttling is tested elsewhere; here every case is answered on its merits.
    cache.clear()
    CASES_RUN[role] += 1
    with _NoConnectionRecycling(), transaction.atomic():
        case.call_and_validate(headers=headers, checks=CHECKS)
        transaction.set_rollback(True)
