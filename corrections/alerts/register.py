"""The monthly 预警处置台账 sheet of the workbook (docs/domain.md §7.11): every alert raised or
closed in the month at the report's stations (the station the case was at on the day it was
raised), with each step — who, when, what."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from corrections import clock
from corrections.alerts.models import Alert, AlertStep
from corrections.extensions import db
from corrections.labels import label
from corrections.people import privacy
from corrections.supervision.models import CorrectionCase

COLUMNS = [
    ("序号", 6),
    ("预警时间", 17),
    ("姓名", 10),
    ("身份证号", 21),
    ("司法所", 14),
    ("预警类型", 14),
    ("预警内容", 36),
    ("应办结时间", 17),
    ("核实", 30),
    ("处置", 30),
    ("办结", 30),
    ("处置结果", 14),
    ("是否按时办结", 8),
    ("状态（截至导出）", 10),
    ("原因已消除", 17),
    ("超时上报", 17),
    ("关联记录", 14),
]
SHEET_TITLE = "预警处置台账"


def _local(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M")


def _steps(alert: Alert, action: str) -> str:
    return "\n".join(
        f"{_local(s.at)} {(s.by.display_name or s.by.username) if s.by else '系统'}：{s.note}"
        for s in alert.steps
        if s.action == action
    )


def alert_sheet(book, report) -> None:
    from corrections.reports import figures
    from corrections.reports.printing import cn_date
    from corrections.reports.workbook import _header, _row, _title, _widths

    sheet = book.create_sheet(SHEET_TITLE)
    _widths(sheet, [w for _t, w in COLUMNS])
    sheet.freeze_panes = "D4"
    _title(
        sheet,
        f"{report.unit} {SHEET_TITLE}（{cn_date(report.start)}至{cn_date(report.end)}）",
        "本月发出或办结的预警及每一步处置（时间、经办人、说明）；状态为导出时情况。",
    )
    sheet.append(_header(sheet, [t for t, _w in COLUMNS]))
    names = {s.id: s.name for s in report.stations}
    station = figures.station_at(Alert.raised_on)
    query = (
        select(Alert, station.label("station_id"))
        .select_from(Alert)
        .join(CorrectionCase, CorrectionCase.id == Alert.case_id)
        .where(
            or_(
                Alert.raised_on.between(report.start, report.end),
                Alert.closed_on.between(report.start, report.end),
            ),
            station.in_(list(names)),
        )
        .options(
            selectinload(Alert.steps).selectinload(AlertStep.by),
            selectinload(Alert.person),
        )
        .order_by(Alert.raised_at, Alert.id)
    )
    rows = db.session.execute(query).all()
    privacy.prefetch(report.user, [a.person_id for a, _s in rows])
    for number, (alert, station_id) in enumerate(rows, start=1):
        person = alert.person
        linked = []
        if alert.sanction_id:
            linked.append(f"奖惩#{alert.sanction_id}")
        if alert.incident_id:
            linked.append(f"事件#{alert.incident_id}")
        sheet.append(
            _row(
                sheet,
                [
                    number,
                    _local(alert.raised_at),
                    privacy.display_name(report.user, person.id, person.name),
                    privacy.display_id(report.user, person.id, person.id_number),
                    names.get(station_id, ""),
                    str(label("alert_kind", alert.kind)),
                    alert.message,
                    _local(alert.due_by),
                    _steps(alert, "verify"),
                    _steps(alert, "handle"),
                    _steps(alert, "close"),
                    str(label("alert_outcome", alert.outcome)) if alert.outcome else "",
                    ""
                    if alert.closed_on_time is None
                    else ("是" if alert.closed_on_time else "否"),
                    str(label("alert_status", alert.status)),
                    _local(alert.cleared_at),
                    _local(alert.escalated_at),
                    "、".join(linked),
                ],
            )
        )
