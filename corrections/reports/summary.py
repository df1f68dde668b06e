"""Report periods, the summary (figures + paragraph), closing months and later differences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock, periods
from corrections.audit.models import AuditEvent
from corrections.audit.services import record
from corrections.auth.models import Station, Unit, User
from corrections.auth.scope import scope
from corrections.errors import Forbidden, NotFound, RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.numbering import short_unit
from corrections.reports import figures
from corrections.reports.figures import rollups
from corrections.reports.models import ClosedMonth, ClosedMonthStation


def month_range(text: str) -> tuple[date, date]:
    first = periods.parse_month(text)
    if first is None:
        raise ValidationFailed(_("月份格式应为 YYYY-MM。"), fields={"month": _("格式不对")})
    return periods.month_of(first)


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
    return periods.whole_month(start, end)


def closed_month(unit_id: int, month: date) -> ClosedMonth | None:
    return db.session.execute(
        select(ClosedMonth).where(ClosedMonth.unit_id == unit_id, ClosedMonth.month == month)
    ).scalar_one_or_none()


@dataclass
class Frozen:
    """A closed month's stored figures over some stations: the closed months behind them
    (one per unit), the total over the stations and each station's column."""

    rows: list[ClosedMonth]
    totals: dict[str, int]
    by_station: dict[int, dict[str, int]]

    @property
    def closed(self) -> ClosedMonth:
        """The close that froze the last of the units (the one the page names)."""
        return max(self.rows, key=lambda r: (r.closed_at, r.id))


def frozen_figures(stations: list[Station], month: date) -> Frozen | None:
    """The stored figures of ``month`` summed over ``stations`` (docs/domain.md §7.8), or None
    unless every unit those stations belong to has closed the month."""
    return _frozen_months(stations, [month]).get(month)


def _stored(rows: list[ClosedMonth], station_ids: list[int]) -> Frozen:
    """Sum the stored per-station figures of ``rows`` over ``station_ids``.

    Counts add up over stations. A figure of distinct people is the size of the union of
    the ids stored per station, so it equals the live figure over the same stations. A
    month converted from before stations were stored has no ids: over all of its unit's
    stations the unit's stored total is used, over some of them the stations' sum (an upper
    bound: a person with records at two of them is counted twice). A figure added to the
    registry after the close has no stored value and is computed from the records."""
    wanted = set(station_ids)
    by_id = {row.id: row for row in rows}
    stored = [  # every unit's station rows in one query
        (by_id[sr.closed_month_id], sr)
        for sr in db.session.execute(
            select(ClosedMonthStation)
            .where(ClosedMonthStation.closed_month_id.in_(list(by_id)))
            .order_by(ClosedMonthStation.closed_month_id, ClosedMonthStation.station_id)
        ).scalars()
    ]
    in_scope = [(row, sr) for row, sr in stored if sr.station_id in wanted]
    by_station = {sr.station_id: {k: int(v) for k, v in sr.figures.items()} for _r, sr in in_scope}
    totals: dict[str, int] = {}
    missing = []
    for figure in figures.FIGURES:
        key = figure.key
        if stored and any(key not in sr.figures for _r, sr in stored):
            missing.append(key)
            continue
        if not figure.distinct_people:
            totals[key] = sum(int(sr.figures.get(key, 0)) for _r, sr in in_scope)
        elif all(sr.members is not None and key in sr.members for _r, sr in in_scope):
            totals[key] = len({m for _r, sr in in_scope for m in sr.members[key]})
        else:
            totals[key] = 0
            for row in rows:
                mine = [sr for r, sr in in_scope if r.id == row.id]
                whole = len(mine) == sum(1 for r, _sr in stored if r.id == row.id)
                if mine and whole and key in (row.figures or {}).get("total", {}):
                    totals[key] += int(row.figures["total"][key])
                else:
                    totals[key] += sum(int(sr.figures.get(key, 0)) for sr in mine)
    if missing and rows:
        start = rows[0].month
        end = periods.month_end(start)
        live = figures.compute(start, end, sorted(wanted), keys=missing)
        totals.update(live.totals)
        for sid in wanted:
            for key in missing:
                by_station.setdefault(sid, {})[key] = live.by_station.get(sid, {}).get(key, 0)
    return Frozen(rows, totals, by_station)


