"""No answer tells an id outside the caller's sight from an id that names nothing (issue 12).

Every page and endpoint that takes an id (in the path, a form or a body, alone or in a list)
is asked twice by the same caller: once with the id of an object that exists but is out of
their scope, once with an id that names nothing. The two answers must be the same: status,
redirect, messages and body, once each id is replaced by a placeholder. A different
message or status would be an oracle over other companies' objects (the bulk review once
named the companies and status of any match id it was given)."""

from __future__ import annotations

import difflib
import json
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from matchmaking.models import Match, MatchEvent
from tests.access.world import build_world

pytestmark = pytest.mark.django_db

NOWHERE = 987654321  # an id no object has


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)  # the world's files
    return build_world()


def _scrub(text: str, ident: int) -> str:
    # The id where an answer may name it (a path, an attribute, a JSON value or a message).
    # (Not the page's viewport scale, which is 1 like the id of the first object.)
    text = re.sub(rf'(?<!initial-scale=)(?<=[/="\[: ]){ident}(?=[/"\\\]&,}}.\s]|$)', "<id>", text)
    # Per-request noise: CSRF tokens and nonces.
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "", text)
    return re.sub(r'nonce="[^"]+"', "", text)


def _answer(client, method: str, url: str, data, *, api: bool, ident: int, headers=None) -> tuple:
    headers = headers or {}
    if api:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.generic(method, url, json.dumps(data or {}), content_type="application/json")
    elif method == "GET":
        response = client.get(url, **headers)
    else:
        response = client.post(url, data or {}, follow=True, **headers)
    body = response.content.decode()
    chain = [(_scrub(u, ident), code) for u, code in getattr(response, "redirect_chain", [])]
    return response.status_code, chain, _scrub(body, ident)


# (name, role, surface, method, url template, body template, the out-of-scope object)
# `{id}` in the url or body is replaced by the id under test.
CASES = [
    # --- Pages
    ("bulk forward", "counsellor_out", "page", "POST", "/counsellor/queue/bulk/",
     {"bulk_action": "forward", "match": ["{id}"], "note": ""}, "matches.proposed"),
    ("bulk reject", "counsellor_out", "page", "POST", "/counsellor/queue/bulk/",
     {"bulk_action": "reject", "match": ["{id}"], "reason": "Wrong product"}, "matches.fwd_other"),
    ("match page", "producer", "page", "GET", "/matches/{id}/", None, "matches.proposed"),
    ("page forward", "counsellor_out", "page", "POST", "/matches/{id}/forward/", {"note": ""}, "matches.proposed"),
    ("page reject", "counsellor_out", "page", "POST", "/matches/{id}/reject/", {"reason": "No"}, "matches.proposed"),
    ("page respond", "buyer", "page", "POST", "/matches/{id}/respond/", {"decision": "accept"}, "matches.fwd_other"),
    ("page outcome", "counsellor_out", "page", "POST", "/matches/{id}/outcome/", {"outcome": "won"}, "matches.conn_own"),
    ("page reassign", "counsellor_out", "page", "POST", "/matches/{id}/reassign/", {"counsellor": "1"}, "matches.proposed"),
    ("page request (product)", "buyer", "page", "POST", "/introductions/request/",
     {"product": "{id}", "next": "/catalogue/"}, "products.other_unlisted"),
    ("product page", "buyer", "page", "GET", "/catalogue/products/{id}/", None, "products.other_unlisted"),
    ("edit a product", "producer", "page", "GET", "/my/products/{id}/edit/", None, "products.other"),
    ("brief page", "producer", "page", "GET", "/counsellor/briefs/{id}/edit/", None, "briefs.other"),
    # --- API
    ("api match", "producer", "api", "GET", "/api/v1/matches/{id}/", None, "matches.proposed"),
    ("api forward", "counsellor_out", "api", "POST", "/api/v1/matches/{id}/forward/", {"note": ""}, "matches.proposed"),
    ("api reject", "counsellor_out", "api", "POST", "/api/v1/matches/{id}/reject/", {"reason": "No"}, "matches.proposed"),
    ("api respond", "buyer", "api", "POST", "/api/v1/matches/{id}/respond/", {"decision": "accept"}, "matches.fwd_other"),
    ("api outcome", "counsellor_out", "api", "POST", "/api/v1/matches/{id}/outcome/", {"outcome": "won"}, "matches.conn_own"),
    ("api reassign", "counsellor_out", "api", "POST", "/api/v1/matches/{id}/reassign/", {"counsellor": 1}, "matches.proposed"),
    ("api buyer", "producer", "api", "GET", "/api/v1/buyers/{id}/", None, "buyers.other"),
    ("api buyer patch", "counsellor_out", "api", "PATCH", "/api/v1/buyers/{id}/", {"city": "X"}, "buyers.other"),
    ("api product patch", "buyer", "api", "PATCH", "/api/v1/products/{id}/", {"name": "X"}, "products.other_unlisted"),
    ("api introduction (product)", "buyer", "api", "POST", "/api/v1/introductions/",
     {"product": "{id}"}, "products.other_unlisted"),
    ("api producer owner", "new_producer", "api", "POST", "/api/v1/producers/",
     {"name": "Fresh", "owner": "{id}"}, "users.producer"),
    ("api producer owner (patch)", "producer", "api", "PATCH", "/api/v1/producers/me/",
     {"owner": "{id}"}, "users.buyer"),
    ("api buyer owner", "new_buyer", "api", "POST", "/api/v1/buyers/",
     {"company_name": "Fresh", "country": "IQ", "owner": "{id}"}, "users.buyer"),
    ("api reassign to a non-counsellor", "counsellor", "api", "POST", "/api/v1/matches/{m}/reassign/",
     {"counsellor": "{id}"}, "users.producer"),
    ("api matches filtered by a buyer", "producer", "api", "GET", "/api/v1/matches/?buyer={id}", None, "buyers.turkey"),
    # --- Buying requests, quotes, the conversation (issue 16)
    ("request page", "producer", "page", "GET", "/requests/{id}/", None, "requests.own_pending"),
    ("page approve a request", "counsellor_out", "page", "POST", "/requests/{id}/approve/", {"note": ""},
     "requests.own_pending"),
    ("page interest", "producer", "page", "GET", "/requests/{id}/interest/", None, "requests.own_pending"),
    ("page compare quotes", "producer", "page", "GET", "/requests/{id}/quotes/", None, "requests.own"),
    ("page quote accept", "counsellor_out", "page", "POST", "/quotes/{id}/accept/", {"note": ""}, "quotes.open"),
    ("conversation page", "counsellor_out", "page", "GET", "/matches/{id}/conversation/", None, "matches.req_fwd"),
    ("api request", "counsellor_out", "api", "GET", "/api/v1/requests/{id}/", None, "requests.own"),
    ("api approve a request", "counsellor_out", "api", "POST", "/api/v1/requests/{id}/approve/", {"note": ""},
     "requests.own_pending"),
    ("api interest", "producer", "api", "POST", "/api/v1/requests/{id}/interest/", {"message": "Hi"},
     "requests.own_pending"),
    ("api quotes of a match", "counsellor_out", "api", "GET", "/api/v1/matches/{id}/quotes/", None, "matches.req_fwd"),
    ("api quote accept", "counsellor_out", "api", "POST", "/api/v1/quotes/{id}/accept/", {"note": ""}, "quotes.open"),
    ("api messages", "counsellor_out", "api", "GET", "/api/v1/matches/{id}/messages/", None, "matches.req_fwd"),
]  # fmt: skip


