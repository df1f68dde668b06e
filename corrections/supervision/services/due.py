"""Due state, term end and intake deadline of 社区矫正 cases (docs/domain.md §3.5, §7.1, §7.2, §7.6)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from corrections import clock, deferred
from corrections.audit.services import record
from corrections.auth.models import User
from corrections.core import due as core_due
from corrections.core.records import recorded_change
from corrections.extensions import db
from corrections.rules import deadlines as deadline_rules
from corrections.rules import endings as ending_rules
from corrections.rules import engine
from corrections.rules.tables import deadline
from corrections.supervision.models import CaseLevel, Contact, CorrectionCase, Incident, Leave


def case_facts(case: CorrectionCase, until: date | None = None) -> engine.CaseFacts:
    levels = db.session.execute(
        select(CaseLevel.effective_on, CaseLevel.level)
        .where(CaseLevel.case_id == case.id, CaseLevel.status == "approved")
        .order_by(CaseLevel.effective_on, CaseLevel.id)
    ).all()
    leaves = db.session.execute(
        select(Leave.starts_on, Leave.ends_on, Leave.returned_on).where(
            Leave.case_id == case.id, Leave.status == "approved", Leave.kind == "leave"
        )
    ).all()
    return _facts(
        case,
        tuple(engine.LevelPeriod(e, lv) for e, lv in levels),
        core_due.contact_facts(Contact, case.id, until),
        tuple(engine.LeaveFact(s, e, True, r) for s, e, r in leaves),
    )


def _facts(case: CorrectionCase, levels, contacts, leaves) -> engine.CaseFacts:
    return engine.CaseFacts(
        programme=engine.CORRECTION,
        received_on=case.received_on,
        ended_on=case.ended_on,
        correction_type=case.correction_type,
        levels=tuple(levels),
        contacts=tuple(contacts),
        leaves=tuple(leaves),
    )


def case_facts_many(
    cases: list[CorrectionCase], until: date | None = None, since: date | None = None
) -> dict[int, engine.CaseFacts]:
    """``case_facts`` for many cases in a few queries (lists, overdue_on); of the contacts
    before ``since`` only the latest of each kind (``core.due.contact_facts_many``)."""
    contacts: dict[int, list] = {c.id: [] for c in cases}
    levels: dict[int, list] = {c.id: [] for c in cases}
    leaves: dict[int, list] = {c.id: [] for c in cases}
    for chunk in core_due.chunks(list(contacts)):
        core_due.contact_facts_many(Contact, chunk, until, since, contacts)
        for case_id, effective_on, level in db.session.execute(
            select(CaseLevel.case_id, CaseLevel.effective_on, CaseLevel.level)
            .where(CaseLevel.case_id.in_(chunk), CaseLevel.status == "approved")
            .order_by(CaseLevel.effective_on, CaseLevel.id)
        ):
            levels[case_id].append(engine.LevelPeriod(effective_on, level))
        for case_id, s, e, r in db.session.execute(
            select(Leave.case_id, Leave.starts_on, Leave.ends_on, Leave.returned_on).where(
                Leave.case_id.in_(chunk), Leave.status == "approved", Leave.kind == "leave"
            )
        ):
            leaves[case_id].append(engine.LeaveFact(s, e, True, r))
    return {c.id: _facts(c, levels[c.id], contacts[c.id], leaves[c.id]) for c in cases}


def due_states(case: CorrectionCase, on: date | None = None) -> list[engine.DueState]:
    return core_due.due_states(case, case_facts, on)


def refresh_due_state(case: CorrectionCase, on: date | None = None) -> bool:
    """Store the engine's answer on the case; True when something changed.

    Inside ``deferred_writes()`` the case is refreshed with the others at the end.
    """
    return core_due.refresh_one(case, on, case_facts, _store_due_state, refresh_due_states)


def change_with_due(actor: User, action: str, subject: str, row, case: CorrectionCase):
    """``recorded_change`` of ``row`` that brings the case's stored due state up to date
    before its audit event."""
    return recorded_change(actor, action, subject, row, after_flush=lambda: refresh_due_state(case))


def refresh_due_states(cases: list[CorrectionCase], on: date | None = None) -> list[CorrectionCase]:
    """``refresh_due_state`` for many cases in a few queries; returns those that changed."""
    return core_due.bulk_refresh(cases, on, case_facts_many, _store_due_state)


def _store_due_state(case: CorrectionCase, facts: engine.CaseFacts, rules: list, on: date) -> bool:
    """The common columns, and the level and on-time counts of a correction case."""
    changed = core_due.store_due_state(case, facts, rules, on)
    level = engine.level_on(facts.levels, on) or case.level
    changed = changed or level != case.level
    case.level = level
    case.on_time_ok, case.on_time_total = on_time_counts(case, facts, rules, on)
    return changed


def on_time_counts(
    case: CorrectionCase, facts: engine.CaseFacts, rules: list, on: date
) -> tuple[int, int]:
    """The case's (on-time, all) triples over the on-time window ending on ``on``."""
    start, end = engine.on_time_window(on)
    if case.received_on is None or case.received_on > on:
        return 0, 0
    if case.ended_on is not None and case.ended_on <= start:
        return 0, 0
    return engine.on_time_rate([facts], rules, start, end)


def missed_intake(case: CorrectionCase, on: date | None = None) -> bool:
    return deadline_rules.is_missed_intake(
        case.status, case.source, case.report_deadline, on or clock.today()
    )


