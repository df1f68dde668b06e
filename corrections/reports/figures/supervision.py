"""The figures of 社区矫正 (docs/domain.md §5): investigations, cases received and ended,
contacts, sanctions, activities, incidents, the register at the period's end, and self
check-ins (docs/domain.md §7.12). A correction case counts at the station it was at on the
event's date (station moves are dated); a session counts at its own station."""

from __future__ import annotations

from sqlalchemy import or_

from corrections import clock
from corrections.activities.models import Activity, Attendance
from corrections.assessments.models import Assessment
from corrections.checkin.figures import checkin_source
from corrections.reports.figures.source import N_, Figure, Source
from corrections.reports.figures.sql import CC, cc_on_register, level_at, station_at
from corrections.rules import twins
from corrections.supervision.models import (
    CORRECTION_TYPES,
    LEVELS,
    Contact,
    Incident,
    Leave,
    Sanction,
)


def of_case(model, on, where_of, at_end=False, per=None):
    """Records of a correction case (``model`` has ``case_id``) meeting ``where_of(s, e)``,
    dated by ``on``, each counted at the station the case was at on its date (``at_end``: on
    the period's last day)."""
    return lambda s, e: Source(
        model,
        station_at(e if at_end else on),
        tuple(where_of(s, e)),
        frm=model.__table__.join(CC.__table__, CC.id == model.case_id),
        per=per,
        on=on,
    )


def _assessments(date_col):
    return lambda s, e: Source(
        Assessment, Assessment.station_id, (date_col.between(s, e),), on=date_col
    )


def _cc_period(date_col, *where):
    return lambda s, e: Source(
        CC, station_at(date_col), (date_col.between(s, e), *where), on=date_col
    )


def _sanction(kind: str):
    return of_case(
        Sanction,
        Sanction.decided_on,
        lambda s, e: (
            Sanction.kind == kind,
            Sanction.status == "decided",
            Sanction.voided_at.is_(None),
            Sanction.decided_on.between(s, e),
        ),
    )


def _contacts(kinds=None):
    def where(s, e):
        kind = [Contact.kind.in_(kinds)] if kinds else []
        return (Contact.voided_at.is_(None), Contact.occurred_on.between(s, e), *kind)

    return of_case(Contact, Contact.occurred_on, where)


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
    return of_case(
        Incident,
        Incident.occurred_on,
        lambda s, e: (Incident.kind == kind, Incident.occurred_on.between(s, e)),
    )


def _cc_stock(*where):
    return lambda s, e: Source(CC, station_at(e), (cc_on_register(e), *where), on=CC.received_on)


def _missed_intake(s, e):
    # deadlines in the period that have already passed (docs/domain.md §7.2)
    missed = twins.missed_intake(CC.source, CC.report_deadline, CC.received_on, clock.today())
    return _cc_period(CC.report_deadline, missed)(s, e)


def _leaves(on, where):
    """Approved leaves (not frequent permits) of cases on the register at the period's end,
    one per case (docs/domain.md §7.3)."""
    return of_case(
        Leave,
        on,
        lambda s, e: (
            cc_on_register(e),
            Leave.status == "approved",
            Leave.kind == "leave",
            *where(e),
        ),
        at_end=True,
        per=CC.id,
    )


def _away_on(e):
    return (
        Leave.starts_on <= e,
        Leave.ends_on >= e,
        or_(Leave.returned_on.is_(None), Leave.returned_on > e),
    )


def _absconded_open(s, e):
    return (
        cc_on_register(e),  # only cases active at the end (docs/domain.md §7.6)
        Incident.kind == "absconded",
        Incident.occurred_on <= e,
        or_(Incident.closed_on.is_(None), Incident.closed_on > e),
    )


FIGURES: list[Figure] = [
    Figure(
        "cc.assessments_received",
        "period",
        N_("调查评估委托"),
        N_("例"),
        _assessments(Assessment.received_on),
    ),
    Figure(
        "cc.assessments_completed",
        "period",
        N_("开展调查评估"),
        N_("例"),
        _assessments(Assessment.completed_on),
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
        _missed_intake,
    ),
    Figure(
        "cc.contacts",
        "period",
        N_("联系记录"),
        N_("次"),
        _contacts(),
    ),
    Figure(
        "cc.contacts_in_person",
        "period",
        N_("见面核查"),
        N_("人次"),
        _contacts(("report_in_person", "field_visit")),
    ),
    Figure(
        "cc.commendations",
        "period",
        N_("表扬"),
        N_("人次"),
        _sanction("commendation"),
    ),
    Figure(
        "cc.admonitions",
        "period",
        N_("训诫"),
        N_("人次"),
        _sanction("admonition"),
    ),
    Figure(
        "cc.warnings",
        "period",
        N_("警告"),
        N_("人次"),
        _sanction("warning"),
    ),
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
        "cc.education_sessions",
        "period",
        N_("教育学习场次"),
        N_("场次"),
        _sessions("education"),
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
    Figure(
        "cc.absconded_new",
        "period",
        N_("新发生脱管"),
        N_("人次"),
        _incidents("absconded"),
    ),
    Figure(
        "cc.reoffended",
        "period",
        N_("重新犯罪"),
        N_("人"),
        _incidents("reoffended"),
    ),
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
        _leaves(Leave.starts_on, _away_on),
    ),
    Figure(
        "cc.overdue_return",
        "stock",
        N_("外出逾期未销假"),
        N_("人"),
        # docs/domain.md §7.3: approved leave ended before the day, not returned by it
        _leaves(
            Leave.ends_on, lambda e: (twins.return_overdue(Leave.ends_on, Leave.returned_on, e),)
        ),
    ),
    Figure(
        "cc.absconded_open",
        "stock",
        N_("脱管未归案"),
        N_("人"),
        of_case(Incident, Incident.occurred_on, _absconded_open, at_end=True),
    ),
    Figure(
        "cc.overdue",
        "stock",
        N_("逾期未按要求联系"),
        N_("人"),
    ),
    # self check-in (docs/domain.md §7.12), by the deadline's date
    Figure(
        "cc.checkins_requested",
        "period",
        N_("自助报到应报"),
        N_("次"),
        checkin_source("requested"),
    ),
    Figure(
        "cc.checkins_submitted",
        "period",
        N_("自助报到按时提交"),
        N_("次"),
        checkin_source("submitted"),
    ),
    Figure(
        "cc.checkins_missed",
        "period",
        N_("自助报到逾期未报"),
        N_("次"),
        checkin_source("missed"),
    ),
]
