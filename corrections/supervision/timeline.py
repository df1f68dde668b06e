"""The 社区矫正 case file as one timeline (read only): every dated record of a case,
newest first — one function per record type, registered with ``corrections.core.timeline``.

Voided records stay in the timeline, marked with their reason. The page shows
what this returns; nothing here decides anything.
"""

from __future__ import annotations

from flask_babel import gettext as _

from corrections import clock
from corrections.core import timeline
from corrections.core.timeline import Entry, Names, local_date, rows, void_reason
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

__all__ = ["Entry", "case_timeline"]

PROGRAMME = "correction"
entries, case_timeline = timeline.programme_timeline(PROGRAMME)


def _decision(row, names: Names) -> str:
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


def _lines(*parts) -> str:
    return "\n".join(x for x in parts if x)


@entries
def _reception_and_end(case: CorrectionCase, names: Names) -> list[Entry]:
    out = []
    if case.received_on:
        badges = []
        if case.received_on_time is not None:
            badges.append(
                (_("按时报到"), "success") if case.received_on_time else (_("逾期报到"), "danger")
            )
        title = _("报到接收（%(s)s）", s=label("source", case.source))
        out.append(
            Entry(case.received_on, "reception", title, badges=badges, stamp=case.created_at)
        )
    if case.ended_on:
        title = label("end_reason", case.end_reason)
        if case.status == "transferred_out" and case.transfer_destination:
            title += f"：{case.transfer_destination}"
        out.append(Entry(case.ended_on, "end", title, stamp=case.updated_at))
    return out


@entries
def _contacts(case: CorrectionCase, names: Names) -> list[Entry]:
    out = []
    for c in rows(Contact, case.id):
        badges = []
        if c.unannounced:
            badges.append((_("突击"), "warning"))
        if c.at_night:
            badges.append((_("夜间"), "dark"))
        out.append(timeline.contact_entry(c, names, badges))
    return out


@entries
def _levels(case: CorrectionCase, names: Names) -> list[Entry]:
    out = []
    colour = {"proposed": "info", "approved": "success", "refused": "secondary"}
    for i, lv in enumerate(sorted(rows(CaseLevel, case.id), key=lambda r: r.id)):
        detail = lv.reason or ""
        if i == 0:
            title = _("入矫管理等级：%(l)s", l=label("level", lv.level))
            badges = []
        else:
            title = _(
                "管理等级调整：%(a)s → %(b)s",
                a=label("level", lv.from_level),
                b=label("level", lv.level),
            )
            badges = [(label("level_status", lv.status), colour.get(lv.status, "secondary"))]
            if lv.status != "proposed":
                detail = _lines(detail, _decision(lv, names))
        by = names.user(lv.proposed_by_id)
        out.append(Entry(lv.effective_on, "level", title, detail, by, badges, stamp=lv.created_at))
    return out


@entries
def _sanctions(case: CorrectionCase, names: Names) -> list[Entry]:
    out = []
    colour = {"proposed": "info", "decided": "primary", "rejected": "secondary"}
    for s in rows(Sanction, case.id):
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
                _lines(*lines),
                names.user(s.proposed_by_id),
                badges,
                void_reason(s),
                "sanction",
                s.id,
                s.created_at,
                s.status == "decided",
            )
        )
    return out


@entries
def _leaves(case: CorrectionCase, names: Names) -> list[Entry]:
    out = []
    colour = {"applied": "info", "approved": "success", "refused": "secondary"}
    for lv in rows(Leave, case.id):
        title = _(
            "%(k)s：%(a)s至%(b)s（%(n)d天），%(dest)s",
            k=label("leave_kind", lv.kind),
            a=lv.starts_on,
            b=lv.ends_on,
            n=leave_days(lv.starts_on, lv.ends_on),
            dest=lv.destination,
        )
        badges = [
            (label("leave_status", lv.status), colour.get(lv.status, "secondary")),
            (label("leave_tier", lv.tier), "light"),
        ]
        detail = label("leave_reason", lv.reason)
        if lv.reason_detail:
            detail += _("：") + lv.reason_detail
        if lv.status in ("approved", "refused"):
            detail = _lines(detail, _decision(lv, names))
        by = names.user(lv.applied_by_id) if lv.applied_via != "self" else _("本人（手机申请）")
        out.append(Entry(lv.applied_on, "leave", title, detail, by, badges, stamp=lv.created_at))
        if lv.returned_on:
            title = _("销假（%(a)s至%(b)s的外出）", a=lv.starts_on, b=lv.ends_on)
            out.append(Entry(lv.returned_on, "leave", title, stamp=lv.updated_at))
    return out


