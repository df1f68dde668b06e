"""The drill-down: the records behind each figure of the registry.

``rows_query(key, …)`` is the SQL of the rows behind a number. It is built by
``figures`` from the very conditions the figure counts with (each figure's
``Source``), so a number and its list cannot drift apart; ``cc.overdue`` and
``rs.overdue`` list the cases the due-date engine finds, by the same code path
as the figure. Distinct-people (or distinct-case) figures list one row per
person (or case) with the number of records behind it.

``page(…)`` turns a page of those rows into plain ``Record`` lines for the
list page: a date, who, where, what, and links to the case pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Select

from corrections import clock
from corrections.activities.models import Activity, Attendance
from corrections.alerts.models import Alert
from corrections.assessments.models import Assessment
from corrections.auth.models import Station
from corrections.checkin.models import Checkin
from corrections.extensions import db
from corrections.labels import label
from corrections.people import privacy
from corrections.people.models import Person
from corrections.reports.figures import BY_KEY, CC, RC
from corrections.resettlement.models import ResettlementContact
from corrections.supervision.models import Contact, Incident, Sanction
from corrections.web import Page

# What the date column means, by the column a figure counts its rows by.
_DATE_LABELS = {
    "received_on": _l("接收日期"),
    "ended_on": _l("结束日期"),
    "report_deadline": _l("报到期限"),
    "occurred_on": _l("发生日期"),
    "decided_on": _l("决定日期"),
    "held_on": _l("活动日期"),
    "given_on": _l("帮扶日期"),
    "starts_on": _l("外出开始日期"),
    "completed_on": _l("完成日期"),
    "notice_received_on": _l("收到通知日期"),
    "handed_over_on": _l("衔接日期"),
    "released_on": _l("释放日期"),
    "raised_on": _l("预警日期"),
    "closed_on": _l("办结日期"),
}


@dataclass
class Record:
    on: date | None
    name: str
    station: str
    what: str
    url: str | None = None  # the record (activity, assessment) or the case
    name_url: str | None = None  # the person's case, when the record is not the case
    badges: list[str] = field(default_factory=list)


def rows_query(key: str, start: date, end: date, station_ids: list[int] | None) -> Select:
    """SQL of the rows behind figure ``key`` for the period and stations (None: all)."""
    return BY_KEY[key].rows(start, end, station_ids)


def grouped(key: str) -> str | None:
    """'person' or 'case' when the figure counts distinct people or cases (rows are grouped)."""
    figure = BY_KEY[key]
    if figure.engine:
        return None
    per = figure.source(date.min, date.min).per
    if per is None:
        return None
    return "person" if per.key == "person_id" else "case"


def date_label(key: str) -> str:
    figure = BY_KEY[key]
    if figure.engine:
        return _("接收日期") if key == "cc.overdue" else _("释放日期")
    if grouped(key):
        return _("最近日期")
    on = figure.source(date.min, date.min).on
    return str(_DATE_LABELS.get(getattr(on, "key", ""), _("日期")))


def count(key: str, start: date, end: date, station_ids: list[int] | None) -> int:
    query = rows_query(key, start, end, station_ids)
    return db.session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()


def page(
    key: str, start: date, end: date, station_ids: list[int] | None, number: int, per_page: int
) -> Page:
    """One page of the records behind figure ``key``, as ``Record`` lines."""
    query = rows_query(key, start, end, station_ids)
    kind = grouped(key)
    entity = query.column_descriptions[0].get("entity")
    if not kind and entity in (CC, RC):
        query = query.options(selectinload(entity.person))
    total = db.session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    rows = db.session.execute(query.limit(per_page).offset((number - 1) * per_page)).all()
    stations = dict(db.session.execute(select(Station.id, Station.name)).all())
    if kind:
        items = _grouped_records(key, kind, rows, stations, start, end, station_ids)
    else:
        items = _records(key, rows, stations, end)
    return Page(items, number, per_page, total)


# --------------------------------------------------------------------------- presentation


def _name(person: Person) -> str:
    """The person's name as this user may see it (docs/domain.md §7.2)."""
    from flask_login import current_user

    return privacy.display_name(current_user, person.id, person.name)


def _case_url(case_id: int) -> str:
    return url_for("supervision.show", case_id=case_id)


def _rs_url(case_id: int) -> str:
    return url_for("resettlement.show", case_id=case_id)


def _cases(model, ids) -> dict[int, object]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    found = db.session.execute(
        select(model).where(model.id.in_(ids)).options(selectinload(model.person))
    ).scalars()
    return {c.id: c for c in found}


def _hours(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value:f}".rstrip("0").rstrip(".")
    return _("%(h)s小时", h=text)


def _dots(*parts) -> str:
    """The non-empty parts of a line, joined by " · "."""
    return " · ".join(p for p in parts if p)