def place_name(stations: list[Station], named: bool = False) -> str:
    """The place a report's figures cover (docs/domain.md §7.8): 全县 for every station of a
    county bureau, the station names for some of them, 各县（市、区）合计 for several units.
    ``named``: the place as a printed heading names it, standing on its own: the bureau's
    place name (示范县司法局 → 示范县) instead of 全县, 各县（市、区） for several units."""
    if not stations:
        return ""
    units = {s.unit_id for s in stations}
    if len(units) > 1:
        return "各县（市、区）" if named else "各县（市、区）合计"
    unit_station_ids = set(
        db.session.execute(
            select(Station.id).where(Station.unit_id == stations[0].unit_id)
        ).scalars()
    )
    if unit_station_ids <= {s.id for s in stations}:
        return short_unit(stations[0].unit.name) if named else "全县"
    return "、".join(s.name for s in sorted(stations, key=lambda s: s.code))


def summary(
    user: User, start: date, end: date, station_code: str | None = None, lang: str = "zh"
) -> dict:
    """Every figure of docs/domain.md §5 for the period and the user's stations (or one station).
    A closed month gives the stored figures summed over those stations (docs/domain.md §7.8).
    ``lang`` "en": the paragraph in English (pages in English); otherwise Chinese."""
    return summaries(user, [(start, end)], station_code, lang)[0]


def summaries(
    user: User,
    spans: list[tuple[date, date]],
    station_code: str | None = None,
    lang: str = "zh",
) -> list[dict]:
    """``summary`` of several periods (a month and its year to date): the periods that are not
    closed months are computed together (``figures.compute_many``)."""
    stations = stations_in_scope(user, station_code)
    frozen = []
    for start, end in spans:
        month = _single_month(start, end)
        frozen.append(frozen_figures(stations, month) if month is not None else None)
    live = [p for p, f in zip(spans, frozen, strict=True) if f is None]
    computed = iter(rollups.compute_many(live, [s.id for s in stations]) if live else [])
    place = place_name_en(stations) if lang == "en" else place_name(stations)
    return [
        _summary(
            stations,
            start,
            end,
            station_code,
            f,
            next(computed) if f is None else None,
            place,
            lang,
        )
        for (start, end), f in zip(spans, frozen, strict=True)
    ]


def _summary(stations, start, end, station_code, frozen, result, place, lang="zh") -> dict:
    if frozen is not None:
        totals = frozen.totals
        by_station = {s.code: frozen.by_station.get(s.id, {}) for s in stations}
    else:
        totals = result.totals
        by_station = {s.code: result.by_station.get(s.id, {}) for s in stations}
    totals = {k: int(totals.get(k, 0)) for k in figures.KEYS}
    by_station = {
        code: {k: int(v.get(k, 0)) for k in figures.KEYS} for code, v in by_station.items()
    }
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "station": station_code or None,
        "frozen": frozen is not None,
        "figures": totals,
        "text": (
            report_text_en(totals, end, place, start)
            if lang == "en"
            else report_text(totals, end, place, start)
        ),
        "by_station": by_station,
        "stations": stations,
        "closed": frozen.closed if frozen is not None else None,
        "closed_months": frozen.rows if frozen is not None else [],
    }


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def period_phrase(start: date, end: date) -> str:
    """How the paragraph opens (docs/domain.md §7.8): 截至… for a period from 1 January
    (the figures are then 累计), the month for one whole month, else from … to …."""
    if start == date(end.year, 1, 1):
        return f"截至{_cn_date(end)}"
    if _single_month(start, end) is not None:
        return f"{start.year}年{start.month}月"
    if start.year == end.year:
        return f"{_cn_date(start)}至{end.month}月{end.day}日"
    return f"{_cn_date(start)}至{_cn_date(end)}"


