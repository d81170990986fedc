"""Every cell of the access matrix (`tests/access/matrix.py`) as one case: the role signs in,
makes the request, and the answer, the redirect, the objects a list shows and the probed state
after the request are what the cell says.

The world is built once for the module inside a transaction that is rolled back at the end;
each case runs in a savepoint of it (pytest-django's `db`), so a case's writes never reach the
next one.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from rest_framework.test import APIClient

from accounts import two_factor
from tests.factories import DEFAULT_PASSWORD, totp_code

from .matrix import API_ROWS, ROWS, Cell, cells
from .world import build_world

CELLS = cells()
# The figure the lead reports; a row added to or removed from the table changes it here too.
EXPECTED_CELLS = 1804

# How a page links to an object it shows.
PAGE_LINKS = {
    "matches": "/matches/{pk}/",
    "products": "/catalogue/products/{pk}/",
    "requests": "/requests/{pk}/",
}

# docs/api.md's Resources table: every path and method must have at least one row.
API_MD_ENDPOINTS = {
    ("/healthz", "GET"),
    ("/healthz/live", "GET"),
    ("/healthz/ready", "GET"),
    ("/api/v1/auth/token/", "POST"),
    ("/api/v1/auth/token/", "DELETE"),
    ("/api/v1/users/", "POST"),
    ("/api/v1/sectors/", "GET"),
    ("/api/v1/producers/", "GET"),
    ("/api/v1/producers/", "POST"),
    ("/api/v1/producers/{pk}/", "GET"),
    ("/api/v1/producers/{pk}/", "PATCH"),
    ("/api/v1/producers/{pk}/", "DELETE"),
    ("/api/v1/producers/me/", "GET"),
    ("/api/v1/producers/me/", "PATCH"),
    ("/api/v1/products/", "GET"),
    ("/api/v1/products/", "POST"),
    ("/api/v1/products/{pk}/", "GET"),
    ("/api/v1/products/{pk}/", "PATCH"),
    ("/api/v1/products/{pk}/", "DELETE"),
    ("/api/v1/buyers/", "GET"),
    ("/api/v1/buyers/", "POST"),
    ("/api/v1/buyers/{pk}/", "GET"),
    ("/api/v1/buyers/{pk}/", "PATCH"),
    ("/api/v1/buyers/me/", "GET"),
    ("/api/v1/buyers/me/", "PATCH"),
    ("/api/v1/counsellors/", "GET"),
    ("/api/v1/counsellors/", "POST"),
    ("/api/v1/matches/", "GET"),
    ("/api/v1/matches/{pk}/", "GET"),
    ("/api/v1/matches/{pk}/forward/", "POST"),
    ("/api/v1/matches/{pk}/reject/", "POST"),
    ("/api/v1/matches/{pk}/respond/", "POST"),
    ("/api/v1/matches/{pk}/outcome/", "POST"),
    ("/api/v1/matches/{pk}/outcome/confirm/", "POST"),
    ("/api/v1/matches/rematch/", "POST"),
    ("/api/v1/introductions/", "POST"),
    ("/api/v1/briefs/", "GET"),
    ("/api/v1/briefs/", "POST"),
    ("/api/v1/digests/preferences/", "GET"),
    ("/api/v1/digests/preferences/", "PUT"),
    # Buying requests, quotes and messages (issue 16)
    ("/api/v1/requests/", "GET"),
    ("/api/v1/requests/", "POST"),
    ("/api/v1/requests/{pk}/", "GET"),
    ("/api/v1/requests/{pk}/", "PATCH"),
    ("/api/v1/requests/{pk}/approve/", "POST"),
    ("/api/v1/requests/{pk}/interest/", "POST"),
    ("/api/v1/matches/{pk}/quotes/", "GET"),
    ("/api/v1/matches/{pk}/quotes/", "POST"),
    ("/api/v1/quotes/{pk}/accept/", "POST"),
    ("/api/v1/quotes/{pk}/decline/", "POST"),
    ("/api/v1/matches/{pk}/messages/", "GET"),
    ("/api/v1/matches/{pk}/messages/", "POST"),
    # Trust, media and companies (issue 17)
    ("/api/v1/verifications/", "GET"),
    ("/api/v1/verifications/", "POST"),
    ("/api/v1/verifications/{pk}/verify/", "POST"),
    ("/api/v1/verifications/{pk}/refuse/", "POST"),
    # Pictures (issue 17)
    ("/api/v1/products/{pk}/images/", "GET"),
    ("/api/v1/products/{pk}/images/", "POST"),
    ("/api/v1/products/{product}/images/{pk}/", "DELETE"),
    ("/api/v1/producers/{pk}/logo/", "PUT"),
    ("/api/v1/producers/{pk}/logo/", "DELETE"),
    # Company teams (issue 17)
    ("/api/v1/companies/{company}/members/", "GET"),
    ("/api/v1/companies/{company}/members/", "POST"),
    ("/api/v1/companies/{company}/members/{pk}/", "DELETE"),
    # Operations (issue 18)
    *(
        (f"/api/v1/exports/{name}.{file_format}", "GET")
        for name in ("matches", "producers", "buyers")
        for file_format in ("csv", "xlsx")
    ),
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world of `tests.access.world`, made once and rolled back after the module (its
    files in a folder of the module's own)."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("access-media")))
    with media, django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _client(cell: Cell, world):
    client = APIClient() if cell.row.surface == "api" else Client()
    if cell.role != "anonymous":
        client.force_login(world.users[cell.role])
    return client


def _payload(cell: Cell, world) -> dict | None:
    if cell.row.resource == "auth" and cell.row.method == "POST":  # the role's own credentials
        user = world.users[cell.role]
        credentials = {"email": user.email, "password": DEFAULT_PASSWORD}
        # Staff (enrolled by the factory) give their authenticator app's code too.
        return {**credentials, "code": totp_code()} if two_factor.is_enrolled(user) else credentials
    return cell.row.payload(world)


def _request(cell: Cell, world):
    client, row = _client(cell, world), cell.row
    url, body = row.url(world), _payload(cell, world)
    if row.surface == "api":
        if row.method == "GET":
            return client.get(url)
        if row.multipart:
            return getattr(client, row.method.lower())(url, body or {}, format="multipart")
        return client.generic(row.method, url, json.dumps(body or {}), content_type="application/json")
    if row.method == "GET":
        return client.get(url)
    return client.post(url, body or {})


def _objects(world, refs: set[str]) -> tuple[str, dict]:
    kind = next(iter(refs)).split(".")[0] if refs else "matches"
    return kind, {f"{kind}.{key}": obj for key, obj in getattr(world, kind).items()}


def _shown(cell: Cell, world, response) -> set[str]:
    """The world's objects (of the kind the row lists) that the response shows."""
    kind, objects = _objects(world, cell.row.lists[cell.role])
    if cell.row.surface == "api":
        ids = [item["id"] for item in response.json()["results"]]
        assert len(ids) == len(set(ids))
        shown = {ref for ref, obj in objects.items() if obj.pk in ids}
        assert len(shown) == len(ids), "the list shows objects outside the world"
        return shown
    html = response.content.decode()
    return {ref for ref, obj in objects.items() if PAGE_LINKS[kind].format(pk=obj.pk) in html}


