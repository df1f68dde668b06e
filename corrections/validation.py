"""Parsing and checking input values, collecting per-field messages.

Services build a ``Fields`` collector, read every value through it, then call
``raise_if_errors()``: one 422 listing every problem, before anything is written.

A record that the API accepts is declared once, as a pydantic model (``corrections.schema``);
``Fields.read(Model)`` reads every declared field by its type, so the web form and the API
body are parsed by the same declaration the OpenAPI describes (docs/api.md: How the API is
described). The service then checks what only it knows (dates against the case, rules).
"""

from __future__ import annotations

import re
import types
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Union, get_args, get_origin

from flask_babel import gettext as _

from corrections.errors import ValidationFailed
from corrections.schema import LookedUp


class Fields:
    def __init__(self, data: dict[str, Any]):
        self.data = data or {}
        self.errors: dict[str, str] = {}

    def error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, message)

    def date(self, key: str, *, required: bool = True) -> date | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.error(key, _("请填写日期。"))
            return None
        if isinstance(value, date):
            return value
        if not isinstance(value, str):
            self.error(key, _("日期格式应为 YYYY-MM-DD。"))
            return None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            self.error(key, _("日期“%(v)s”不存在或格式不对（应为 YYYY-MM-DD）。", v=value[:20]))
            return None

    def choice(self, key: str, allowed, *, required: bool = True, default=None) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required and default is None:
                self.error(key, _("请选择。"))
            return default
        if value not in allowed:
            self.error(key, _("可选值：%(v)s。", v=", ".join(allowed)))
            return None
        return value

    def text(self, key: str, *, required: bool = False, limit: int = 2000) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                self.error(key, _("必填。"))
            return ""
        if not isinstance(value, str):
            self.error(key, _("应为文字。"))
            return ""
        value = value.strip()
        if required and not value:
            self.error(key, _("必填。"))
        if len(value) > limit:
            self.error(key, _("最多%(n)d个字。", n=limit))
        return value

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        self.error(key, _("应为 true 或 false。"))
        return default

    def integer(
        self,
        key: str,
        *,
        required: bool = True,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.error(key, _("必填。"))
            return None
        if isinstance(value, bool) or not isinstance(value, int | str):
            self.error(key, _("应为整数。"))
            return None
        from corrections.inputs import parse_int

        parsed = parse_int(value)
        if parsed is None:
            if isinstance(value, int) or re.fullmatch(r"\s*[+-]?[0-9]+\s*", value):
                self.error(key, _("数值超出范围。"))
            else:
                self.error(key, _("应为整数（只用数字0-9，可带负号）。"))
            return None
        value = parsed
        if minimum is not None and value < minimum:
            self.error(key, _("不能小于%(n)d。", n=minimum))
        if maximum is not None and value > maximum:
            self.error(key, _("不能大于%(n)d。", n=maximum))
        return value

    def decimal(
        self,
        key: str,
        *,
        required: bool = True,
        minimum: Any = None,
        maximum: Any = None,
        places: int | None = None,
    ) -> Decimal | None:
        """A number (or a decimal string) within ``minimum``..``maximum`` with at most
        ``places`` decimals."""
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.error(key, _("必填。"))
            return None
        try:
            number = None if isinstance(value, bool) else Decimal(str(value).strip())
        except InvalidOperation:
            number = None
        if (
            number is None
            or not number.is_finite()
            or (minimum is not None and number < Decimal(str(minimum)))
            or (maximum is not None and number > Decimal(str(maximum)))
            or (places is not None and number != number.quantize(Decimal(1).scaleb(-places)))
        ):
            self.error(key, _("应为范围内的数字。"))
            return None
        return number

    def require(self, key: str, value: Any, message: str | None = None) -> None:
        """A field required only in some cases: an empty value is refused with ``message``."""
        if value is None or value == "":
            self.error(key, message or _("必填。"))

    def read(
        self,
        model: type,
        missing: dict[str, str] | None = None,
        invalid: dict[str, str] | None = None,
    ) -> Any:
        """Every field of ``model`` read by its declared type, as an (unvalidated) instance.

        ``Literal`` → a choice of its codes; ``date``; ``bool``; ``int`` with its ``ge``/``le``;
        ``str`` with its ``max_length`` (2,000 when none); ``Decimal`` with its ``ge``/``le``
        and ``decimal_places``. A field without a default is required (``missing`` may word
        the message for a key, ``invalid`` that of a value its type refuses); a default other
        than ``None`` is what an empty value gives. A field marked ``LookedUp`` (a code or id
        the service finds a record by) and any other type are passed through as given.
        ``version`` is the API's concurrency token, which the API layer reads (docs/api.md:
        Conventions).
        """
        values = {}
        for name, info in model.model_fields.items():
            if name == "version":
                continue
            key = info.alias or name
            required = info.is_required()
            default = None if required else info.default
            kind = declared(info.annotation)
            lowest, highest = constraint(info, "ge"), constraint(info, "le")
            worded = (missing or {}).get(key)
            if worded and required and kind is not bool:
                raw = self.data.get(key)
                self.require(key, raw.strip() if isinstance(raw, str) else raw, worded)
            refused = key in self.errors  # already named: ``invalid`` does not reword it
            if any(isinstance(m, LookedUp) for m in info.metadata):
                value = self.data.get(key, default)
            elif get_origin(kind) is Literal:
                value = self.choice(key, get_args(kind), required=required, default=default)
            elif kind is date:
                value = self.date(key, required=required)
            elif kind is bool:
                if required and key not in self.data:  # present and null reads as false
                    self.error(key, worded or _("必填。"))
                value = self.boolean(key, default=bool(default))
            elif kind is int:
                value = self.integer(key, required=required, minimum=lowest, maximum=highest)
            elif kind is Decimal:
                places = constraint(info, "decimal_places")
                value = self.decimal(
                    key, required=required, minimum=lowest, maximum=highest, places=places
                )
            elif kind is str:
                limit = constraint(info, "max_length", 2000)
                value = self.text(key, required=required, limit=limit)
            else:
                value = self.data.get(key, default)
            if invalid and key in invalid and key in self.errors and not refused:
                self.errors[key] = invalid[key]
            values[name] = value
        return model.model_construct(**values)

    def raise_if_errors(self, message: str | None = None) -> None:
        if self.errors:
            raise ValidationFailed(
                message or _("信息不完整或格式不对，请按提示修改。"), fields=self.errors
            )


def constraint(info: Any, name: str, default: Any = None) -> Any:
    """A declared field's constraint (``ge``, ``le``, ``max_length``, ``decimal_places``)."""
    return next((getattr(m, name) for m in info.metadata if hasattr(m, name)), default)


def declared(annotation: Any) -> Any:
    """``X | None`` → ``X``; anything else as it is."""
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation
