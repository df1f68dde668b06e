"""Every /api/v1 JSON answer a test receives must match the published OpenAPI (docs/api.md:
"How the API is described"): the schema of its operation and status.

``check_api_responses`` is an autouse fixture; a conftest imports it to turn it on for a test
directory. It listens to Flask's ``request_finished`` signal, so it sees every answer of the
test client, and fails the test at teardown with the list of mismatches.
"""

from __future__ import annotations

import re

import pytest
from flask import request, request_finished
from jsonschema import Draft7Validator

PREFIX = "/api/v1"
_CACHE: dict = {}


def _to_json_schema(node):
    """OpenAPI 3.0 schema → JSON Schema: ``nullable: true`` becomes ``anyOf [X, null]``."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _to_json_schema(value) for key, value in node.items()}
    if out.pop("nullable", False):
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _operations(app) -> tuple[list, dict]:
    key = id(app)
    if key not in _CACHE:
        spec = app.test_client().get(PREFIX + "/openapi.json").get_json()
        components = _to_json_schema(spec.get("components", {}).get("schemas", {}))
        routes = []
        for path, operations in spec["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)) + "$")
            routes.append((pattern, operations))
        _CACHE[key] = (routes, {"components": {"schemas": components}})
    return _CACHE[key]


def _operation(app, method: str, path: str) -> dict | None:
    routes, _root = _operations(app)
    for pattern, operations in routes:
        if pattern.match(path[len(PREFIX) :]) and method.lower() in operations:
            return operations[method.lower()]
    return None


def _mismatches(app, name: str, schema: dict, body) -> list[str]:
    _routes, root = _operations(app)
    validator = Draft7Validator({**_to_json_schema(schema), **root})
    return [
        f"{name}: {'/'.join(map(str, e.absolute_path)) or 'body'}: {e.message[:300]}"
        for e in validator.iter_errors(body)
    ]


def request_problems_of(app, method: str, path: str, body) -> list[str]:
    """What is wrong with a JSON body the API accepted, against its documented body."""
    op = _operation(app, method, path)
    content = (op or {}).get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return []
    return _mismatches(app, f"{method} {path} (accepted request body)", schema, body)


def problems_of(app, method: str, path: str, status: int, body) -> list[str]:
    """What is wrong with this answer against the OpenAPI (empty: it matches)."""
    name = f"{method} {path} → {status}"
    op = _operation(app, method, path)
    if op is None:
        return [f"{name}: no operation in the OpenAPI"]
    responses = op["responses"]
    answer = responses.get(str(status)) or responses.get("default")
    if answer is None:
        return [f"{name}: status not documented"]
    schema = answer.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return [f"{name}: documented without a JSON body"]
    return _mismatches(app, name, schema, body)


# Answers the checker does not judge: not made by an operation (405 for a method a path does
# not answer, 429 from the rate limiter, 401 before routing) are documented by the
# description as a whole, not per operation.
_SKIP_STATUSES = {405, 429}


@pytest.fixture(autouse=True)
def check_api_responses(app):
    found: list[str] = []

    def seen(sender, response, **_extra):
        path = request.path
        if not path.startswith(PREFIX + "/") or path == PREFIX + "/openapi.json":
            return
        if response.status_code in _SKIP_STATUSES or request.url_rule is None:
            return
        if response.mimetype != "application/json":
            return
        body = response.get_json(silent=True)
        found.extend(problems_of(sender, request.method, path, response.status_code, body))
        if response.status_code < 300 and request.is_json:
            sent = request.get_json(silent=True)
            found.extend(request_problems_of(sender, request.method, path, sent))

    request_finished.connect(seen, app)
    try:
        yield
    finally:
        request_finished.disconnect(seen, app)
    assert not found, "API answers that do not match the OpenAPI:\n" + "\n".join(
        dict.fromkeys(found)
    )
