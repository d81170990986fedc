"""Nothing a client sends gives a 500, and a refused write leaves nothing behind.

Every API operation (read from the OpenAPI schema the API serves, so a new endpoint is in
here the day it is added) and every page route (read from the URL resolver) is sent hostile
input, with DEBUG off and server errors answered as in production (`raise_request_exception`
off): strings of 100,000 characters, NUL bytes, bidi and C0/C1 controls and line breaks,
quantities that round to zero, numbers beyond any column, Unicode digits, "false", "null",
lists of tens of thousands of items, JSON nested 10,000 deep; in JSON, form-encoded and
multipart bodies, in query parameters, in path ids and in headers and cookies.

For each operation the first role and object for which a plausible body succeeds is found;
that role then gets every hostile value in every body field (the other fields plausible, so
the value reaches the service and the database), and every role gets the hostile ids, query
values and headers. For each page, the forms it shows each role are posted back with each
field made hostile in turn.

Properties, per request: no 5xx; a malformed id (letters, a sign, a non-ASCII digit, a NUL)
is a 404; and a request that is refused (4xx) changes nothing in the database (row counts
and last-update stamps of every model of the portal, in one query). Each request runs in a
savepoint rolled back afterwards, on a world built once for the module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token

from tests.access.world import build_world

PORTAL_APPS = (
    "accounts",
    "catalogue",
    "sourcing",
    "matchmaking",
    "counsellors",
    "deals",
    "digests",
    "portal",
)
ROLES = ["anonymous", "producer", "buyer", "counsellor", "staff", "new_producer", "new_buyer"]

# --- The hostile values ---------------------------------------------------------------------

LONG = "x" * 100_000
# Just past a column (and within what a validator of the format takes: URLs to 2048, emails
# to 320 characters).
OVER_COLUMN = "https://example.com/" + "y" * 300
OVER_EMAIL = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".com"
NUL = "\x00pump"
CONTROLS = "a\u202eb\u2066c\r\nd\x07e\x85f\u200fg"
DEEP = json.loads("[" * 40 + "]" * 40)  # past the parser's depth limit, not past Python's
DEEP_TEXT = "[" * 10_000 + "]" * 10_000  # the raw body: past Python's recursion limit
# In a body, each in each field in turn (the others plausible). Strings go form-encoded (DRF
# hands the service the same string as from JSON); JSON carries what a form cannot.
JSON_VALUES = [NUL, "-1", None, True, 10**30, {"a": "b"}]
HUGE_LIST = ["84"] * 50_000  # in the fields that take a list
FORM_VALUES = [OVER_COLUMN, "", "false", CONTROLS, "0.001", "1e999999"]
MULTIPART_VALUES = [""]
# In a page's form: what its fields' max_length and the services must refuse or clean.
PAGE_FORM_VALUES = [OVER_COLUMN, CONTROLS, "0.001"]
# In the query string.
QUERY_VALUES = [LONG, CONTROLS, "-1", "1e999999", "٣"]
# Ids in a path: each must be a 404 (the huge one names nothing but matches the route).
MALFORMED_IDS = ["abc", "-1", "٣", "1%00", "1.0", "0x10"]
HUGE_ID = "99999999999999999999999"
HOSTILE_HEADERS = {
    "HTTP_AUTHORIZATION": ["Token abc\x00def", "Token " + "x" * 10_000, "Token a b", "Basic \x01"],
    "HTTP_ACCEPT_LANGUAGE": ["fa\x00", "x" * 10_000 + ";q=abc"],
    "HTTP_X_FORWARDED_FOR": ["not-an-address, 300.1.1.1", "1.1.1.1\x00"],
    "HTTP_COOKIE": [
        "sessionid=abcdefghij\x00kl",
        "sessionid=" + "x" * 5000 + "; csrftoken=\x85\x01; django_language=zz",
    ],
}

# Plausible values by field name: with them a body gets past the fields that are not under
# test. A field not named here gets "x" (a new endpoint is still fuzzed, perhaps shallower).
PLAUSIBLE = {
    "name": "Hostile Pump",
    "company_name": "Hostile Trading",
    "description": "Made in Tabriz.",
    "province": "East Azerbaijan",
    "city": "Tabriz",
    "website": "https://example.com",
    "email": "hostile.new@example.com",
    "phone": "+98 41 1234 5678",
    "contact_name": "Someone",
    "sectors": ["8418"],
    "sought_sectors": ["8418"],
    "target_markets": ["IQ"],
    "export_experience": ["TR"],
    "covered_countries": ["SY"],
    "certifications": ["ISO9001"],
    "required_certifications": ["CE"],
    "languages": ["fa"],
    "employees": 10,
    "founded": 1998,
    "open_to_any_market": False,
    "country": "IQ",
    "posted_country": "DE",
    "annual_demand": "1000",
    "demand_unit": "units",
    "typical_order": "100",
    "hs_code": "841810",
    "annual_capacity": "1000",
    "available_capacity": "500",
    "capacity_unit": "units",
    "moq": "10",
    "lead_time_days": 30,
    "price_min": "10",
    "price_max": "20",
    "currency": "USD",
    "incoterms": ["FOB"],
    "is_active": True,
    "title": "A brief",
    "body": "Some **news**.",
    "language": "en",
    "frequency": "weekly",
    "note": "A note.",
    "reason": "Not a fit.",
    "decision": "accept",
    "outcome": "won",
    "value": "1000",
    "message": "Hello.",
    "role": "producer",
    "full_name": "New Person",
    "password": "a-long-Passw0rd-here",
    "preferred_language": "en",
}


# --- The database's state: counts and stamps of every portal model -----------------------------


def _state_sql() -> str:
    parts = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in PORTAL_APPS and model._meta.app_label not in ("authtoken",):
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT count(*) FROM {table})")
        for name in ("updated_at",):
            if any(f.name == name for f in model._meta.concrete_fields):
                parts.append(f"(SELECT max({connection.ops.quote_name(name)}) FROM {table})")
    return "SELECT " + ", ".join(parts)


STATE_SQL = None


def db_state() -> tuple:
    global STATE_SQL
    STATE_SQL = STATE_SQL or _state_sql()
    with connection.cursor() as cursor:
        cursor.execute(STATE_SQL)
        return tuple(cursor.fetchone())


# --- Sending -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one test's requests found. Every request is rolled back, so the state before each
    is the state the test started with."""

    before: tuple = field(default_factory=db_state)
    failures: list = field(default_factory=list)

    def check(self, label: str, response, *, expect_404: bool = False) -> None:
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{label}: {status}")
        elif expect_404 and status != 404:
            self.failures.append(f"{label}: {status}, not 404")
        elif status >= 400 and db_state() != self.before:
            self.failures.append(f"{label}: {status} but the database changed")

    def assert_clean(self) -> None:
        assert not self.failures, f"{len(self.failures)} failures:\n" + "\n".join(self.failures[:40])


