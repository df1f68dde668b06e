"""The API's records, declared once as pydantic models (docs/api.md: How the API is described).

A record's model is what the API writes (``Model.dump(**values)`` keeps exactly the declared
fields, dates as YYYY-MM-DD) and what /api/v1/openapi.json describes: ``components`` below
turns the models into OpenAPI 3.0 schemas (``anyOf [X, null]`` becomes ``nullable: true``,
titles go). Nothing in the OpenAPI is written by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, WithJsonSchema
from pydantic.json_schema import models_json_schema

REF = "#/components/schemas/{model}"
MAX_INT = 2**31 - 1


class Schema(BaseModel):
    """Base of every API record. Fields without a default are always written (``required``);
    a field with a default is written only when the renderer gives it."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    @classmethod
    def dump(cls, **values: Any) -> dict:
        """The record as the API writes it: only declared fields, JSON types."""
        return cls.model_construct(**values).model_dump(
            mode="json", by_alias=True, exclude_unset=True, warnings=False
        )

    def values(self, *leave_out: str, **changed: Any) -> dict:
        """What was read, by field name, for a row's columns: without ``version`` and the
        fields named in ``leave_out``, with ``changed`` values put in."""
        out = {k: v for k, v in self.__dict__.items() if k not in leave_out and k != "version"}
        return {**out, **changed}

    @classmethod
    def row_values(cls, row: Any, *later: str, **given: Any) -> dict:
        """The ``given`` values and, for each other required field except those the caller
        adds ``later``, the attribute of ``row`` with the same name."""
        for name, info in cls.model_fields.items():
            if info.is_required() and name not in given and name not in later:
                given[name] = getattr(row, name)
        return given

    @classmethod
    def of_row(cls, row: Any, **given: Any) -> dict:
        """The record as the API writes it from ``row`` (``row_values``)."""
        return cls.dump(**cls.row_values(row, **given))


T = TypeVar("T")


class PageOf(Schema, Generic[T]):
    """Every list: ``{items, page, per_page, total}`` (docs/api.md: Conventions)."""

    items: list[T]
    page: int
    per_page: int
    total: int


def enum(values) -> Any:
    """The codes of a table as a ``Literal`` (an OpenAPI ``enum``)."""
    return Literal[tuple(values)]


def doc(description: str, **extra: Any) -> Any:
    """``Field`` with a description (the field stays required)."""
    return Field(description=description, **extra)


class LookedUp:
    """``Annotated[str, LookedUp()]``: a code or id that the service finds a record by (a
    station, a person, an officer) and checks itself; ``Fields.read`` passes it through."""


StationCode = Annotated[str, LookedUp(), Field(description="Station code")]

# Timestamps are written by ``timestamp()`` as strings; documented as date-time.
Timestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
NullTimestamp = Timestamp | None
Binary = Annotated[str, WithJsonSchema({"type": "string", "format": "binary"})]
Version = Annotated[int, Field(description="Optional: 409 when the record changed since")]


def timestamp(moment: datetime | None) -> str | None:
    """A stored moment as the API writes every timestamp: ISO 8601, UTC, ``Z``."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite returns the stored UTC moment without its zone
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------- errors


class ErrorDetail(Schema):
    model_config = ConfigDict(json_schema_extra={"x-inline": True})

    code: str
    message: str
    fields: dict[str, str] = None
    existing_id: int = None


class Error(Schema):
    """Every refusal: ``{"error": {"code", "message", "fields"?, "existing_id"?}}``."""

    error: ErrorDetail


# --------------------------------------------------------------------------- OpenAPI 3.0


def _openapi30(node: Any) -> Any:
    """pydantic's JSON Schema (2020-12) → OpenAPI 3.0 (what schemathesis 3.39 reads fully)."""
    if isinstance(node, list):
        return [_openapi30(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _openapi30(v) for k, v in node.items() if k != "title"}
    if out.get("default", ...) is None:
        del out["default"]
    if "const" in out:
        out["enum"] = [out.pop("const")]
    options = out.get("anyOf")
    if options and {"type": "null"} in options:
        rest = [o for o in options if o != {"type": "null"}]
        del out["anyOf"]
        base = rest[0] if len(rest) == 1 else {"anyOf": rest}
        if "$ref" in base:
            base = {"allOf": [base]}
        out = {**base, **out, "nullable": True}
    return out


def _inline(node: Any, defs: dict) -> Any:
    """Put the body of a model marked ``x-inline`` where it is referenced."""
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if ref is not None:
        name = ref.rsplit("/", 1)[1]
        if defs.get(name, {}).get("x-inline"):
            body = {k: v for k, v in defs[name].items() if k != "x-inline"}
            return _inline(body, defs)
    return {k: _inline(v, defs) for k, v in node.items()}


def components(pairs: list[tuple[type, str]]) -> tuple[dict, dict[str, dict]]:
    """``(refs, schemas)``: each (model, mode) → its ``$ref``, and the ``components.schemas``
    of every model used, in OpenAPI 3.0 form. ``mode`` is "serialization" for what the API
    writes and "validation" for what it reads."""
    keys, document = models_json_schema(sorted(set(pairs), key=_order), ref_template=REF)
    defs = document.get("$defs", {})
    inlined = {name: _inline(body, defs) for name, body in defs.items()}
    refs = {pair: _inline(ref, defs) for pair, ref in keys.items()}
    schemas = {n: _openapi30(b) for n, b in inlined.items() if not b.get("x-inline")}
    return refs, schemas


def _order(pair: tuple[type, str]) -> tuple[str, str]:
    return pair[0].__name__, pair[1]


def type_schema(tp: Any) -> dict:
    """A plain type (a path parameter, a file) as an OpenAPI 3.0 schema."""
    return _openapi30(TypeAdapter(tp).json_schema(ref_template=REF))


def query_parameters(model: type) -> list[dict]:
    """The fields of a query model as OpenAPI query parameters."""
    schema = model.model_json_schema(ref_template=REF)
    out = []
    for name, prop in _openapi30(schema)["properties"].items():
        param = {"name": name, "in": "query"}
        if prop.get("description"):
            param["description"] = prop.pop("description")
        if name in schema.get("required", []):
            param["required"] = True
        out.append({**param, "schema": prop})
    return out


class PageQuery(Schema):
    """``page`` and ``per_page`` of every list (docs/api.md: Conventions)."""

    page: int = Field(
        None,
        ge=1,
        le=MAX_INT,
        description="1 to 2147483647; past the last page the items are empty",
    )
    per_page: int = Field(
        None,
        ge=1,
        le=MAX_INT,
        description="Default 50. A value over 500 is cut to 500 (the answer's per_page says "
        "so), not refused",
    )
