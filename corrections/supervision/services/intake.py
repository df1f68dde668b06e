"""Intake: a case notified or received, its reception, its descriptive fields
(docs/domain.md §3.3, §7.2)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock
from corrections.audit.services import record, snapshot
from corrections.auth.models import User
from corrections.core.guards import not_future, officer_for, person_for, require_writer, station_for
from corrections.core.records import recorded_change
from corrections.errors import Conflict, RuleViolation
from corrections.extensions import db
from corrections.people import programmes
from corrections.people.models import Person
from corrections.supervision import schemas
from corrections.supervision.models import (
    CRIME_CATEGORIES,
    CaseLevel,
    CorrectionCase,
)
from corrections.supervision.services.caseload import add_assignment
from corrections.supervision.services.common import not_before_reception
from corrections.supervision.services.due import intake_deadline, refresh_due_state
from corrections.validation import Fields


def _active_case_of(person_id: int) -> CorrectionCase | None:
    return db.session.execute(
        select(CorrectionCase).where(
            CorrectionCase.person_id == person_id,
            CorrectionCase.status.in_(("expected", "active")),
        )
    ).scalar_one_or_none()


def create_case(actor: User, data: dict[str, Any]) -> CorrectionCase:
    """Intake: a notified (expected) case, or one received at once with ``received_on``."""
    require_writer(actor)
    f = Fields(data)
    person = person_for(f, actor, data.get("person_id"))
    station = station_for(f, actor, data.get("station"))
    values = _intake_values(f, data)
    _check_intake_dates(f, person, values)
    officer = _intake_officer(f, actor, data, station)
    f.raise_if_errors()
    _refuse_second_case(person)
    received_on = values.pop("received_on")
    report_deadline, report_deadline_note = intake_deadline(
        values["judgment_effective_on"], values["source"], values["notified_on"] or received_on
    )
    case = CorrectionCase(
        person_id=person.id,
        station_id=station.id,
        officer_id=officer.id if officer else None,
        **values,
        report_deadline=report_deadline,
        report_deadline_note=report_deadline_note,
        status="expected",
        created_by_id=actor.id,
    )
    if received_on is not None:
        _set_received(case, received_on, values["source"])
    _add_with_history(actor, case, received_on)
    refresh_due_state(case)
    db.session.flush()
    record(actor, "correction.create", "correction_case", case.id, None, snapshot(case))
    return case


def _intake_values(f: Fields, data: dict[str, Any]) -> dict[str, Any]:
    """The intake form's values by column (and ``received_on``), read as ``CaseCreate``
    declares them (in the order their messages are listed)."""
    values = dict(f.read(schemas.CaseCreate))
    for looked_up in ("person_id", "station", "officer"):
        del values[looked_up]
    if values["correction_type"] == "temporary_release":
        values["grounds"] = values["grounds"] or "medical"
    elif data.get("grounds"):
        f.error("grounds", _("只有暂予监外执行需要填写暂外情形。"))
        values["grounds"] = None
    else:
        values["grounds"] = None
    return values


def _check_intake_dates(f: Fields, person: Person | None, values: dict[str, Any]) -> None:
    judgment, term_start, term_end = (
        values["judgment_effective_on"],
        values["term_start"],
        values["term_end"],
    )
    received_on, notified_on = values["received_on"], values["notified_on"]
    if term_start and term_end and term_end <= term_start:
        f.error("term_end", _("矫正期限止日应晚于起日。"))
    check_term_start(f, values["correction_type"], judgment, term_start)
    if person is not None and judgment is not None:
        check_age_at_judgment(f, person, judgment)
    if received_on and judgment and received_on < judgment:
        f.error("received_on", _("接收日期不能早于判决（裁定、决定）生效日期。"))
    not_future(f, "received_on", received_on)
    not_future(f, "notified_on", notified_on)
    if values["source"] == "transfer_in" and notified_on is None and received_on is None:
        f.error("notified_on", _("变更执行地转入需填写通知日期。"))


def _intake_officer(f: Fields, actor: User, data: dict[str, Any], station) -> User | None:
    """The officer named, else the acting officer when they work at the station."""
    if "officer" in data:
        return officer_for(f, data.get("officer"), station)
    officer = actor if actor.is_officer else None
    if officer and station and station.id not in {s.id for s in actor.stations}:
        officer = None
    return officer


def _refuse_second_case(person: Person) -> None:
    programmes.check_new_correction(person.id, person.name)
    existing = _active_case_of(person.id)
    if existing is not None:
        raise Conflict(
            _("%(name)s 已有在矫或待报到的社区矫正案件。", name=person.name),
            existing_id=existing.id,
            code="active_case_exists",
        )


def _add_with_history(actor: User, case: CorrectionCase, received_on: date | None) -> None:
    """Add the new case with its intake level and its first officer assignment."""
    db.session.add(case)
    db.session.flush()
    db.session.add(
        CaseLevel(
            case_id=case.id,
            effective_on=received_on or case.judgment_effective_on,
            level=case.level,
            reason=_("入矫时确定"),
            status="approved",
            proposed_by_id=actor.id,
            decided_by_id=actor.id,
            decided_on=received_on or case.judgment_effective_on,
        )
    )
    add_assignment(actor, case, received_on or clock.today())


def check_term_start(f: Fields, ctype: str | None, judgment: date | None, start: date | None):
    """docs/domain.md §7.2: the term never starts before the judgment takes effect; for
    probation (刑法 §73) and control it starts on that day."""
    if judgment is None or start is None:
        return
    if ctype in ("probation", "control") and start != judgment:
        f.error(
            "term_start",
            _(
                "缓刑、管制的矫正期限从判决生效之日起计算，起日应为 %(d)s。",
                d=judgment.isoformat(),
            ),
        )
    elif start < judgment:
        f.error(
            "term_start",
            _("矫正期限起日不能早于判决（裁定、决定）生效日期 %(d)s。", d=judgment.isoformat()),
        )


def check_age_at_judgment(f: Fields, person: Person, judgment: date) -> None:
    """docs/domain.md §7.2: under 12 at the judgment no criminal liability (刑法 §17)."""
    if person.birth_date is not None and person.age_on(judgment) < 12:
        f.error(
            "judgment_effective_on",
            _(
                "按出生日期 %(b)s，判决生效时该人员未满12周岁，依法不负刑事责任，"
                "不能登记社区矫正。请核对身份证号码和判决生效日期。",
                b=person.birth_date.isoformat(),
            ),
        )


def is_minor_case(case: CorrectionCase) -> bool:
    """A minor's case (docs/domain.md §7.2): under 18 when the judgment took effect."""
    person = case.person
    return person.birth_date is not None and person.age_on(case.judgment_effective_on) < 18