def send(
    world, outcome, label: str, role: str, method: str, path: str, *, expect_404=False, page=False, **kw
):
    """One request as `role`, in a savepoint rolled back afterwards (`outcome` None: unchecked)."""
    client = (world.page_clients if page else world.clients)[role]
    cache.clear()  # throttles and rate limits are tested elsewhere
    with transaction.atomic():
        response = client.generic(method, path, **kw)
        if outcome is not None:
            outcome.check(f"{role} {method} {path[:80]} {label}", response, expect_404=expect_404)
        transaction.set_rollback(True)
    return response


def _json(value) -> str:
    return json.dumps(value)


# --- The world ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("hostile-media")))  # the world's files
    with media, django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_world()
            world.clients = {}
            world.page_clients = {}
            for role in ROLES:
                api, page = Client(raise_request_exception=False), Client(raise_request_exception=False)
                user = world.users.get(role)
                if user is not None:
                    token, _created = Token.objects.get_or_create(user=user)
                    api.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
                    page.force_login(user)
                world.clients[role] = api
                world.page_clients[role] = page
            world.ids = {
                "products": [p.pk for p in world.products.values()],
                "producers": [p.pk for p in world.producers.values()],
                "buyers": [b.pk for b in world.buyers.values()],
                "matches": [m.pk for m in world.matches.values()],
                "counsellors": [d.pk for d in world.desks.values()],
                "briefs": [b.pk for b in world.briefs.values()],
                "sectors": ["841810", "84", "XVI"],
                "requests": [r.pk for r in world.requests.values()],
                "quotes": [q.pk for q in world.quotes.values()],
            }
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# --- The API, from its schema ------------------------------------------------------------------


