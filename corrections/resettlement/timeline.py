"""The 安置帮教 case file as one timeline (read only), newest first — one function per
record type, registered with ``corrections.core.timeline``.

Voided contacts and assistance stay in the timeline, marked with their reason.
Placement has no date of its own: its changes come from the audit log.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from corrections.audit.models import AuditEvent
from corrections.core import timeline
from corrections.core.timeline import Entry, Names, local_date, rows, void_reason
from corrections.extensions import db
from corrections.labels import label
from corrections.resettlement import services
from corrections.resettlement.models import (
    Assistance,
    KeyStatusChange,
    LostContact,
    ResettlementCase,
    ResettlementContact,
)

__all__ = ["Entry", "case_timeline"]

PROGRAMME = "resettlement"
entries, case_timeline = timeline.programme_timeline(PROGRAMME)


def _money(amount) -> str:
    return _("%(a)s元", a=f"{amount:,.2f}") if amount is not None else ""


@entries
def _notice_and_release(case: ResettlementCase, names: Names) -> list[Entry]:
    out = []
    if case.notice_received_on:
        detail = case.facility
        if case.expected_release_on:
            detail = _("%(f)s，预计 %(d)s 释放", f=case.facility or "—", d=case.expected_release_on)
        out.append(
            Entry(
                case.notice_received_on, "notice", _("收到释放通知"), detail, stamp=case.created_at
            )
        )
    if case.released_on:
        title = _("释放（%(s)s）", s=label("rs_source", case.source))
        out.append(Entry(case.released_on, "release", title, case.facility, stamp=case.created_at))
    return out


@entries
def _verification_handover_end(case: ResettlementCase, names: Names) -> list[Entry]:
    out = []
    if case.verified_on:
        ok = case.verification_result == "verified"
        out.append(
            Entry(
                case.verified_on,
                "verify",
                _("核查：%(r)s", r=label("verification_result", case.verification_result)),
                badges=[] if ok else [(_("需处理"), "warning")],
                stamp=case.updated_at,
            )
        )
    if case.handed_over_on:
        badges = []
        if services.key_without_escort(case):
            badges.append((_("必接必送未落实"), "danger"))
        title = _("衔接：%(m)s", m=label("handover_method", case.handover_method))
        out.append(
            Entry(case.handed_over_on, "handover", title, badges=badges, stamp=case.updated_at)
        )
    if case.ended_on:
        title = _("结束：%(r)s", r=label("rs_end_reason", case.end_reason))
        out.append(Entry(case.ended_on, "end", title, stamp=case.updated_at))
    return out


@entries
def _key_status(case: ResettlementCase, names: Names) -> list[Entry]:
    return [
        Entry(
            k.effective_on,
            "key",
            _("列为重点帮教对象") if k.is_key else _("一般帮教对象（非重点）"),
            k.reason,
            names.user(k.recorded_by_id),
            badges=[(_("重点"), "danger")] if k.is_key else [],
            stamp=k.created_at,
        )
        for k in rows(KeyStatusChange, case.id)
    ]


@entries
def _contacts(case: ResettlementCase, names: Names) -> list[Entry]:
    return [timeline.contact_entry(c, names) for c in rows(ResettlementContact, case.id)]


@entries
def _assistance(case: ResettlementCase, names: Names) -> list[Entry]:
    out = []
    for a in rows(Assistance, case.id):
        title = label("assistance_kind", a.kind)
        if a.amount is not None:
            title += " · " + _money(a.amount)
        out.append(
            Entry(
                a.given_on,
                "assistance",
                title,
                a.note,
                names.user(a.recorded_by_id),
                void_reason=void_reason(a),
                voidable="assistance",
                record_id=a.id,
                stamp=a.created_at,
            )
        )
    return out


@entries
def _lost_contact(case: ResettlementCase, names: Names) -> list[Entry]:
    out = []
    for lost in rows(LostContact, case.id):
        out.append(
            Entry(
                lost.lost_on,
                "lost",
                _("失联"),
                lost.note,
                names.user(lost.recorded_by_id),
                badges=[] if lost.found_on else [(_("未结束"), "danger")],
                stamp=lost.created_at,
            )
        )
        ended = (lost.found_on, _("失联结束"), lost.outcome or "")
        out += timeline.searches_and_end(lost, names, "lost", "rs_search_method", ended)
    return out


@entries
def _placements(case: ResettlementCase, names: Names) -> list[Entry]:
    """Placement has no date of its own: each change is an audit event."""
    events = db.session.execute(
        select(AuditEvent)
        .where(
            AuditEvent.action == "resettlement.placement",
            AuditEvent.entity_type == "resettlement_case",
            AuditEvent.entity_id == case.id,
        )
        .order_by(AuditEvent.id)
    ).scalars()
    return [
        Entry(
            local_date(event.occurred_at),
            "placement",
            _("安置情况：%(p)s", p=label("placement", (event.after or {}).get("placement"))),
            by=names.user(event.user_id),
            stamp=event.occurred_at,
        )
        for event in events
    ]


@entries
def _attachments(case: ResettlementCase, names: Names) -> list[Entry]:
    return timeline.attachment_entries(PROGRAMME, case.id, names)