def _target(world, ref: str):
    kind, key = ref.split(".", 1)
    if kind == "users":
        return world.users[key]
    return world.object(ref)


def _fill(template, ident: int, world):
    if template is None:
        return None
    text = json.dumps(template).replace("{id}", str(ident))
    text = text.replace("{m}", str(world.matches["proposed"].pk))
    data = json.loads(text)
    # JSON bodies name ids as numbers.
    return {k: (int(v) if isinstance(v, str) and v.isdigit() else v) for k, v in data.items()}


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_an_id_out_of_scope_answers_like_an_id_of_nothing(case, world):
    name, role, surface, method, url, body, ref = case
    target = _target(world, ref)
    api = surface == "api"
    user = world.users[role]
    snapshot = _state(world)

    answers = []
    for ident in (target.pk, NOWHERE):
        client = APIClient() if api else Client()
        client.force_login(user)
        client.cookies["django_language"] = "en"
        answers.append(
            _answer(
                client,
                method,
                url.replace("{id}", str(ident)).replace("{m}", str(world.matches["proposed"].pk)),
                _fill(body, ident, world),
                api=api,
                ident=ident,
            )
        )
    out_of_scope, nothing = answers
    if out_of_scope != nothing:
        diff = difflib.unified_diff(out_of_scope[2].splitlines(), nothing[2].splitlines(), lineterm="")
        print("\n".join(list(diff)[:40]))
    assert out_of_scope == nothing, f"{name}: {out_of_scope[:2]} vs {nothing[:2]}"
    assert out_of_scope[0] != 500
    assert _state(world) == snapshot, "a refused request changed something"


def _state(world):
    return (
        sorted(Match.objects.values_list("pk", "status", "counsellor_id", "source")),
        MatchEvent.objects.count(),
        sorted(User.objects.values_list("pk", "email")),
    )


def test_the_bulk_review_names_no_skipped_match(client, world):
    """The report counts: the companies and status of a match out of scope never appear."""
    client.force_login(world.users["counsellor_out"])
    client.cookies["django_language"] = "en"
    proposed = world.matches["proposed"]
    response = client.post(
        "/counsellor/queue/bulk/",
        {"bulk_action": "forward", "match": [str(proposed.pk), str(world.matches["pool"].pk)], "note": ""},
        follow=True,
    )
    html = response.content.decode()
    assert "1 forwarded, 1 skipped" in html
    for name in (proposed.producer.name, proposed.buyer.company_name):
        assert name not in html
    assert Match.objects.get(pk=proposed.pk).status == "proposed"