@dataclass
class Operation:
    method: str
    path: str  # with {placeholders}
    query: list[str]
    body: dict  # property name -> schema
    required: list[str]

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].split("/")[-1]]
    return node


def api_operations() -> list[Operation]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            parameters = operation.get("parameters", [])
            body, required = {}, []
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                node = _resolve(schema, content["application/json"]["schema"])
                body = {name: _resolve(schema, prop) for name, prop in node.get("properties", {}).items()}
                required = node.get("required", [])
            operations.append(
                Operation(
                    method.upper(),
                    path,
                    [p["name"] for p in parameters if p["in"] == "query"],
                    body,
                    required,
                )
            )
    return operations


OPERATIONS = api_operations()


def _kind(path: str) -> str:
    return path.split("/")[3]


def _fill(path: str, value) -> str:
    return re.sub(r"\{[^}]+\}", str(value), path)


def _plausible_body(world, op: Operation) -> dict:
    body = {}
    references = {
        "user": world.others["desk_less"].pk,
        "counsellor": world.users["counsellor_out"].pk,
        "product": world.products["other"].pk,
        "producer": world.producers["other"].pk,
        "buyer": world.buyers["own"].pk,
    }
    for name in op.body:
        if name in ("owner", "verified") and name not in op.required:
            continue  # staff only: left out of the plausible body, fuzzed on its own
        if name in references:
            if name in op.required or op.path.endswith("/rematch/"):
                body[name] = references[name]
            continue
        if name == "email" and op.path.endswith("/auth/token/"):
            body[name] = "p1@access.example"
        elif name == "password" and op.path.endswith("/auth/token/"):
            from tests.factories import DEFAULT_PASSWORD

            body[name] = DEFAULT_PASSWORD
        else:
            body[name] = PLAUSIBLE.get(name, "x")
    if op.path.endswith("/rematch/"):
        body.pop("buyer", None)
    return body


def _authorised(world, op: Operation) -> tuple[str, str, dict]:
    """The first (role, path, body) whose plausible request the API accepts (2xx); failing
    that, the first that reaches the fields (400); failing that, staff's."""
    ids = world.ids.get(_kind(op.path), [None]) if "{" in op.path else [None]
    body = _plausible_body(world, op)
    fallback = None
    for role in ROLES:
        for pk in ids:
            path = _fill(op.path, pk)
            response = send(
                world,
                None,
                "plausible",
                role,
                op.method,
                path,
                data=_json(body),
                content_type="application/json",
            )
            if response.status_code < 300:
                return role, path, body
            if response.status_code == 400 and fallback is None:
                fallback = (role, path, body)
    return fallback or ("staff", _fill(op.path, ids[0]), body)


