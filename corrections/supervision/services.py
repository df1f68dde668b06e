"""社区矫正 case services: every write of the supervision feature goes through here.

Each function takes the acting user, validates everything before writing,
writes, refreshes the stored due state when it could change, and records the
audit event last. Routes (UI and API) only parse input and call these.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from corrections import clock, deferred, derived, numbering
from corrections.audit.services import record, snapshot
from corrections.auth.models import Station, User
from corrections.auth.scope import station_in_scope
from corrections.errors import (
    Conflict,
    Forbidden,
    RecordsAfterEnd,
    RuleViolation,
    ValidationFailed,
)
from corrections.extensions import db
from corrections.people import programmes
from corrections.people.models import Person
from corrections.rules import deadlines as deadline_rules
from corrections.rules import endings as ending_rules
from corrections.rules import engine
from corrections.rules.dates import add_months
from corrections.rules.tables import contact_rules, deadline
from corrections.supervision.models import (
    CHECKLIST_ITEMS,
    CONTACT_KINDS,
    CORRECTION_TYPES,
    CRIME_CATEGORIES,
    GROUNDS,
    INCIDENT_KINDS,
    LEAVE_REASONS,
    LEVELS,
    MONITORING_GROUNDS,
    RELEASE_REASONS,
    SANCTION_KINDS,
    SOURCES,
    TERMINATION_REASONS,
    CaseLevel,
    ChecklistItem,
    Contact,
    CorrectionCase,
    CorrectionPlan,
    Incident,
    IncidentSearch,
    Leave,
    MedicalReview,
    MonitoringEpisode,
    MonitoringExtension,
    OfficerAssignment,
    Sanction,
    StationMove,
    TeamMember,
)
from corrections.validation import Fields

# --------------------------------------------------------------------------- guards


def require_writer(actor: User) -> None:
    if not actor.can_write:
        raise Forbidden(_("只读账号不能修改数据。"))


def require_decider(actor: User, message: str | None = None) -> None:
    if not actor.can_decide:
        raise Forbidden(message or _("此操作需要县局主管审批。"))


def require_open(case: CorrectionCase, on: date | None = None) -> None:
    """An ended case accepts no event dated after its end; an expected one no events at all."""
    if case.status == "expected":
        raise RuleViolation(_("该对象尚未报到接收，请先办理接收。"), code="not_received")
    if case.is_ended and (on is None or on > case.ended_on):
        raise RuleViolation(
            _("该案件已于%(d)s结束，不能再登记此后的事项。", d=case.ended_on.isoformat()),
            code="case_ended",
        )


def _not_future(fields: Fields, key: str, value: date | None) -> None:
    if value is not None and value > clock.today():
        fields.error(key, _("不能晚于今天（%(d)s）。", d=clock.today().isoformat()))


def _not_before_reception(fields: Fields, key: str, value: date | None, case: CorrectionCase):
    if value is not None and case.received_on is not None and value < case.received_on:
        fields.error(key, _("不能早于接收日期 %(d)s。", d=case.received_on.isoformat()))


# --------------------------------------------------------------------------- due state


def case_facts(case: CorrectionCase, until: date | None = None) -> engine.CaseFacts:
    contacts = db.session.execute(
        select(Contact.occurred_on, Contact.kind).where(
            Contact.case_id == case.id,
            Contact.voided_at.is_(None),
            *([Contact.occurred_on <= until] if until else []),
        )
    ).all()
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
    return engine.CaseFacts(
        programme=engine.CORRECTION,
        received_on=case.received_on,
        ended_on=case.ended_on,
        correction_type=case.correction_type,
        levels=tuple(engine.LevelPeriod(e, lv) for e, lv in levels),
        contacts=tuple(engine.ContactFact(o, k) for o, k in contacts),
        leaves=tuple(engine.LeaveFact(s, e, True, r) for s, e, r in leaves),
    )


def case_facts_many(
    cases: list[CorrectionCase], until: date | None = None, since: date | None = None
) -> dict[int, engine.CaseFacts]:
    """``case_facts`` for many cases in a few queries (lists, overdue_on).

    Of the contacts before ``since`` (all of them when ``since`` is None) only the
    latest of each kind is loaded: the engine only ever uses the latest satisfying
    contact, so the answer on any day from ``since`` on is the same as with every
    contact. Contacts from ``since`` on are all loaded (on-time counts need them).
    """
    contacts: dict[int, list] = {c.id: [] for c in cases}
    levels: dict[int, list] = {c.id: [] for c in cases}
    leaves: dict[int, list] = {c.id: [] for c in cases}
    ids = list(contacts)
    upto = [Contact.occurred_on <= until] if until else []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for case_id, kind, last in db.session.execute(
            select(Contact.case_id, Contact.kind, func.max(Contact.occurred_on))
            .where(
                Contact.case_id.in_(chunk),
                Contact.voided_at.is_(None),
                *upto,
                *([Contact.occurred_on < since] if since else []),
            )
            .group_by(Contact.case_id, Contact.kind)
        ):
            contacts[case_id].append(engine.ContactFact(last, kind))
        if since is not None:
            for case_id, kind, day in db.session.execute(
                select(Contact.case_id, Contact.kind, Contact.occurred_on).where(
                    Contact.case_id.in_(chunk),
                    Contact.voided_at.is_(None),
                    Contact.occurred_on >= since,
                    *upto,
                )
            ):
                contacts[case_id].append(engine.ContactFact(day, kind))
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
    return {
        case.id: engine.CaseFacts(
            programme=engine.CORRECTION,
            received_on=case.received_on,
            ended_on=case.ended_on,
            correction_type=case.correction_type,
            levels=tuple(levels[case.id]),
            contacts=tuple(contacts[case.id]),
            leaves=tuple(leaves[case.id]),
        )
        for case in cases
    }


def due_states(case: CorrectionCase, on: date | None = None) -> list[engine.DueState]:
    on = on or clock.today()
    return engine.due_dates_on(case_facts(case, on), contact_rules(), on)


def refresh_due_state(case: CorrectionCase, on: date | None = None) -> bool:
    """Store the engine's answer on the case; True when something changed.

    Inside ``deferred_writes()`` the case is refreshed with the others at the end.
    """
    if on is None and deferred.defer_refresh(case, refresh_due_states):
        return False
    day = on or clock.today()
    return derived.refresh_unversioned(
        case, lambda: _store_due_state(case, case_facts(case, day), contact_rules(), day)
    )


def refresh_due_states(cases: list[CorrectionCase], on: date | None = None) -> list[CorrectionCase]:
    """``refresh_due_state`` for many cases in a few queries; returns those that changed."""

    def facts_many(chunk: list[CorrectionCase], day: date) -> dict[int, engine.CaseFacts]:
        return case_facts_many(chunk, day, since=history_since(day))

    return bulk_refresh(cases, on, facts_many, _store_due_state)


def bulk_refresh(cases: list, on: date | None, facts_many: Callable, store: Callable) -> list:
    """Store the due state of ``cases`` 500 at a time (both programmes use it)."""
    on = on or clock.today()
    rules = contact_rules()
    changed = []
    for start in range(0, len(cases), 500):
        chunk = cases[start : start + 500]
        facts = facts_many(chunk, on)
        changed += derived.refresh_many_unversioned(
            chunk, lambda c, f=facts: store(c, f[c.id], rules, on)
        )
    return changed


def _store_due_state(case: CorrectionCase, facts: engine.CaseFacts, rules: list, on: date) -> bool:
    next_due_on, overdue, days = engine.next_due(facts, rules, on)
    level = engine.level_on(facts.levels, on) or case.level
    changed = (case.next_due_on, case.is_overdue, case.overdue_days, case.level) != (
        next_due_on,
        overdue,
        days,
        level,
    )
    case.next_due_on, case.is_overdue, case.overdue_days = next_due_on, overdue, days
    case.level = level
    case.on_time_ok, case.on_time_total = on_time_counts(case, facts, rules, on)
    store_month_ends(case, facts, rules, on)
    case.due_computed_on = on
    return changed


def store_month_ends(case, facts: engine.CaseFacts, rules: list, on: date) -> None:
    """Keep on the case the past month ends it was overdue on (both programmes)."""
    first, last, overdue = engine.overdue_month_ends(facts, rules, on)
    case.month_ends_from, case.month_ends_to = first, last
    case.overdue_month_ends = " ".join(d.isoformat() for d in overdue)


def history_since(on: date) -> date:
    """The earliest day whose contacts the stored due state needs one by one."""
    return min(engine.on_time_window(on)[0], engine.month_ends_before(on)[0])


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


# --------------------------------------------------------------------------- intake


def _active_case_of(person_id: int) -> CorrectionCase | None:
    return db.session.execute(
        select(CorrectionCase).where(
            CorrectionCase.person_id == person_id,
            CorrectionCase.status.in_(("expected", "active")),
        )
    ).scalar_one_or_none()


def _officer_for(fields: Fields, username: Any, station: Station | None) -> User | None:
    if username in (None, ""):
        return None
    if not isinstance(username, str):
        fields.error("officer", _("应为用户名。"))
        return None
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.is_officer or not user.active:
        fields.error("officer", _("“%(u)s”不是在岗的司法所工作人员。", u=username))
        return None
    if station is not None and station.id not in {s.id for s in user.stations}:
        fields.error("officer", _("%(u)s 不在 %(s)s 工作。", u=username, s=station.name))
        return None
    return user


def _station_for(fields: Fields, actor: User, code: Any, key: str = "station") -> Station | None:
    if not isinstance(code, str) or not code:
        fields.error(key, _("请选择司法所。"))
        return None
    station = deferred.memoised(
        ("station", code),
        lambda: db.session.execute(
            select(Station).where(Station.code == code)
        ).scalar_one_or_none(),
    )
    if station is None or not station_in_scope(actor, station):
        fields.error(key, _("司法所代码无效或不在您的范围内。"))
        return None
    return station


def create_case(actor: User, data: dict[str, Any]) -> CorrectionCase:
    """Intake: a notified (expected) case, or one received at once with ``received_on``."""
    from corrections.auth.scope import scope

    require_writer(actor)
    f = Fields(data)
    person = None
    person_id = data.get("person_id")
    if isinstance(person_id, int) and not isinstance(person_id, bool):
        person = db.session.execute(
            scope(select(Person).where(Person.id == person_id), actor, Person)
        ).scalar_one_or_none()
    if person is None:
        f.error("person_id", _("人员不存在或不在您的范围内。"))
    station = _station_for(f, actor, data.get("station"))
    ctype = f.choice("correction_type", CORRECTION_TYPES)
    grounds = None
    if ctype == "temporary_release":
        grounds = f.choice("grounds", GROUNDS, default="medical")
    elif data.get("grounds"):
        f.error("grounds", _("只有暂予监外执行需要填写暂外情形。"))
    category = f.choice("crime_category", CRIME_CATEGORIES, required=False)
    judgment = f.date("judgment_effective_on")
    term_start = f.date("term_start")
    term_end = f.date("term_end")
    received_on = f.date("received_on", required=False)
    notified_on = f.date("notified_on", required=False)
    source = f.choice("source", SOURCES, default="self_report")
    level = f.choice("level", LEVELS, default="strict")
    crime = f.text("crime", limit=200)
    sentence = f.text("sentence", limit=200)
    decision_body = f.text("decision_body", limit=200)
    decision_document = f.text("decision_document", limit=100)
    prohibitions = f.text("prohibitions", limit=2000)
    if term_start and term_end and term_end <= term_start:
        f.error("term_end", _("矫正期限止日应晚于起日。"))
    check_term_start(f, ctype, judgment, term_start)
    if person is not None and judgment is not None:
        check_age_at_judgment(f, person, judgment)
    if received_on and judgment and received_on < judgment:
        f.error("received_on", _("接收日期不能早于判决（裁定、决定）生效日期。"))
    _not_future(f, "received_on", received_on)
    _not_future(f, "notified_on", notified_on)
    if source == "transfer_in" and notified_on is None and received_on is None:
        f.error("notified_on", _("变更执行地转入需填写通知日期。"))
    if "officer" in data:
        officer = _officer_for(f, data.get("officer"), station)
    else:
        officer = actor if actor.is_officer else None
        if officer and station and station.id not in {s.id for s in actor.stations}:
            officer = None
    f.raise_if_errors()
    programmes.check_new_correction(person.id, person.name)
    if _active_case_of(person.id) is not None:
        raise Conflict(
            _("%(name)s 已有在矫或待报到的社区矫正案件。", name=person.name),
            existing_id=_active_case_of(person.id).id,
            code="active_case_exists",
        )
    report_deadline, report_deadline_note = intake_deadline(
        judgment, source, notified_on or received_on
    )
    case = CorrectionCase(
        person_id=person.id,
        station_id=station.id,
        officer_id=officer.id if officer else None,
        correction_type=ctype,
        grounds=grounds,
        crime=crime,
        crime_category=category,
        sentence=sentence,
        decision_body=decision_body,
        decision_document=decision_document,
        judgment_effective_on=judgment,
        term_start=term_start,
        term_end=term_end,
        prohibitions=prohibitions,
        notified_on=notified_on,
        source=source,
        report_deadline=report_deadline,
        report_deadline_note=report_deadline_note,
        level=level,
        status="expected",
        created_by_id=actor.id,
    )
    if received_on is not None:
        _set_received(case, received_on, source)
    db.session.add(case)
    db.session.flush()
    db.session.add(
        CaseLevel(
            case_id=case.id,
            effective_on=received_on or judgment,
            level=level,
            reason=_("入矫时确定"),
            status="approved",
            proposed_by_id=actor.id,
            decided_by_id=actor.id,
            decided_on=received_on or judgment,
        )
    )
    db.session.add(
        OfficerAssignment(
            case_id=case.id,
            officer_id=case.officer_id,
            assigned_on=received_on or clock.today(),
            assigned_by_id=actor.id,
        )
    )
    refresh_due_state(case)
    db.session.flush()
    record(actor, "correction.create", "correction_case", case.id, None, snapshot(case))
    return case


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
    received_on = f.date("received_on")
    source = f.choice("source", SOURCES, default=case.source)
    _not_future(f, "received_on", received_on)
    if received_on and received_on < case.judgment_effective_on:
        f.error("received_on", _("接收日期不能早于判决（裁定、决定）生效日期。"))
    _check_arrival(f, case, source)
    f.raise_if_errors()
    if case.status != "expected":
        raise RuleViolation(_("该案件不是待报到状态，不能重复接收。"), code="not_expected")
    before = snapshot(case)
    _mark_received(case, received_on, source)
    refresh_due_state(case)
    db.session.flush()
    record(actor, "correction.receive", "correction_case", case.id, before, snapshot(case))
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
        _not_future(f, "announced_on", announced)
        _not_before_reception(f, "announced_on", announced, case)
        values["announced_on"] = announced
    values.update(_edited_terms(f, case, data))
    f.raise_if_errors()
    check_version(case, version)
    before = snapshot(case)
    for key, value in values.items():
        setattr(case, key, value)
    if "term_start" in values or "term_end" in values:
        refresh_due_state(case)
    db.session.flush()
    record(actor, "correction.update", "correction_case", case.id, before, snapshot(case))


# --------------------------------------------------------------------------- caseload


def assign_officer(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CorrectionCase:
    require_decider(actor, _("调整责任人需要县局主管操作。"))
    f = Fields(data)
    changed_on = f.date("changed_on", required=False) or clock.today()
    _not_future(f, "changed_on", changed_on)
    if "officer" not in data:
        f.error("officer", _("请选择责任人。"))
    officer = _officer_for(f, data.get("officer"), case.station)
    f.raise_if_errors()
    if case.is_ended:
        raise RuleViolation(_("案件已结束，不能调整责任人。"), code="case_ended")
    before = snapshot(case)
    case.officer_id = officer.id if officer else None
    db.session.add(
        OfficerAssignment(
            case_id=case.id,
            officer_id=case.officer_id,
            assigned_on=changed_on,
            assigned_by_id=actor.id,
        )
    )
    db.session.flush()
    record(actor, "correction.assign_officer", "correction_case", case.id, before, snapshot(case))
    return case


def reassign_caseload(
    actor: User, from_username: str, to_username: str, changed_on: date | None = None
) -> int:
    """Move a departing officer's whole open caseload (in the actor's scope) in one step."""
    from corrections.auth.scope import scope

    require_decider(actor, _("调整责任人需要县局主管操作。"))
    f = Fields({"from": from_username, "to": to_username})
    # The departing officer's account may already be deactivated: that is when this is needed.
    source = None
    if from_username:
        source = db.session.execute(
            select(User).where(User.username == from_username)
        ).scalar_one_or_none()
        if source is None or not source.is_officer:
            source = None
            f.error("from", _("“%(u)s”不是司法所工作人员。", u=from_username))
    else:
        f.error("from", _("请选择原责任人。"))
    target = _officer_for(Fields({}), to_username, None) if to_username else None
    if target is None:
        f.error("to", _("“%(u)s”不是在岗的司法所工作人员。", u=to_username or ""))
    f.raise_if_errors()
    changed_on = changed_on or clock.today()
    cases = (
        db.session.execute(
            scope(
                select(CorrectionCase).where(
                    CorrectionCase.officer_id == source.id,
                    CorrectionCase.status.in_(("expected", "active")),
                ),
                actor,
                CorrectionCase,
            )
        )
        .scalars()
        .all()
    )
    target_stations = {s.id for s in target.stations}
    uncovered = sorted({c.station.name for c in cases if c.station_id not in target_stations})
    if uncovered:
        raise RuleViolation(
            _(
                "%(u)s 不在这些司法所工作：%(s)s；请先调整其所属司法所或分别指派。",
                u=target.username,
                s="、".join(uncovered),
            ),
            code="officer_not_at_station",
        )
    for case in cases:
        case.officer_id = target.id
        db.session.add(
            OfficerAssignment(
                case_id=case.id,
                officer_id=target.id,
                assigned_on=changed_on,
                assigned_by_id=actor.id,
                note=_("整体移交"),
            )
        )
    db.session.flush()
    record(
        actor,
        "correction.reassign_caseload",
        "user",
        source.id,
        {"officer": source.username},
        {"officer": target.username, "cases": [c.id for c in cases]},
    )
    return len(cases)


def move_station(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CorrectionCase:
    require_decider(actor, _("在司法所之间调整案件需要县局主管操作。"))
    f = Fields(data)
    moved_on = f.date("moved_on")
    station = _station_for(f, actor, data.get("station"))
    _not_future(f, "moved_on", moved_on)
    _not_before_reception(f, "moved_on", moved_on, case)
    if station is not None and station.unit_id != case.station.unit_id:
        f.error("station", _("只能在本单位的司法所之间调整。"))
    if station is not None and station.id == case.station_id:
        f.error("station", _("案件已在该司法所。"))
    f.raise_if_errors()
    if case.is_ended:
        raise RuleViolation(_("案件已结束，不能调整司法所。"), code="case_ended")
    last_move = db.session.execute(
        select(func.max(StationMove.moved_on)).where(StationMove.case_id == case.id)
    ).scalar()
    if last_move and moved_on < last_move:
        raise RuleViolation(_("调整日期不能早于上一次调整（%(d)s）。", d=last_move.isoformat()))
    before = snapshot(case)
    db.session.add(
        StationMove(
            case_id=case.id,
            moved_on=moved_on,
            from_station_id=case.station_id,
            to_station_id=station.id,
            moved_by_id=actor.id,
        )
    )
    case.station_id = station.id
    case.station = station
    case.has_moves = True
    if case.officer is not None and station.id not in {s.id for s in case.officer.stations}:
        case.officer_id = None
        db.session.add(
            OfficerAssignment(
                case_id=case.id,
                officer_id=None,
                assigned_on=moved_on,
                assigned_by_id=actor.id,
                note=_("调整司法所"),
            )
        )
    db.session.flush()
    record(actor, "correction.move_station", "correction_case", case.id, before, snapshot(case))
    return case


def station_on(case: CorrectionCase, on: date) -> int:
    """The station the case was at on ``on`` (per-station figures follow this)."""
    moves = (
        db.session.execute(
            select(StationMove)
            .where(StationMove.case_id == case.id)
            .order_by(StationMove.moved_on, StationMove.id)
        )
        .scalars()
        .all()
    )
    if not moves:
        return case.station_id
    station = moves[0].from_station_id
    for move in moves:
        if move.moved_on <= on:
            station = move.to_station_id
    return station


# --------------------------------------------------------------------------- contacts


def record_contact(actor: User, case: CorrectionCase, data: dict[str, Any]) -> Contact:
    require_writer(actor)
    f = Fields(data)
    kind = f.choice("kind", CONTACT_KINDS)
    occurred_on = f.date("occurred_on")
    note = f.text("note", limit=2000)
    unannounced = f.boolean("unannounced")
    at_night = f.boolean("at_night")
    _not_future(f, "occurred_on", occurred_on)
    _not_before_reception(f, "occurred_on", occurred_on, case)
    if (unannounced or at_night) and kind and kind != "field_visit":
        f.error("kind", _("“突击”“夜间”只适用于实地查访。"))
    f.raise_if_errors()
    require_open(case, occurred_on)
    contact = Contact(
        case_id=case.id,
        kind=kind,
        occurred_on=occurred_on,
        note=note,
        unannounced=unannounced,
        at_night=at_night,
        recorded_by_id=actor.id,
    )
    db.session.add(contact)
    db.session.flush()
    refresh_due_state(case)
    record(actor, "correction.contact", "contact", contact.id, None, snapshot(contact))
    return contact


VOIDABLE = {"contact": Contact, "sanction": Sanction, "medical_review": MedicalReview}


def void_record(
    actor: User, case: CorrectionCase, kind: str, record_id: int, data: dict[str, Any]
) -> Any:
    from corrections.errors import NotFound

    require_writer(actor)
    model = VOIDABLE[kind]
    obj = db.session.get(model, record_id)
    if obj is None or obj.case_id != case.id:
        raise NotFound(_("记录不存在。"))
    if kind == "sanction" and obj.status == "decided":
        require_decider(actor, _("已决定的奖惩只能由县局主管作废。"))
    f = Fields(data)
    reason = f.text("reason", required=True, limit=500)
    f.raise_if_errors()
    if obj.is_void:
        raise RuleViolation(_("该记录已作废。"), code="already_void")
    before = snapshot(obj)
    obj.voided_at = clock.now_utc()
    obj.void_reason = reason
    obj.voided_by_id = actor.id
    db.session.flush()
    refresh_due_state(case)
    record(actor, f"correction.void_{kind}", kind, obj.id, before, snapshot(obj))
    return obj


# --------------------------------------------------------------------------- levels


def _validate_level_change(case: CorrectionCase, data: dict[str, Any]) -> tuple[date, str, str]:
    f = Fields(data)
    effective_on = f.date("effective_on")
    level = f.choice("level", LEVELS)
    reason = f.text("reason", required=True, limit=1000)
    _not_future(f, "effective_on", effective_on)
    _not_before_reception(f, "effective_on", effective_on, case)
    f.raise_if_errors()
    require_open(case, effective_on)
    current = engine.level_on(case_facts(case).levels, effective_on)
    if current == level:
        raise RuleViolation(
            _("该日管理等级已是所选等级。"), fields={"level": _("未变化")}, code="level_unchanged"
        )
    return effective_on, level, reason


def change_level(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CaseLevel:
    """A supervisor records an approved level change (the API's POST /levels)."""
    require_decider(actor, _("调整管理等级需要县局主管审批。"))
    effective_on, level, reason = _validate_level_change(case, data)
    row = CaseLevel(
        case_id=case.id,
        effective_on=effective_on,
        level=level,
        from_level=engine.level_on(case_facts(case).levels, effective_on),
        reason=reason,
        status="approved",
        proposed_by_id=actor.id,
        decided_by_id=actor.id,
        decided_on=clock.today(),
    )
    db.session.add(row)
    db.session.flush()
    refresh_due_state(case)
    record(actor, "correction.level_change", "case_level", row.id, None, snapshot(row))
    return row


def propose_level(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CaseLevel:
    """An officer proposes; a supervisor decides (``decide_level``). Supervisors apply at once."""
    require_writer(actor)
    if actor.can_decide:
        return change_level(actor, case, data)
    effective_on, level, reason = _validate_level_change(case, data)
    pending = db.session.execute(
        select(CaseLevel.id).where(CaseLevel.case_id == case.id, CaseLevel.status == "proposed")
    ).first()
    if pending:
        raise RuleViolation(_("已有待审批的等级调整，请等待县局审批。"), code="pending_exists")
    row = CaseLevel(
        case_id=case.id,
        effective_on=effective_on,
        level=level,
        from_level=engine.level_on(case_facts(case).levels, effective_on),
        reason=reason,
        status="proposed",
        proposed_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    record(actor, "correction.level_propose", "case_level", row.id, None, snapshot(row))
    return row


def _decision_note(f: Fields, approved: Any) -> str:
    """The decider's comment (审批意见): optional when approving, the reason when refusing
    (docs/domain.md §3.7) — a refusal without one is refused and writes nothing."""
    note = f.text("note", limit=1000)
    if approved is False and not note:
        f.error("note", _("不批准时必须填写理由。"))
    return note


def decide_level(actor: User, case: CorrectionCase, level_id: int, data: dict[str, Any]):
    from corrections.errors import NotFound

    require_decider(actor)
    row = db.session.get(CaseLevel, level_id)
    if row is None or row.case_id != case.id:
        raise NotFound(_("记录不存在。"))
    f = Fields(data)
    approved = f.boolean("approved")
    if "approved" not in data:
        f.error("approved", _("请选择批准或不批准。"))
    note = _decision_note(f, data.get("approved"))
    f.raise_if_errors()
    if row.status != "proposed":
        raise RuleViolation(_("该申请已处理。"), code="already_decided")
    require_open(case, row.effective_on)
    before = snapshot(row)
    row.status = "approved" if approved else "refused"
    row.decided_by_id = actor.id
    row.decided_on = clock.today()
    row.decision_note = note
    db.session.flush()
    refresh_due_state(case)
    record(actor, "correction.level_decide", "case_level", row.id, before, snapshot(row))
    return row


def level_history(case: CorrectionCase) -> list[CaseLevel]:
    return (
        db.session.execute(
            select(CaseLevel)
            .where(CaseLevel.case_id == case.id)
            .order_by(CaseLevel.effective_on, CaseLevel.id)
        )
        .scalars()
        .all()
    )


# --------------------------------------------------------------------------- sanctions


# A sanction's number is the number of its decision or request (docs/domain.md §3.8):
# the series of that document, e.g. 示范县矫警〔2026〕1号 for a warning.
_SANCTION_SERIES = {
    "commendation": numbering.Series("commendation", "矫表"),
    "admonition": numbering.Series("admonition_decision", "矫训"),
    "warning": numbering.Series("warning_decision", "矫警"),
    "police_penalty_request": numbering.Series("police_penalty_request", "矫提罚"),
    "custody_request": numbering.Series("custody_request", "矫收"),
}
_REVOCATION_SERIES = {
    "probation": numbering.Series("revocation_probation", "矫撤缓"),
    "parole": numbering.Series("revocation_parole", "矫撤假"),
}


def sanction_series(kind: str, correction_type: str) -> numbering.Series:
    if kind == "revocation_request":
        return _REVOCATION_SERIES.get(correction_type, _REVOCATION_SERIES["probation"])
    return _SANCTION_SERIES[kind]


def number_sanction(actor: User | None, case: CorrectionCase, sanction: Sanction) -> str:
    """Give a decided sanction its number (once): the series of its document, the year of
    the decision. The sanction must be flushed (its id names what the number is for)."""
    if not sanction.document_number:
        when = sanction.decided_on or clock.today()
        issued = numbering.issue(
            case.station.unit,
            sanction_series(sanction.kind, case.correction_type),
            when.year,
            subject="sanction",
            subject_id=sanction.id,
            actor=actor,
        )
        sanction.document_number = issued.number
    return sanction.document_number


def _check_sanction_type(case: CorrectionCase, kind: str) -> None:
    if kind == "revocation_request" and case.correction_type not in ("probation", "parole"):
        raise RuleViolation(
            _("只有缓刑、假释对象可以提请撤销。"),
            fields={"kind": _("不适用")},
            code="kind_not_allowed",
        )
    if kind == "custody_request" and case.correction_type != "temporary_release":
        raise RuleViolation(
            _("只有暂予监外执行对象可以提请收监执行。"),
            fields={"kind": _("不适用")},
            code="kind_not_allowed",
        )


def record_sanction(
    actor: User, case: CorrectionCase, data: dict[str, Any], *, propose: bool = False
) -> Sanction:
    """Supervisors record a decided sanction or request; officers propose (``propose=True``)."""
    require_writer(actor)
    if not propose:
        require_decider(actor, _("奖惩决定需要县局主管作出。"))
    f = Fields(data)
    kind = f.choice("kind", SANCTION_KINDS)
    when = f.date("decided_on" if not propose else "proposed_on")
    reason = f.text("reason", required=True, limit=4000)
    investigation = f.text("investigation", limit=4000)
    _not_future(f, "decided_on" if not propose else "proposed_on", when)
    _not_before_reception(f, "decided_on" if not propose else "proposed_on", when, case)
    f.raise_if_errors()
    _check_sanction_type(case, kind)
    require_open(case, when)
    sanction = Sanction(
        case_id=case.id,
        kind=kind,
        reason=reason,
        investigation=investigation,
        proposed_by_id=actor.id,
    )
    if propose and not actor.can_decide:
        sanction.status = "proposed"
        sanction.proposed_on = when
    else:
        sanction.status = "decided"
        sanction.proposed_on = when
        sanction.decided_on = when
        sanction.decided_by_id = actor.id
    db.session.add(sanction)
    db.session.flush()
    if sanction.status == "decided":
        number_sanction(actor, case, sanction)
    record(actor, "correction.sanction", "sanction", sanction.id, None, snapshot(sanction))
    return sanction


def decide_sanction(
    actor: User, case: CorrectionCase, sanction_id: int, data: dict[str, Any]
) -> Sanction:
    from corrections.errors import NotFound

    require_decider(actor)
    sanction = db.session.get(Sanction, sanction_id)
    if sanction is None or sanction.case_id != case.id:
        raise NotFound(_("记录不存在。"))
    f = Fields(data)
    approved = f.boolean("approved")
    if "approved" not in data:
        f.error("approved", _("请选择批准或不批准。"))
    decided_on = f.date("decided_on", required=False) or clock.today()
    _not_future(f, "decided_on", decided_on)
    if sanction.proposed_on and decided_on < sanction.proposed_on:
        f.error("decided_on", _("决定日期不能早于提出日期。"))
    note = _decision_note(f, data.get("approved"))
    f.raise_if_errors()
    if sanction.status != "proposed" or sanction.is_void:
        raise RuleViolation(_("该建议已处理。"), code="already_decided")
    require_open(case, decided_on)
    before = snapshot(sanction)
    sanction.decided_by_id = actor.id
    sanction.decision_note = note
    if approved:
        sanction.status = "decided"
        sanction.decided_on = decided_on
        number_sanction(actor, case, sanction)
    else:
        sanction.status = "rejected"
    db.session.flush()
    record(actor, "correction.sanction_decide", "sanction", sanction.id, before, snapshot(sanction))
    return sanction


def record_outcome(
    actor: User, case: CorrectionCase, sanction_id: int, data: dict[str, Any]
) -> Sanction:
    from corrections.errors import NotFound

    require_decider(actor, _("登记提请结果需要县局主管操作。"))
    sanction = db.session.get(Sanction, sanction_id)
    if sanction is None or sanction.case_id != case.id:
        raise NotFound(_("记录不存在。"))
    f = Fields(data)
    decided_on = f.date("decided_on")
    granted = f.boolean("granted")
    if "granted" not in data:
        f.error("granted", _("请填写是否准予。"))
    _not_future(f, "decided_on", decided_on)
    if decided_on and sanction.decided_on and decided_on < sanction.decided_on:
        f.error("decided_on", _("结果日期不能早于提请日期。"))
    f.raise_if_errors()
    if not sanction.is_request:
        raise RuleViolation(_("只有提请类事项才有结果。"), code="not_a_request")
    if sanction.status != "decided" or sanction.is_void:
        raise RuleViolation(_("该提请尚未决定或已作废。"), code="not_decided")
    if sanction.outcome is not None:
        raise RuleViolation(_("该提请的结果已登记。"), code="outcome_exists")
    before = snapshot(sanction)
    sanction.outcome = "granted" if granted else "refused"
    sanction.outcome_on = decided_on
    db.session.flush()
    record(
        actor, "correction.sanction_outcome", "sanction", sanction.id, before, snapshot(sanction)
    )
    return sanction


def pending_requests(case: CorrectionCase) -> list[Sanction]:
    return (
        db.session.execute(
            select(Sanction).where(
                Sanction.case_id == case.id,
                Sanction.kind.in_(("revocation_request", "custody_request")),
                Sanction.status == "decided",
                Sanction.outcome.is_(None),
                Sanction.voided_at.is_(None),
            )
        )
        .scalars()
        .all()
    )


# --------------------------------------------------------------------------- leave


def _other_approved_leaves(case: CorrectionCase, exclude_id: int | None = None):
    rows = db.session.execute(
        select(Leave.starts_on, Leave.ends_on).where(
            Leave.case_id == case.id,
            Leave.status == "approved",
            Leave.kind == "leave",
            *([Leave.id != exclude_id] if exclude_id else []),
        )
    ).all()
    return [(s, e) for s, e in rows]


def leave_tier_for(
    case: CorrectionCase, starts_on: date, ends_on: date, exclude_id: int | None = None
) -> str:
    values = {
        k: deadline(k, starts_on)
        for k in (
            "leave_station_max_days",
            "leave_county_max_days",
            "leave_window_months",
            "leave_window_max_days",
        )
    }
    return deadline_rules.leave_tier(
        starts_on,
        ends_on,
        _other_approved_leaves(case, exclude_id),
        station_max=values["leave_station_max_days"],
        county_max=values["leave_county_max_days"],
        window_months=values["leave_window_months"],
        window_max=values["leave_window_max_days"],
    )


def _check_leave_overlap(
    case: CorrectionCase,
    starts_on: date,
    ends_on: date,
    statuses: tuple[str, ...],
    exclude_id: int | None = None,
) -> None:
    """Leaves of one case may not overlap (docs/domain.md §7.3): 422 ``leave_overlap``."""
    from corrections.rules import leaves as leave_rules

    rows = db.session.execute(
        select(Leave.id, Leave.starts_on, Leave.ends_on, Leave.returned_on).where(
            Leave.case_id == case.id,
            Leave.kind == "leave",
            Leave.status.in_(statuses),
            *([Leave.id != exclude_id] if exclude_id else []),
        )
    ).all()
    clash = leave_rules.overlapping(
        starts_on, ends_on, [leave_rules.LeaveSpan(i, s, e, r) for i, s, e, r in rows]
    )
    if clash is None:
        return
    message = _(
        "与已有的外出（%(s)s 至 %(e)s）时间重叠。请改选不重叠的日期，或先处理已有的外出。",
        s=clash.starts_on.isoformat(),
        e=leave_rules.occupied_until(clash).isoformat(),
    )
    raise RuleViolation(message, code="leave_overlap", fields={"starts_on": message})


def apply_leave(actor: User, case: CorrectionCase, data: dict[str, Any]) -> Leave:
    require_writer(actor)
    f = Fields(data)
    kind = f.choice("kind", ("leave", "frequent_permit"), default="leave")
    starts_on = f.date("starts_on")
    ends_on = f.date("ends_on", required=kind == "leave")
    destination = f.text("destination", required=True, limit=200)
    reason = f.choice("reason", LEAVE_REASONS)
    detail = f.text("reason_detail", limit=1000)
    applied_on = f.date("applied_on", required=False) or clock.today()
    _not_future(f, "applied_on", applied_on)
    _not_before_reception(f, "starts_on", starts_on, case)
    if kind == "frequent_permit" and starts_on:
        ends_on = add_months(starts_on, deadline("frequent_permit_months", starts_on)) - timedelta(
            1
        )
    if starts_on and ends_on and ends_on < starts_on:
        f.error("ends_on", _("结束日期不能早于开始日期。"))
    if starts_on and applied_on and applied_on > starts_on:
        f.error("applied_on", _("申请日期不能晚于外出开始日期。"))
    f.raise_if_errors()
    require_open(case, starts_on)
    if kind == "leave":
        _check_leave_overlap(case, starts_on, ends_on, ("applied", "approved"))
    tier = "county" if kind == "frequent_permit" else leave_tier_for(case, starts_on, ends_on)
    leave = Leave(
        case_id=case.id,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        destination=destination,
        reason=reason,
        reason_detail=detail,
        applied_on=applied_on,
        tier=tier,
        status="applied",
        applied_by_id=actor.id,
    )
    db.session.add(leave)
    db.session.flush()
    record(actor, "correction.leave_apply", "leave", leave.id, None, snapshot(leave))
    return leave


def _get_leave(case: CorrectionCase, leave_id: int) -> Leave:
    from corrections.errors import NotFound

    leave = db.session.get(Leave, leave_id)
    if leave is None or leave.case_id != case.id:
        raise NotFound(_("记录不存在。"))
    return leave


def decide_leave(actor: User, case: CorrectionCase, leave_id: int, data: dict[str, Any]) -> Leave:
    require_writer(actor)
    leave = _get_leave(case, leave_id)
    if leave.tier != "station":
        require_decider(actor, _("超过7天的外出需要县局审批。"))
    f = Fields(data)
    approved = f.boolean("approved")
    if "approved" not in data:
        f.error("approved", _("请选择批准或不批准。"))
    decided_on = f.date("decided_on", required=False) or clock.today()
    _not_future(f, "decided_on", decided_on)
    if decided_on and decided_on < leave.applied_on:
        f.error("decided_on", _("审批日期不能早于申请日期。"))
    note = _decision_note(f, data.get("approved"))
    f.raise_if_errors()
    if leave.status != "applied":
        raise RuleViolation(_("该申请已处理。"), code="already_decided")
    require_open(case, decided_on)
    before = snapshot(leave)
    if approved and leave.kind == "leave":
        _check_leave_overlap(case, leave.starts_on, leave.ends_on, ("approved",), leave.id)
    if approved:
        # Approvals since the application may have raised the tier.
        leave.tier = (
            leave.tier
            if leave.kind != "leave"
            else leave_tier_for(case, leave.starts_on, leave.ends_on, exclude_id=leave.id)
        )
        if leave.tier != "station":
            require_decider(actor, _("超过7天的外出需要县局审批。"))
    leave.status = "approved" if approved else "refused"
    leave.decided_on = decided_on
    leave.decided_by_id = actor.id
    leave.decision_note = note
    db.session.flush()
    refresh_due_state(case)
    record(actor, "correction.leave_decide", "leave", leave.id, before, snapshot(leave))
    return leave


def return_from_leave(
    actor: User, case: CorrectionCase, leave_id: int, data: dict[str, Any]
) -> Leave:
    require_writer(actor)
    leave = _get_leave(case, leave_id)
    f = Fields(data)
    returned_on = f.date("returned_on")
    _not_future(f, "returned_on", returned_on)
    if returned_on and returned_on < leave.starts_on:
        f.error("returned_on", _("销假日期不能早于外出开始日期。"))
    f.raise_if_errors()
    if leave.status != "approved":
        raise RuleViolation(_("只有已批准的外出才能销假。"), code="not_approved")
    if leave.returned_on is not None:
        raise RuleViolation(_("已经销假。"), code="already_returned")
    require_open(case, returned_on)
    before = snapshot(leave)
    leave.returned_on = returned_on
    db.session.flush()
    refresh_due_state(case)
    record(actor, "correction.leave_return", "leave", leave.id, before, snapshot(leave))
    return leave


def return_overdue(leave: Leave, on: date | None = None) -> bool:
    return (
        leave.status == "approved"
        and leave.kind == "leave"
        and deadline_rules.is_return_overdue(leave.ends_on, leave.returned_on, on or clock.today())
    )


# --------------------------------------------------------------------------- incidents


def open_incident(actor: User, case: CorrectionCase, data: dict[str, Any]) -> Incident:
    require_writer(actor)
    f = Fields(data)
    kind = f.choice("kind", INCIDENT_KINDS)
    occurred_on = f.date("occurred_on")
    note = f.text("note", limit=4000)
    _not_future(f, "occurred_on", occurred_on)
    _not_before_reception(f, "occurred_on", occurred_on, case)
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
    db.session.add(incident)
    db.session.flush()
    record(actor, "correction.incident", "incident", incident.id, None, snapshot(incident))
    return incident


def _get_incident(case: CorrectionCase, incident_id: int) -> Incident:
    from corrections.errors import NotFound

    incident = db.session.get(Incident, incident_id)
    if incident is None or incident.case_id != case.id:
        raise NotFound(_("记录不存在。"))
    return incident


def log_search(
    actor: User, case: CorrectionCase, incident_id: int, data: dict[str, Any]
) -> IncidentSearch:
    require_writer(actor)
    incident = _get_incident(case, incident_id)
    f = Fields(data)
    searched_on = f.date("searched_on")
    method = f.choice("method", ("phone", "location", "home_visit", "family", "other"))
    note = f.text("note", limit=2000)
    _not_future(f, "searched_on", searched_on)
    if searched_on and searched_on < incident.occurred_on:
        f.error("searched_on", _("不能早于事件发生日期。"))
    f.raise_if_errors()
    if incident.closed_on is not None:
        raise RuleViolation(_("事件已结束。"), code="incident_closed")
    row = IncidentSearch(
        incident_id=incident.id,
        searched_on=searched_on,
        method=method,
        note=note,
        recorded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    record(actor, "correction.incident_search", "incident", incident.id, None, snapshot(row))
    return row


def record_notification(
    actor: User, case: CorrectionCase, incident_id: int, data: dict[str, Any]
) -> Incident:
    require_writer(actor)
    incident = _get_incident(case, incident_id)
    f = Fields(data)
    police = f.date("police_notified_on", required=False)
    procuratorate = f.date("procuratorate_notified_on", required=False)
    for key, value in (
        ("police_notified_on", police),
        ("procuratorate_notified_on", procuratorate),
    ):
        _not_future(f, key, value)
        if value and value < incident.occurred_on:
            f.error(key, _("不能早于事件发生日期。"))
    f.raise_if_errors()
    before = snapshot(incident)
    if police:
        incident.police_notified_on = police
    if procuratorate:
        incident.procuratorate_notified_on = procuratorate
    db.session.flush()
    record(actor, "correction.incident_notify", "incident", incident.id, before, snapshot(incident))
    return incident


def close_incident(
    actor: User, case: CorrectionCase, incident_id: int, data: dict[str, Any]
) -> Incident:
    require_writer(actor)
    incident = _get_incident(case, incident_id)
    f = Fields(data)
    closed_on = f.date("closed_on")
    outcome = f.text("outcome", required=True, limit=2000)
    _not_future(f, "closed_on", closed_on)
    if closed_on and closed_on < incident.occurred_on:
        f.error("closed_on", _("结束日期不能早于事件发生日期。"))
    f.raise_if_errors()
    if incident.closed_on is not None:
        raise RuleViolation(_("事件已结束。"), code="incident_closed")
    before = snapshot(incident)
    incident.closed_on = closed_on
    incident.outcome = outcome
    db.session.flush()
    record(actor, "correction.incident_close", "incident", incident.id, before, snapshot(incident))
    return incident


# --------------------------------------------------------------------------- monitoring, medical


def _check_monitoring_overlap(
    case: CorrectionCase, key: str, starts_on: date, ends_on: date, exclude_id: int | None = None
) -> None:
    """Episodes of one case may not overlap (docs/domain.md §7.4): 422 ``monitoring_overlap``."""
    from corrections.rules import monitoring as monitoring_rules

    rows = db.session.execute(
        select(
            MonitoringEpisode.id,
            MonitoringEpisode.starts_on,
            MonitoringEpisode.ends_on,
            MonitoringEpisode.removed_on,
        ).where(
            MonitoringEpisode.case_id == case.id,
            *([MonitoringEpisode.id != exclude_id] if exclude_id else []),
        )
    ).all()
    clash = monitoring_rules.overlapping(
        starts_on, ends_on, [monitoring_rules.EpisodeSpan(i, s, e, r) for i, s, e, r in rows]
    )
    if clash is None:
        return
    message = _(
        "与已有的电子定位（%(s)s 至 %(e)s）时间重叠。请改选日期，或对已有的电子定位办理延长或解除。",
        s=clash.starts_on.isoformat(),
        e=monitoring_rules.occupied_until(clash).isoformat(),
    )
    raise RuleViolation(message, code="monitoring_overlap", fields={key: message})


def start_monitoring(actor: User, case: CorrectionCase, data: dict[str, Any]) -> MonitoringEpisode:
    require_decider(actor, _("电子定位须经县局负责人批准，由县局主管登记。"))
    f = Fields(data)
    ground = f.choice("ground", MONITORING_GROUNDS)
    approved_by = f.text("approved_by", required=True, limit=100)
    starts_on = f.date("starts_on")
    ends_on = f.date("ends_on")
    _not_before_reception(f, "starts_on", starts_on, case)
    if starts_on and ends_on:
        limit = deadline_rules.monitoring_max_end(
            starts_on, deadline("monitoring_max_months", starts_on)
        )
        if ends_on < starts_on:
            f.error("ends_on", _("结束日期不能早于开始日期。"))
        elif ends_on > limit:
            f.error(
                "ends_on", _("每次批准最长3个月（至%(d)s），更长须办理延长。", d=limit.isoformat())
            )
    f.raise_if_errors()
    require_open(case, starts_on)
    _check_monitoring_overlap(case, "starts_on", starts_on, ends_on)
    episode = MonitoringEpisode(
        case_id=case.id,
        ground=ground,
        approved_by=approved_by,
        starts_on=starts_on,
        ends_on=ends_on,
        recorded_by_id=actor.id,
    )
    db.session.add(episode)
    db.session.flush()
    record(actor, "correction.monitoring_start", "monitoring", episode.id, None, snapshot(episode))
    return episode


def extend_monitoring(
    actor: User, case: CorrectionCase, episode_id: int, data: dict[str, Any]
) -> MonitoringEpisode:
    from corrections.errors import NotFound
    from corrections.rules import monitoring as monitoring_rules

    require_decider(actor, _("电子定位延长须经县局负责人批准。"))
    episode = db.session.get(MonitoringEpisode, episode_id)
    if episode is None or episode.case_id != case.id:
        raise NotFound(_("记录不存在。"))
    f = Fields(data)
    new_end = f.date("ends_on")
    approved_by = f.text("approved_by", required=True, limit=100)
    extended_on = f.date("extended_on", required=False) or clock.today()
    if new_end:
        # Renewable "by up to 3 months": the current end plus 3 months (clamped to month end).
        limit = deadline_rules.monitoring_max_end(
            episode.ends_on, deadline("monitoring_max_months", episode.ends_on)
        )
        if new_end <= episode.ends_on:
            f.error("ends_on", _("延长后的结束日期应晚于%(d)s。", d=episode.ends_on.isoformat()))
        elif new_end > limit:
            f.error("ends_on", _("每次延长最长3个月（至%(d)s）。", d=limit.isoformat()))
    f.raise_if_errors()
    if episode.removed_on is not None:
        raise RuleViolation(_("电子定位已解除。"), code="monitoring_removed")
    if extended_on and monitoring_rules.extension_lapsed(episode.ends_on, extended_on):
        message = _(
            "电子定位已于 %(d)s 到期，不能再延长。如仍需电子定位，请依法定事由重新登记。",
            d=episode.ends_on.isoformat(),
        )
        raise RuleViolation(message, code="monitoring_lapsed", fields={"extended_on": message})
    require_open(case, extended_on)
    _check_monitoring_overlap(case, "ends_on", episode.starts_on, new_end, episode.id)
    before = snapshot(episode)
    db.session.add(
        MonitoringExtension(
            episode_id=episode.id,
            extended_on=extended_on,
            new_ends_on=new_end,
            approved_by=approved_by,
            recorded_by_id=actor.id,
        )
    )
    episode.ends_on = new_end
    db.session.flush()
    record(
        actor, "correction.monitoring_extend", "monitoring", episode.id, before, snapshot(episode)
    )
    return episode


def remove_monitoring(
    actor: User, case: CorrectionCase, episode_id: int, data: dict[str, Any]
) -> MonitoringEpisode:
    from corrections.errors import NotFound

    require_writer(actor)
    episode = db.session.get(MonitoringEpisode, episode_id)
    if episode is None or episode.case_id != case.id:
        raise NotFound(_("记录不存在。"))
    f = Fields(data)
    removed_on = f.date("removed_on")
    _not_future(f, "removed_on", removed_on)
    if removed_on and removed_on < episode.starts_on:
        f.error("removed_on", _("解除日期不能早于开始日期。"))
    f.raise_if_errors()
    if episode.removed_on is not None:
        raise RuleViolation(_("电子定位已解除。"), code="monitoring_removed")
    before = snapshot(episode)
    episode.removed_on = removed_on
    db.session.flush()
    record(
        actor, "correction.monitoring_remove", "monitoring", episode.id, before, snapshot(episode)
    )
    return episode


def record_medical_review(actor: User, case: CorrectionCase, data: dict[str, Any]) -> MedicalReview:
    require_writer(actor)
    if case.correction_type != "temporary_release" or case.grounds != "medical":
        raise RuleViolation(_("只有保外就医对象需要病情复查。"), code="not_medical")
    f = Fields(data)
    examined_on = f.date("examined_on")
    hospital = f.text("hospital", required=True, limit=200)
    result = f.text("result", required=True, limit=4000)
    persist = f.boolean("conditions_persist", default=True)
    _not_future(f, "examined_on", examined_on)
    _not_before_reception(f, "examined_on", examined_on, case)
    f.raise_if_errors()
    require_open(case, examined_on)
    review = MedicalReview(
        case_id=case.id,
        examined_on=examined_on,
        hospital=hospital,
        result=result,
        conditions_persist=persist,
        recorded_by_id=actor.id,
    )
    db.session.add(review)
    db.session.flush()
    record(actor, "correction.medical_review", "medical_review", review.id, None, snapshot(review))
    return review


def medical_review_due(case: CorrectionCase) -> date | None:
    if case.correction_type != "temporary_release" or case.grounds != "medical":
        return None
    if case.received_on is None or case.is_ended:
        return None
    last = db.session.execute(
        select(func.max(MedicalReview.examined_on)).where(
            MedicalReview.case_id == case.id, MedicalReview.voided_at.is_(None)
        )
    ).scalar()
    return deadline_rules.medical_review_due(
        case.received_on, last, deadline("medical_review_months", case.received_on)
    )


# --------------------------------------------------------------------------- team, plan, checklist


def add_team_member(actor: User, case: CorrectionCase, data: dict[str, Any]) -> TeamMember:
    require_writer(actor)
    f = Fields(data)
    name = f.text("name", required=True, limit=100)
    role = f.text("role", limit=100)
    sex = f.choice("sex", ("male", "female"))
    phone = f.text("phone", limit=50)
    f.raise_if_errors()
    require_open(case)
    member = TeamMember(case_id=case.id, name=name, role=role, sex=sex, phone=phone)
    db.session.add(member)
    db.session.flush()
    record(actor, "correction.team_add", "team_member", member.id, None, snapshot(member))
    return member


def remove_team_member(actor: User, case: CorrectionCase, member_id: int) -> TeamMember:
    from corrections.errors import NotFound

    require_writer(actor)
    member = db.session.get(TeamMember, member_id)
    if member is None or member.case_id != case.id or member.removed_on is not None:
        raise NotFound(_("记录不存在。"))
    before = snapshot(member)
    member.removed_on = clock.today()
    db.session.flush()
    record(actor, "correction.team_remove", "team_member", member.id, before, snapshot(member))
    return member


def team_warning(case: CorrectionCase) -> str | None:
    """A female person's team should include a woman: a warning, never a block."""
    if case.person.sex != "female":
        return None
    has_woman = db.session.execute(
        select(TeamMember.id).where(
            TeamMember.case_id == case.id,
            TeamMember.sex == "female",
            TeamMember.removed_on.is_(None),
        )
    ).first()
    return None if has_woman else _("矫正对象为女性，矫正小组中应有女性成员。")


def add_plan(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CorrectionPlan:
    require_writer(actor)
    f = Fields(data)
    adopted_on = f.date("adopted_on")
    content = f.text("content", required=True, limit=20000)
    _not_future(f, "adopted_on", adopted_on)
    _not_before_reception(f, "adopted_on", adopted_on, case)
    f.raise_if_errors()
    require_open(case, adopted_on)
    revision = (
        db.session.execute(
            select(func.max(CorrectionPlan.revision)).where(CorrectionPlan.case_id == case.id)
        ).scalar()
        or 0
    ) + 1
    plan = CorrectionPlan(
        case_id=case.id,
        revision=revision,
        adopted_on=adopted_on,
        content=content,
        written_by_id=actor.id,
    )
    db.session.add(plan)
    db.session.flush()
    record(actor, "correction.plan", "correction_plan", plan.id, None, snapshot(plan))
    return plan


def complete_checklist_item(actor: User, case: CorrectionCase, data: dict[str, Any]):
    require_writer(actor)
    f = Fields(data)
    item = f.choice("item", CHECKLIST_ITEMS)
    done_on = f.date("done_on")
    note = f.text("note", required=item == "appraisal", limit=4000)
    _not_future(f, "done_on", done_on)
    f.raise_if_errors()
    require_open(case, done_on)
    if not checklist_open(case):
        raise RuleViolation(_("解除前清单在矫正期满前30天开启。"), code="checklist_not_open")
    exists = db.session.execute(
        select(ChecklistItem.id).where(ChecklistItem.case_id == case.id, ChecklistItem.item == item)
    ).first()
    if exists:
        raise RuleViolation(_("该项已完成。"), code="already_done")
    row = ChecklistItem(
        case_id=case.id, item=item, done_on=done_on, note=note, recorded_by_id=actor.id
    )
    db.session.add(row)
    db.session.flush()
    record(actor, "correction.checklist", "checklist_item", row.id, None, snapshot(row))
    return row


def checklist(case: CorrectionCase) -> dict[str, ChecklistItem | None]:
    done = {
        r.item: r
        for r in db.session.execute(
            select(ChecklistItem).where(ChecklistItem.case_id == case.id)
        ).scalars()
    }
    return {item: done.get(item) for item in CHECKLIST_ITEMS}


# --------------------------------------------------------------------------- endings


def _check_end_date(f: Fields, key: str, when: date | None, case: CorrectionCase) -> None:
    # Not after today, not before reception; records dated after it are refused by
    # refuse_records_after_end once the form is valid (docs/domain.md §7.6).
    _not_future(f, key, when)
    _not_before_reception(f, key, when, case)


def _end(
    actor: User,
    case: CorrectionCase,
    status: str,
    when: date,
    reason: str,
    action: str,
    destination: str | None = None,
) -> CorrectionCase:
    before = snapshot(case)
    case.status = status
    case.ended_on = when
    case.end_reason = reason
    if destination is not None:
        case.transfer_destination = destination
    refresh_due_state(case)
    db.session.flush()
    record(actor, action, "correction_case", case.id, before, snapshot(case))
    from corrections.checkin.services import end_enrolment, enrolment_of

    enrolment = enrolment_of(case)
    if enrolment is not None:  # the case's end ends self check-in (docs/domain.md §7.12)
        end_enrolment(actor, enrolment, "case_ended", on=when)
    return case


def _require_active(case: CorrectionCase) -> None:
    if case.is_ended:
        raise RuleViolation(
            _("该案件已于%(d)s结束。", d=case.ended_on.isoformat()), code="case_ended"
        )
    if case.status != "active":
        raise RuleViolation(_("该对象尚未报到接收。"), code="not_received")


def records_after_end(case: CorrectionCase, end: date) -> list[ending_rules.DatedRecord]:
    """The case's non-voided records dated after ``end`` (docs/domain.md §7.6): contacts
    (occurred_on), sanctions and requests (proposed_on / decided_on), leaves not refused
    (applied_on / starts_on / returned_on), incidents (occurred_on) and attendances at
    sessions not voided (the session's held_on; the id is the session's)."""
    from corrections.activities.models import Activity, Attendance

    found: list[ending_rules.DatedRecord] = []
    rows = db.session.execute(
        select(Contact.id, Contact.occurred_on).where(
            Contact.case_id == case.id, Contact.voided_at.is_(None), Contact.occurred_on > end
        )
    )
    found += [ending_rules.DatedRecord("contact", i, on) for i, on in rows]
    rows = db.session.execute(
        select(Sanction.id, Sanction.proposed_on, Sanction.decided_on).where(
            Sanction.case_id == case.id, Sanction.voided_at.is_(None)
        )
    )
    for i, *dates in rows:
        on = max((x for x in dates if x is not None), default=None)
        if on is not None:
            found.append(ending_rules.DatedRecord("sanction", i, on))
    rows = db.session.execute(
        select(Leave.id, Leave.applied_on, Leave.starts_on, Leave.returned_on).where(
            Leave.case_id == case.id, Leave.status != "refused"
        )
    )
    for i, *dates in rows:
        found.append(ending_rules.DatedRecord("leave", i, max(x for x in dates if x)))
    rows = db.session.execute(
        select(Incident.id, Incident.occurred_on).where(
            Incident.case_id == case.id, Incident.occurred_on > end
        )
    )
    found += [ending_rules.DatedRecord("incident", i, on) for i, on in rows]
    rows = db.session.execute(
        select(Activity.id, Activity.held_on)
        .join(Attendance, Attendance.activity_id == Activity.id)
        .where(Attendance.case_id == case.id, Activity.voided_at.is_(None), Activity.held_on > end)
    )
    found += [ending_rules.DatedRecord("attendance", i, on) for i, on in rows]
    return ending_rules.records_after(found, end)


def refuse_records_after_end(records: list, key: str, end: date) -> None:
    """422 ``records_after_end`` naming the records (shared with 安置帮教 endings)."""
    if not records:
        return
    last = records[-1].on.isoformat()
    raise RecordsAfterEnd(
        _(
            "本案有%(n)d条记录晚于结束日期 %(d)s：请先作废（或更正）这些记录，"
            "或选用不早于 %(last)s 的结束日期。",
            n=len(records),
            d=end.isoformat(),
            last=last,
        ),
        field=key,
        field_message=_("不能早于本案最后一条记录的日期 %(d)s。", d=last),
        records=records,
    )


def _refuse_expiry_release(case: CorrectionCase) -> None:
    """Release on expiry waits for a 脱管 to end and for a 重新犯罪 to be decided
    (docs/domain.md §7.6)."""
    incidents = (
        db.session.execute(
            select(Incident).where(
                Incident.case_id == case.id, Incident.kind.in_(("absconded", "reoffended"))
            )
        )
        .scalars()
        .all()
    )
    for incident in incidents:
        if incident.kind == "absconded" and incident.closed_on is None:
            raise RuleViolation(
                _(
                    "对象自 %(d)s 起脱管，尚未归案，不能期满解除：请先登记脱管结束（查找到的日期）。",
                    d=incident.occurred_on.isoformat(),
                ),
                fields={"reason": _("脱管未结束")},
                code="absconded_open",
            )
    requests = db.session.execute(
        select(Sanction.decided_on).where(
            Sanction.case_id == case.id,
            Sanction.kind.in_(("revocation_request", "custody_request")),
            Sanction.status == "decided",
            Sanction.outcome.is_not(None),
            Sanction.voided_at.is_(None),
        )
    ).scalars()
    decided = [d for d in requests if d is not None]
    for incident in incidents:
        if incident.kind == "reoffended" and not any(d >= incident.occurred_on for d in decided):
            raise RuleViolation(
                _(
                    "已登记 %(d)s 的重新犯罪，尚无已有结果的撤销或收监提请，不能期满解除："
                    "请先提请撤销缓刑、假释或收监执行并登记结果。",
                    d=incident.occurred_on.isoformat(),
                ),
                fields={"reason": _("重新犯罪尚未处理")},
                code="reoffence_undecided",
            )


def _require_terminable(case: CorrectionCase, terminated_on: date) -> None:
    """A case never received may be terminated too (docs/domain.md §7.2), not before
    its judgment took effect."""
    if case.status != "expected":
        _require_active(case)
    elif terminated_on < case.judgment_effective_on:
        raise ValidationFailed(
            _("终止日期不能早于判决（裁定、决定）生效日期。"),
            fields={
                "terminated_on": _("不能早于 %(d)s。", d=case.judgment_effective_on.isoformat())
            },
        )


def release_case(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CorrectionCase:
    require_decider(actor, _("解除社区矫正需要县局主管操作。"))
    f = Fields(data)
    released_on = f.date("released_on")
    reason = f.choice("reason", RELEASE_REASONS)
    _check_end_date(f, "released_on", released_on, case)
    if reason == "expiry" and released_on and released_on < case.term_end:
        f.error(
            "released_on",
            _("期满解除的日期不能早于矫正期限止日 %(d)s。", d=case.term_end.isoformat()),
        )
    f.raise_if_errors()
    _require_active(case)
    if pending_requests(case):
        raise RuleViolation(_("有尚无结果的撤销或收监提请，不能解除。"), code="request_pending")
    if reason == "expiry":
        _refuse_expiry_release(case)
        effective = term_end_effective(case, released_on)
        if released_on < effective:
            raise ValidationFailed(
                _(
                    "脱管期间不计入执行刑期，矫正期限顺延%(n)d天至 %(d)s：期满解除的日期不能早于该日。",
                    n=(effective - case.term_end).days,
                    d=effective.isoformat(),
                ),
                fields={"released_on": _("不能早于 %(d)s。", d=effective.isoformat())},
            )
    refuse_records_after_end(records_after_end(case, released_on), "released_on", released_on)
    return _end(actor, case, "released", released_on, reason, "correction.release")


def _close_open_incidents(actor: User, case: CorrectionCase, on: date) -> None:
    """Termination closes the case's open incidents with outcome ``case_ended`` (§7.6)."""
    for incident in db.session.execute(
        select(Incident).where(Incident.case_id == case.id, Incident.closed_on.is_(None))
    ).scalars():
        before = snapshot(incident)
        incident.closed_on = on
        incident.outcome = "case_ended"
        db.session.flush()
        record(
            actor, "correction.incident_close", "incident", incident.id, before, snapshot(incident)
        )


def terminate_case(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CorrectionCase:
    require_decider(actor, _("终止社区矫正需要县局主管操作。"))
    f = Fields(data)
    terminated_on = f.date("terminated_on")
    reason = f.choice("reason", TERMINATION_REASONS)
    _check_end_date(f, "terminated_on", terminated_on, case)
    allowed = {
        "probation_revoked": ("probation",),
        "parole_revoked": ("parole",),
        "custody": ("temporary_release", "probation", "parole"),
        "death": CORRECTION_TYPES,
    }
    if reason and case.correction_type not in allowed[reason]:
        f.error("reason", _("该矫正类别不适用此终止原因。"))
    f.raise_if_errors()
    _require_terminable(case, terminated_on)
    refuse_records_after_end(records_after_end(case, terminated_on), "terminated_on", terminated_on)
    _close_open_incidents(actor, case, terminated_on)
    return _end(actor, case, "terminated", terminated_on, reason, "correction.terminate")


def transfer_out(actor: User, case: CorrectionCase, data: dict[str, Any]) -> CorrectionCase:
    require_decider(actor, _("变更执行地需要县局主管操作。"))
    f = Fields(data)
    transferred_on = f.date("transferred_on")
    destination = f.text("destination", required=True, limit=200)
    _check_end_date(f, "transferred_on", transferred_on, case)
    f.raise_if_errors()
    _require_active(case)
    refuse_records_after_end(
        records_after_end(case, transferred_on), "transferred_on", transferred_on
    )
    return _end(
        actor,
        case,
        "transferred_out",
        transferred_on,
        "transfer",
        "correction.transfer_out",
        destination,
    )


# --------------------------------------------------------------------------- suggestions


def suggestions(case: CorrectionCase, on: date | None = None) -> dict[str, list]:
    """Sanction and level suggestions computed from the case's history (never applied;
    docs/domain.md §3.8, §7.2, §7.5). Violations a later sanction answered are left out."""
    from corrections.rules import leaves as leave_rules
    from corrections.rules import sanctions as sanction_rules

    on = on or clock.today()
    if case.status == "expected":
        # Never received: not reporting for more than a month after the deadline (§7.2).
        if on <= case.report_deadline:
            return {"sanctions": [], "levels": []}
        facts = sanction_rules.ViolationFacts(
            correction_type=case.correction_type,
            on=on,
            late_report_days=(on - case.report_deadline).days,
            report_deadline=case.report_deadline,
        )
        month = [
            s for s in sanction_rules.suggest_sanctions(facts) if s.kind == "revocation_request"
        ]
        return {"sanctions": month, "levels": []}
    if case.status != "active":
        return {"sanctions": [], "levels": []}
    recorded = db.session.execute(
        select(Sanction.kind, Sanction.status, Sanction.decided_on, Sanction.proposed_on).where(
            Sanction.case_id == case.id,
            Sanction.voided_at.is_(None),
            Sanction.status != "rejected",
        )
    ).all()
    decided = [(k, d) for k, st, d, _p in recorded if st == "decided" and d]
    # A proposed sanction already answers the violation it was proposed for.
    on_record = tuple(
        sanction_rules.SanctionFact(k, d or p) for k, _st, d, p in recorded if (d or p)
    )
    absconded = db.session.execute(
        select(Incident)
        .where(Incident.case_id == case.id, Incident.kind == "absconded")
        .order_by(Incident.occurred_on.desc())
        .limit(1)
    ).scalar_one_or_none()
    late_days = 0
    if case.received_on and case.received_on > case.report_deadline:
        late_days = (case.received_on - case.report_deadline).days
    overdue_leave_days, overdue_leave_on = 0, None
    for leave in db.session.execute(
        select(Leave).where(
            Leave.case_id == case.id, Leave.status == "approved", Leave.kind == "leave"
        )
    ).scalars():
        days = leave_rules.return_days_late(leave.ends_on, leave.returned_on, on)
        if days > overdue_leave_days:
            overdue_leave_days = days
            overdue_leave_on = leave.ends_on + timedelta(days=1)
    review_due = medical_review_due(case)
    missed_review = bool(review_due and on > review_due)
    facts = sanction_rules.ViolationFacts(
        correction_type=case.correction_type,
        on=on,
        late_report_days=late_days,
        absconded_since=absconded.occurred_on if absconded else None,
        found_on=absconded.closed_on if absconded else None,
        overdue_return_days=overdue_leave_days,
        missed_medical_review=missed_review,
        prior_admonitions=sum(1 for k, _d in decided if k == "admonition"),
        prior_warnings=sum(1 for k, _d in decided if k == "warning"),
        report_deadline=case.report_deadline if late_days else None,
        overdue_return_on=overdue_leave_on,
        missed_medical_review_on=review_due + timedelta(days=1) if missed_review else None,
        sanctions=on_record,
    )
    facts_levels = case_facts(case).levels
    level_suggestions = sanction_rules.suggest_level_changes(
        case.received_on,
        facts_levels,
        [sanction_rules.SanctionFact(k, d) for k, d in decided],
        on,
    )
    return {"sanctions": sanction_rules.suggest_sanctions(facts), "levels": level_suggestions}
