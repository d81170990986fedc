"""OpenAPI postprocessing: the error answers of docs/api.md's conventions, in the schema.

Every operation may answer 401 (a bad token), 403 (a role that may not), 429 (throttled),
503 (the database briefly unavailable, portal/outages.py);
one naming an object (`me` included), or listing a page of them, 404; one taking a body or filters, 400
with field errors; one taking a body, 413 (over REQUEST_MAX_BODY_BYTES, portal/request_guard.py) and
415 (a body in a media type the API does not parse: not JSON, a form or multipart; or none named). Views declare only their successes and the errors peculiar to them
(409 for a transition); this hook adds the rest, with a body schema, so clients and the
schemathesis run can rely on every status the API answers.
"""

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# `{"field": ["message", ...]}`; `non_field_errors` for the object as a whole. Nested
# serializers nest the same shape, so the values stay open.
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {},
    "description": 'Field errors: `{"field": ["message", ...]}`.',
}

DESCRIPTIONS = {
    "400": "Bad input: the errors per field.",
    "401": "Not signed in, or the token is not valid.",
    "403": "The caller's role may not do this.",
    "404": "No such object, or not visible to the caller (or no such page).",
    "409": "Not possible in the object's current state.",
    "413": "The request body is larger than the portal accepts.",
    "415": "The request body's media type is not JSON, a form or multipart.",
    "429": "Too many requests: try again after the time in Retry-After.",
    "503": "Briefly unavailable: try again after the time in Retry-After.",
}


def _json(ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


def _statuses(path: str, method: str, operation: dict) -> set[str]:
    statuses = {"401", "403", "429", "503"}
    parameters = operation.get("parameters", [])
    names_an_object = "{" in path or path.endswith("/me/")
    if names_an_object or any(p.get("name") == "page" for p in parameters):
        statuses.add("404")
    if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
        statuses.add("400")
    if "requestBody" in operation:
        statuses.update({"413", "415"})
    return statuses


def declare_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, method, operation) | {s for s in responses if s in DESCRIPTIONS}:
                response = responses.setdefault(status, {"description": DESCRIPTIONS[status]})
                response.setdefault("content", _json("FieldErrors" if status == "400" else "Error"))
    return result


# --- Links: how one answer leads to the next call ------------------------------------------

_REF = "#/components/schemas/"


def _component(response: dict) -> str | None:
    ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    return ref.removeprefix(_REF) if ref.startswith(_REF) else None


def _resources(paths: dict) -> dict[str, tuple[str, str]]:
    """Component name -> (the detail path naming one, its path parameter): a resource is what
    the GET of a path ending in `/{param}/` answers, and `param` is also its field."""
    resources = {}
    for path, operations in paths.items():
        if not path.endswith("}/") or "get" not in operations:
            continue
        component = _component(operations["get"].get("responses", {}).get("200", {}))
        if component:
            resources[component] = (path, path.rsplit("{", 1)[1].rstrip("}/"))
    return resources


def declare_links(result, generator, request, public):
    """OpenAPI links from every answer carrying a resource to the operations on that resource:
    a created product to its GET, PATCH and DELETE; a match (from the list's first result, an
    introduction or a transition) to its detail and every transition. Clients can follow them,
    and Schemathesis' stateful run chains calls along them (tests/api/test_schemathesis.py)."""
    paths = result.get("paths", {})
    resources = _resources(paths)
    for operations in paths.values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                component, pointer = _component(response), ""
                if component and component.startswith("Paginated") and component.endswith("List"):
                    component, pointer = (
                        component.removeprefix("Paginated").removesuffix("List"),
                        "/results/0",
                    )
                if component not in resources:
                    continue
                detail, param = resources[component]
                links = response.setdefault("links", {})
                for target_path, targets in paths.items():
                    if not target_path.startswith(detail):
                        continue
                    for target in targets.values():
                        if target["operationId"] != operation["operationId"]:
                            links[target["operationId"]] = {
                                "operationId": target["operationId"],
                                "parameters": {param: f"$response.body#{pointer}/{param}"},
                            }
    return result