@entries
def _incidents(case: CorrectionCase, names: Names) -> list[Entry]:
    out = []
    for inc in rows(Incident, case.id):
        lines = [inc.note]
        if inc.police_notified_on:
            lines.append(_("已通报公安：%(d)s", d=inc.police_notified_on))
        if inc.procuratorate_notified_on:
            lines.append(_("已通报检察院：%(d)s", d=inc.procuratorate_notified_on))
        out.append(
            Entry(
                inc.occurred_on,
                "incident",
                label("incident_kind", inc.kind),
                _lines(*lines),
                names.user(inc.recorded_by_id),
                [] if inc.closed_on else [(_("未结束"), "danger")],
                stamp=inc.created_at,
            )
        )
        ended = (
            inc.closed_on,
            _("%(k)s事件结束", k=label("incident_kind", inc.kind)),
            _("案件结束时一并结束") if inc.outcome == "case_ended" else inc.outcome or "",
        )
        out += timeline.searches_and_end(inc, names, "incident", "search_method", ended)
    return out


@entries
def _monitoring(case: CorrectionCase, names: Names) -> list[Entry]:
    out = []
    for ep in rows(MonitoringEpisode, case.id):
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
    return out


@entries
def _medical_reviews(case: CorrectionCase, names: Names) -> list[Entry]:
    return [
        Entry(
            mr.examined_on,
            "medical",
            _("病情复查：%(h)s", h=mr.hospital),
            mr.result,
            names.user(mr.recorded_by_id),
            [
                (_("仍符合条件"), "success")
                if mr.conditions_persist
                else (_("不再符合保外就医条件"), "danger")
            ],
            void_reason(mr),
            "medical_review",
            mr.id,
            mr.created_at,
        )
        for mr in rows(MedicalReview, case.id)
    ]


@entries
def _station_moves(case: CorrectionCase, names: Names) -> list[Entry]:
    return [
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
        for mv in rows(StationMove, case.id)
    ]


@entries
def _officers(case: CorrectionCase, names: Names) -> list[Entry]:
    return [
        Entry(
            oa.assigned_on,
            "officer",
            _("责任人：%(u)s", u=names.user(oa.officer_id) or _("未指定")),
            oa.note,
            names.user(oa.assigned_by_id),
            stamp=oa.created_at,
        )
        for oa in rows(OfficerAssignment, case.id)
    ]


@entries
def _plans(case: CorrectionCase, names: Names) -> list[Entry]:
    return [
        Entry(
            plan.adopted_on,
            "plan",
            _("矫正方案（第%(n)d版）", n=plan.revision),
            plan.content,
            names.user(plan.written_by_id),
            stamp=plan.created_at,
        )
        for plan in rows(CorrectionPlan, case.id)
    ]


@entries
def _team(case: CorrectionCase, names: Names) -> list[Entry]:
    out = []
    for m in rows(TeamMember, case.id):
        who = f"{m.name}（{label('sex', m.sex)}{'，' + m.role if m.role else ''}）"
        added_on = local_date(m.created_at)
        out.append(
            Entry(added_on, "team", _("矫正小组加入：%(m)s", m=who), m.phone, stamp=m.created_at)
        )
        if m.removed_on:
            out.append(
                Entry(m.removed_on, "team", _("矫正小组移出：%(m)s", m=who), stamp=m.updated_at)
            )
    return out


@entries
def _checklist(case: CorrectionCase, names: Names) -> list[Entry]:
    return [
        Entry(
            item.done_on,
            "checklist",
            _("解除前清单：%(i)s", i=label("checklist_item", item.item)),
            item.note,
            names.user(item.recorded_by_id),
            stamp=item.created_at,
        )
        for item in rows(ChecklistItem, case.id)
    ]


@entries
def _attachments(case: CorrectionCase, names: Names) -> list[Entry]:
    return timeline.attachment_entries(PROGRAMME, case.id, names)
