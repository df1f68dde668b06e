"""Guards of the 社区矫正 services: an open case, dates after reception, the decider's note."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from corrections import clock
from corrections.core.guards import not_before, read_dated, require_not_ended_on
from corrections.errors import RuleViolation
from corrections.supervision.models import CorrectionCase
from corrections.supervision.schemas import LeaveDecision
from corrections.validation import Fields


def require_open(case: CorrectionCase, on: date | None = None) -> None:
    """An ended case accepts no event dated after its end; an expected one no events at all."""
    if case.status == "expected":
        raise RuleViolation(_("该对象尚未报到接收，请先办理接收。"), code="not_received")
    require_not_ended_on(case, on, lambda d: _("该案件已于%(d)s结束，不能再登记此后的事项。", d=d))


def since_reception(d: str) -> str:
    return _("不能早于接收日期 %(d)s。", d=d)


def not_before_reception(fields: Fields, key: str, value: date | None, case: CorrectionCase):
    not_before(fields, key, value, case.received_on, since_reception)


def read_on_case(
    data: dict[str, Any], body: type, case: CorrectionCase, **read: Any
) -> tuple[Fields, Any, date | None]:
    """``body`` read from ``data``, its date not after today, not before reception."""
    return read_dated(data, body, case.received_on, since_reception, **read)


def decision(f: Fields) -> tuple[bool, date, str]:
    """Approved or not (审批, the choice is required), the day (default today) and the
    decider's comment (审批意见): optional when approving, the reason when refusing
    (docs/domain.md §3.7) — a refusal without one is refused and writes nothing."""
    v = f.read(LeaveDecision, missing={"approved": _("请选择批准或不批准。")})
    if f.data.get("approved") is False and not v.note:
        f.error("note", _("不批准时必须填写理由。"))
    return v.approved, v.decided_on or clock.today(), v.note
