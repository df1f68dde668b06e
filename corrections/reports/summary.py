"""Report periods, the summary (figures + paragraph), closing months and later differences."""

from __future__ import annotations

import calendar
import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock
from corrections.audit.models import AuditEvent
from corrections.audit.services import record
from corrections.auth.models import Station, Unit, User
from corrections.auth.scope import scope
from corrections.errors import Forbidden, NotFound, RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.reports import figures
from corrections.reports.models import ClosedMonth

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_range(text: str) -> tuple[date, date]:
    match = _MONTH.match(text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValidationFailed(_("月份格式应为 YYYY-MM。"), fields={"month": _("格式不对")})
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def parse_period(start_text: str | None, end_text: str | None) -> tuple[date, date]:
    errors = {}
    values = []
    for key, text in (("from", start_text), ("to", end_text)):
        try:
            values.append(date.fromisoformat(text or ""))
        except ValueError:
            errors[key] = _("日期格式应为 YYYY-MM-DD。")
    if errors:
        raise ValidationFailed(_("请给出统计起止日期。"), fields=errors)
    if values[1] < values[0]:
        raise ValidationFailed(_("截止日期不能早于起始日期。"), fields={"to": _("早于起始日期")})
    return values[0], values[1]


def stations_in_scope(user: User, station_code: str | None = None) -> list[Station]:
    query = scope(select(Station), user, Station).order_by(Station.code)
    if station_code:
        query = query.where(Station.code == station_code)
    stations = list(db.session.execute(query).scalars())
    if station_code and not stations:
        raise NotFound(_("司法所不存在，或不在您的管辖范围内。"))
    return stations


def _single_month(start: date, end: date) -> date | None:
    if start.day == 1 and end == date(
        start.year, start.month, calendar.monthrange(start.year, start.month)[1]
    ):
        return start
    return None


def closed_month(unit_id: int, month: date) -> ClosedMonth | None:
    return db.session.execute(
        select(ClosedMonth).where(ClosedMonth.unit_id == unit_id, ClosedMonth.month == month)
    ).scalar_one_or_none()


def summary(user: User, start: date, end: date, station_code: str | None = None) -> dict:
    """Every figure of docs/domain.md §5 for the period and the user's stations (or one station)."""
    stations = stations_in_scope(user, station_code)
    month = _single_month(start, end)
    units = {s.unit_id for s in stations}
    frozen = None
    if month is not None and len(units) == 1:
        frozen = closed_month(next(iter(units)), month)
    if frozen is not None:
        stored = frozen.figures
        if station_code:
            totals = stored["stations"].get(station_code, {k: 0 for k in figures.KEYS})
        else:
            totals = stored["total"]
        by_station = {s.code: stored["stations"].get(s.code, {}) for s in stations}
    else:
        result = figures.compute(start, end, [s.id for s in stations])
        totals = result.totals
        by_station = {s.code: result.by_station.get(s.id, {}) for s in stations}
    totals = {k: int(totals.get(k, 0)) for k in figures.KEYS}
    by_station = {
        code: {k: int(v.get(k, 0)) for k in figures.KEYS} for code, v in by_station.items()
    }
    place = stations[0].name if station_code and stations else _("全县")
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "station": station_code or None,
        "frozen": frozen is not None,
        "figures": totals,
        "text": report_text(totals, end, place),
        "by_station": by_station,
        "stations": stations,
        "closed": frozen,
    }


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def report_text(f: dict[str, int], end: date, place: str = "全县") -> str:
    """The paragraph of a county work report, in the order docs/domain.md §5 gives."""
    return (
        f"截至{_cn_date(end)}，开展调查评估{f['cc.assessments_completed']}例，"
        f"累计接收社区矫正对象{f['cc.received']}人，解除社区矫正{f['cc.released']}人，"
        f"终止社区矫正{f['cc.terminated']}人，变更执行地{f['cc.transferred_out']}人，"
        f"开展见面核查{f['cc.contacts_in_person']}人次，训诫{f['cc.admonitions']}人次，"
        f"警告{f['cc.warnings']}人次，提请治安管理处罚{f['cc.police_penalty_requests']}人次，"
        f"组织教育学习{f['cc.education_sessions']}场{f['cc.education_attendances']}人次，"
        f"组织公益活动{f['cc.public_service_sessions']}场{f['cc.public_service_attendances']}人次，"
        f"开展心理咨询、心理辅导{f['cc.counselling_attendances']}人次，"
        f"帮困扶助{f['cc.assistance_attendances']}人次；"
        f"共衔接刑满释放人员{f['rs.handed_over']}人，{place}在册安置帮教对象{f['rs.on_register']}人"
        f"（其中重点安置帮教对象{f['rs.on_register_key']}名，涉黑涉恶人员{f['rs.on_register_gang']}名），"
        f"开展见面核查、上门走访{f['rs.contacts_in_person']}人次，救助帮扶{f['rs.assisted']}人，"
        f"纳入低保{f['rs.subsistence']}人，推荐就业{f['rs.employment']}人。"
    )


