"""The OpenAPI 3 description, served at /api/v1/openapi.json.

Written by hand next to the routes; tests/api/test_openapi.py fails when a
route is missing here or a path here has no route.
"""

from __future__ import annotations

from corrections.api import bp

ERROR = {"$ref": "#/components/schemas/Error"}
MAX_INT = 2**31 - 1

DESCRIPTION = (
    "JSON API v1. Dates are YYYY-MM-DD; station is the station code. "
    "Timestamps (fields ending in _at) are ISO 8601 in UTC with the zone written as Z, "
    "e.g. 2026-11-25T01:30:00Z. "
    "Integers (ids, page numbers, numbers in bodies) range from -2147483647 to 2147483647: "
    "an id beyond it is 404, a value beyond it 422. Text may not contain NUL characters (422). "
    "per_page over 500 is cut to 500 (not refused); query parameters an operation does not "
    "list are ignored. A method a path does not answer is 405 with an Allow header."
)


def timestamp(moment) -> str | None:
    """A stored moment as the API writes every timestamp: ISO 8601, UTC, ``Z``."""
    if moment is None:
        return None
    from datetime import UTC

    if moment.tzinfo is None:  # SQLite returns the stored UTC moment without its zone
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _responses(ok_status: str, ok_schema: dict | None, *errors: int) -> dict:
    out: dict = {ok_status: {"description": "OK"}}
    if ok_schema is not None:
        out[ok_status]["content"] = {"application/json": {"schema": ok_schema}}
    for status in (401, *errors):
        out[str(status)] = {
            "description": {
                400: "Body is not JSON",
                401: "No token or a bad one",
                403: "The role may not do this",
                404: "Not found or out of scope",
                409: "Conflict (stale version or duplicate)",
                422: "Invalid fields or a domain rule refused",
            }[status],
            "content": {"application/json": {"schema": ERROR}},
        }
    return out


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _page_of(name: str) -> dict:
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": _ref(name)},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    }


PAGE_PARAMS = [
    {
        "name": "page",
        "in": "query",
        "description": "1 to 2147483647; past the last page the items are empty",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT},
    },
    {
        "name": "per_page",
        "in": "query",
        "description": "Default 50. A value over 500 is cut to 500 (the answer's per_page "
        "says so), not refused",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT},
    },
]
ID_PARAM = {"name": "person_id", "in": "path", "required": True, "schema": {"type": "integer"}}

FLAGS = ["gang", "repeat_offender", "drugs", "cult", "three_no"]
PERSON_FIELDS = {
    "name": {"type": "string", "maxLength": 100},
    "id_number": {"type": "string", "minLength": 18, "maxLength": 18},
    "phone": {"type": "string"},
    "ethnicity": {"type": "string"},
    "household_type": {"type": "string", "enum": ["urban", "rural", "other"], "nullable": True},
    "household_address": {"type": "string"},
    "residence_address": {"type": "string"},
    "same_address": {"type": "boolean"},
    "education": {
        "type": "string",
        "enum": ["college", "high_school", "middle_school", "primary_or_less"],
        "nullable": True,
    },
    "employment": {
        "type": "string",
        "enum": ["student", "employed", "unemployed"],
        "nullable": True,
    },
    "emergency_contact": {"type": "string"},
    "notes": {"type": "string"},
    "flags": {"type": "array", "items": {"type": "string", "enum": FLAGS}},
}

# Features extend the document: {path: {method: operation}} and {schema name: schema}.
EXTRA_PATHS: dict[str, dict] = {}
EXTRA_SCHEMAS: dict[str, dict] = {}


def spec() -> dict:
    paths = {
        "/stations": {
            "get": {
                "summary": "Stations in the user's scope",
                "parameters": PAGE_PARAMS,
                "responses": _responses("200", _page_of("Station"), 422),
            },
            "post": {
                "summary": "Add a station (admin)",
                "requestBody": _body(
                    {
                        "type": "object",
                        "required": ["code", "name"],
                        "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
                    }
                ),
                "responses": _responses("201", _ref("Station"), 400, 403, 409, 422),
            },
        },
        "/people": {
            "get": {
                "summary": "People in scope; q matches a name or an ID number",
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}]
                + PAGE_PARAMS,
                "responses": _responses("200", _page_of("Person"), 422),
            },
            "post": {
                "summary": "Register a person (一人一档)",
                "requestBody": _body(
                    {
                        "type": "object",
                        "required": ["name", "id_number"],
                        "properties": {**PERSON_FIELDS, "station": {"type": "string"}},
                    }
                ),
                "responses": _responses("201", _ref("Person"), 400, 403, 409, 422),
            },
        },
        "/people/{person_id}": {
            "get": {
                "summary": "A person with all their cases",
                "parameters": [ID_PARAM],
                "responses": _responses("200", _ref("Person"), 404),
            },
            "patch": {
                "summary": "Update a person (send the current version)",
                "parameters": [ID_PARAM],
                "requestBody": _body(
                    {
                        "type": "object",
                        "required": ["version"],
                        "properties": {"version": {"type": "integer"}, **PERSON_FIELDS},
                    }
                ),
                "responses": _responses("200", _ref("Person"), 400, 403, 404, 409, 422),
            },
        },
        "/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3 document"}},
            }
        },
    }
    for path, operations in EXTRA_PATHS.items():
        paths.setdefault(path, {}).update(operations)
    schemas = {
        "Error": {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                        "existing_id": {"type": "integer"},
                    },
                }
            },
        },
        "Station": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "version": {"type": "integer"},
                "code": {"type": "string"},
                "name": {"type": "string"},
                "unit": {"type": "string"},
                "active": {"type": "boolean"},
            },
        },
        "Person": {
            "type": "object",
            "description": "For viewers, the name and id_number of a person with a minor's "
            "correction case are masked (张*, 1101**********4477; docs/domain.md §7.2)",
            "properties": {
                "id": {"type": "integer"},
                "version": {"type": "integer"},
                "sex": {"type": "string", "enum": ["male", "female"]},
                "birth_date": {"type": "string", "format": "date"},
                "registered_station": {"type": "string", "nullable": True},
                "cases": {
                    "type": "array",
                    "items": {"type": "object"},
                    "description": "Correction cases carry minor (bool: a minor's case)",
                },
                "notices": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "On a single person: notices about the ID number "
                    "(e.g. an area code not in the current list); never a refusal",
                },
                **PERSON_FIELDS,
            },
        },
        **EXTRA_SCHEMAS,
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "社区矫正与安置帮教 API",
            "version": "1",
            "description": DESCRIPTION,
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
    }


@bp.get("/openapi.json")
def openapi():
    return spec()
