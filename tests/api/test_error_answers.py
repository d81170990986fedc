"""What Django answers before a DRF view does (no route, too many fields, a server error) is
JSON under /api/, with the status the schema declares, and the HTML pages elsewhere."""

import json

import pytest
from django.test import RequestFactory

from portal.api import errors

pytestmark = pytest.mark.django_db

TOO_MANY = "&".join(f"f{i}=1" for i in range(1_100))  # over DATA_UPLOAD_MAX_NUMBER_FIELDS


def _is_json_error(response, status: int) -> bool:
    return (
        response.status_code == status
        and response["Content-Type"] == "application/json"
        and isinstance(json.loads(response.content).get("detail"), str)
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing-here/",
        "/api/v1/products/1%2F/",  # a slash in an id: no route matches
        "/api/v1/matches/1%2F2/forward/",
    ],
)
def test_an_api_path_no_route_matches_answers_a_json_404(client, path):
    assert _is_json_error(client.get(path), 404)


@pytest.mark.parametrize("path", ["/api/v1/products/", "/api/v1/sectors/", "/api/v1/producers/"])
def test_too_many_query_fields_answer_a_json_400(client, path):
    assert _is_json_error(client.get(f"{path}?{TOO_MANY}"), 400)


def test_too_many_form_fields_answer_a_json_400(client, make_user):
    client.force_login(make_user("staff"))
    response = client.post(
        "/api/v1/producers/", data=TOO_MANY, content_type="application/x-www-form-urlencoded"
    )
    assert _is_json_error(response, 400)


@pytest.mark.parametrize(
    ("handler", "status"),
    [(errors.bad_request, 400), (errors.permission_denied, 403), (errors.page_not_found, 404)],
)
def test_each_handler_answers_json_under_api_and_a_page_elsewhere(handler, status):
    api = handler(RequestFactory().get("/api/v1/products/"), Exception("x"))
    assert _is_json_error(api, status)
    page = handler(RequestFactory().get("/catalogue/"), Exception("x"))
    assert page.status_code == status
    assert page["Content-Type"].startswith("text/html")


def test_a_server_error_answers_json_under_api_and_a_page_elsewhere():
    api = errors.server_error(RequestFactory().get("/api/v1/products/"))
    assert _is_json_error(api, 500)
    page = errors.server_error(RequestFactory().get("/catalogue/"))
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")


def test_a_page_path_no_route_matches_keeps_the_html_404(client):
    response = client.get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- A body the API does not parse (found by the fuzzing: a multipart body that lost its type) ---


@pytest.mark.parametrize("content_type", ["", "text/plain", "application/xml"])
def test_a_body_in_a_media_type_the_api_does_not_parse_answers_a_json_415(client, content_type):
    response = client.post("/api/v1/auth/token/", data=b"email=a", content_type=content_type)
    assert _is_json_error(response, 415)


def test_every_operation_taking_a_body_declares_the_415_it_may_answer():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    with_body = [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]
    assert with_body
    for path, method, operation in with_body:
        assert "415" in operation["responses"], (method, path)