def _revealed(cell: Cell, world, response) -> set[str]:
    """The shown objects whose `contact_field` (a company's email, a request's buyer) is not
    null: of a list, those listed; of one object, the row's target or nothing."""
    row, body = cell.row, response.json()
    if "results" not in body:
        return {row.target} if body[row.contact_field] is not None else set()
    _kind, objects = _objects(world, row.lists[cell.role])
    by_id = {item["id"]: item for item in body["results"]}
    return {
        ref
        for ref, obj in objects.items()
        if obj.pk in by_id and by_id[obj.pk][row.contact_field] is not None
    }


@pytest.mark.parametrize("cell", CELLS, ids=[cell.id for cell in CELLS])
def test_access(cell: Cell, world, db):
    row, outcome = cell.row, cell.outcome
    before = row.state(world) if row.state else None

    response = _request(cell, world)

    assert response.status_code == cell.expected_status(), (
        response.status_code,
        response.content[:300],
    )
    redirect = cell.expected_redirect()
    if redirect is not None:
        assert response["Location"].startswith(redirect), response["Location"]
    if row.lists and cell.role in row.lists:
        assert _shown(cell, world, response) == row.lists[cell.role]
    if row.contacts and cell.role in row.contacts:
        assert _revealed(cell, world, response) == row.contacts[cell.role]
    if row.state:
        after = row.state(world)
        if outcome.allowed and outcome.effect != "ignored":
            assert after != before, f"an allowed {row.method} changed nothing"
        else:
            assert after == before, f"a refused {row.method} changed {before} to {after}"


def test_the_table_covers_every_endpoint_of_the_contract():
    covered = {(row.path.split("?")[0], row.method) for row in API_ROWS}
    assert API_MD_ENDPOINTS - covered == set()


def test_the_cell_count_is_the_documented_one():
    assert len(CELLS) == EXPECTED_CELLS
    assert len({cell.id for cell in CELLS}) == len(CELLS), "two cells share an id"
    assert {row.surface for row in ROWS} == {"api", "page"}