def _form_value(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.body], ids=lambda op: op.id)
def test_api_bodies(op: Operation, world, db):
    """Each hostile value in each body field, as JSON, form-encoded and multipart."""
    outcome = Outcome()
    role, path, base = _authorised(world, op)
    for name, schema in op.body.items():
        is_list = schema.get("type") == "array"
        extra = [HUGE_LIST] if is_list else [OVER_EMAIL] if "email" in name else []
        for value in [*JSON_VALUES, *extra]:
            send(world, outcome, f"json {name}={str(value)[:30]!r}", role, op.method, path,
                 data=_json({**base, name: value}), content_type="application/json")  # fmt: skip
        for value in FORM_VALUES:
            form = {**_as_form(base), name: [value] if is_list else value}
            send(world, outcome, f"form {name}={value[:30]!r}", role, op.method, path,
                 data=urlencode(form, doseq=True), content_type="application/x-www-form-urlencoded")  # fmt: skip
        for value in MULTIPART_VALUES:
            form = {**_as_form(base), name: [value] if is_list else value}
            send(world, outcome, f"multipart {name}={value[:30]!r}", role, op.method, path,
                 data=encode_multipart(BOUNDARY, form), content_type=MULTIPART_CONTENT)  # fmt: skip
    # The whole body hostile, as the authorised role and anonymously.
    for other in {role, "anonymous"}:
        raws = [DEEP_TEXT, '{"a": "\\ud800"}', _json(["a"] * 10), "{", _json(dict.fromkeys(op.body, LONG))]
        for raw in raws:
            send(
                world,
                outcome,
                f"raw {raw[:20]!r}",
                other,
                op.method,
                path,
                data=raw,
                content_type="application/json",
            )
    outcome.assert_clean()


def _as_form(body: dict) -> dict:
    return {key: value if isinstance(value, list) else _form_value(value) for key, value in body.items()}


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.id)
def test_api_ids_queries_and_headers(op: Operation, world, db):
    """Malformed ids are 404s; hostile query values and headers are refused, never a 500."""
    outcome = Outcome()
    ids = world.ids.get(_kind(op.path), [None]) if "{" in op.path else [None]
    body = _json(_plausible_body(world, op)) if op.body else None
    extra = {"data": body, "content_type": "application/json"} if body else {}
    path = _fill(op.path, ids[0])
    for role in ("anonymous", "staff"):
        if "{" in op.path:
            for bad in MALFORMED_IDS:
                send(
                    world,
                    outcome,
                    "malformed id",
                    role,
                    op.method,
                    _fill(op.path, bad),
                    expect_404=True,
                    **extra,
                )
            send(world, outcome, "huge id", role, op.method, _fill(op.path, HUGE_ID), **extra)
        for header, values in HOSTILE_HEADERS.items():
            for value in values:
                send(world, outcome, f"header {header}", role, op.method, path, **{header: value}, **extra)
    for role in ("anonymous", "staff") if op.method == "GET" else ():
        for name in [*op.query, "page"]:
            for value in QUERY_VALUES:
                send(
                    world, outcome, f"query {name}", role, op.method, f"{path}?{name}={quote(value)}", **extra
                )
    send(world, outcome, "query NUL", "staff", op.method, f"{path}?x=%00", **extra)
    outcome.assert_clean()


# --- The pages, from the URL resolver --------------------------------------------------------

PAGE_ROLES = ["anonymous", "producer", "buyer", "counsellor", "staff", "new_producer", "new_buyer"]
# Which objects an `<int:…>` of a route names, by the route's start.
PAGE_IDS = {
    "matches/": "matches",
    "my/products/": "products",
    "catalogue/products/": "products",
    "catalogue/producers/": "producers",
    "counsellor/briefs/": "briefs",
    "requests/": "requests",
    "quotes/": "quotes",
}
SLUGS = ["company", "products", "markets", "demand"]
# The query parameters the pages read (filters, search, paging, the HS picker, next).
QUERY_NAMES = ["q", "page", "search", "hs", "section", "status", "ordering", "min_level", "country", "next"]


def page_routes() -> list[str]:
    """Every page route (admin and API aside), as a route string with its converters."""
    routes = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                if route.startswith(("admin/", "api/")):
                    continue
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                routes.append(route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(routes))


