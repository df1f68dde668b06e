"""The OpenAPI 3 description, served at /api/v1/openapi.json, generated (docs/api.md: How the
API is described): each route is declared once with ``@operation`` (its path, method, summary,
body, query and answers), and its records are the models of ``corrections.schema``.

tests/api/test_openapi.py checks that every route is described; tests/openapi_check.py checks
every answer of the API tests against the description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from corrections.api import bp
from corrections.schema import (
    Binary,
    Error,
    PageOf,
    PageQuery,
    components,
    query_parameters,
    type_schema,
)

DESCRIPTION = (
    "JSON API v1. Dates are YYYY-MM-DD; station is the station code. "
    "Timestamps (fields ending in _at) are ISO 8601 in UTC with the zone written as Z, "
    "e.g. 2026-11-25T01:30:00Z. "
    "Integers (ids, page numbers, numbers in bodies) range from -2147483647 to 2147483647: "
    "an id beyond it is 404, a value beyond it 422. Text may not contain NUL characters (422). "
    "per_page over 500 is cut to 500 (not refused); query parameters an operation does not "
    "list are ignored. A method a path does not answer is 405 with an Allow header."
)
ERRORS = {
    400: "Body is not JSON",
    401: "No token or a bad one",
    403: "The role may not do this",
    404: "Not found or out of scope",
    409: "Conflict (stale version or duplicate)",
    413: "The request body is larger than MAX_CONTENT_LENGTH",
    422: "Invalid fields or a domain rule refused",
    500: "Server error",
}


@dataclass
class Operation:
    """One route as the OpenAPI describes it (see ``operation``)."""

    path: str
    method: str
    summary: str
    ok: Any = None
    status: int = 200
    body: type | None = None
    form: type | None = None
    query: type | None = None
    page: bool = False
    errors: tuple[int, ...] = ()
    texts: dict[int, str] = field(default_factory=dict)
    media: str | None = None
    description: str | None = None
    path_types: dict[str, Any] = field(default_factory=dict)
    rule: str = ""
    public: bool = False


OPERATIONS: list[Operation] = []
_PARAM = re.compile(r"<(?:([a-z]+):)?([a-z_]+)>")


def operation(method: str, rule: str, summary: str, **details: Any):
    """Register a route on the API blueprint and describe it, in one place.

    ``ok``: the model written on success (``status``, default 200), or ``PageOf[Model]``;
    ``path_types``: the type of a path parameter that is not an id (``<int:…>``);
    ``body``: the JSON body model, ``form``: a multipart body model; ``query``: a model of the
    query parameters (``page=True`` adds page and per_page). ``errors``: the refusals besides
    401 (``texts`` overrides their descriptions); ``media``: a non-JSON answer (a file).
    ``route=False`` only describes: for a view that answers several methods on one rule."""
    register_route = details.pop("route", True)
    path = _PARAM.sub(r"{\2}", rule)
    OPERATIONS.append(Operation(path, method.lower(), summary, rule=rule, **details))

    def register(view):
        return bp.route(rule, methods=[method.upper()])(view) if register_route else view

    return register


def listing(rule: str, summary: str, item: type, query: type | None = None, **details):
    """A GET of a page of ``item`` (``PageOf``): page and per_page besides the ``query``
    parameters, 422 when one is bad; ``errors`` adds other refusals."""
    errors = (*details.pop("errors", ()), 422)
    ok = PageOf[item]
    return operation("get", rule, summary, ok=ok, query=query, page=True, errors=errors, **details)


# Errors an operation documents by its kind, as the API answers them (docs/api.md: Conventions).
WRITE = (400, 403, 422)
SCOPED = (404,)


def write(rule: str, summary: str, ok: Any, body: type | None, *, conflict=False, **details):
    """A POST with a JSON body: 400, 403 and 422; 404 when the path names a record; 409 when
    it may conflict (``conflict``)."""
    errors = (*WRITE, *(SCOPED if "<" in rule else ()), *((409,) if conflict else ()))
    errors = (*errors, *details.pop("errors", ()))
    return operation("post", rule, summary, ok=ok, body=body, errors=errors, **details)


def action_routes(rule: str, ok: Any, run, actions, *, register=write) -> None:
    """Versioned actions on one record that differ only by data: one POST per row
    ``(endpoint, path, summary, body, service)`` of ``actions``, on ``rule.format(path)``
    (409 when stale), answered by ``run(service, **path_ids)`` with ``ok``. ``register`` is
    ``write`` or a variant of it; the view's endpoint is ``endpoint``."""
    for endpoint, path, summary, body, service in actions:
        view = _action_view(run, service)
        view.__name__ = view.__qualname__ = endpoint
        register(rule.format(path), summary, ok, body, conflict=True)(view)


def _action_view(run, service):
    def view(**path_ids):
        return run(service, **path_ids)

    return view


def _response(op: Operation, refs: dict) -> dict:
    ok: dict = {"description": op.texts.get(op.status, "OK")}
    if op.media:
        ok["content"] = {op.media: {"schema": type_schema(Binary)}}
    elif op.ok is not None:
        ok["content"] = {"application/json": {"schema": refs[(op.ok, "serialization")]}}
    out = {str(op.status): ok}
    for status in sorted({*([] if op.public else [401]), *op.errors}):
        out[str(status)] = {
            "description": op.texts.get(status, ERRORS[status]),
            "content": {"application/json": {"schema": refs[(Error, "serialization")]}},
        }
    return out


def _parameters(op: Operation) -> list[dict]:
    out = []
    for converter, name in _PARAM.findall(op.rule):
        schema = type_schema(op.path_types.get(name, int if converter == "int" else str))
        out.append({"name": name, "in": "path", "required": True, "schema": schema})
    if op.query is not None:
        out += query_parameters(op.query)
    if op.page:
        out += query_parameters(PageQuery)
    return out


def _entry(op: Operation, refs: dict) -> dict:
    entry: dict = {"summary": op.summary}
    if op.description:
        entry["description"] = op.description
    if op.public:
        entry["security"] = []
    parameters = _parameters(op)
    if parameters:
        entry["parameters"] = parameters
    if op.body is not None or op.form is not None:
        media = "application/json" if op.body is not None else "multipart/form-data"
        schema = refs[(op.body or op.form, "validation")]
        entry["requestBody"] = {"required": True, "content": {media: {"schema": schema}}}
    entry["responses"] = _response(op, refs)
    return entry


def spec() -> dict:
    pairs = [(Error, "serialization")]
    for op in OPERATIONS:
        if op.ok is not None and not op.media:
            pairs.append((op.ok, "serialization"))
        if op.body is not None or op.form is not None:
            pairs.append((op.body or op.form, "validation"))
    refs, schemas = components(pairs)
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _entry(op, refs)
    return {
        "openapi": "3.0.3",
        "info": {"title": "社区矫正与安置帮教 API", "version": "1", "description": DESCRIPTION},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
    }


_SPEC: dict = {}


@operation("get", "/openapi.json", "This document", public=True, texts={200: "OpenAPI 3 document"})
def openapi():
    if not _SPEC:
        _SPEC.update(spec())
    return _SPEC
