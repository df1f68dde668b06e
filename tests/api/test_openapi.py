"""The OpenAPI description always matches the endpoints (docs/api.md: Conventions).

A route added under /api/v1 without a matching entry in corrections/api/openapi.py,
or a documented path without a route, fails here.
"""

from __future__ import annotations

import re

PREFIX = "/api/v1"
METHODS = {"get", "post", "put", "patch", "delete"}


def _route_operations(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(PREFIX) :])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    return found


def _spec_operations(spec: dict) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, operations in spec["paths"].items()
        for method in operations
        if method in METHODS
    }


def test_openapi_is_served_without_a_token(client):
    response = client.get(PREFIX + "/openapi.json")
    assert response.status_code == 200
    assert response.is_json
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["servers"] == [{"url": PREFIX}]
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


def test_every_route_is_documented_and_every_documented_path_has_a_route(app, client):
    spec = client.get(PREFIX + "/openapi.json").get_json()
    routes = _route_operations(app)
    documented = _spec_operations(spec)
    assert routes, "no API routes found"
    undocumented = routes - documented
    assert not undocumented, f"routes missing from openapi.py: {sorted(undocumented)}"
    phantom = documented - routes
    assert not phantom, f"documented in openapi.py but no route: {sorted(phantom)}"


def test_foundation_endpoints_are_there(client):
    spec = client.get(PREFIX + "/openapi.json").get_json()
    ops = _spec_operations(spec)
    for op in [
        ("/stations", "get"),
        ("/stations", "post"),
        ("/people", "get"),
        ("/people", "post"),
        ("/people/{person_id}", "get"),
        ("/people/{person_id}", "patch"),
        ("/openapi.json", "get"),
    ]:
        assert op in ops


def test_path_parameters_are_declared(client):
    spec = client.get(PREFIX + "/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, op in operations.items():
            if method not in METHODS:
                continue
            declared = {
                p["name"]
                for p in op.get("parameters", []) + operations.get("parameters", [])
                if p.get("in") == "path"
            }
            assert declared == names, (path, method)


def test_every_operation_documents_responses_and_refs_resolve(client):
    spec = client.get(PREFIX + "/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if method not in METHODS:
                continue
            assert op.get("responses"), (path, method)
            assert any(code.startswith("2") for code in op["responses"]), (path, method)
            if op.get("security") != []:
                assert "401" in op["responses"], (path, method)
            if method == "post" and "{" not in path and path != "/openapi.json":
                assert "201" in op["responses"] or "200" in op["responses"], (path, method)

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref is not None:
                assert ref.startswith("#/components/schemas/"), ref
                assert ref.rsplit("/", 1)[1] in schemas, ref
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)


def test_documented_error_shape_matches_the_api(county, client):
    spec = client.get(PREFIX + "/openapi.json").get_json()
    error_props = spec["components"]["schemas"]["Error"]["properties"]["error"]
    assert set(error_props["required"]) == {"code", "message"}
    body = client.get(PREFIX + "/people").get_json()
    assert set(body["error"]) <= set(error_props["properties"])


# --------------------------------------------------------------------------- generated description
# (docs/api.md: How the API is described)


def test_the_description_is_valid_openapi_3_0(client):
    from openapi_spec_validator import validate

    spec = client.get(PREFIX + "/openapi.json").get_json()
    assert spec["openapi"] == "3.0.3"
    validate(spec)


def test_nothing_in_the_description_is_written_by_hand():
    """Records are pydantic models and routes carry @operation: no module of the API holds an
    OpenAPI dict (only the generator names the few keys of the document itself)."""
    from pathlib import Path

    import corrections.api

    root = Path(corrections.api.__file__).parent
    generator = {root / "openapi.py", root / "schema.py"}
    markers = ('"properties"', '"$ref"', '"requestBody"', '"responses"', '"type": "')
    for source in sorted(root.rglob("*.py")):
        if source in generator:
            continue
        text = source.read_text(encoding="utf-8")
        assert not [m for m in markers if m in text], source.name


def test_the_answer_check_sees_a_mismatch(app, client):
    """tests/openapi_check.py (on for tests/api and tests/security) refuses an answer that
    does not match its operation's schema, and passes one that does."""
    from tests.openapi_check import problems_of, request_problems_of

    station = {"id": 1, "version": 1, "code": "S1", "name": "城关", "unit": "县局", "active": True}
    page = {"items": [station], "page": 1, "per_page": 50, "total": 1}
    assert problems_of(app, "GET", PREFIX + "/stations", 200, page) == []
    wrong = {**page, "items": [{**station, "active": "yes"}]}
    assert problems_of(app, "GET", PREFIX + "/stations", 200, wrong)
    missing = {**page, "items": [{k: v for k, v in station.items() if k != "code"}]}
    assert problems_of(app, "GET", PREFIX + "/stations", 200, missing)
    assert problems_of(app, "GET", PREFIX + "/stations", 418, page)
    error = {"error": {"code": "not_found", "message": "x"}}
    assert problems_of(app, "GET", PREFIX + "/corrections/1", 404, error) == []
    assert problems_of(app, "GET", PREFIX + "/corrections/1", 404, {"error": {"code": 1}})
    assert request_problems_of(app, "POST", PREFIX + "/stations", {"code": "S9", "name": "x"}) == []
    assert request_problems_of(app, "POST", PREFIX + "/stations", {"code": 9, "name": "x"})