def past_term_end(
    case: CorrectionCase, on: date | None = None, term_end: date | None = None
) -> bool:
    """Active after its term end — for 暂外 the effective one (docs/domain.md §7.1, §7.6);
    ``term_end`` passes it in when the caller has it."""
    on = on or clock.today()
    if case.status != "active" or not deadline_rules.is_past_term_end(case.term_end, on):
        return False  # the effective term end is never before term_end
    return deadline_rules.is_past_term_end(term_end or term_end_effective(case, on), on)


def checklist_open(case: CorrectionCase, on: date | None = None) -> bool:
    on = on or clock.today()
    if case.status != "active":
        return False
    window = deadline("term_end_checklist_days", case.term_end)
    if not deadline_rules.is_checklist_open(case.term_end, on, window):
        return False  # the effective term end is never before term_end
    return deadline_rules.is_checklist_open(term_end_effective(case, on), on, window)


def term_ending_candidates(on: date) -> tuple:
    """SQL conditions picking the cases whose release checklist may be open on ``on``
    (docs/domain.md §7.1): by the term end as sentenced, widened to 暂外 cases past it
    (absconding moves their term end, §7.6). ``term_ending_on`` decides each one."""
    from sqlalchemy import or_

    from corrections.rules import twins

    return (
        CorrectionCase.status == "active",
        or_(
            ~twins.past_term_end(CorrectionCase.term_end, on),
            CorrectionCase.correction_type == "temporary_release",
        ),
        twins.checklist_open(CorrectionCase.term_end, on),
    )


def term_ending_on(case: CorrectionCase, on: date | None = None) -> date | None:
    """The case's effective term end when its term ends soon on ``on``: the release
    checklist is open and the effective term end not yet passed; else None. The one
    definition of "term ending" for the reminder job, the dashboards and the home pages."""
    on = on or clock.today()
    term_end = term_end_effective(case, on)
    if past_term_end(case, on, term_end) or not checklist_open(case, on):
        return None
    return term_end


def absconded_periods(case_ids: list[int]) -> dict[int, list[tuple[date, date | None]]]:
    """Each case's 脱管 incidents as (occurred_on, closed_on) periods, in one query."""
    out: dict[int, list[tuple[date, date | None]]] = {i: [] for i in case_ids}
    for start in range(0, len(case_ids), 500):
        rows = db.session.execute(
            select(Incident.case_id, Incident.occurred_on, Incident.closed_on).where(
                Incident.case_id.in_(case_ids[start : start + 500]),
                Incident.kind == "absconded",
            )
        )
        for case_id, occurred_on, closed_on in rows:
            out[case_id].append((occurred_on, closed_on))
    return out


def term_end_effective(
    case: CorrectionCase,
    on: date | None = None,
    periods: list[tuple[date, date | None]] | None = None,
) -> date:
    """The term end after 暂外 absconding days as of ``on`` (docs/domain.md §7.6);
    ``term_end`` for other types. ``periods`` passes in ``absconded_periods`` for lists."""
    if case.correction_type != "temporary_release":
        return case.term_end
    if periods is None:
        periods = absconded_periods([case.id])[case.id]
    return ending_rules.term_end_effective(
        case.correction_type, case.term_end, periods, on or clock.today(), case.ended_on
    )


def medical_review_due_soon(due: date | None, on: date | None = None) -> bool:
    """The 保外就医 re-examination falls due within the window row (as of the due date)."""
    on = on or clock.today()
    return due is not None and deadline_rules.is_due_soon(
        due, on, deadline("medical_review_soon_days", due)
    )


def intake_deadline(
    judgment: date | None, source: str | None, notified_on: date | None, cal=None
) -> tuple[date | None, str | None]:
    """The report deadline and, when it could not be moved off a rest day, why
    (docs/domain.md §3.3, §7.2). The day counts are the rule rows in force on the day the
    period counts from (the judgment, or the transfer notice)."""
    from corrections.rules.holidays import calendar

    anchor = notified_on if source == "transfer_in" else judgment
    if anchor is None:
        return None, None
    base = deadline_rules.report_deadline(
        judgment,
        source,
        notified_on,
        deadline("report_days", anchor),
        deadline("transfer_report_days", anchor),
    )
    if base is None:
        return None, None
    if cal is None:
        cal = deferred.memoised("workday_calendar", calendar)
    return deadline_rules.report_deadline_on_working_day(base, cal)


def recompute_report_deadlines(actor: User | None = None) -> int:
    """After a change of the report-period rows or of the working-day calendar: the stored
    deadline of every case still expected follows (docs/domain.md §7.7). Received cases keep
    theirs (they were on time or late against it); closed months keep their figures."""
    from corrections.rules.holidays import calendar

    cal = calendar()
    changed = 0
    rows = db.session.execute(
        select(CorrectionCase).where(CorrectionCase.status == "expected")
    ).scalars()
    for case in rows:
        due, note = intake_deadline(case.judgment_effective_on, case.source, case.notified_on, cal)
        if due is None:
            continue
        before = {
            "report_deadline": case.report_deadline,
            "report_deadline_note": case.report_deadline_note,
        }
        if (case.report_deadline, case.report_deadline_note) != (due, note):
            case.report_deadline, case.report_deadline_note = due, note
            changed += 1
            after = {"report_deadline": due, "report_deadline_note": note}
            record(
                actor, "correction.recompute_deadline", "correction_case", case.id, before, after
            )
    db.session.flush()
    return changed
