"""The 安置帮教 case file as one timeline (read only), newest first.

Voided contacts and assistance stay in the timeline, marked with their reason.
Placement has no date of its own: its changes come from the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock
from corrections.audit.models import AuditEvent
from corrections.auth.models import User
from corrections.extensions import db
from corrections.labels import label
from corrections.resettlement import services
from corrections.resettlement.models import (
    Assistance,
    KeyStatusChange,
    LostContact,
    LostContactSearch,
    ResettlementCase,
    ResettlementContact,
)


@dataclass
class Entry:
    on: date
    kind: str  # notice, release, verify, handover, key, contact, assistance, placement, lost, end
    title: str
    detail: str = ""
    by: str = ""
    badges: list[tuple[str, str]] = field(default_factory=list)  # (text, Bootstrap colour)
    void_reason: str | None = None
    voidable: str | None = None  # the void_record kind when the record can be voided
    record_id: int | None = None
    stamp: datetime | None = None

    @property
    def is_void(self) -> bool:
        return self.void_reason is not None


class _Users:
    def __init__(self):
        self.names: dict[int, str] = {}

    def __call__(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        if user_id not in self.names:
            user = db.session.get(User, user_id)
            self.names[user_id] = user.label if user else ""
        return self.names[user_id]


def _local_date(moment: datetime | None) -> date:
    if moment is None:
        return clock.today()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(clock.CHINA).date()


def _money(amount) -> str:
    return _("%(a)s元", a=f"{amount:,.2f}") if amount is not None else ""


def case_timeline(case: ResettlementCase) -> list[Entry]:
    user = _Users()
    out: list[Entry] = []
    stamp = case.created_at

    if case.notice_received_on:
        detail = case.facility
        if case.expected_release_on:
            detail = _("%(f)s，预计 %(d)s 释放", f=case.facility or "—", d=case.expected_release_on)
        out.append(Entry(case.notice_received_on, "notice", _("收到释放通知"), detail, stamp=stamp))
    if case.released_on:
        out.append(
            Entry(
                case.released_on,
                "release",
                _("释放（%(s)s）", s=label("rs_source", case.source)),
                case.facility,
                stamp=stamp,
            )
        )
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
        out.append(
            Entry(
                case.handed_over_on,
                "handover",
                _("衔接：%(m)s", m=label("handover_method", case.handover_method)),
                badges=badges,
                stamp=case.updated_at,
            )
        )
    if case.ended_on:
        out.append(
            Entry(
                case.ended_on,
                "end",
                _("结束：%(r)s", r=label("rs_end_reason", case.end_reason)),
                stamp=case.updated_at,
            )
        )

    keys = db.session.execute(
        select(KeyStatusChange).where(KeyStatusChange.case_id == case.id)
    ).scalars()
    for k in keys:
        out.append(
            Entry(
                k.effective_on,
                "key",
                _("列为重点帮教对象") if k.is_key else _("一般帮教对象（非重点）"),
                k.reason,
                user(k.recorded_by_id),
                badges=[(_("重点"), "danger")] if k.is_key else [],
                stamp=k.created_at,
            )
        )

    contacts = db.session.execute(
        select(ResettlementContact).where(ResettlementContact.case_id == case.id)
    ).scalars()
    for c in contacts:
        out.append(
            Entry(
                c.occurred_on,
                "contact",
                label("contact_kind", c.kind),
                c.note,
                user(c.recorded_by_id),
                void_reason=c.void_reason if c.is_void else None,
                voidable="contact",
                record_id=c.id,
                stamp=c.created_at,
            )
        )

    rows = db.session.execute(select(Assistance).where(Assistance.case_id == case.id)).scalars()
    for a in rows:
        title = label("assistance_kind", a.kind)
        if a.amount is not None:
            title += " · " + _money(a.amount)
        out.append(
            Entry(
                a.given_on,
                "assistance",
                title,
                a.note,
                user(a.recorded_by_id),
                void_reason=a.void_reason if a.is_void else None,
                voidable="assistance",
                record_id=a.id,
                stamp=a.created_at,
            )
        )

    lost_rows = db.session.execute(
        select(LostContact).where(LostContact.case_id == case.id)
    ).scalars()
    for lost in lost_rows:
        out.append(
            Entry(
                lost.lost_on,
                "lost",
                _("失联"),
                lost.note,
                user(lost.recorded_by_id),
                badges=[] if lost.found_on else [(_("未结束"), "danger")],
                stamp=lost.created_at,
            )
        )
        search: LostContactSearch
        for search in lost.searches:
            out.append(
                Entry(
                    search.searched_on,
                    "lost",
                    _("查找：%(m)s", m=label("rs_search_method", search.method)),
                    search.note,
                    user(search.recorded_by_id),
                    stamp=search.created_at,
                )
            )
        if lost.found_on:
            out.append(
                Entry(
                    lost.found_on,
                    "lost",
                    _("失联结束"),
                    lost.outcome or "",
                    stamp=lost.updated_at,
                )
            )

    placements = db.session.execute(
        select(AuditEvent)
        .where(
            AuditEvent.action == "resettlement.placement",
            AuditEvent.entity_type == "resettlement_case",
            AuditEvent.entity_id == case.id,
        )
        .order_by(AuditEvent.id)
    ).scalars()
    for event in placements:
        code = (event.after or {}).get("placement")
        out.append(
            Entry(
                _local_date(event.occurred_at),
                "placement",
                _("安置情况：%(p)s", p=label("placement", code)),
                by=user(event.user_id),
                stamp=event.occurred_at,
            )
        )

    from corrections.paperwork.attachment_routes import kind_label
    from corrections.paperwork.models import Attachment

    attachments = db.session.execute(
        select(Attachment).where(
            Attachment.programme == "resettlement", Attachment.case_id == case.id
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
                user(a.uploaded_by_id),
                void_reason=a.void_reason if a.is_void else None,
                stamp=a.uploaded_at,
            )
        )

    def key(e: Entry):
        moment = e.stamp
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return (e.on, moment or datetime.min.replace(tzinfo=UTC))

    out.sort(key=key, reverse=True)
    return out
