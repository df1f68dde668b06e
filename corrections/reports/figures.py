"""The one registry of figures (docs/domain.md §5). Nothing else in the code counts these.

Period figures count events dated in ``[start, end]`` (both inclusive); stock
figures are the state at the end of ``end``. Each figure is one aggregate query
grouped by station, so a report for a county gets every station's column and
the total in the same pass. A correction case counts at the station it was at
on the event's date (station moves are dated); a session counts at its own
station. Voided records never count. ``cc.overdue`` and ``rs.overdue`` follow
the due-date engine exactly, on any date.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import has_request_context, request
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.sql import ColumnElement, Select, operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter

from corrections import clock
from corrections.activities.models import Activity, Attendance
from corrections.assessments.models import Assessment
from corrections.checkin.figures import checkin_source
from corrections.extensions import db
from corrections.people.models import Person
from corrections.resettlement.models import (
    Assistance,
    KeyStatusChange,
    ResettlementCase,
    ResettlementContact,
)
from corrections.rules import engine, twins
from corrections.rules.tables import contact_rules
from corrections.supervision.models import (
    CORRECTION_TYPES,
    LEVELS,
    CaseLevel,
    Contact,
    CorrectionCase,
    Incident,
    Leave,
    Sanction,
    StationMove,
)

CC = CorrectionCase
RC = ResettlementCase


def station_at(on) -> ColumnElement:
    """SQL: the station a correction case was at on ``on`` (a date or a date column)."""
    moved_to = (
        select(StationMove.to_station_id)
        .where(StationMove.case_id == CC.id, StationMove.moved_on <= on)
        .order_by(StationMove.moved_on.desc(), StationMove.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    first_from = (
        select(StationMove.from_station_id)
        .where(StationMove.case_id == CC.id)
        .order_by(StationMove.moved_on, StationMove.id)
        .limit(1)
        .scalar_subquery()
    )
    # most cases never move: only those that did look at their moves
    expr = case((CC.has_moves, func.coalesce(moved_to, first_from, CC.station_id)),
                else_=CC.station_id)  # fmt: skip
    expr._never_moved_station = CC.station_id  # see _in_stations
    return expr


def _in_stations(station: ColumnElement, ids: list[int]) -> ColumnElement:
    """``station IN ids``; for ``station_at`` also the condition it implies and an index can
    use: a case that never moved is at its own station (a unit's figures then read only its
    cases' rows)."""
    condition = station.in_(ids)
    own = getattr(station, "_never_moved_station", None)
    if own is not None:
        condition = and_(or_(own.in_(ids), CC.has_moves.is_(True)), condition)
    return condition


def level_at(on) -> ColumnElement:
    """SQL: the approved level of a correction case in force on ``on``."""
    in_force = (
        select(CaseLevel.level)
        .where(
            CaseLevel.case_id == CC.id, CaseLevel.status == "approved", CaseLevel.effective_on <= on
        )
        .order_by(CaseLevel.effective_on.desc(), CaseLevel.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    first = (
        select(CaseLevel.level)
        .where(CaseLevel.case_id == CC.id, CaseLevel.status == "approved")
        .order_by(CaseLevel.effective_on, CaseLevel.id)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(in_force, first)


def key_at(on) -> ColumnElement:
    """SQL: a resettlement case's key status on ``on`` (the first record holds from the start)."""
    in_force = (
        select(KeyStatusChange.is_key)
        .where(KeyStatusChange.case_id == RC.id, KeyStatusChange.effective_on <= on)
        .order_by(KeyStatusChange.effective_on.desc(), KeyStatusChange.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    first = (
        select(KeyStatusChange.is_key)
        .where(KeyStatusChange.case_id == RC.id)
        .order_by(KeyStatusChange.effective_on, KeyStatusChange.id)
        .limit(1)
        .scalar_subquery()
    )
    # with a single key-status record the case's is_key holds it
    return case((RC.has_key_changes, func.coalesce(in_force, first, RC.is_key)),
                else_=RC.is_key)  # fmt: skip


def cc_on_register(on) -> ColumnElement:
    return and_(CC.received_on <= on, or_(CC.ended_on.is_(None), CC.ended_on > on))


def rc_on_register(on) -> ColumnElement:
    """在册安置帮教对象 (docs/domain.md §7.7): off the register from the day after the
    support period ends, ended or not."""
    return twins.resettlement_on_register(RC.released_on, RC.ended_on, RC.period_ends_on, on)


@dataclass(frozen=True)
class Source:
    """The records behind a figure: rows of ``entity`` (joined by ``frm`` when the station or a
    condition needs another table) meeting ``where``, each counted at ``station``. ``per`` is set
    when the figure counts distinct values (a case, a person) rather than rows; ``on`` is the date
    a row counts by. The grouped count and the drill-down rows are both built from this."""

    entity: Any
    station: ColumnElement
    where: tuple
    frm: Any = None
    per: ColumnElement | None = None
    on: ColumnElement | None = None

    def _from(self, query: Select) -> Select:
        return query.select_from(self.frm) if self.frm is not None else query

    def grouped(self, station_ids: Iterable[int] | None = None) -> Select:
        """SELECT (station_id, value) grouped by station (only ``station_ids`` if given)."""
        value = func.count(func.distinct(self.per)) if self.per is not None else func.count()
        query = select(self.station.label("station_id"), value.label("value"))
        query = self._from(query).where(*self.where)
        if station_ids is not None:
            query = query.where(self.station.in_(list(station_ids)))
        return query.group_by(self.station)

    def distinct_total(self, station_ids: Iterable[int] | None) -> Select:
        """SELECT the number of distinct ``per`` over the stations (the total of a
        distinct-people figure is not the sum of its stations)."""
        query = select(
            literal(None).label("station_id"), func.count(func.distinct(self.per)).label("value")
        )
        query = self._from(query).where(*self.where)
        if station_ids is not None:
            query = query.where(self.station.in_(list(station_ids)))
        return query

    def rows(self, station_ids: Iterable[int] | None) -> Select:
        """The rows behind the number: ``(entity, station_id)``; for a distinct figure one row
        per ``per`` value: ``(group_id, station_id, records, first_on, last_on)``."""
        if self.per is not None:
            query = select(
                self.per.label("group_id"),
                func.min(self.station).label("station_id"),
                func.count().label("records"),
                func.min(self.on).label("first_on"),
                func.max(self.on).label("last_on"),
            )
        else:
            query = select(self.entity, self.station.label("station_id"))
        query = self._from(query).where(*self.where)
        if station_ids is not None:
            query = query.where(self.station.in_(list(station_ids)))
        if self.per is not None:
            return query.group_by(self.per).order_by(func.max(self.on).desc(), self.per)
        order = [self.on.desc()] if self.on is not None else []
        return query.order_by(*order, self.entity.id.desc())

    def station_members(self, station_ids: Iterable[int] | None) -> Select:
        """For a distinct figure: SELECT DISTINCT (station_id, member) — the ``per`` values
        counted at each station (a closed month stores them, docs/domain.md §7.8)."""
        query = select(self.station.label("station_id"), self.per.label("member"))
        query = self._from(query).where(*self.where)
        if station_ids is not None:
            query = query.where(self.station.in_(list(station_ids)))
        return query.distinct()

    def members(self, values: Iterable, station_ids: Iterable[int] | None) -> Select:
        """For a distinct figure: the records behind the given ``per`` values (each row
        ``(entity, group_id)``), meeting the same conditions."""
        query = select(self.entity, self.per.label("group_id"))
        query = self._from(query).where(*self.where, self.per.in_(list(values)))
        if station_ids is not None:
            query = query.where(self.station.in_(list(station_ids)))
        return query.order_by(self.on, self.entity.id)


@dataclass(frozen=True)
class Figure:
    key: str
    kind: str  # "period" | "stock"
    label: str  # Chinese, as reports print it
    unit: str  # 人 / 例 / 人次 / 场次 / 次
    # (start, end) -> the Source of its records; None for the engine figures (overdue)
    source: Callable[[date, date], Source] | None = None
    # distinct-people figures: the total is not the sum of stations
    distinct_people: bool = False

    @property
    def engine(self) -> bool:
        return self.source is None

    @property
    def text(self) -> str:
        """The label with its unit in the user's language: 漏管（人） / Missed intake (people)."""
        from flask_babel import gettext

        return gettext("%(label)s（%(unit)s）", label=gettext(self.label), unit=gettext(self.unit))

    def query(self, start: date, end: date, station_ids: Iterable[int] | None = None) -> Select:
        """SELECT (station_id, value) grouped by station (only ``station_ids`` if given)."""
        return self.source(start, end).grouped(station_ids)

    def distinct(self, start: date, end: date, station_ids=None) -> Select:
        return self.source(start, end).distinct_total(station_ids)

    def rows(self, start: date, end: date, station_ids: Iterable[int] | None = None) -> Select:
        """The records behind the figure, from the same conditions as its count."""
        if self.source is not None:
            return self.source(start, end).rows(station_ids)
        allowed = set(station_ids) if station_ids is not None else None
        ids = [i for per in overdue_cases(self.key, end, allowed).values() for i in per]
        model, station = (CC, station_at(end)) if self.key == "cc.overdue" else (RC, RC.station_id)
        return (
            select(model, station.label("station_id"))
            .where(model.id.in_(ids))
            .order_by(model.next_due_on, model.id)
        )


def _cc_period(date_col, *where):
    return lambda s, e: Source(
        CC, station_at(date_col), (date_col.between(s, e), *where), on=date_col
    )


def _sanction(kind: str):
    return lambda s, e: Source(
        Sanction,
        station_at(Sanction.decided_on),
        (
            Sanction.kind == kind,
            Sanction.status == "decided",
            Sanction.voided_at.is_(None),
            Sanction.decided_on.between(s, e),
        ),
        frm=Sanction.__table__.join(CC.__table__, CC.id == Sanction.case_id),
        on=Sanction.decided_on,
    )


def _contacts(kinds=None):
    def source(s, e):
        where = [Contact.voided_at.is_(None), Contact.occurred_on.between(s, e)]
        if kinds:
            where.append(Contact.kind.in_(kinds))
        return Source(
            Contact,
            station_at(Contact.occurred_on),
            tuple(where),
            frm=Contact.__table__.join(CC.__table__, CC.id == Contact.case_id),
            on=Contact.occurred_on,
        )

    return source


def _sessions(kind):
    return lambda s, e: Source(
        Activity,
        Activity.station_id,
        (Activity.kind == kind, Activity.voided_at.is_(None), Activity.held_on.between(s, e)),
        on=Activity.held_on,
    )


def _attendances(kind):
    return lambda s, e: Source(
        Attendance,
        Activity.station_id,
        (Activity.kind == kind, Activity.voided_at.is_(None), Activity.held_on.between(s, e)),
        frm=Attendance.__table__.join(Activity.__table__, Activity.id == Attendance.activity_id),
        on=Activity.held_on,
    )


def _incidents(kind):
    return lambda s, e: Source(
        Incident,
        station_at(Incident.occurred_on),
        (Incident.kind == kind, Incident.occurred_on.between(s, e)),
        frm=Incident.__table__.join(CC.__table__, CC.id == Incident.case_id),
        on=Incident.occurred_on,
    )


def _rs_assisted(kind=None):
    def source(s, e):
        where = [Assistance.voided_at.is_(None), Assistance.given_on.between(s, e)]
        if kind:
            where.append(Assistance.kind == kind)
        return Source(
            Assistance,
            RC.station_id,
            tuple(where),
            frm=Assistance.__table__.join(RC.__table__, RC.id == Assistance.case_id),
            per=RC.person_id,
            on=Assistance.given_on,
        )

    return source


def _cc_stock(*where):
    return lambda s, e: Source(CC, station_at(e), (cc_on_register(e), *where), on=CC.received_on)


def _rc(where_of, on=None, frm=None):
    """A resettlement-case figure: ``where_of(s, e)`` gives the conditions."""
    return lambda s, e: Source(RC, RC.station_id, tuple(where_of(s, e)), frm=frm, on=on)


def N_(text: str) -> str:  # noqa: N802 (the gettext marker name)
    """Marks a label for translation without translating it: reports print the Chinese
    label; the pages show ``Figure.text`` in the user's language."""
    return text


FIGURES: list[Figure] = [
    Figure(
        "cc.assessments_received",
        "period",
        N_("调查评估委托"),
        N_("例"),
        lambda s, e: Source(
            Assessment,
            Assessment.station_id,
            (Assessment.received_on.between(s, e),),
            on=Assessment.received_on,
        ),
    ),
    Figure(
        "cc.assessments_completed",
        "period",
        N_("开展调查评估"),
        N_("例"),
        lambda s, e: Source(
            Assessment,
            Assessment.station_id,
            (Assessment.completed_on.between(s, e),),
            on=Assessment.completed_on,
        ),
    ),
    Figure(
        "cc.received",
        "period",
        N_("接收社区矫正对象"),
        N_("人"),
        _cc_period(CC.received_on, CC.source != "transfer_in"),
    ),
    Figure(
        "cc.transferred_in",
        "period",
        N_("变更执行地转入"),
        N_("人"),
        _cc_period(CC.received_on, CC.source == "transfer_in"),
    ),
    Figure(
        "cc.released",
        "period",
        N_("解除社区矫正"),
        N_("人"),
        _cc_period(CC.ended_on, CC.status == "released"),
    ),
    Figure(
        "cc.terminated",
        "period",
        N_("终止社区矫正"),
        N_("人"),
        _cc_period(CC.ended_on, CC.status == "terminated"),
    ),
    Figure(
        "cc.transferred_out",
        "period",
        N_("变更执行地转出"),
        N_("人"),
        _cc_period(CC.ended_on, CC.status == "transferred_out"),
    ),
    Figure(
        "cc.missed_intake",
        "period",
        N_("漏管"),
        N_("人"),
        # deadlines in the period that have already passed (docs/domain.md §7.2)
        lambda s, e: _cc_period(
            CC.report_deadline,
            twins.missed_intake(CC.source, CC.report_deadline, CC.received_on, clock.today()),
        )(s, e),
    ),
    Figure("cc.contacts", "period", N_("联系记录"), N_("次"), _contacts()),
    Figure(
        "cc.contacts_in_person",
        "period",
        N_("见面核查"),
        N_("人次"),
        _contacts(("report_in_person", "field_visit")),
    ),
    Figure("cc.commendations", "period", N_("表扬"), N_("人次"), _sanction("commendation")),
    Figure("cc.admonitions", "period", N_("训诫"), N_("人次"), _sanction("admonition")),
    Figure("cc.warnings", "period", N_("警告"), N_("人次"), _sanction("warning")),
    Figure(
        "cc.police_penalty_requests",
        "period",
        N_("提请治安管理处罚"),
        N_("人次"),
        _sanction("police_penalty_request"),
    ),
    Figure(
        "cc.revocation_requests",
        "period",
        N_("提请撤销缓刑、假释"),
        N_("人次"),
        _sanction("revocation_request"),
    ),
    Figure(
        "cc.custody_requests",
        "period",
        N_("提请收监执行"),
        N_("人次"),
        _sanction("custody_request"),
    ),
    Figure(
        "cc.education_sessions", "period", N_("教育学习场次"), N_("场次"), _sessions("education")
    ),
    Figure(
        "cc.education_attendances",
        "period",
        N_("教育学习人次"),
        N_("人次"),
        _attendances("education"),
    ),
    Figure(
        "cc.public_service_sessions",
        "period",
        N_("公益活动场次"),
        N_("场次"),
        _sessions("public_service"),
    ),
    Figure(
        "cc.public_service_attendances",
        "period",
        N_("公益活动人次"),
        N_("人次"),
        _attendances("public_service"),
    ),
    Figure(
        "cc.counselling_attendances",
        "period",
        N_("心理咨询、心理辅导"),
        N_("人次"),
        _attendances("counselling"),
    ),
    Figure(
        "cc.assistance_attendances",
        "period",
        N_("帮困扶助"),
        N_("人次"),
        _attendances("assistance"),
    ),
    # 人次: every incident opened counts, two for one person absconding twice (docs/domain.md §7.8)
    Figure("cc.absconded_new", "period", N_("新发生脱管"), N_("人次"), _incidents("absconded")),
    Figure("cc.reoffended", "period", N_("重新犯罪"), N_("人"), _incidents("reoffended")),
    Figure(
        "cc.on_register",
        "stock",
        N_("在册社区矫正对象"),
        N_("人"),
        _cc_stock(),
    ),
    *[
        Figure(f"cc.on_register.{t}", "stock", label, N_("人"), _cc_stock(CC.correction_type == t))
        for t, label in zip(
            CORRECTION_TYPES,
            (N_("其中管制"), N_("其中缓刑"), N_("其中假释"), N_("其中暂予监外执行")),
            strict=True,
        )
    ],
    *[
        Figure(
            f"cc.on_register.{lv}",
            "stock",
            label,
            N_("人"),
            lambda s, e, lv=lv: _cc_stock(level_at(e) == lv)(s, e),
        )
        for lv, label in zip(LEVELS, (N_("其中严管"), N_("其中普管"), N_("其中宽管")), strict=True)
    ],
    Figure(
        "cc.on_leave",
        "stock",
        N_("外出请假中"),
        N_("人"),
        lambda s, e: Source(
            Leave,
            station_at(e),
            (
                cc_on_register(e),
                Leave.status == "approved",
                Leave.kind == "leave",
                Leave.starts_on <= e,
                Leave.ends_on >= e,
                or_(Leave.returned_on.is_(None), Leave.returned_on > e),
            ),
            frm=Leave.__table__.join(CC.__table__, CC.id == Leave.case_id),
            per=CC.id,
            on=Leave.starts_on,
        ),
    ),
    Figure(
        "cc.overdue_return",
        "stock",
        N_("外出逾期未销假"),
        N_("人"),
        # docs/domain.md §7.3: approved leave ended before the day, not returned by it
        lambda s, e: Source(
            Leave,
            station_at(e),
            (
                cc_on_register(e),
                Leave.status == "approved",
                Leave.kind == "leave",
                twins.return_overdue(Leave.ends_on, Leave.returned_on, e),
            ),
            frm=Leave.__table__.join(CC.__table__, CC.id == Leave.case_id),
            per=CC.id,
            on=Leave.ends_on,
        ),
    ),
    Figure(
        "cc.absconded_open",
        "stock",
        N_("脱管未归案"),
        N_("人"),
        lambda s, e: Source(
            Incident,
            station_at(e),
            (
                cc_on_register(e),  # only cases active at the end (docs/domain.md §7.6)
                Incident.kind == "absconded",
                Incident.occurred_on <= e,
                or_(Incident.closed_on.is_(None), Incident.closed_on > e),
            ),
            frm=Incident.__table__.join(CC.__table__, CC.id == Incident.case_id),
            on=Incident.occurred_on,
        ),
    ),
    Figure("cc.overdue", "stock", N_("逾期未按要求联系"), N_("人")),
    # self check-in (docs/domain.md §7.12), by the deadline's date
    Figure(
        "cc.checkins_requested", "period", N_("自助报到应报"), N_("次"), checkin_source("requested")
    ),
    Figure(
        "cc.checkins_submitted",
        "period",
        N_("自助报到按时提交"),
        N_("次"),
        checkin_source("submitted"),
    ),
    Figure(
        "cc.checkins_missed", "period", N_("自助报到逾期未报"), N_("次"), checkin_source("missed")
    ),
    Figure(
        "rs.notices_received",
        "period",
        N_("收到刑满释放人员通知书"),
        N_("人"),
        _rc(lambda s, e: [RC.notice_received_on.between(s, e)], on=RC.notice_received_on),
    ),
    Figure(
        "rs.handed_over",
        "period",
        N_("衔接"),
        N_("人"),
        _rc(lambda s, e: [RC.handed_over_on.between(s, e)], on=RC.handed_over_on),
    ),
    Figure(
        "rs.escorted",
        "period",
        N_("必接必送"),
        N_("人"),
        _rc(
            lambda s, e: [RC.handed_over_on.between(s, e), RC.handover_method == "escorted"],
            on=RC.handed_over_on,
        ),
    ),
    Figure(
        "rs.contacts_in_person",
        "period",
        N_("见面核查、上门走访"),
        N_("人次"),
        lambda s, e: Source(
            ResettlementContact,
            RC.station_id,
            (
                ResettlementContact.voided_at.is_(None),
                ResettlementContact.occurred_on.between(s, e),
                ResettlementContact.kind.in_(("field_visit", "report_in_person")),
            ),
            frm=ResettlementContact.__table__.join(
                RC.__table__, RC.id == ResettlementContact.case_id
            ),
            on=ResettlementContact.occurred_on,
        ),
    ),
    Figure("rs.assisted", "period", N_("救助帮扶"), N_("人"), _rs_assisted(), True),
    Figure("rs.subsistence", "period", N_("纳入低保"), N_("人"), _rs_assisted("subsistence"), True),
    Figure("rs.employment", "period", N_("推荐就业"), N_("人"), _rs_assisted("employment"), True),
    Figure(
        "rs.ended",
        "period",
        N_("解除帮教"),
        N_("人"),
        _rc(lambda s, e: [RC.ended_on.between(s, e)], on=RC.ended_on),
    ),
    Figure(
        "rs.on_register",
        "stock",
        N_("在册安置帮教对象"),
        N_("人"),
        _rc(lambda s, e: [rc_on_register(e)], on=RC.released_on),
    ),
    Figure(
        "rs.on_register_key",
        "stock",
        N_("其中重点安置帮教对象"),
        N_("名"),
        _rc(lambda s, e: [rc_on_register(e), key_at(e).is_(True)], on=RC.released_on),
    ),
    Figure(
        "rs.on_register_gang",
        "stock",
        N_("其中涉黑涉恶人员"),
        N_("名"),
        _rc(
            lambda s, e: [rc_on_register(e), Person.flag_gang.is_(True)],
            on=RC.released_on,
            frm=RC.__table__.join(Person.__table__, Person.id == RC.person_id),
        ),
    ),
    Figure("rs.overdue", "stock", N_("逾期未走访"), N_("人")),
]


# --------------------------------------------------------------------------- 预警处置
# Alerts raised, closed, and closed by their due_by (docs/domain.md §7.11), each with one
# figure per kind; an alert counts at the station its case was at on the day it was raised
# (or closed), by the China date.


def _alerts(date_col, *where, kind=None):
    from corrections.alerts.models import Alert

    def source(s, e):
        cond = [date_col.between(s, e), *where]
        if kind is not None:
            cond.append(Alert.kind == kind)
        return Source(
            Alert,
            station_at(date_col),
            tuple(cond),
            frm=Alert.__table__.join(CC.__table__, CC.id == Alert.case_id),
            on=date_col,
        )

    return source


def _alert_figures() -> list[Figure]:
    from corrections.alerts.models import ALERT_KINDS, Alert

    # Chinese labels; their English is in the catalogue (one entry per full label)
    kinds = {
        "missed_checkin": "未按时自助报到",
        "checkin_follow_up": "报到需跟进",
        "outside_area": "越界",
        "face_mismatch": "人脸不符",
        "overdue_return": "外出逾期未归",
        "missed_intake": "逾期未报到（漏管）",
        "overdue_contact": "监管措施逾期",
        "location_missing": "定位缺失",
        "location_anomaly": "定位异常",
    }
    closed = Alert.status == "closed"
    # (key, title, the short word that tells the groups' kind rows apart, date, conditions)
    groups = (
        ("cc.alerts_raised", "发出预警", "发出", Alert.raised_on, ()),
        ("cc.alerts_closed", "办结预警", "办结", Alert.closed_on, (closed,)),
        (
            "cc.alerts_closed_on_time",
            "按时办结预警",
            "按时办结",
            Alert.closed_on,
            (closed, Alert.closed_on_time.is_(True)),
        ),
    )
    out = []
    for key, title, short, column, where in groups:
        out.append(Figure(key, "period", title, "次", _alerts(column, *where)))
        out += [
            Figure(
                f"{key}.{k}",
                "period",
                f"其中{kinds[k]}（{short}）",
                "次",
                _alerts(column, *where, kind=k),
            )
            for k in ALERT_KINDS
        ]
    return out


FIGURES += _alert_figures()
BY_KEY = {f.key: f for f in FIGURES}
KEYS = [f.key for f in FIGURES]


@dataclass
class Result:
    totals: dict[str, int]
    by_station: dict[int, dict[str, int]]


def compute(
    start: date, end: date, station_ids: Iterable[int] | None, keys: Iterable[str] | None = None
) -> Result:
    """Every figure for the period, per station and in total, limited to ``station_ids``
    (None: every station). Figures over the same rows share one statement (see ``batch``)."""
    return compute_many([(start, end)], station_ids, keys)[0]


def compute_many(
    periods: list[tuple[date, date]],
    station_ids: Iterable[int] | None,
    keys: Iterable[str] | None = None,
) -> list[Result]:
    """``compute`` for several periods at once (a month and its year to date, the months of a
    chart): every (figure, period) whose rows are the same kind of rows counted at the same
    station joins one statement, so a table is read once for all of them."""
    allowed = set(station_ids) if station_ids is not None else None
    wanted = [BY_KEY[k] for k in (keys or KEYS)]
    results = [Result({}, defaultdict(dict)) for _p in periods]
    members = []
    for i, (start, end) in enumerate(periods):
        for figure in wanted:
            if figure.engine:
                per = {
                    sid: len(ids) for sid, ids in overdue_cases(figure.key, end, allowed).items()
                }
                _put(results[i], figure, per, sum(per.values()))
            elif type(figure) is Figure:
                members.append((i, figure, figure.source(start, end)))
            else:  # a figure that builds its own query: on its own
                per, total = _one(figure, start, end, allowed)
                _put(results[i], figure, per, total)
    sources = [source for _i, _f, source in members]
    plan_key = (
        tuple(f for _i, f, _s in members),
        tuple(periods[i] for i, _f, _s in members),
        clock.today(),
    )
    for group, layout in _plan(plan_key, sources):
        values, totals = _run_batch([sources[m] for m in group], layout, allowed)
        for j, m in enumerate(group):
            i, figure, _source = members[m]
            per = values[j]
            _put(results[i], figure, per, totals[j] if figure.distinct_people else None)
    for i, _p in enumerate(periods):  # the order of the registry, as before
        results[i].totals = {f.key: results[i].totals[f.key] for f in wanted}
        results[i].by_station = dict(results[i].by_station)
    return results


def _put(result: Result, figure: Figure, per: dict[int, int], total: int | None) -> None:
    for station_id, value in per.items():
        result.by_station[station_id][figure.key] = value
    result.totals[figure.key] = sum(per.values()) if total is None else total


def _one(figure: Figure, start: date, end: date, allowed: set[int] | None):
    """One figure by its own statement(s): (value per station, total)."""
    per = {}
    query = figure.query(start, end, sorted(allowed) if allowed is not None else None)
    for station_id, value in db.session.execute(query).all():
        if station_id is None or (allowed is not None and station_id not in allowed):
            continue
        per[station_id] = int(value or 0)
    total = sum(per.values())
    if figure.distinct_people:
        total = int(db.session.execute(figure.distinct(start, end, allowed)).one().value or 0)
    return per, total


def compute_one_by_one(
    start: date, end: date, station_ids: Iterable[int] | None, keys: Iterable[str] | None = None
) -> Result:
    """The same figures, each by its own grouped statement (the reference ``compute`` must
    equal; tests compare the two)."""
    allowed = set(station_ids) if station_ids is not None else None
    result = Result({}, defaultdict(dict))
    for figure in (BY_KEY[k] for k in (keys or KEYS)):
        if figure.engine:
            per = {sid: len(ids) for sid, ids in overdue_cases(figure.key, end, allowed).items()}
            _put(result, figure, per, None)
        else:
            per, total = _one(figure, start, end, allowed)
            _put(result, figure, per, total)
    result.by_station = dict(result.by_station)
    return result


# --------------------------------------------------------------------------- batching
#
# Figures are declared one by one (a Source each). Sources over the same rows — the same
# entity, FROM, station expression and distinct column, with the same bound values — are
# run as one statement: the conditions every member shares stay in WHERE, each member's
# own conditions become its aggregate's FILTER, and WHERE keeps rows meeting any member's.
# Each member's count is then exactly its own statement's count. Nothing is declared for
# this: a figure that shares its rows with no other simply runs alone.


def _hashable(value):
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def _signature(element) -> Any:
    """A hashable identity of a SQL expression: its structure and its bound values."""
    if element is None:
        return None
    key = element._generate_cache_key()
    if key is None:  # not cacheable: only equal to itself
        return ("id", id(element))
    return (key.key, tuple(_hashable(bp.effective_value) for bp in key.bindparams))


def _tables(source: Source) -> frozenset:
    found = set(source.station._from_objects)
    for condition in source.where:
        found.update(getattr(condition, "_from_objects", ()))
    return frozenset(found)


def batch(sources: list[Source]) -> list[list[int]]:
    """Indexes of ``sources`` grouped into statements (sources over the same rows)."""
    groups: dict[Any, list[int]] = {}
    for i, source in enumerate(sources):
        key = (
            source.entity,
            _signature(source.frm),
            _signature(source.station),
            _signature(source.per),
            _tables(source),
        )
        groups.setdefault(key, []).append(i)
    return list(groups.values())


_PLANS: OrderedDict = OrderedDict()  # plan key -> [(group, layout)], most recent last
_PLANS_KEPT = 256
_PLANS_LOCK = threading.Lock()


def _plan(key, sources: list[Source]) -> list:
    """The batches of ``sources`` and each batch's layout. Working them out compares SQL
    expressions (cache keys and bound values), which costs more than it should per request; the
    result depends only on the figures, the periods and today (the figures' code, never the
    data), so it is kept per process for the same figures and periods."""
    with _PLANS_LOCK:
        found = _PLANS.get(key)
        if found is not None:
            _PLANS.move_to_end(key)
            return found
    found = [(group, _layout([sources[m] for m in group])) for group in batch(sources)]
    with _PLANS_LOCK:
        _PLANS[key] = found
        while len(_PLANS) > _PLANS_KEPT:
            _PLANS.popitem(last=False)
    return found


@dataclass(frozen=True)
class _Layout:
    """Positions (into each source's ``where``) of the conditions all members share and of
    each member's own, and for each own condition the inner query's column it reads:
    ``(column, member, position, kind)`` with kind "cond" (the condition itself) or "left"
    (the left side of ``=``, projected once for every member comparing it)."""

    shared: tuple[int, ...]
    own: tuple[tuple[int, ...], ...]
    slots: tuple[tuple[tuple[str, int, int, str], ...], ...]


def _layout(sources: list[Source]) -> _Layout:
    signed = [[_signature(c) for c in source.where] for source in sources]
    shared_sigs = set.intersection(*(set(sigs) for sigs in signed))
    shared = tuple(k for k, sig in enumerate(signed[0]) if sig in shared_sigs)
    own = tuple(tuple(k for k, sig in enumerate(sigs) if sig not in shared_sigs) for sigs in signed)
    # a left side compared with ``=`` by several conditions is projected once
    lefts: dict[Any, int] = {}
    for j, positions in enumerate(own):
        for k in positions:
            cond = sources[j].where[k]
            if _is_eq(cond):
                sig = _signature(cond.left)
                lefts[sig] = lefts.get(sig, 0) + 1
    columns: dict[Any, tuple[str, int, int, str]] = {}
    slots = []
    for j, positions in enumerate(own):
        mine = []
        for k in positions:
            cond = sources[j].where[k]
            if _is_eq(cond) and lefts[_signature(cond.left)] > 1:
                sig, kind = ("left", _signature(cond.left)), "left"
            else:
                sig, kind = ("cond", signed[j][k]), "cond"
            if sig not in columns:
                columns[sig] = (f"c{len(columns)}", j, k, kind)
            mine.append((columns[sig][0], j, k, kind))
        slots.append(tuple(mine))
    return _Layout(shared, own, tuple(slots))


def _run_batch(sources: list[Source], layout: _Layout, allowed: set[int] | None):
    """Run sources of one batch: (each source's value per station, each source's total of
    distinct ``per`` values or None).

    The rows are selected once in an inner query (behind ``OFFSET 0``, so PostgreSQL does not
    fold it into the outer one) that computes each member's own condition once as a column —
    and a value several members compare with ``=`` (a case's level on the day) once for all of
    them; the outer query counts per station with one FILTER per member."""
    first = sources[0]
    shared = [first.where[k] for k in layout.shared]
    own = [[s.where[k] for k in pos] for s, pos in zip(sources, layout.own, strict=True)]
    where = list(shared)
    if all(own):
        where.append(or_(*[and_(*conds) for conds in own]))
        where.extend(_hull(own))
    if allowed is not None:
        where.append(_in_stations(first.station, sorted(allowed)))
    if len(sources) == 1:
        return _run_plain(first, own[0], where, allowed)

    inner = [first.station.label("station_id")]
    if first.per is not None:
        inner.append(first.per.label("per"))
    made = set()
    plans = []  # per member: [(column name, right side or None)]
    for mine in layout.slots:
        plan = []
        for name, j, k, kind in mine:
            cond = sources[j].where[k]
            # the column is built from the member and position that first needed it
            if name not in made:
                made.add(name)
                inner.append((cond.left if kind == "left" else cond).label(name))
            plan.append((name, cond.right if kind == "left" else None))
        plans.append(plan)
    rows = first._from(select(*inner)).where(*where).offset(0).subquery("batch_rows")

    def aggregate(plan):
        value = func.count(func.distinct(rows.c.per)) if first.per is not None else func.count()
        if not plan:
            return value
        conds = [rows.c[n] == right if right is not None else rows.c[n] for n, right in plan]
        return value.filter(and_(*conds))

    aggregates = [aggregate(plan).label(f"v{j}") for j, plan in enumerate(plans)]
    query = select(rows.c.station_id, *aggregates).group_by(rows.c.station_id)
    values: list[dict[int, int]] = [{} for _s in sources]
    for row in db.session.execute(query).all():
        station_id = row[0]
        if station_id is None or (allowed is not None and station_id not in allowed):
            continue
        for j in range(len(sources)):
            if row[j + 1]:
                values[j][station_id] = int(row[j + 1])
    totals: list[int | None] = [None] * len(sources)
    if first.per is not None:  # distinct people: the total is not the sum of the stations
        row = db.session.execute(select(*aggregates)).one()
        totals = [int(v or 0) for v in row]
    return values, totals


def _between(cond):
    """(column, low, high) of ``column BETWEEN low AND high`` with bound values, else None."""
    if (
        isinstance(cond, BinaryExpression)
        and cond.operator is operators.between_op
        and len(getattr(cond.right, "clauses", ())) == 2
        and all(isinstance(c, BindParameter) for c in cond.right.clauses)
    ):
        low, high = (c.effective_value for c in cond.right.clauses)
        if low is not None and high is not None:
            return cond.left, low, high
    return None


def _hull(own: list[list]) -> list:
    """When every member keeps rows by ``col BETWEEN a AND b`` on the same column (a month,
    its year to date, the months of a chart), the span from the earliest ``a`` to the latest
    ``b``: implied by the members' OR, and a range an index can read."""
    spans: dict[Any, list] = {}
    for j, conds in enumerate(own):
        for cond in conds:
            found = _between(cond)
            if found is not None:
                column, low, high = found
                entry = spans.setdefault(_signature(column), [column, low, high, set()])
                entry[1], entry[2] = min(entry[1], low), max(entry[2], high)
                entry[3].add(j)
    return [
        column.between(low, high)
        for column, low, high, members in spans.values()
        if len(members) == len(own)
    ]


def _is_eq(cond) -> bool:
    return (
        isinstance(cond, BinaryExpression)
        and cond.operator is operators.eq
        and isinstance(cond.right, BindParameter)
    )


def _run_plain(source: Source, own: list, where: list, allowed: set[int] | None):
    """A batch of one: the figure's own grouped statement."""
    value = func.count(func.distinct(source.per)) if source.per is not None else func.count()
    query = source._from(select(source.station.label("station_id"), value.label("v0")))
    query = query.where(*where).group_by(source.station)
    per = {}
    for station_id, count in db.session.execute(query).all():
        if station_id is None or (allowed is not None and station_id not in allowed):
            continue
        if count:
            per[station_id] = int(count)
    total = None
    if source.per is not None:
        total = int(db.session.execute(source._from(select(value)).where(*where)).scalar() or 0)
    return [per], [total]


def distinct_members(
    start: date, end: date, station_ids: Iterable[int] | None
) -> dict[str, dict[int, list[int]]]:
    """For every figure that counts distinct people: the ids counted at each station
    (``{key: {station_id: [id, ...]}}``). The figure over several stations is the size of
    the union of their lists, as ``compute`` counts it."""
    allowed = set(station_ids) if station_ids is not None else None
    out: dict[str, dict[int, list[int]]] = {}
    for figure in FIGURES:
        if not figure.distinct_people:
            continue
        per: dict[int, list[int]] = defaultdict(list)
        query = figure.source(start, end).station_members(
            sorted(allowed) if allowed is not None else None
        )
        for station_id, member in db.session.execute(query).all():
            if station_id is None or (allowed is not None and station_id not in allowed):
                continue
            per[station_id].append(int(member))
        out[figure.key] = {sid: sorted(ids) for sid, ids in per.items()}
    return out


def overdue_cases(key: str, on: date, allowed: set[int] | None) -> dict[int, list[int]]:
    """The ids of the cases overdue on ``on`` per the engine (``cc.overdue`` or ``rs.overdue``),
    grouped by their station on that day. The figure and its drill-down both come from here.

    Computed once per request for the same arguments (a monthly summary asks for the
    month and its year to date, which end on the same day).
    """
    memo = {}
    if has_request_context():  # the request object lives exactly as long as the request
        memo = request.__dict__.setdefault("_overdue_cases", {})
    memo_key = (key, on, frozenset(allowed) if allowed is not None else None)
    if memo_key not in memo:
        memo[memo_key] = _overdue_cases(key, on, allowed)
    return memo[memo_key]


def _stored(model, on: date):
    """(rows whose stored state answers for ``on``, and of those the overdue) or None.

    On today's date the stored due state is from today (refreshed on every write and
    every night); on a past month end within the month ends each case keeps, the
    stored list of month ends it was overdue on (refreshed with the due state)."""
    if on == clock.today():
        return model.due_computed_on == on, model.is_overdue
    if on.month != (on + timedelta(days=1)).month and on < clock.today():
        covered = and_(model.month_ends_from <= on, model.month_ends_to >= on)
        return covered, model.overdue_month_ends.contains(on.isoformat())
    return None


def _overdue_cases(key: str, on: date, allowed: set[int] | None) -> dict[int, list[int]]:
    """Cases whose stored state answers for ``on`` are read from their rows; every other
    case on register is evaluated with the engine."""
    rules = contact_rules()
    per: dict[int, list[int]] = defaultdict(list)
    if key == "cc.overdue":
        from corrections.supervision.services import case_facts_many

        at = station_at(on).label("at")
        register = cc_on_register(on)
        stored = _stored(CC, on)
        if stored is not None:
            covered, overdue = stored
            for row in db.session.execute(select(CC.id, at).where(register, covered, overdue)):
                if allowed is None or row.at in allowed:
                    per[row.at].append(row.id)
            register = and_(register, or_(~covered, covered.is_(None)))
        # plain rows with what the facts need (not whole cases: a province is large)
        query = select(CC.id, CC.received_on, CC.ended_on, CC.correction_type, at).where(register)
        rows = [r for r in db.session.execute(query) if allowed is None or r.at in allowed]
        for chunk in _chunks(rows, 500):
            facts = case_facts_many(chunk, on)
            for row in chunk:
                if engine.overdue_on(facts[row.id], rules, on):
                    per[row.at].append(row.id)
    elif key == "rs.overdue":
        from corrections.resettlement.services import case_facts_many

        register = and_(RC.handed_over_on <= on, or_(RC.ended_on.is_(None), RC.ended_on > on))
        if allowed is not None:
            register = and_(register, RC.station_id.in_(allowed))
        stored = _stored(RC, on)
        if stored is not None:
            covered, overdue = stored
            for row in db.session.execute(
                select(RC.id, RC.station_id).where(register, covered, overdue)
            ):
                per[row.station_id].append(row.id)
            register = and_(register, or_(~covered, covered.is_(None)))
        query = select(RC.id, RC.handed_over_on, RC.ended_on, RC.station_id).where(register)
        for chunk in _chunks(db.session.execute(query).all(), 500):
            facts = case_facts_many(chunk, on)
            for rcase in chunk:
                if engine.overdue_on(facts[rcase.id], rules, on):
                    per[rcase.station_id].append(rcase.id)
    else:
        raise KeyError(key)
    return {station: sorted(ids) for station, ids in per.items()}


def _chunks(rows, size):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


__all__ = [
    "BY_KEY",
    "FIGURES",
    "KEYS",
    "Figure",
    "Result",
    "Source",
    "batch",
    "compute",
    "compute_many",
    "compute_one_by_one",
    "distinct_members",
    "overdue_cases",
]