# --------------------------------------------------------------------------- closing


def close_month(actor: User, unit: Unit, month_text: str) -> ClosedMonth:
    if not actor.can_decide or (not actor.is_admin and actor.unit_id != unit.id):
        raise Forbidden(_("只有本单位的县局主管可以关账。"))
    start, end = month_range(month_text)
    if end >= clock.today():
        raise RuleViolation(_("只能关闭已经结束的月份。"), code="month_not_over")
    if closed_month(unit.id, start) is not None:
        raise RuleViolation(_("%(m)s 已关账。", m=month_text), code="already_closed")
    stations = list(
        db.session.execute(
            select(Station).where(Station.unit_id == unit.id).order_by(Station.code)
        ).scalars()
    )
    result = figures.compute(start, end, [s.id for s in stations])
    stored = {
        "total": {k: int(result.totals.get(k, 0)) for k in figures.KEYS},
        "stations": {
            s.code: {k: int(result.by_station.get(s.id, {}).get(k, 0)) for k in figures.KEYS}
            for s in stations
        },
    }
    row = ClosedMonth(
        unit_id=unit.id,
        month=start,
        figures=stored,
        closed_by_id=actor.id,
        closed_at=clock.now_utc(),
    )
    db.session.add(row)
    db.session.flush()
    record(
        actor,
        "report.close_month",
        "closed_month",
        row.id,
        None,
        {"unit": unit.name, "month": month_text, "total": stored["total"]},
    )
    return row


_DATE_FIELDS = (
    "occurred_on",
    "decided_on",
    "received_on",
    "ended_on",
    "held_on",
    "given_on",
    "handed_over_on",
    "released_on",
    "completed_on",
    "notice_received_on",
    "effective_on",
    "starts_on",
    "returned_on",
    "outcome_on",
    "report_deadline",
    "period_ends_on",
)


def later_changes(row: ClosedMonth, limit: int = 500) -> list[dict]:
    """Writes after the close that touch records dated in the closed month (who, what, when)."""
    start = row.month
    end = date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    closed_at = row.closed_at
    events = db.session.execute(
        select(AuditEvent)
        .where(AuditEvent.occurred_at > closed_at, AuditEvent.action != "report.close_month")
        .order_by(AuditEvent.id)
        .limit(20000)
    ).scalars()
    found = []
    for event in events:
        dates = set()
        for snap in (event.before or {}, event.after or {}):
            for key in _DATE_FIELDS:
                value = snap.get(key)
                if isinstance(value, str):
                    try:
                        dates.add(date.fromisoformat(value[:10]))
                    except ValueError:
                        continue
        hits = sorted(d for d in dates if start <= d <= end)
        if hits:
            found.append({"event": event, "dates": hits})
            if len(found) >= limit:
                break
    return found


def differences(row: ClosedMonth, station_ids: list[int]) -> dict[str, tuple[int, int]]:
    """Figures whose value today differs from the stored one: key → (stored, now)."""
    start = row.month
    end = date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    now = figures.compute(start, end, station_ids).totals
    stored = row.figures["total"]
    return {
        k: (int(stored.get(k, 0)), int(now.get(k, 0)))
        for k in figures.KEYS
        if int(stored.get(k, 0)) != int(now.get(k, 0))
    }


SERIES_KEYS = ("cc.on_register", "cc.received", "cc.released", "cc.contacts")


def monthly_series(
    user: User, last_month: date, months: int = 12, station_code: str | None = None
) -> list[dict]:
    """The chart's data: for each of the ``months`` months ending with ``last_month``,
    on register (at month end), received, released and contacts."""
    stations = stations_in_scope(user, station_code)
    ids = [s.id for s in stations]
    series = []
    year, month = last_month.year, last_month.month
    firsts = []
    for _i in range(months):
        firsts.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    for first in reversed(firsts):
        last = date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
        totals = figures.compute(first, last, ids, keys=SERIES_KEYS).totals
        series.append({"month": f"{first.year}-{first.month:02d}", **totals})
    return series
