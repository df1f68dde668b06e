"""Reading a declared record (corrections/validation.py ``Fields.read``): every field by its
declared type, with the messages of the web forms and the API's 422 answers; and every
API write body declared outside the API, in the programme whose services read it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import pytest
from pydantic import Field

from corrections.schema import LookedUp, Schema, Version, enum
from corrections.validation import Fields


class Sample(Schema):
    kind: enum(("a", "b"))
    on: date
    until: date = None
    source: enum(("x", "y")) = "x"
    count: int = Field(None, ge=1, le=30)
    note: str = Field(None, max_length=5)
    reason: str = Field(max_length=10)
    flag: bool = None
    on_by_default: bool = True
    granted: bool
    station: Annotated[str, LookedUp()]
    tags: list[str] = None
    amount: Decimal = Field(None, ge=0, le=100, decimal_places=2)
    version: Version = None


VALID = {"kind": "a", "on": "2028-02-29", "reason": "why", "granted": False, "station": "s1"}


def read(data, **kwargs):
    f = Fields(data)
    return f, f.read(Sample, **kwargs)


def test_a_valid_record_is_read_with_its_defaults(ctx):
    f, v = read(VALID)
    assert f.errors == {}
    assert (v.kind, v.on, v.reason, v.granted) == ("a", date(2028, 2, 29), "why", False)
    assert v.until is None and v.count is None
    assert v.source == "x"  # a declared default is what an empty value gives
    assert v.note == ""  # optional text absent: empty, as the forms give it
    assert v.flag is False and v.on_by_default is True
    assert v.station == "s1"  # looked up by the service, passed through
    assert v.tags is None


def test_required_fields_are_named_with_the_forms_messages(ctx):
    f, _ = read({})
    assert f.errors == {
        "kind": "请选择。",
        "on": "请填写日期。",
        "reason": "必填。",
        "granted": "必填。",
    }
    assert "station" not in f.errors  # the service says what a missing station means


def test_a_required_field_can_be_worded_by_the_service(ctx):
    f, _ = read(
        {"on": "2026-01-01", "kind": "a", "reason": "r"}, missing={"granted": "请填写是否准予。"}
    )
    assert f.errors == {"granted": "请填写是否准予。"}
    f, _ = read({**VALID, "reason": " "}, missing={"reason": "请写理由。"})
    assert f.errors == {"reason": "请写理由。"}


def test_a_value_its_type_refuses_can_be_worded_by_the_service(ctx):
    worded = {"amount": "金额不对。", "kind": "类别不对。"}
    f, _ = read({**VALID, "amount": "1.001", "kind": "z"}, invalid=worded)
    assert f.errors == {"amount": "金额不对。", "kind": "类别不对。"}
    f, _ = read({**VALID, "kind": ""}, missing={"kind": "请选类别。"}, invalid=worded)
    assert f.errors == {"kind": "请选类别。"}  # missing, not invalid


def test_a_boolean_given_as_null_reads_as_false_and_counts_as_given(ctx):
    f, v = read({**VALID, "granted": None, "flag": None})
    assert f.errors == {}
    assert v.granted is False and v.flag is False


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("kind", "c", "可选值：a, b。"),
        ("on", "2026-02-29", "日期“2026-02-29”不存在或格式不对（应为 YYYY-MM-DD）。"),
        ("on", "2026-13-01", "日期“2026-13-01”不存在或格式不对（应为 YYYY-MM-DD）。"),
        ("on", 20260101, "日期格式应为 YYYY-MM-DD。"),
        ("count", 0, "不能小于1。"),
        ("count", 31, "不能大于30。"),
        ("count", "3.5", "应为整数（只用数字0-9，可带负号）。"),
        ("note", "123456", "最多5个字。"),
        ("reason", 12, "应为文字。"),
        ("flag", "yes", "应为 true 或 false。"),
        ("amount", "12.345", "应为范围内的数字。"),
        ("amount", "100.01", "应为范围内的数字。"),
        ("amount", -1, "应为范围内的数字。"),
        ("amount", "NaN", "应为范围内的数字。"),
        ("amount", "abc", "应为范围内的数字。"),
        ("amount", True, "应为范围内的数字。"),
    ],
)
def test_a_bad_value_is_refused_by_its_declared_type(ctx, key, value, message):
    f, _ = read({**VALID, key: value})
    assert f.errors == {key: message}


def test_the_bounds_themselves_are_accepted(ctx):
    f, v = read({**VALID, "count": 30, "note": "12345", "until": "2026-12-31", "amount": 100})
    assert f.errors == {}
    assert (v.count, v.note, v.until, v.amount) == (30, "12345", date(2026, 12, 31), 100)
    f, v = read({**VALID, "amount": "0.05"})
    assert f.errors == {} and v.amount == Decimal("0.05")
    f, v = read({**VALID, "count": "1"})
    assert f.errors == {} and v.count == 1


def test_dates_from_a_web_form_are_taken_as_they_are(ctx):
    f, v = read({**VALID, "on": date(2024, 2, 29)})
    assert f.errors == {} and v.on == date(2024, 2, 29)


def test_version_is_left_to_the_api_layer(ctx):
    f, v = read({**VALID, "version": "not a number"})
    assert f.errors == {}
    assert v.version is None


def test_require_names_a_field_needed_only_sometimes(ctx):
    f = Fields({"ends_on": ""})
    f.require("ends_on", "", "请填写日期。")
    f.require("starts_on", date(2026, 1, 1))
    assert f.errors == {"ends_on": "请填写日期。"}


def test_every_api_write_body_is_declared_where_its_service_reads_it(app):
    """The bodies of the JSON writes live with their programme (its ``schemas`` module, or
    the core's), not in the API package, so the services read the same declaration."""
    from corrections.api import openapi

    bodies = {op.body for op in openapi.OPERATIONS if op.body is not None}
    assert len(bodies) >= 30
    for model in bodies:
        module = model.__module__
        assert not module.startswith("corrections.api"), (model.__name__, module)
        assert module.endswith(".schemas") or module == "corrections.core.voiding", module
