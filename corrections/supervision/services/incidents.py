"""Incidents: 脱管, 重新犯罪, detention, with the search log (docs/domain.md §3.9)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from corrections.auth.models import User
from corrections.core.guards import not_future, record_of, require_writer
from corrections.core.incidents import Open, read_open
from corrections.core.records import add_recorded, recorded_change
from corrections.errors import RuleViolation
from corrections.extensions import db
from corrections.supervision import schemas
from corrections.supervision.models import CorrectionCase, Incident, IncidentSearch
from corrections.supervision.services.common import read_on_case, require_open
from corrections.validation import Fields


def open_incident(actor: User, case: CorrectionCase, data: dict[str, Any]) -> Incident:
    require_writer(actor)
    f, v, occurred_on = read_on_case(data, schemas.IncidentBody, case)
    kind = v.kind
    f.raise_if_errors()
    require_open(case, occurred_on)
    if kind == "absconded":
        open_one = db.session.execute(
            select(Incident.id).where(
                Incident.case_id == case.id,
                Incident.kind == "absconded",
                Incident.closed_on.is_(None),
            )
        ).first()
        if open_one:
            raise RuleViolation(_("已有未结束的脱管事件。"), code="incident_open")
    incident = Incident(case_id=case.id, recorded_by_id=actor.id, **v.values())
    return add_recorded(actor, incident, "correction.incident", "incident")


def _open(incident: Incident, too_early: str | None = None) -> Open:
    early = too_early or _("不能早于事件发生日期。")
    return Open(incident.occurred_on, incident.closed_on, early, _("事件已结束。"))


def log_search(
    actor: User, case: CorrectionCase, incident_id: int, data: dict[str, Any]
) -> IncidentSearch:
    require_writer(actor)
    incident = record_of(case, Incident, incident_id)
    v = read_open(data, schemas.IncidentSearchBody, _open(incident))
    row = IncidentSearch(incident_id=incident.id, recorded_by_id=actor.id, **v.values())
    return add_recorded(
        actor, row, "correction.incident_search", "incident", subject_id=incident.id
    )


def record_notification(
    actor: User, case: CorrectionCase, incident_id: int, data: dict[str, Any]
) -> Incident:
    require_writer(actor)
    incident = record_of(case, Incident, incident_id)
    f = Fields(data)
    police = f.date("police_notified_on", required=False)
    procuratorate = f.date("procuratorate_notified_on", required=False)
    for key, value in (
        ("police_notified_on", police),
        ("procuratorate_notified_on", procuratorate),
    ):
        not_future(f, key, value)
        if value and value < incident.occurred_on:
            f.error(key, _("不能早于事件发生日期。"))
    f.raise_if_errors()
    with recorded_change(actor, "correction.incident_notify", "incident", incident):
        if police:
            incident.police_notified_on = police
        if procuratorate:
            incident.procuratorate_notified_on = procuratorate
    return incident


def close_incident(
    actor: User, case: CorrectionCase, incident_id: int, data: dict[str, Any]
) -> Incident:
    require_writer(actor)
    incident = record_of(case, Incident, incident_id)
    v = read_open(data, schemas.IncidentClose, _open(incident, _("结束日期不能早于事件发生日期。")))
    with recorded_change(actor, "correction.incident_close", "incident", incident):
        incident.closed_on, incident.outcome = v.closed_on, v.outcome
    return incident
