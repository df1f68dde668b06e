"""Incidents: 脱管, 重新犯罪, detention, with the search log (docs/domain.md §3.9)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from corrections.auth.models import User
from corrections.core.guards import not_future, record_of, require_writer
from corrections.core.incidents import closing_values, search_values
from corrections.core.records import add_recorded, recorded_change
from corrections.errors import RuleViolation
from corrections.extensions import db
from corrections.supervision import schemas
from corrections.supervision.models import CorrectionCase, Incident, IncidentSearch
from corrections.supervision.services.common import not_before_reception, require_open
from corrections.validation import Fields


def open_incident(actor: User, case: CorrectionCase, data: dict[str, Any]) -> Incident:
    require_writer(actor)
    f = Fields(data)
    v = f.read(schemas.IncidentBody)
    kind, occurred_on, note = v.kind, v.occurred_on, v.note
    not_future(f, "occurred_on", occurred_on)
    not_before_reception(f, "occurred_on", occurred_on, case)
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
    incident = Incident(
        case_id=case.id, kind=kind, occurred_on=occurred_on, note=note, recorded_by_id=actor.id
    )
    return add_recorded(actor, incident, "correction.incident", "incident")


def log_search(
    actor: User, case: CorrectionCase, incident_id: int, data: dict[str, Any]
) -> IncidentSearch:
    require_writer(actor)
    incident = record_of(case, Incident, incident_id)
    searched_on, method, note = search_values(
        data,
        ("phone", "location", "home_visit", "family", "other"),
        incident.occurred_on,
        incident.closed_on,
        too_early=_("不能早于事件发生日期。"),
        closed=_("事件已结束。"),
    )
    row = IncidentSearch(
        incident_id=incident.id,
        searched_on=searched_on,
        method=method,
        note=note,
        recorded_by_id=actor.id,
    )
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
    closed_on, outcome = closing_values(
        data,
        schemas.IncidentClose,
        "closed_on",
        incident.occurred_on,
        incident.closed_on,
        too_early=_("结束日期不能早于事件发生日期。"),
        closed=_("事件已结束。"),
    )
    with recorded_change(actor, "correction.incident_close", "incident", incident):
        incident.closed_on = closed_on
        incident.outcome = outcome
    return incident