def _opening(start: date | None, end: date, cumulative: str) -> tuple[date, str]:
    """The period's start (None: 1 January of ``end``'s year) and the word for "in all" when
    the period runs from 1 January (its figures are then 累计), else ""."""
    start = start or date(end.year, 1, 1)
    return start, cumulative if start == date(end.year, 1, 1) else ""


def report_text(
    f: dict[str, int], end: date, place: str = "全县", start: date | None = None
) -> str:
    """The paragraph of a county work report, in the order docs/domain.md §5 gives; it names
    the place and opens with the period as docs/domain.md §7.8 says (``start`` None: from
    1 January of ``end``'s year)."""
    start, cumulative = _opening(start, end, "累计")
    return (
        f"{period_phrase(start, end)}，{place}开展调查评估{f['cc.assessments_completed']}例，"
        f"{cumulative}接收社区矫正对象{f['cc.received']}人，解除社区矫正{f['cc.released']}人，"
        f"终止社区矫正{f['cc.terminated']}人，变更执行地{f['cc.transferred_out']}人，"
        f"开展见面核查{f['cc.contacts_in_person']}人次，训诫{f['cc.admonitions']}人次，"
        f"警告{f['cc.warnings']}人次，提请治安管理处罚{f['cc.police_penalty_requests']}人次，"
        f"组织教育学习{f['cc.education_sessions']}场{f['cc.education_attendances']}人次，"
        f"组织公益活动{f['cc.public_service_sessions']}场{f['cc.public_service_attendances']}人次，"
        f"开展心理咨询、心理辅导{f['cc.counselling_attendances']}人次，"
        f"帮困扶助{f['cc.assistance_attendances']}人次，"
        f"{place}在册社区矫正对象{f['cc.on_register']}人；"
        f"共衔接刑满释放人员{f['rs.handed_over']}人，{place}在册安置帮教对象{f['rs.on_register']}人"
        f"（其中重点安置帮教对象{f['rs.on_register_key']}名，涉黑涉恶人员{f['rs.on_register_gang']}名），"
        f"开展见面核查、上门走访{f['rs.contacts_in_person']}人次，救助帮扶{f['rs.assisted']}人，"
        f"纳入低保{f['rs.subsistence']}人，推荐就业{f['rs.employment']}人。"
    )


def place_name_en(stations: list[Station]) -> str:
    """``place_name`` in English."""
    chinese = place_name(stations)
    if chinese == "全县":
        return "the county"
    if chinese == "各县（市、区）合计":
        return "all counties (cities, districts) combined"
    return ", ".join(s.name for s in sorted(stations, key=lambda s: s.code))


def period_phrase_en(start: date, end: date) -> str:
    """``period_phrase`` in English."""
    if start == date(end.year, 1, 1):
        return f"As of {end.isoformat()}"
    if _single_month(start, end) is not None:
        return f"In {start.strftime('%B %Y')}"
    return f"From {start.isoformat()} to {end.isoformat()}"


