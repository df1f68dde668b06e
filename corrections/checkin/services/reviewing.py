"""The officer's side: reviewing a submission, the review queue and the figures per station."""

from __future__ import annotations

from datetime import date, datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from corrections import clock
from corrections.audit.services import record
from corrections.checkin.models import Checkin
from corrections.checkin.schemas import ReviewBody
from corrections.checkin.services.common import _aware, china_date
from corrections.checkin.services.requesting import checkin_snapshot
from corrections.checkin.signals import signal
from corrections.core.guards import require_writer
from corrections.errors import Conflict
from corrections.extensions import db
from corrections.supervision import services as supervision
from corrections.supervision.models import CorrectionCase
from corrections.validation import Fields


def review(actor, checkin: Checkin, data: dict) -> Checkin:
    require_writer(actor)
    f = Fields(data)
    v = f.read(ReviewBody)
    outcome, note = v.outcome, v.note
    if outcome == "follow_up":
        f.require("note", note)
    f.raise_if_errors()
    if checkin.status != "submitted":
        raise Conflict(_("只有已提交、未审核的报到可以审核。"), code="not_submitted")
    case = checkin.case
    before = checkin_snapshot(checkin)
    if outcome == "accepted":
        contact = supervision.record_contact(
            actor,
            case,
            {
                "kind": "info_check",
                "occurred_on": china_date(checkin.submitted_at),
                "note": _("自助报到（第%(n)d号）", n=checkin.id) + (f"：{note}" if note else ""),
            },
        )
        checkin.contact_id = contact.id
    checkin.status = "reviewed"
    checkin.outcome = outcome
    checkin.review_note = note
    checkin.reviewed_at = clock.now_utc()
    checkin.reviewed_by_id = actor.id
    db.session.flush()
    record(actor, "checkin.review", "checkin", checkin.id, before, checkin_snapshot(checkin))
    if outcome == "follow_up":
        signal(case, "checkin_follow_up", cause=f"checkin:{checkin.id}", note=note)
    return checkin


# --------------------------------------------------------------------------- staff reads


def checkin_url(checkin: Checkin) -> str:
    return url_for("my.checkin", checkin_id=checkin.id, _external=True)


def queue_query(user, *, status: str | None = None, case_id: int | None = None):
    """Check-ins in the user's scope; the review queue is ``submitted``, oldest first."""
    from corrections.auth.scope import scope

    query = scope(
        select(Checkin).join(CorrectionCase, CorrectionCase.id == Checkin.case_id),
        user,
        CorrectionCase,
    )
    if status:
        query = query.where(Checkin.status == status)
    if case_id:
        query = query.where(Checkin.case_id == case_id)
    order = Checkin.submitted_at if status == "submitted" else Checkin.due_by
    # every list shows the person and the station of each row: load them with the page
    case = selectinload(Checkin.case)
    return query.options(
        case.selectinload(CorrectionCase.person), case.selectinload(CorrectionCase.station)
    ).order_by(order, Checkin.id)


def checkin_in_scope(user, checkin_id: int) -> Checkin | None:
    return db.session.execute(
        queue_query(user).where(Checkin.id == checkin_id)
    ).scalar_one_or_none()


def queue_age_by_station(user, now: datetime | None = None) -> list[dict]:
    """For supervisors: per station, how many submissions wait and the oldest one's age."""
    from corrections.auth.models import Station
    from corrections.auth.scope import scope

    now = now or clock.now_utc()
    rows = db.session.execute(
        scope(
            select(
                CorrectionCase.station_id,
                func.count(Checkin.id),
                func.min(Checkin.submitted_at),
            )
            .select_from(Checkin)
            .join(CorrectionCase, CorrectionCase.id == Checkin.case_id)
            .where(Checkin.status == "submitted")
            .group_by(CorrectionCase.station_id),
            user,
            CorrectionCase,
        )
    ).all()
    stations = {
        s.id: s
        for s in db.session.execute(
            select(Station).where(Station.id.in_([r[0] for r in rows]))
        ).scalars()
    }
    out = []
    for station_id, waiting, oldest in rows:
        station = stations[station_id]
        hours = (now - _aware(oldest)).total_seconds() / 3600 if oldest else 0
        out.append({"station": station, "waiting": waiting, "oldest_hours": round(hours, 1)})
    return sorted(out, key=lambda r: -r["oldest_hours"])


def on_time_rate_by_station(user, start: date, end: date) -> list[dict]:
    """Per station: check-ins due in [start, end] and the share submitted by the deadline."""
    from corrections.auth.models import Station
    from corrections.auth.scope import scope

    rows = db.session.execute(
        scope(
            select(CorrectionCase.station_id, Checkin.status, func.count(Checkin.id))
            .select_from(Checkin)
            .join(CorrectionCase, CorrectionCase.id == Checkin.case_id)
            .where(Checkin.due_on.between(start, end), Checkin.status != "requested")
            .group_by(CorrectionCase.station_id, Checkin.status),
            user,
            CorrectionCase,
        )
    ).all()
    per: dict[int, dict] = {}
    for station_id, status, n in rows:
        entry = per.setdefault(station_id, {"due": 0, "on_time": 0})
        entry["due"] += n
        if status in ("submitted", "reviewed"):
            entry["on_time"] += n
    out = []
    for station_id, entry in per.items():
        station = db.session.get(Station, station_id)
        rate = entry["on_time"] / entry["due"] if entry["due"] else None
        out.append({"station": station, **entry, "rate": rate})
    return sorted(out, key=lambda r: r["station"].code)