# The lines of each kind of record: the entity's class -> (key, entities, where each is
# listed, the period's end) -> records; ``_records`` picks by the first row's entity.
_LISTERS: dict[type, Callable[[str, list, dict[int, str], date], list[Record]]] = {}


def _lists(*models):
    def register(lister):
        for model in models:
            _LISTERS[model] = lister
        return lister

    return register


def _records(key: str, rows, stations: dict[int, str], end: date) -> list[Record]:
    entities = [row[0] for row in rows]
    if not entities:
        return []
    where = {id(e): stations.get(row[1], "") for e, row in zip(entities, rows, strict=True)}
    lister = next(f for model, f in _LISTERS.items() if isinstance(entities[0], model))
    return lister(key, entities, where, end)


def _end_reason(case) -> str | None:
    if not case.end_reason:
        return None
    if case.status == "released":
        return label("release_reason", case.end_reason)
    if case.status == "terminated":
        return label("termination_reason", case.end_reason)
    return case.end_reason


def _due_today(key: str, end: date) -> bool:
    """The stored due date is today's; it explains an overdue list only when the list is
    today's."""
    return key in ("cc.overdue", "rs.overdue") and end == clock.today()


def _of_programme(model, case_url, due_text):
    """Register ``describe(key, case) -> (on, what, badges)`` as the lister of ``model``'s
    cases; a list of today's overdue cases adds each case's due date (``due_text``)."""

    def register(describe):
        @_lists(model)
        def lister(key, entities, where, end) -> list[Record]:
            out = []
            for case in entities:
                on, what, badges = describe(key, case)
                if _due_today(key, end) and case.next_due_on:
                    what += " · " + due_text(case.next_due_on.isoformat())
                url = case_url(case.id)
                out.append(Record(on, _name(case.person), where[id(case)], what, url, None, badges))
            return out

        return describe

    return register


@_of_programme(CC, _case_url, lambda d: _("应于 %(d)s 前联系", d=d))
def _correction_case(key, case):
    badges = [label("case_status", case.status)]
    if case.end_reason:
        badges.append(_end_reason(case))
    what = _dots(
        label("correction_type", case.correction_type),
        label("level", case.level) if case.status == "active" else "",
        case.crime,
    )
    return _cc_date(key, case), what, badges


@_of_programme(RC, _rs_url, lambda d: _("应于 %(d)s 前走访", d=d))
def _resettlement_case(key, case):
    badges = [label("rs_status", case.status)]
    if case.is_key:
        badges.append(_("重点"))
    if case.person.flag_gang:
        badges.append(label("flag", "gang"))
    if case.handover_method:
        badges.append(label("handover_method", case.handover_method))
    what = _dots(label("rs_source", case.source), case.crime, case.facility)
    return _rc_date(key, case), what, badges


@_lists(Assessment)
def _assessments(key, entities, where, end) -> list[Record]:
    out = []
    for a in entities:
        on = a.completed_on if key == "cc.assessments_completed" else a.received_on
        what = _dots(
            label("commissioned_by", a.commissioned_by),
            a.commissioning_body,
            a.crime,
            label("opinion", a.opinion) if a.opinion else "",
        )
        url = url_for("assessments.show", assessment_id=a.id)
        out.append(Record(on, a.name, where[id(a)], what, url))
    return out


@_lists(Activity)
def _activities(key, entities, where, end) -> list[Record]:
    attendees = dict(
        db.session.execute(
            select(Attendance.activity_id, func.count())
            .where(Attendance.activity_id.in_([a.id for a in entities]))
            .group_by(Attendance.activity_id)
        ).all()
    )
    out = []
    for a in entities:
        kind = label("activity_kind", a.kind)
        what = _dots(kind, a.place, _hours(a.hours), _("%(n)d人参加", n=attendees.get(a.id, 0)))
        url = url_for("activities.show", activity_id=a.id)
        out.append(Record(a.held_on, a.topic or kind, where[id(a)], what, url))
    return out


@_lists(Attendance)
def _attendances(key, entities, where, end) -> list[Record]:
    ids = {x.activity_id for x in entities}
    found = db.session.execute(select(Activity).where(Activity.id.in_(ids))).scalars()
    activities = {a.id: a for a in found}
    cases = _cases(CC, [x.case_id for x in entities])
    out = []
    for x in entities:
        act = activities[x.activity_id]
        case = cases.get(x.case_id)
        what = _dots(label("activity_kind", act.kind), act.topic, _hours(x.hours))
        out.append(
            Record(
                act.held_on,
                _name(case.person) if case else "—",
                where[id(x)],
                what,
                url_for("activities.show", activity_id=act.id),
                _case_url(x.case_id),
            )
        )
    return out


# Records of a case (contacts, sanctions, incidents, alerts, check-ins): each kind says its
# date, its line and its badges; the record links to its case, unless it has a page of its
# own (then the record links there and its name to the case).


