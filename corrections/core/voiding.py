"""Voiding: a mistaken record is voided with a reason, kept in the file and left out of
every count (both programmes, activities, paperwork)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy import DateTime, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from corrections import clock
from corrections.auth.models import User
from corrections.core.guards import record_of, require_writer
from corrections.core.records import recorded_change
from corrections.errors import RuleViolation
from corrections.schema import Schema
from corrections.validation import Fields


class VoidBody(Schema):
    """Why a record is voided (any voidable record of either programme)."""

    reason: str = Field(max_length=500)


class VoidableMixin:
    """A mistaken record is voided with a reason: kept in the file, excluded from counts."""

    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    void_reason: Mapped[str | None] = mapped_column(Text)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


def void(
    actor: User,
    obj: Any,
    data: dict[str, Any],
    action: str,
    subject: str,
    after_flush: Callable[[], Any] | None = None,
) -> Any:
    """Void ``obj`` with the reason in ``data``; ``after_flush`` runs before the audit
    event (the case's due state, when the record counted towards it)."""
    f = Fields(data)
    reason = f.read(VoidBody).reason
    f.raise_if_errors()
    if obj.is_void:
        raise RuleViolation(_("该记录已作废。"), code="already_void")
    with recorded_change(actor, action, subject, obj, after_flush=after_flush):
        obj.voided_at, obj.void_reason, obj.voided_by_id = clock.now_utc(), reason, actor.id
    return obj


@dataclass(frozen=True)
class Voiding:
    """What a programme lets void: ``models`` maps each kind to its model; ``refresh`` brings
    the case's due state up to date after; ``check(actor, kind, record)`` may refuse a record
    the actor may not void. Called as ``void_record(actor, case, kind, record_id, data)``;
    the event is ``<programme>.void_<kind>``."""

    programme: str
    models: dict[str, type]
    refresh: Callable[[Any], Any]
    check: Callable[[User, str, Any], None] | None = None

    def __call__(self, actor: User, case: Any, kind: str, record_id: int, data: dict) -> Any:
        require_writer(actor)
        obj = record_of(case, self.models[kind], record_id)
        if self.check is not None:
            self.check(actor, kind, obj)
        action = f"{self.programme}.void_{kind}"
        return void(actor, obj, data, action, kind, lambda: self.refresh(case))