PAGE_ROUTES = page_routes()
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def page_paths(world, route: str) -> list[str]:
    """Concrete paths of a route: each object it may name (or one stand-in value)."""
    params = _PARAM.findall(route)
    if not params:
        return ["/" + route]
    converter = params[0][0]
    if converter == "int":
        kind = next((kind for start, kind in PAGE_IDS.items() if route.startswith(start)), None)
        values = world.ids[kind] if kind else [1]
    elif converter == "slug":
        values = SLUGS
    else:
        values = ["x"]
    return ["/" + _PARAM.sub(str(value), route) for value in values]


class FormReader(HTMLParser):
    """Each <form method=post>: its action and the values it would post as rendered."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict]] = []
        self._form = None
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = (a.get("action", ""), {}) if a.get("method", "get").lower() == "post" else None
            if self._form:
                self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            return
        values = self._form[1]
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    values.setdefault(name, []).append(a.get("value", "on"))
                elif kind == "radio":
                    values.setdefault(name, [])
                    values.setdefault(f"{name}\x00first", [a.get("value", "")])
            elif kind not in ("submit", "button", "file"):
                values.setdefault(name, []).append(a.get("value", ""))
            elif kind == "submit" and a.get("value"):
                values.setdefault(name, [a["value"]])
        elif tag == "textarea":
            self._textarea = name
            values.setdefault(name, [""])
        elif tag == "select":
            self._select = name
            values.setdefault(name, [])
        elif tag == "option" and self._select:
            values.setdefault(f"{self._select}\x00first", [a.get("value", "")])
            if "selected" in a:
                values[self._select].append(a.get("value", ""))
        elif tag == "button" and a.get("value"):
            values.setdefault(name, [a["value"]])

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[1][self._textarea] = [data]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def post_forms(html: str, path: str) -> list[tuple[str, dict]]:
    reader = FormReader()
    reader.feed(html)
    forms = []
    for action, values in reader.forms:
        data = {}
        for name, value in values.items():
            if "\x00" in name:
                continue
            data[name] = value or values.get(f"{name}\x00first", [])
        forms.append((action or path, {k: v for k, v in data.items() if v}))
    return forms


@pytest.mark.parametrize("route", PAGE_ROUTES)
def test_pages(route: str, world, db):
    """Each page as each role with hostile query values and malformed ids; each form it shows
    posted back with each field hostile in turn."""
    outcome = Outcome()
    paths = page_paths(world, route)
    if "<int:" in route:
        for bad in [*MALFORMED_IDS, HUGE_ID]:
            path = "/" + _PARAM.sub(bad, route)
            send(world, outcome, "id", "staff", "GET", path, expect_404=bad != HUGE_ID, page=True)
    posted, queried = set(), False
    for role in PAGE_ROLES:
        for path in paths:
            page = send(world, None, "page", role, "GET", path, page=True)
            if role == "anonymous" or (page.status_code == 200 and not queried):
                # Hostile values in the query parameters pages read, as a visitor and as the
                # first role the page is shown to.
                queried = queried or role != "anonymous"
                for value in (LONG, NUL, CONTROLS, "-1"):
                    query = urlencode(dict.fromkeys(QUERY_NAMES, value))
                    send(world, outcome, f"query {value[:10]!r}", role, "GET", f"{path}?{query}", page=True)
            if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
                continue
            for action, base in post_forms(page.content.decode(), path):
                key = (action.split("?")[0], tuple(sorted(base)))
                if key in posted or not action.startswith("/") or action.startswith("/api/"):
                    continue
                posted.add(key)
                for name in [name for name in base if name != "csrfmiddlewaretoken"]:
                    for value in PAGE_FORM_VALUES:
                        data = {**base, name: [value]}
                        send(world, outcome, f"form {name}={value[:20]!r}", role, "POST", action, page=True,
                             data=urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")  # fmt: skip
    outcome.assert_clean()