def _edited_terms(f: Fields, case: CorrectionCase, data: dict) -> dict:
    """A corrected term (blank: unchanged), checked as at intake (docs/domain.md §7.2)."""
    start = f.date("term_start", required=False) if data.get("term_start") else None
    end = f.date("term_end", required=False) if data.get("term_end") else None
    if "term_start" in f.errors or "term_end" in f.errors:
        return {}
    start_value, end_value = start or case.term_start, end or case.term_end
    check_term_start(f, case.correction_type, case.judgment_effective_on, start_value)
    if end_value <= start_value:
        f.error("term_end", _("矫正期限止日应晚于起日。"))
    changed = {}
    if start_value != case.term_start:
        changed["term_start"] = start_value
    if end_value != case.term_end:
        changed["term_end"] = end_value
    return changed


def _check_arrival(f: Fields, case: CorrectionCase, source: str | None) -> None:
    """How a case arrived is fixed at creation (docs/domain.md §7.2)."""
    if source is None or (source == "transfer_in") == (case.source == "transfer_in"):
        return
    if case.source == "transfer_in":
        f.error("source", _("该案件是变更执行地转入的案件，接收方式应为“转入”。"))
    else:
        f.error("source", _("该案件由判决（裁定、决定）交付执行，接收方式不能改为“转入”。"))


def _set_received(case: CorrectionCase, received_on: date, source: str) -> None:
    case.received_on = received_on
    case.source = source
    case.received_on_time = received_on <= case.report_deadline
    case.status = "active"


def _mark_received(case: CorrectionCase, received_on: date, source: str) -> None:
    _set_received(case, received_on, source)
    intake_level = db.session.execute(
        select(CaseLevel).where(CaseLevel.case_id == case.id).order_by(CaseLevel.id).limit(1)
    ).scalar_one()
    intake_level.effective_on = received_on
    intake_level.decided_on = received_on


def receive_case(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CorrectionCase:
    require_writer(actor)
    f = Fields(data)
    v = f.read(schemas.Receive)
    received_on, source = v.received_on, v.source or case.source
    not_future(f, "received_on", received_on)
    if received_on and received_on < case.judgment_effective_on:
        f.error("received_on", _("接收日期不能早于判决（裁定、决定）生效日期。"))
    _check_arrival(f, case, source)
    f.raise_if_errors()
    if case.status != "expected":
        raise RuleViolation(_("该案件不是待报到状态，不能重复接收。"), code="not_expected")
    with recorded_change(actor, "correction.receive", "correction_case", case):
        _mark_received(case, received_on, source)
        refresh_due_state(case)
    return case


def update_case_details(actor: User, case: CorrectionCase, version: Any, data: dict) -> None:
    """Edit descriptive fields (crime, sentence, decision body, 禁止令, announcement date)."""
    from corrections.auth.services import check_version

    require_writer(actor)
    f = Fields(data)
    values = {}
    for key, limit in (
        ("crime", 200),
        ("sentence", 200),
        ("decision_body", 200),
        ("decision_document", 100),
        ("prohibitions", 2000),
    ):
        if key in data:
            values[key] = f.text(key, limit=limit)
    if "crime_category" in data:
        values["crime_category"] = f.choice("crime_category", CRIME_CATEGORIES, required=False)
    if "announced_on" in data:
        announced = f.date("announced_on", required=False)
        not_future(f, "announced_on", announced)
        not_before_reception(f, "announced_on", announced, case)
        values["announced_on"] = announced
    values.update(_edited_terms(f, case, data))
    f.raise_if_errors()
    check_version(case, version)
    with recorded_change(actor, "correction.update", "correction_case", case):
        for key, value in values.items():
            setattr(case, key, value)
        if "term_start" in values or "term_end" in values:
            refresh_due_state(case)
