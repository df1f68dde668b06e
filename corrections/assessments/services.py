"""调查评估 services: register, extend, complete, and start a case from a completed one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock
from corrections.assessments import schemas
from corrections.assessments.models import Assessment, AssessmentExtension
from corrections.auth.models import User
from corrections.auth.scope import scope
from corrections.core.guards import not_future, read_dated, require_writer, station_for
from corrections.core.records import add_recorded, recorded_change
from corrections.errors import RuleViolation
from corrections.extensions import db
from corrections.people import idnumber
from corrections.people.models import Person
from corrections.rules import workdays
from corrections.rules.holidays import calendar
from corrections.rules.tables import deadline
from corrections.validation import Fields


def compute_due(assessment: Assessment, cal=None) -> tuple[date | None, str | None]:
    return workdays.assessment_due(
        assessment.received_on,
        assessment.fast_track,
        assessment.extension_days,
        cal or calendar(),
        base_days=deadline("assessment_days", assessment.received_on),
        fast_track_days=deadline("assessment_fast_track_days", assessment.received_on),
    )


def _refresh_due(assessment: Assessment, cal=None) -> None:
    assessment.due_on, assessment.due_note = compute_due(assessment, cal)


def _refreshed_due(assessment: Assessment) -> Callable[[], None]:
    """The due date refreshed and flushed, once the assessment's change is flushed."""

    def refresh() -> None:
        _refresh_due(assessment)
        db.session.flush()

    return refresh


def register_assessment(actor: User, data: dict[str, Any]) -> Assessment:
    require_writer(actor)
    f = Fields(data)
    station = station_for(f, actor, data.get("station"))
    v = f.read(schemas.AssessmentCreate)
    raw_id = v.id_number
    number = None
    if raw_id not in (None, ""):
        if not isinstance(raw_id, str):
            f.error("id_number", _("应为文字。"))
        else:
            try:
                number = idnumber.parse(raw_id, today=clock.today()).number
            except idnumber.InvalidIdNumber as e:
                f.error("id_number", str(e.message))
    received_on = v.received_on
    not_future(f, "received_on", received_on)
    f.raise_if_errors()
    person_id = None
    if number:
        person_id = db.session.execute(
            select(Person.id).where(Person.id_number == number)
        ).scalar_one_or_none()
    values = v.values("station", id_number=number)
    assessment = Assessment(
        station_id=station.id, person_id=person_id, created_by_id=actor.id, **values
    )
    return add_recorded(
        actor, assessment, "assessment.create", "assessment", after_flush=_refreshed_due(assessment)
    )


def extend_assessment(actor: User, assessment: Assessment, data: dict[str, Any]) -> Assessment:
    require_writer(actor)
    f = Fields(data)
    v = f.read(schemas.ExtendBody)
    days, reason = v.working_days, v.reason
    f.raise_if_errors()
    if assessment.completed_on is not None:
        raise RuleViolation(_("调查评估已完成，不能延期。"), code="completed")
    with recorded_change(
        actor, "assessment.extend", "assessment", assessment, after_flush=_refreshed_due(assessment)
    ):
        assessment.extensions.append(
            AssessmentExtension(
                working_days=days, reason=reason, extended_on=clock.today(), created_by_id=actor.id
            )
        )
    return assessment


def complete_assessment(actor: User, assessment: Assessment, data: dict[str, Any]) -> Assessment:
    require_writer(actor)
    early = _("完成日期不能早于收到委托的日期。")
    f, v, completed_on = read_dated(data, schemas.CompleteBody, assessment.received_on, early)
    opinion, note = v.opinion, v.opinion_note
    f.raise_if_errors()
    if assessment.completed_on is not None:
        raise RuleViolation(_("调查评估已完成。"), code="completed")
    with recorded_change(actor, "assessment.complete", "assessment", assessment):
        assessment.completed_on, assessment.opinion, assessment.opinion_note = (
            completed_on,
            opinion,
            note,
        )
    return assessment


def recompute_open_due_dates() -> int:
    """Fill in (or correct) the due dates of open investigations after a calendar change."""
    cal = calendar()
    changed = 0
    for assessment in db.session.execute(
        select(Assessment).where(Assessment.completed_on.is_(None))
    ).scalars():
        before = (assessment.due_on, assessment.due_note)
        _refresh_due(assessment, cal)
        changed += before != (assessment.due_on, assessment.due_note)
    db.session.flush()
    return changed


def days_left(assessment: Assessment, on: date | None = None) -> int | None:
    if assessment.due_on is None or assessment.completed_on is not None:
        return None
    return (assessment.due_on - (on or clock.today())).days


def is_overdue(assessment: Assessment, on: date | None = None) -> bool:
    left = days_left(assessment, on)
    return left is not None and left < 0


def open_assessments(user: User, overdue_on: date | None = None):
    """Open investigations in scope, overdue ones first, then by due date (open-ended last)."""
    query = select(Assessment).where(Assessment.completed_on.is_(None))
    if overdue_on is not None:
        query = query.where(Assessment.due_on < overdue_on)
    return scope(query, user, Assessment).order_by(
        Assessment.due_on.is_(None), Assessment.due_on, Assessment.id
    )


def case_data_from(assessment: Assessment) -> dict[str, Any]:
    """What a completed investigation carries into a new correction case."""
    return {
        "person_id": assessment.person_id,
        "station": assessment.station.code,
        "correction_type": assessment.proposed_type,
        "crime": assessment.crime,
        "decision_body": assessment.commissioning_body,
    }


def link_case(actor: User, assessment: Assessment, case_id: int) -> None:
    with recorded_change(actor, "assessment.link_case", "assessment", assessment):
        assessment.correction_case_id = case_id
