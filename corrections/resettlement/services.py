"""安置帮教 services: notice, release, verification, handover, support, ending."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock
from corrections.audit.services import record, snapshot
from corrections.auth.models import User
from corrections.core import due as core_due
from corrections.core import voiding
from corrections.core.endings import dated_after, refuse_records_after_end
from corrections.core.guards import (
    not_future,
    person_for,
    read_dated,
    record_of,
    require_not_ended_on,
    require_writer,
    station_for,
)
from corrections.core.incidents import Open, read_open
from corrections.core.records import add_recorded, recorded_change
from corrections.errors import Conflict, RuleViolation
from corrections.extensions import db
from corrections.people import programmes
from corrections.people.models import Person
from corrections.resettlement import schemas
from corrections.resettlement.models import (
    PLACEMENTS,
    Assistance,
    KeyStatusChange,
    LostContact,
    LostContactSearch,
    ResettlementCase,
    ResettlementContact,
)
from corrections.rules import deadlines as deadline_rules
from corrections.rules import endings, engine
from corrections.rules.tables import deadline, deadlines
from corrections.supervision.models import ChecklistItem, CorrectionCase
from corrections.validation import Fields

# Verification outcomes that end the case on the verification date (docs/domain.md §7.7).
ENDING_RESULTS = ("false_identity", "not_local")

# --------------------------------------------------------------------------- state


def case_facts(case: ResettlementCase, until: date | None = None) -> engine.CaseFacts:
    keys = db.session.execute(
        select(KeyStatusChange.effective_on, KeyStatusChange.is_key)
        .where(KeyStatusChange.case_id == case.id)
        .order_by(KeyStatusChange.effective_on, KeyStatusChange.id)
    ).all()
    return _facts(
        case,
        core_due.contact_facts(ResettlementContact, case.id, until),
        (engine.KeyPeriod(e, k) for e, k in keys),
    )


def _facts(case: ResettlementCase, contacts, key_periods) -> engine.CaseFacts:
    return engine.CaseFacts(
        programme=engine.RESETTLEMENT,
        received_on=case.handed_over_on,
        ended_on=case.ended_on,
        contacts=tuple(contacts),
        key_periods=tuple(key_periods),
    )


def case_facts_many(
    cases: list[ResettlementCase], until: date | None = None, since: date | None = None
) -> dict[int, engine.CaseFacts]:
    """``case_facts`` for many cases in a few queries per 500 cases (lists, overdue scans);
    of the contacts before ``since`` only the latest of each kind
    (``core.due.contact_facts_many``)."""
    contacts: dict[int, list[engine.ContactFact]] = {c.id: [] for c in cases}
    keys: dict[int, list[engine.KeyPeriod]] = {c.id: [] for c in cases}
    for chunk in core_due.chunks(list(contacts)):
        core_due.contact_facts_many(ResettlementContact, chunk, until, since, contacts)
        for case_id, effective_on, is_key in db.session.execute(
            select(KeyStatusChange.case_id, KeyStatusChange.effective_on, KeyStatusChange.is_key)
            .where(KeyStatusChange.case_id.in_(chunk))
            .order_by(KeyStatusChange.effective_on, KeyStatusChange.id)
        ):
            keys[case_id].append(engine.KeyPeriod(effective_on, is_key))
    return {c.id: _facts(c, contacts[c.id], keys[c.id]) for c in cases}


def due_states(case: ResettlementCase, on: date | None = None) -> list[engine.DueState]:
    return core_due.due_states(case, case_facts, on)


def refresh_due_state(case: ResettlementCase, on: date | None = None) -> bool:
    """Store the engine's answer on the case; True when something changed.

    Inside ``deferred_writes()`` the case is refreshed with the others at the end.
    """
    return core_due.refresh_one(case, on, case_facts, _store_due_state, refresh_due_states)


def refresh_due_states(
    cases: list[ResettlementCase], on: date | None = None
) -> list[ResettlementCase]:
    """``refresh_due_state`` for many cases in a few queries; returns those that changed."""
    return core_due.bulk_refresh(cases, on, case_facts_many, _store_due_state)


def _store_due_state(
    case: ResettlementCase, facts: engine.CaseFacts, rules: list, on: date
) -> bool:
    """The common columns, and the key status of a resettlement case."""
    changed = core_due.store_due_state(case, facts, rules, on)
    case.is_key = engine.is_key_on(facts.key_periods, on) if facts.key_periods else case.is_key
    return changed


def handover_overdue(case: ResettlementCase, on: date | None = None) -> bool:
    """Released but not handed over within 7 days (default)."""
    if case.released_on is None or case.is_ended:
        return False
    return deadline_rules.is_handover_overdue(
        case.released_on,
        case.handed_over_on,
        on or clock.today(),
        deadline("handover_alert_days", case.released_on),
    )


def period_ending_soon(case: ResettlementCase, on: date | None = None) -> bool:
    """Within the reminder window before the 帮教期 ends, or past it, and not ended."""
    if case.period_ends_on is None or case.is_ended:
        return False
    return deadline_rules.is_period_end_alert(
        case.period_ends_on,
        on or clock.today(),
        deadline("resettlement_period_end_alert_days", case.period_ends_on),
    )


def period_over_not_ended(case: ResettlementCase, on: date | None = None) -> bool:
    """帮教期满未结案 (docs/domain.md §7.7): the period is over, the case is still open; it is
    off the register and waits for the officer to end it."""
    return not case.is_ended and deadline_rules.is_support_period_over(
        case.period_ends_on, on or clock.today()
    )


def recompute_period_ends(actor: User | None = None) -> int:
    """After a change of a period row: the stored ``period_ends_on`` of every open case
    follows (docs/domain.md §7.7); ended cases and closed months keep theirs."""
    changed = 0
    rows = db.session.execute(
        select(ResettlementCase).where(
            ResettlementCase.status != "ended", ResettlementCase.released_on.is_not(None)
        )
    ).scalars()
    for case in rows:
        ends = _period_ends_on(case.source, case.released_on, case.correction_type)
        if ends is not None and ends != case.period_ends_on:
            before = {"period_ends_on": case.period_ends_on}
            case.period_ends_on = ends
            changed += 1
            record(
                actor,
                "resettlement.recompute_period",
                "resettlement_case",
                case.id,
                before,
                {"period_ends_on": ends},
            )
    db.session.flush()
    return changed


def key_on(case: ResettlementCase, on: date) -> bool:
    """The key status in force on ``on`` (the first record holds from the start)."""
    if not case.has_key_changes:
        return case.is_key  # a single record: the case's is_key holds it
    rows = db.session.execute(
        select(KeyStatusChange.effective_on, KeyStatusChange.is_key)
        .where(KeyStatusChange.case_id == case.id)
        .order_by(KeyStatusChange.effective_on, KeyStatusChange.id)
    ).all()
    if not rows:
        return case.is_key
    return engine.is_key_on([engine.KeyPeriod(d, k) for d, k in rows], on)


def key_without_escort(case: ResettlementCase) -> bool:
    """必接必送: a person who was key on the handover date should have been escorted from
    the gate (docs/domain.md §7.7: the key status on the handover date, not today's)."""
    if case.handed_over_on is None or case.handover_method == "escorted":
        return False
    return key_on(case, case.handed_over_on)


def _period_ends_on(source: str, released_on: date | None, correction_type: str | None):
    if released_on is None:
        return None
    periods = deadline_rules.resettlement_periods(deadlines(released_on))
    return deadline_rules.resettlement_period_ends_on(source, released_on, correction_type, periods)


def _last_correction_type(person_id: int) -> str | None:
    return db.session.execute(
        select(CorrectionCase.correction_type)
        .where(CorrectionCase.person_id == person_id, CorrectionCase.ended_on.is_not(None))
        .order_by(CorrectionCase.ended_on.desc(), CorrectionCase.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _require_open(case: ResettlementCase, on: date | None = None) -> None:
    require_not_ended_on(case, on, lambda d: _("该帮教案件已于%(d)s结束。", d=d))


def _since_release(d: str) -> str:
    return _("不能早于释放日期 %(d)s。", d=d)


def _key_before_release(d: str) -> str:
    # docs/domain.md §7.7: key status is a status of a released person
    return _("重点帮教状态的变更日期不能早于释放日期 %(d)s。", d=d)


def _handover_before_release(d: str) -> str:
    return _("衔接日期不能早于释放日期 %(d)s。", d=d)


def _read_released(data: dict[str, Any], body: type, case: ResettlementCase, **read):
    """``body`` read from ``data``, its date not after today, not before release."""
    return read_dated(data, body, case.released_on, _since_release, **read)


def _case_change(actor: User, case: ResettlementCase, action: str, refresh: bool = True):
    """Record what the block changes on the case; its due state is refreshed (after the
    flush) unless ``refresh`` is False."""
    after_flush = (lambda: refresh_due_state(case)) if refresh else None
    return recorded_change(actor, action, "resettlement_case", case, after_flush=after_flush)


def _require_released(case: ResettlementCase) -> None:
    if case.released_on is None:
        raise RuleViolation(_("尚未登记释放，请先登记释放日期。"), code="not_released")


# --------------------------------------------------------------------------- create


def create_case(actor: User, data: dict[str, Any]) -> ResettlementCase:
    require_writer(actor)
    f = Fields(data)
    person = person_for(f, actor, data.get("person_id"))
    station = station_for(f, actor, data.get("station"))
    values = _new_case_values(f)
    f.raise_if_errors()
    ctype = _correction_type(person, values["source"], values.pop("correction_type"))
    _refuse_second_case(person)
    case = ResettlementCase(
        person_id=person.id,
        station_id=station.id,
        officer_id=actor.id if actor.is_officer else None,
        **values,
        correction_type=ctype if values["source"] == "correction" else None,
        period_ends_on=_period_ends_on(values["source"], values["released_on"], ctype),
        status="released" if values["released_on"] else "expected",
        created_by_id=actor.id,
        correction_case_id=data.get("correction_case_id")
        if isinstance(data.get("correction_case_id"), int)
        else None,
    )
    _add_with_key_status(actor, case)
    refresh_due_state(case)
    record(actor, "resettlement.create", "resettlement_case", case.id, None, snapshot(case))
    return case


def _new_case_values(f: Fields) -> dict[str, Any]:
    """The new case's values by column, read in the order their messages are listed."""
    values = dict(f.read(schemas.ResettlementCreate))
    del values["person_id"], values["station"]
    not_future(f, "released_on", values["released_on"])
    not_future(f, "notice_received_on", values["notice_received_on"])
    if values["released_on"] is None and values["expected_release_on"] is None:
        f.error("expected_release_on", _("请填写释放日期或预计释放日期。"))
    return values


def _correction_type(person: Person, source: str, given: str | None) -> str | None:
    """docs/api.md: for a case from 社区矫正 the type of the last ended correction case in
    the system decides; the correction_type field only stands in when that case is not in
    the system."""
    if source != "correction":
        return given
    ctype = _last_correction_type(person.id) or given
    if ctype is None:
        raise RuleViolation(
            _("系统中没有该人员已结束的社区矫正案件，请填写原矫正类别（correction_type）。"),
            fields={"correction_type": _("必填")},
            code="correction_type_needed",
        )
    return ctype


def _refuse_second_case(person: Person) -> None:
    programmes.check_new_resettlement(person.id, person.name)
    open_case = db.session.execute(
        select(ResettlementCase.id).where(
            ResettlementCase.person_id == person.id, ResettlementCase.status != "ended"
        )
    ).scalar_one_or_none()
    if open_case is not None:
        raise Conflict(
            _("%(n)s 已有未结束的安置帮教案件。", n=person.name),
            existing_id=open_case,
            code="active_case_exists",
        )


def _add_with_key_status(actor: User, case: ResettlementCase) -> None:
    """Add the new case with its first key-status record."""
    db.session.add(case)
    db.session.flush()
    db.session.add(
        KeyStatusChange(
            case_id=case.id,
            effective_on=case.released_on
            or case.notice_received_on
            or case.expected_release_on
            or clock.today(),
            is_key=case.is_key,
            reason=case.key_reason or _("登记时确定"),
            recorded_by_id=actor.id,
        )
    )
    db.session.flush()


def from_correction(actor: User, correction: CorrectionCase, data: dict[str, Any]):
    """A released correction case becomes a resettlement case in one step."""
    if correction.status != "released":
        raise RuleViolation(_("只有已解除矫正的案件可以转入安置帮教。"), code="not_released")
    appraisal = db.session.execute(
        select(ChecklistItem.note).where(
            ChecklistItem.case_id == correction.id, ChecklistItem.item == "appraisal"
        )
    ).scalar_one_or_none()
    payload = {
        "person_id": correction.person_id,
        "station": correction.station.code,
        "source": "correction",
        "correction_type": correction.correction_type,
        "released_on": correction.ended_on,
        "crime": correction.crime,
        "sentence": correction.sentence,
        "recommendation": appraisal or "",
        "correction_case_id": correction.id,
        "is_key": False,
    }
    payload.update({k: v for k, v in (data or {}).items() if k in ("is_key", "key_reason")})
    return create_case(actor, payload)


def release(actor: User, case: ResettlementCase, data: dict[str, Any]) -> ResettlementCase:
    require_writer(actor)
    f, _v, released_on = read_dated(data, schemas.ReleaseBody)
    f.raise_if_errors()
    if case.released_on is not None:
        raise RuleViolation(_("释放日期已登记。"), code="already_released")
    _require_open(case)
    with _case_change(actor, case, "resettlement.release"):
        case.released_on = released_on
        case.status = "released"
        case.period_ends_on = _period_ends_on(case.source, released_on, case.correction_type)
    return case


def set_key(actor: User, case: ResettlementCase, data: dict[str, Any]) -> KeyStatusChange:
    require_writer(actor)
    early, missing = _key_before_release, {"is_key": _("请选择是否重点。")}
    f, v, effective_on = read_dated(data, schemas.KeyBody, case.released_on, early, missing=missing)
    is_key, reason = v.is_key, v.reason
    f.raise_if_errors()
    _require_open(case, effective_on)
    row = KeyStatusChange(case_id=case.id, recorded_by_id=actor.id, **v.values())
    db.session.add(row)
    db.session.flush()
    before = snapshot(case)
    case.has_key_changes = True
    refresh_due_state(case)
    if is_key:
        case.key_reason = reason
    record(actor, "resettlement.key", "resettlement_case", case.id, before, snapshot(case))
    return row


def verify(actor: User, case: ResettlementCase, data: dict[str, Any]) -> ResettlementCase:
    require_writer(actor)
    f, v, verified_on = read_dated(data, schemas.VerificationBody)
    result = v.result
    ends = result in ENDING_RESULTS
    if ends and verified_on and case.released_on and verified_on < case.released_on:
        f.error(
            "verified_on",
            _(
                "该核查结果将于核查日期结束案件，核查日期不能早于释放日期 %(d)s。",
                d=case.released_on.isoformat(),
            ),
        )
    f.raise_if_errors()
    if ends and case.is_ended:
        raise RuleViolation(
            _("该帮教案件已于%(d)s结束。", d=case.ended_on.isoformat()), code="case_ended"
        )
    _require_open(case, verified_on)
    if ends:
        # docs/domain.md §7.7: the case ends on the verification date; the earlier
        # verification is replaced, so it does not count as a record after the end.
        later = [r for r in records_after_end(case, verified_on) if r.kind != "verification"]
        refuse_records_after_end(later, "verified_on", verified_on)
    with _case_change(actor, case, "resettlement.verify", refresh=False):
        case.verified_on, case.verification_result = verified_on, result
    if ends:
        with _case_change(actor, case, "resettlement.end"):
            case.status, case.ended_on, case.end_reason = "ended", verified_on, result
    return case


def handover(actor: User, case: ResettlementCase, data: dict[str, Any]) -> ResettlementCase:
    require_writer(actor)
    early = _handover_before_release
    f, v, handed_over_on = read_dated(data, schemas.HandoverBody, case.released_on, early)
    method = v.method
    f.raise_if_errors()
    _require_released(case)
    _require_open(case, handed_over_on)
    if case.handed_over_on is not None:
        raise RuleViolation(_("已经衔接。"), code="already_handed_over")
    with _case_change(actor, case, "resettlement.handover"):
        case.handed_over_on, case.handover_method = handed_over_on, method
        if case.status == "released":
            case.status = "active"
    return case


# --------------------------------------------------------------------------- support


def record_contact(actor: User, case: ResettlementCase, data: dict[str, Any]):
    require_writer(actor)
    f, v, occurred_on = _read_released(data, schemas.ResettlementContactBody, case)
    f.raise_if_errors()
    _require_released(case)
    _require_open(case, occurred_on)
    contact = ResettlementContact(case_id=case.id, recorded_by_id=actor.id, **v.values())
    return add_recorded(
        actor,
        contact,
        "resettlement.contact",
        "resettlement_contact",
        after_flush=lambda: refresh_due_state(case),
    )


def add_assistance(actor: User, case: ResettlementCase, data: dict[str, Any]) -> Assistance:
    require_writer(actor)
    invalid = {"amount": _("金额应为不小于0的数字（最多两位小数）。")}
    f, v, given_on = _read_released(data, schemas.AssistanceBody, case, invalid=invalid)
    f.raise_if_errors()
    _require_released(case)
    _require_open(case, given_on)
    row = Assistance(case_id=case.id, recorded_by_id=actor.id, **v.values())
    return add_recorded(actor, row, "resettlement.assistance", "assistance")


void_record = voiding.Voiding(
    "resettlement", {"contact": ResettlementContact, "assistance": Assistance}, refresh_due_state
)


def set_placement(actor: User, case: ResettlementCase, data: dict[str, Any]) -> ResettlementCase:
    require_writer(actor)
    f = Fields(data)
    placement = f.choice("placement", PLACEMENTS)
    f.raise_if_errors()
    _require_open(case)
    with _case_change(actor, case, "resettlement.placement", refresh=False):
        case.placement = placement
    return case


def report_lost(actor: User, case: ResettlementCase, data: dict[str, Any]) -> LostContact:
    require_writer(actor)
    f = Fields(data)
    lost_on = f.date("lost_on")
    note = f.text("note", limit=2000)
    not_future(f, "lost_on", lost_on)
    f.raise_if_errors()
    _require_released(case)
    _require_open(case, lost_on)
    if db.session.execute(
        select(LostContact.id).where(LostContact.case_id == case.id, LostContact.found_on.is_(None))
    ).first():
        raise RuleViolation(_("已有未结束的失联记录。"), code="incident_open")
    row = LostContact(case_id=case.id, lost_on=lost_on, note=note, recorded_by_id=actor.id)
    return add_recorded(actor, row, "resettlement.lost", "lost_contact")


def _open(lost: LostContact) -> Open:
    return Open(lost.lost_on, lost.found_on, _("不能早于失联日期。"), _("失联已结束。"))


def log_lost_search(actor: User, case: ResettlementCase, lost_id: int, data: dict[str, Any]):
    require_writer(actor)
    lost = record_of(case, LostContact, lost_id)
    v = read_open(data, schemas.LostSearchBody, _open(lost))
    row = LostContactSearch(lost_contact_id=lost.id, recorded_by_id=actor.id, **v.values())
    if v.method == "bulletin" and lost.bulletin_issued_on is None:
        lost.bulletin_issued_on = v.searched_on
    return add_recorded(actor, row, "resettlement.lost_search", "lost_contact", subject_id=lost.id)


def close_lost(actor: User, case: ResettlementCase, lost_id: int, data: dict[str, Any]):
    require_writer(actor)
    lost = record_of(case, LostContact, lost_id)
    v = read_open(data, schemas.LostClose, _open(lost))
    with recorded_change(actor, "resettlement.lost_close", "lost_contact", lost):
        lost.found_on, lost.outcome = v.found_on, v.outcome
    return lost


def records_after_end(case: ResettlementCase, end: date) -> list[endings.DatedRecord]:
    """The case's records dated after ``end`` (docs/domain.md §7.6): contacts and
    assistance not voided, the handover and the verification (their id is the case's)."""
    found = dated_after("contact", case, ResettlementContact.occurred_on, end)
    found += dated_after("assistance", case, Assistance.given_on, end)
    if case.handed_over_on is not None:
        found.append(endings.DatedRecord("handover", case.id, case.handed_over_on))
    if case.verified_on is not None:
        found.append(endings.DatedRecord("verification", case.id, case.verified_on))
    return endings.records_after(found, end)


def end_case(actor: User, case: ResettlementCase, data: dict[str, Any]) -> ResettlementCase:
    require_writer(actor)
    early = _("结束日期不能早于释放日期。")
    f, v, ended_on = read_dated(data, schemas.EndBody, case.released_on, early)
    reason = v.reason
    if reason == "expiry" and ended_on and case.period_ends_on and ended_on < case.period_ends_on:
        f.error(
            "ended_on",
            _("期满结束的日期不能早于帮教期满日 %(d)s。", d=case.period_ends_on.isoformat()),
        )
    f.raise_if_errors()
    if case.is_ended:
        raise RuleViolation(_("该帮教案件已结束。"), code="case_ended")
    refuse_records_after_end(records_after_end(case, ended_on), "ended_on", ended_on)
    with _case_change(actor, case, "resettlement.end"):
        case.status, case.ended_on, case.end_reason = "ended", ended_on, reason
    return case