def _of_case(model, programme):
    """Register ``describe(key, record) -> (on, what, badges, own page or None)`` as the
    lister of ``model``, a record of a ``programme`` case (``CC`` or ``RC``)."""
    case_url = _rs_url if programme is RC else _case_url

    def register(describe):
        @_lists(model)
        def lister(key, entities, where, end) -> list[Record]:
            cases = _cases(programme, [x.case_id for x in entities])
            out = []
            for x in entities:
                case = cases.get(x.case_id)
                on, what, badges, page = describe(key, x)
                url, name_url = (page, case_url(x.case_id)) if page else (case_url(x.case_id), None)
                name = _name(case.person) if case else "—"
                out.append(Record(on, name, where[id(x)], what, url, name_url, badges))
            return out

        return describe

    return register


@_of_case(Contact, CC)
def _contact(key, x):
    badges = []
    if x.unannounced:
        badges.append(_("突击"))
    if x.at_night:
        badges.append(_("夜间"))
    return x.occurred_on, _dots(label("contact_kind", x.kind), _short(x.note)), badges, None


@_of_case(ResettlementContact, RC)
def _rs_contact(key, x):
    return x.occurred_on, _dots(label("contact_kind", x.kind), _short(x.note)), [], None


@_of_case(Sanction, CC)
def _sanction(key, x):
    what = _dots(label("sanction_kind", x.kind), x.document_number, _short(x.reason))
    return x.decided_on, what, [label("outcome", x.outcome)] if x.outcome else [], None


@_of_case(Alert, CC)
def _alert(key, x):
    on = x.closed_on if key.startswith("cc.alerts_closed") else x.raised_on
    badges = [label("alert_status", x.status)]
    if x.outcome:
        badges.append(label("alert_outcome", x.outcome))
    what = _dots(label("alert_kind", x.kind), _short(x.message))
    return on, what, badges, url_for("alerts.show", alert_id=x.id)


@_of_case(Checkin, CC)
def _checkin(key, x):
    badges = [_("范围外")] if x.outside_area else []
    return x.due_on, label("checkin_status", x.status), badges, None


@_of_case(Incident, CC)
def _incident(key, x):
    closed = _("%(d)s 结案", d=x.closed_on.isoformat()) if x.closed_on else _("未结案")
    return x.occurred_on, _dots(label("incident_kind", x.kind), _short(x.note)), [closed], None


def _cc_date(key: str, case) -> date | None:
    if key in ("cc.released", "cc.terminated", "cc.transferred_out"):
        return case.ended_on
    if key == "cc.missed_intake":
        return case.report_deadline
    return case.received_on


def _rc_date(key: str, case) -> date | None:
    return {
        "rs.notices_received": case.notice_received_on,
        "rs.handed_over": case.handed_over_on,
        "rs.escorted": case.handed_over_on,
        "rs.ended": case.ended_on,
    }.get(key, case.released_on)


def _short(text: str | None, size: int = 40) -> str:
    text = (text or "").strip().replace("\n", " ")
    return text if len(text) <= size else text[: size - 1] + "…"


def _grouped_records(key: str, kind: str, rows, stations, start, end, station_ids) -> list[Record]:
    """One line per person (or case), with the records behind it, found by the same
    conditions as the figure (``Source.members``)."""
    ids = [row.group_id for row in rows]
    members: dict[int, list] = {}
    if ids:
        source = BY_KEY[key].source(start, end)
        for entity, group_id in db.session.execute(source.members(ids, station_ids)).all():
            members.setdefault(group_id, []).append(entity)
    out: list[Record] = []
    if kind == "person":
        people = {
            p.id: p for p in db.session.execute(select(Person).where(Person.id.in_(ids))).scalars()
        }
        for row in rows:
            person = people.get(row.group_id)
            given = members.get(row.group_id, [])
            what = "；".join(
                " ".join(t for t in (label("assistance_kind", a.kind), str(a.given_on)) if t)
                for a in given
            )
            case_id = given[-1].case_id if given else None
            out.append(
                Record(
                    row.last_on,
                    _name(person) if person else "—",
                    stations.get(row.station_id, ""),
                    what,
                    _rs_url(case_id) if case_id else url_for("people.show", person_id=row.group_id),
                    None,
                    [_("%(n)d条记录", n=row.records)] if row.records > 1 else [],
                )
            )
        return out
    cases = _cases(CC, ids)
    for row in rows:
        case = cases.get(row.group_id)
        leaves = members.get(row.group_id, [])
        what = "；".join(
            _dots(
                label("leave_reason", leave.reason),
                leave.destination,
                _("%(a)s 至 %(b)s", a=leave.starts_on, b=leave.ends_on),
            )
            for leave in leaves
        )
        out.append(
            Record(
                row.last_on,
                _name(case.person) if case else "—",
                stations.get(row.station_id, ""),
                what or _("外出请假"),
                _case_url(row.group_id),
            )
        )
    return out


__all__ = ["Record", "count", "date_label", "grouped", "page", "rows_query"]
