"""Parsing and checking input values, collecting per-field messages.

Services build a ``Fields`` collector, read every value through it, then call
``raise_if_errors()``: one 422 listing every problem, before anything is written.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _

from corrections.errors import ValidationFailed


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

    def raise_if_errors(self, message: str | None = None) -> None:
        if self.errors:
            raise ValidationFailed(
                message or _("信息不完整或格式不对，请按提示修改。"), fields=self.errors
            )