def report_text_en(
    f: dict[str, int], end: date, place: str = "the county", start: date | None = None
) -> str:
    """``report_text`` in English, the same figures in the same order, for pages shown in
    English; the printed and exported reports keep the Chinese paragraph."""
    start, total = _opening(start, end, "a total of ")
    return (
        f"{period_phrase_en(start, end)}, {place} completed "
        f"{f['cc.assessments_completed']} pre-sentence investigations, received {total}"
        f"{f['cc.received']} people for community correction, released {f['cc.released']}, "
        f"terminated {f['cc.terminated']} and transferred out {f['cc.transferred_out']}; "
        f"it made {f['cc.contacts_in_person']} in-person checks, issued "
        f"{f['cc.admonitions']} admonitions and {f['cc.warnings']} warnings, made "
        f"{f['cc.police_penalty_requests']} police penalty requests, held "
        f"{f['cc.education_sessions']} education sessions ({f['cc.education_attendances']} "
        f"attendances) and {f['cc.public_service_sessions']} community service sessions "
        f"({f['cc.public_service_attendances']} attendances), and gave "
        f"{f['cc.counselling_attendances']} counselling and "
        f"{f['cc.assistance_attendances']} assistance sessions; {place} has "
        f"{f['cc.on_register']} people on the community correction register. "
        f"{f['rs.handed_over']} released prisoners were handed over; {place} has "
        f"{f['rs.on_register']} people on the resettlement register (of whom "
        f"{f['rs.on_register_key']} key persons and {f['rs.on_register_gang']} gang-related), "
        f"made {f['rs.contacts_in_person']} in-person checks and home visits, gave relief to "
        f"{f['rs.assisted']}, a subsistence allowance to {f['rs.subsistence']} and "
        f"employment referrals to {f['rs.employment']}."
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
    # each station's figures and, for distinct people, whom they count (docs/domain.md §7.8)
    members = figures.distinct_members(start, end, [s.id for s in stations])
    row = ClosedMonth(
        unit_id=unit.id,
        month=start,
        figures=stored,
        closed_by_id=actor.id,
        closed_at=clock.now_utc(),
    )
    for s in stations:
        row.station_rows.append(
            ClosedMonthStation(
                station_id=s.id,
                figures=stored["stations"][s.code],
                members={key: per.get(s.id, []) for key, per in members.items()},
            )
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


def _rows(closed: ClosedMonth | list[ClosedMonth]) -> list[ClosedMonth]:
    return list(closed) if isinstance(closed, list | tuple) else [closed]


def later_changes(
    closed: ClosedMonth | list[ClosedMonth],
    limit: int = 500,
    station_ids: list[int] | None = None,
) -> list[dict]:
    """Writes after the close that touch records dated in the closed month (who, what, when).

    With ``station_ids`` only writes about records of those stations are listed (and writes
    tied to no station, such as rule tables); a unit's writes count from its own close."""
    rows = _rows(closed)
    start = rows[0].month
    end = periods.month_end(start)
    closed_at = {row.unit_id: row.closed_at for row in rows}
    earliest = min(closed_at.values())
    events = db.session.execute(
        select(AuditEvent)
        .where(AuditEvent.occurred_at > earliest, AuditEvent.action != "report.close_month")
        .order_by(AuditEvent.id)
        .limit(20000)
    ).scalars()
    found = []
    unit_of: dict[int, int] = {}
    if station_ids is not None:
        unit_of = dict(
            db.session.execute(
                select(Station.id, Station.unit_id).where(Station.id.in_(list(station_ids)))
            ).all()
        )
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
        if not hits:
            continue
        if station_ids is not None:
            where = _event_stations(event, hits)
            if where is not None and not any(
                sid in unit_of
                and event.occurred_at > closed_at.get(unit_of[sid], event.occurred_at)
                for sid in where
            ):
                continue
        found.append({"event": event, "dates": hits})
        if len(found) >= limit:
            break
    return found


def _event_stations(event: AuditEvent, hits: list[date]) -> set[int] | None:
    """The stations a write's record belongs to: its own station, or its case's (for a
    correction case, the station it was at on the record's dates in the month). None when
    the record belongs to no station."""
    from corrections.resettlement.models import ResettlementCase
    from corrections.supervision.models import CorrectionCase

    stations: set[int] = set()
    resettlement = event.action.startswith("resettlement.")
    cc_ids: set[int] = set()
    rc_ids: set[int] = set()
    if event.entity_type == "correction_case" and event.entity_id:
        cc_ids.add(event.entity_id)
    if event.entity_type == "resettlement_case" and event.entity_id:
        rc_ids.add(event.entity_id)
    for snap in (event.before or {}, event.after or {}):
        if isinstance(snap.get("station_id"), int):
            stations.add(snap["station_id"])
        case_id = snap.get("case_id")
        if isinstance(case_id, int):
            (rc_ids if resettlement else cc_ids).add(case_id)
    for day in hits if cc_ids else ():
        stations.update(
            db.session.execute(
                select(figures.station_at(day)).where(CorrectionCase.id.in_(cc_ids))
            ).scalars()
        )
    if rc_ids:
        stations.update(
            db.session.execute(
                select(ResettlementCase.station_id).where(ResettlementCase.id.in_(rc_ids))
            ).scalars()
        )
    if not stations and not cc_ids and not rc_ids:
        return None
    return stations


def differences(
    closed: ClosedMonth | list[ClosedMonth], station_ids: list[int]
) -> dict[str, tuple[int, int]]:
    """Figures whose value today differs from the stored one over ``station_ids``:
    key → (stored, now)."""
    rows = _rows(closed)
    start = rows[0].month
    end = periods.month_end(start)
    now = figures.compute(start, end, station_ids).totals
    stored = _stored(rows, station_ids).totals
    return {
        k: (int(stored.get(k, 0)), int(now.get(k, 0)))
        for k in figures.KEYS
        if int(stored.get(k, 0)) != int(now.get(k, 0))
    }


SERIES_KEYS = ("cc.on_register", "cc.received", "cc.released", "cc.contacts")


def monthly_series(
    user: User,
    last_month: date,
    months: int = 12,
    station_code: str | None = None,
    *,
    stations: list[Station] | None = None,
    known: dict[date, dict] | None = None,
) -> list[dict]:
    """The chart's data: for each of the ``months`` months ending with ``last_month``,
    on register (at month end), received, released and contacts.

    ``stations``: the user's stations in scope when the caller has them already; ``known``:
    ``summary()`` results the caller has for some of these months over the same stations
    (the monthly report's own month), used as they are instead of being computed again."""
    if stations is None:
        stations = stations_in_scope(user, station_code)
    ids = [s.id for s in stations]
    known = known or {}
    series = []
    spans = [
        (first, periods.month_end(first))
        for first in periods.month_starts_until(last_month, months)
    ]
    # closed months show their stored figures (docs/domain.md §7.8); the others are computed
    # together, one pass per kind of rows (figures.compute_many)
    frozen = _frozen_months(stations, [first for first, _last in spans if first not in known])
    live = [p for p in spans if p[0] not in known and frozen.get(p[0]) is None]
    computed = (
        dict(zip(live, rollups.compute_many(live, ids, keys=SERIES_KEYS), strict=True))
        if live
        else {}
    )
    for first, last in spans:
        stored = frozen.get(first)
        if first in known:
            totals = {k: int(known[first]["figures"].get(k, 0)) for k in SERIES_KEYS}
        elif stored is not None:
            totals = {k: int(stored.totals.get(k, 0)) for k in SERIES_KEYS}
        else:
            totals = computed[(first, last)].totals
        series.append({"month": periods.month_text(first), **totals})
    return series


def _frozen_months(stations: list[Station], months: list[date]) -> dict[date, Frozen | None]:
    """``frozen_figures`` of several months, the closes looked up in one statement (a month
    missing from the answer, or None, is not closed by every unit of the stations)."""
    units = sorted({s.unit_id for s in stations})
    if not units or not months:
        return {}
    closes: dict[date, list[ClosedMonth]] = {}
    for row in db.session.execute(
        select(ClosedMonth).where(ClosedMonth.unit_id.in_(units), ClosedMonth.month.in_(months))
    ).scalars():
        closes.setdefault(row.month, []).append(row)
    ids = [s.id for s in stations]
    return {
        month: _stored(rows, ids) if len(rows) == len(units) else None
        for month, rows in closes.items()
    }
