"""The case file as one timeline (read only): every dated record of a case, newest first.

Voided records stay in the timeline, marked with their reason. The page shows
what this returns; nothing here decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock
from corrections.auth.models import Station, User
from corrections.extensions import db
from corrections.labels import label
from corrections.rules.deadlines import leave_days
from corrections.supervision.models import (
    CaseLevel,
    ChecklistItem,
    Contact,
    CorrectionCase,
    CorrectionPlan,
    Incident,
    Leave,
    MedicalReview,
    MonitoringEpisode,
    OfficerAssignment,
    Sanction,
    StationMove,
    TeamMember,
)


@dataclass
class Entry:
    on: date
    kind: str  # contact, level, sanction, leave, incident, monitoring, medical, team, …
    title: str
    detail: str = ""
    by: str = ""
    badges: list[tuple[str, str]] = field(default_factory=list)  # (text, bootstrap colour)
    void_reason: str | None = None
    voidable: str | None = None  # the void_record kind when the record can be voided
    record_id: int | None = None
    stamp: datetime | None = None
    void_needs_decider: bool = False  # a decided sanction: only the county may void it

    @property
    def is_void(self) -> bool:
        return self.void_reason is not None


class _Names:
    """User and station names, one lookup each."""

    def __init__(self):
        self.users: dict[int, str] = {}
        self.stations: dict[int, str] = {}

    def user(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        if user_id not in self.users:
            user = db.session.get(User, user_id)
            self.users[user_id] = user.label if user else ""
        return self.users[user_id]

    def station(self, station_id: int | None) -> str:
        if station_id is None:
            return ""
        if station_id not in self.stations:
            station = db.session.get(Station, station_id)
            self.stations[station_id] = station.name if station else ""
        return self.stations[station_id]


def _local_date(moment: datetime | None) -> date:
    if moment is None:
        return clock.today()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(clock.CHINA).date()


def _rows(model, case_id: int, column=None):
    column = column if column is not None else model.case_id
    return db.session.execute(select(model).where(column == case_id)).scalars().all()


def _decision(row, names: _Names) -> str:
    """Who decided a proposal or application, when, and why (the decider's comment)."""
    approved = row.status in ("approved", "decided")
    who = names.user(row.decided_by_id) or _("未记录")
    if approved:
        line = _("%(who)s于%(d)s批准", who=who, d=row.decided_on)
    elif row.decided_on:
        line = _("%(who)s于%(d)s不批准", who=who, d=row.decided_on)
    else:  # a refused sanction proposal keeps no decision date
        line = _("%(who)s不批准", who=who)
    note = getattr(row, "decision_note", "") or ""
    if note:
        line += "\n" + (_("审批意见：%(t)s", t=note) if approved else _("理由：%(t)s", t=note))
    return line


def case_timeline(case: CorrectionCase) -> list[Entry]:
    names = _Names()
    out: list[Entry] = []

    if case.received_on:
        badges = []
        if case.received_on_time is not None:
            badges.append(
                (_("按时报到"), "success") if case.received_on_time else (_("逾期报到"), "danger")
            )
        out.append(
            Entry(
                case.received_on,
                "reception",
                _("报到接收（%(s)s）", s=label("source", case.source)),
                badges=badges,
                stamp=case.created_at,
            )
        )
    if case.ended_on:
        title = label("end_reason", case.end_reason)
        if case.status == "transferred_out" and case.transfer_destination:
            title += f"：{case.transfer_destination}"
        out.append(Entry(case.ended_on, "end", title, stamp=case.updated_at))

    for c in _rows(Contact, case.id):
        badges = []
        if c.unannounced:
            badges.append((_("突击"), "warning"))
        if c.at_night:
            badges.append((_("夜间"), "dark"))
        out.append(
            Entry(
                c.occurred_on,
                "contact",
                label("contact_kind", c.kind),
                c.note,
                names.user(c.recorded_by_id),
                badges,
                c.void_reason if c.is_void else None,
                "contact",
                c.id,
                c.created_at,
            )
        )

    levels = sorted(_rows(CaseLevel, case.id), key=lambda r: r.id)
    for i, lv in enumerate(levels):
        if i == 0:
            title = _("入矫管理等级：%(l)s", l=label("level", lv.level))
            badges = []
        else:
            title = _(
                "管理等级调整：%(a)s → %(b)s",
                a=label("level", lv.from_level),
                b=label("level", lv.level),
            )
            colour = {"proposed": "info", "approved": "success", "refused": "secondary"}
            badges = [(label("level_status", lv.status), colour.get(lv.status, "secondary"))]
        detail = lv.reason or ""
        if lv.status != "proposed" and i > 0:
            detail = "\n".join(x for x in (detail, _decision(lv, names)) if x)
        out.append(
            Entry(
                lv.effective_on,
                "level",
                title,
                detail,
                names.user(lv.proposed_by_id),
                badges,
                stamp=lv.created_at,
            )
        )

    for s in _rows(Sanction, case.id):
        colour = {"proposed": "info", "decided": "primary", "rejected": "secondary"}
        badges = [(label("sanction_status", s.status), colour.get(s.status, "secondary"))]
        lines = [s.reason]
        if s.investigation:
            lines.append(_("调查核实：%(t)s", t=s.investigation))
        if s.document_number:
            lines.append(_("文号：%(n)s", n=s.document_number))
        if s.status in ("decided", "rejected") and s.proposed_on:
            lines.append(_decision(s, names))
        if s.outcome:
            badges.append(
                (
                    _("结果：%(o)s（%(d)s）", o=label("outcome", s.outcome), d=s.outcome_on),
                    "success" if s.outcome == "granted" else "secondary",
                )
            )
        out.append(
            Entry(
                s.decided_on or s.proposed_on or clock.today(),
                "sanction",
                label("sanction_kind", s.kind),
                "\n".join(x for x in lines if x),
                names.user(s.proposed_by_id),
                badges,
                s.void_reason if s.is_void else None,
                "sanction",
                s.id,
                s.created_at,
                s.status == "decided",
            )
        )

    for lv in _rows(Leave, case.id):
        title = _(
            "%(k)s：%(a)s至%(b)s（%(n)d天），%(dest)s",
            k=label("leave_kind", lv.kind),
            a=lv.starts_on,
            b=lv.ends_on,
            n=leave_days(lv.starts_on, lv.ends_on),
            dest=lv.destination,
        )
        colour = {"applied": "info", "approved": "success", "refused": "secondary"}
        badges = [
            (label("leave_status", lv.status), colour.get(lv.status, "secondary")),
            (label("leave_tier", lv.tier), "light"),
        ]
        detail = label("leave_reason", lv.reason)
        if lv.reason_detail:
            detail += _("：") + lv.reason_detail
        if lv.status in ("approved", "refused"):
            detail = "\n".join(x for x in (detail, _decision(lv, names)) if x)
        out.append(
            Entry(
                lv.applied_on,
                "leave",
                title,
                detail,
                names.user(lv.applied_by_id) if lv.applied_via != "self" else _("本人（手机申请）"),
                badges,
                stamp=lv.created_at,
            )
        )
        if lv.returned_on:
            out.append(
                Entry(
                    lv.returned_on,
                    "leave",
                    _("销假（%(a)s至%(b)s的外出）", a=lv.starts_on, b=lv.ends_on),
                    stamp=lv.updated_at,
                )
            )

    for inc in _rows(Incident, case.id):
        lines = [inc.note]
        if inc.police_notified_on:
            lines.append(_("已通报公安：%(d)s", d=inc.police_notified_on))
        if inc.procuratorate_notified_on:
            lines.append(_("已通报检察院：%(d)s", d=inc.procuratorate_notified_on))
        badges = [] if inc.closed_on else [(_("未结束"), "danger")]
        out.append(
            Entry(
                inc.occurred_on,
                "incident",
                label("incident_kind", inc.kind),
                "\n".join(x for x in lines if x),
                names.user(inc.recorded_by_id),
                badges,
                stamp=inc.created_at,
            )
        )
        for search in inc.searches:
            out.append(
                Entry(
                    search.searched_on,
                    "incident",
                    _("查找：%(m)s", m=label("search_method", search.method)),
                    search.note,
                    names.user(search.recorded_by_id),
                    stamp=search.created_at,
                )
            )
        if inc.closed_on:
            out.append(
                Entry(
                    inc.closed_on,
                    "incident",
                    _("%(k)s事件结束", k=label("incident_kind", inc.kind)),
                    _("案件结束时一并结束") if inc.outcome == "case_ended" else inc.outcome or "",
                    stamp=inc.updated_at,
                )
            )

    for ep in _rows(MonitoringEpisode, case.id):
        out.append(
            Entry(
                ep.starts_on,
                "monitoring",
                _("电子定位：%(a)s至%(b)s", a=ep.starts_on, b=ep.ends_on),
                _(
                    "%(g)s；批准人：%(p)s",
                    g=label("monitoring_ground", ep.ground),
                    p=ep.approved_by,
                ),
                names.user(ep.recorded_by_id),
                stamp=ep.created_at,
            )
        )
        for ext in ep.extensions:
            out.append(
                Entry(
                    ext.extended_on,
                    "monitoring",
                    _("电子定位延长至%(d)s", d=ext.new_ends_on),
                    _("批准人：%(p)s", p=ext.approved_by),
                    names.user(ext.recorded_by_id),
                    stamp=ext.created_at,
                )
            )
        if ep.removed_on:
            out.append(Entry(ep.removed_on, "monitoring", _("解除电子定位"), stamp=ep.updated_at))

    for mr in _rows(MedicalReview, case.id):
        badges = [
            (_("仍符合条件"), "success")
            if mr.conditions_persist
            else (_("不再符合保外就医条件"), "danger")
        ]
        out.append(
            Entry(
                mr.examined_on,
                "medical",
                _("病情复查：%(h)s", h=mr.hospital),
                mr.result,
                names.user(mr.recorded_by_id),
                badges,
                mr.void_reason if mr.is_void else None,
                "medical_review",
                mr.id,
                mr.created_at,
            )
        )

    for mv in _rows(StationMove, case.id):
        out.append(
            Entry(
                mv.moved_on,
                "move",
                _(
                    "调整司法所：%(a)s → %(b)s",
                    a=names.station(mv.from_station_id),
                    b=names.station(mv.to_station_id),
                ),
                by=names.user(mv.moved_by_id),
                stamp=mv.created_at,
            )
        )

    for oa in _rows(OfficerAssignment, case.id):
        who = names.user(oa.officer_id) or _("未指定")
        out.append(
            Entry(
                oa.assigned_on,
                "officer",
                _("责任人：%(u)s", u=who),
                oa.note,
                names.user(oa.assigned_by_id),
                stamp=oa.created_at,
            )
        )

    for plan in _rows(CorrectionPlan, case.id):
        out.append(
            Entry(
                plan.adopted_on,
                "plan",
                _("矫正方案（第%(n)d版）", n=plan.revision),
                plan.content,
                names.user(plan.written_by_id),
                stamp=plan.created_at,
            )
        )

    for m in _rows(TeamMember, case.id):
        who = f"{m.name}（{label('sex', m.sex)}{'，' + m.role if m.role else ''}）"
        added_on = _local_date(m.created_at)
        out.append(
            Entry(added_on, "team", _("矫正小组加入：%(m)s", m=who), m.phone, stamp=m.created_at)
        )
        if m.removed_on:
            out.append(
                Entry(m.removed_on, "team", _("矫正小组移出：%(m)s", m=who), stamp=m.updated_at)
            )

    for item in _rows(ChecklistItem, case.id):
        out.append(
            Entry(
                item.done_on,
                "checklist",
                _("解除前清单：%(i)s", i=label("checklist_item", item.item)),
                item.note,
                names.user(item.recorded_by_id),
                stamp=item.created_at,
            )
        )

    from corrections.paperwork.attachment_routes import kind_label
    from corrections.paperwork.models import Attachment

    attachments = db.session.execute(
        select(Attachment).where(
            Attachment.programme == "correction", Attachment.case_id == case.id
        )
    ).scalars()
    for a in attachments:
        if a.contact_id is not None and not a.is_void:
            continue  # a visit photo is shown on its contact
        out.append(
            Entry(
                _local_date(a.uploaded_at),
                "attachment",
                _("附件：%(k)s %(f)s", k=kind_label(a.kind), f=a.filename),
                a.note,
                names.user(a.uploaded_by_id),
                void_reason=a.void_reason if a.is_void else None,
                stamp=a.uploaded_at,
            )
        )

    def key(e: Entry):
        stamp = e.stamp.timestamp() if e.stamp else 0
        return (e.on, stamp)

    return sorted(out, key=key, reverse=True)
