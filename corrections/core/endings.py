"""Endings shared by both programmes: no record may be dated after the end
(docs/domain.md §7.6)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from corrections.errors import RecordsAfterEnd


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
