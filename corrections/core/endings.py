"""Endings shared by both programmes: no record may be dated after the end
(docs/domain.md §7.6)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from corrections.errors import RecordsAfterEnd
from corrections.extensions import db
from corrections.rules.endings import DatedRecord


def dated_after(kind: str, case: Any, on: Any, end: date, voidable: bool = True) -> list:
    """The records of ``case`` whose date column ``on`` is after ``end`` (not voided, when
    the record can be), as ``DatedRecord`` of ``kind``."""
    model = on.class_
    where = [model.case_id == case.id, on > end]
    if voidable:
        where.append(model.voided_at.is_(None))
    rows = db.session.execute(select(model.id, on).where(*where))
    return [DatedRecord(kind, record_id, day) for record_id, day in rows]


def refuse_records_after_end(records: list, key: str, end: date) -> None:
    """422 ``records_after_end`` naming the records (both programmes' endings)."""
    if not records:
        return
    last = records[-1].on.isoformat()
    raise RecordsAfterEnd(
        _(
            "本案有%(n)d条记录晚于结束日期 %(d)s：请先作废（或更正）这些记录，"
            "或选用不早于 %(last)s 的结束日期。",
            n=len(records),
            d=end.isoformat(),
            last=last,
        ),
        field=key,
        field_message=_("不能早于本案最后一条记录的日期 %(d)s。", d=last),
        records=records,
    )
