"""The daily reminders as a registry: one small function per reminder type.

Each function registered with ``@reminder_type`` takes the ``Day`` and yields the
``Reminder``s of its type (who hears, the key that makes reruns harmless, the message).
``daily_reminders`` (reminders/jobs.py) runs them in the order they are registered and
inserts the notifications. A new reminder type is one more function here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from corrections import clock
from corrections.assessments.models import Assessment
from corrections.db import dialect_insert
from corrections.extensions import db
from corrections.reminders.models import Notification
from corrections.reminders.services import Recipients
from corrections.resettlement import services as resettlement
from corrections.resettlement.models import ResettlementCase
from corrections.rules import engine, twins
from corrections.rules.holidays import calendar
from corrections.rules.tables import contact_rules, deadline
from corrections.supervision import services as supervision
from corrections.supervision.models import CorrectionCase, Leave, MonitoringEpisode

BATCH = 1000


@dataclass
class Reminder:
    users: list[int]
    key: str
    kind: str
    programme: str
    case_id: int | None
    due_on: date | None
    message: str


class Day:
    """What every reminder type of one run shares: the day, the recipients, the rules."""

    def __init__(self, on: date):
        self.on = on
        self.tomorrow = on + timedelta(days=1)
        self.who = Recipients()
        self.rules = contact_rules()

    def to_case(self, case, escalate: bool) -> list[int]:
        return self.who.for_case(case.station_id, case.officer_id, escalate)

    def case_reminder(self, case, kind: str, key: str, due_on, message: str, escalate: bool):
        """A reminder about a case of its programme (the case's officer, the supervisors
        when ``escalate``)."""
        programme = "resettlement" if isinstance(case, ResettlementCase) else "correction"
        users = self.to_case(case, escalate)
        return Reminder(users, key, kind, programme, case.id, due_on, message)


ReminderType = Callable[[Day], Iterable[Reminder]]
REMINDER_TYPES: list[ReminderType] = []


def reminder_type(fn: ReminderType) -> ReminderType:
    REMINDER_TYPES.append(fn)
    return fn


def batches(query) -> Iterator[list]:
    """Rows in id batches so a province never sits in memory at once."""
    model = query.column_descriptions[0]["entity"]
    last = 0
    while True:
        page = query.where(model.id > last).order_by(model.id).limit(BATCH)
        rows = db.session.execute(page).unique().scalars().all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def each(query) -> Iterator:
    for rows in batches(query):
        yield from rows


def _with_person(model):
    return select(model).options(joinedload(model.person))


def _with_case(model, *where) -> list:
    """The rows of ``model`` that meet ``where``, each with its correction case (and the
    case's person), in id order."""
    query = (
        select(model, CorrectionCase)
        .join(CorrectionCase, CorrectionCase.id == model.case_id)
        .options(joinedload(CorrectionCase.person))
        .where(*where)
        .order_by(model.id)
    )
    return db.session.execute(query).all()


def _name(case) -> str:
    return case.person.name


def run(on: date) -> dict[str, int]:
    """Every reminder type for day ``on``, in order; returns the new notifications by kind
    (every kind that had a reminder is listed, with 0 when all were there already)."""
    day = Day(on)
    counts: dict[str, int] = {}
    with Inserter() as inserter:
        for kind_of in REMINDER_TYPES:
            for item in kind_of(day):
                counts.setdefault(item.kind, 0)
                inserter.add(item)
    for kind, n in inserter.created.items():
        counts[kind] += n
    return counts


class Inserter:
    """``notify`` for many reminders: one INSERT … ON CONFLICT DO NOTHING per 500 rows, in
    the order given; ``created`` counts the new rows by kind (RETURNING)."""

    def __init__(self):
        self.rows: list[dict] = []
        self.created: dict[str, int] = {}
        postgres = db.session.get_bind().dialect.name == "postgresql"
        self.insert = dialect_insert(db.session)
        self.size = 500 if postgres else 100  # SQLite's limit on bound parameters

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.flush()

    def add(self, item: Reminder) -> None:
        now = clock.now_utc()
        for user_id in item.users:
            self.rows.append(
                {
                    "user_id": user_id,
                    "key": item.key,
                    "kind": item.kind,
                    "programme": item.programme,
                    "case_id": item.case_id,
                    "due_on": item.due_on,
                    "message": item.message,
                    "created_at": now,
                }
            )
        if len(self.rows) >= self.size:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        statement = (
            self.insert(Notification)
            .values(self.rows)
            .on_conflict_do_nothing(index_elements=["user_id", "key"])
            .returning(Notification.kind)
        )
        for (kind,) in db.session.execute(statement).all():
            self.created[kind] = self.created.get(kind, 0) + 1
        self.rows = []


# --------------------------------------------------------------------------- the types


def _contact_reminders(day: Day, model, case_facts_many) -> Iterator[Reminder]:
    """Contact requirements due tomorrow or overdue, for the cases whose earliest due date
    (stored) is tomorrow or earlier. The facts are those the engine needs on the day: the
    latest contact of each kind before it and the contacts of the day."""
    due = _with_person(model).where(model.status == "active", model.next_due_on <= day.tomorrow)
    for cases in batches(due):
        facts = case_facts_many(cases, day.on, since=day.on)
        for case in cases:
            for state in engine.due_dates_on(facts[case.id], day.rules, day.on):
                notice = _contact_notice(day, case, state)
                if notice is not None:
                    yield notice


def _contact_notice(day: Day, case, state: engine.DueState) -> Reminder | None:
    if state.paused:
        return None
    label = engine.requirement_label(state.requirement)
    programme = "resettlement" if isinstance(case, ResettlementCase) else "correction"
    key = f"{programme}:{case.id}:{state.requirement}:{state.due_on}"
    if state.due_on == day.tomorrow:
        text = f"{_name(case)} 的{label}明天（{state.due_on}）到期。"
        return day.case_reminder(
            case, "contact_due_tomorrow", f"contact_due:{key}", state.due_on, text, False
        )
    if state.due_on < day.on:
        text = f"{_name(case)} 的{label}已于{state.due_on}到期未完成（逾期）。"
        return day.case_reminder(
            case, "contact_overdue", f"contact_overdue:{key}", state.due_on, text, True
        )
    return None


@reminder_type
def contacts_due(day: Day) -> Iterator[Reminder]:
    yield from _contact_reminders(day, CorrectionCase, supervision.case_facts_many)
    yield from _contact_reminders(day, ResettlementCase, resettlement.case_facts_many)


@reminder_type
def missed_intake(day: Day) -> Iterator[Reminder]:
    """漏管: the report deadline passed without reception."""
    c = CorrectionCase
    missed = _with_person(c).where(
        twins.still_missing(c.status, c.source, c.report_deadline, c.received_on, day.on)
    )
    for case in each(missed):
        text = (
            f"{_name(case)} 应于{case.report_deadline}前报到，至今未报到（漏管），请立即组织查找。"
        )
        key = f"missed_intake:{case.id}"
        yield day.case_reminder(case, "missed_intake", key, case.report_deadline, text, True)


@reminder_type
def assessments(day: Day) -> Iterator[Reminder]:
    """调查评估 due within 2 working days, or overdue."""
    soon = calendar().add_working_days(day.on, 2) or day.on + timedelta(days=2)
    open_assessments = select(Assessment).where(
        Assessment.completed_on.is_(None), Assessment.due_on.is_not(None), Assessment.due_on <= soon
    )
    for item in each(open_assessments):
        overdue = item.due_on < day.on
        kind = "assessment_overdue" if overdue else "assessment_due_soon"
        text = (
            f"调查评估（{item.name}）已超过期限{item.due_on}，请尽快完成。"
            if overdue
            else f"调查评估（{item.name}）应于{item.due_on}前完成。"
        )
        users = day.who.for_case(item.station_id, None, overdue)
        key = f"{kind}:{item.id}:{item.due_on}"
        yield Reminder(users, key, kind, "assessment", item.id, item.due_on, text)


@reminder_type
def leave_returns(day: Day) -> Iterator[Reminder]:
    """Leave not returned by its end date: from the first day after it (docs/domain.md §7.3)."""
    late = _with_case(
        Leave,
        CorrectionCase.status == "active",
        Leave.status == "approved",
        Leave.kind == "leave",
        twins.return_overdue(Leave.ends_on, Leave.returned_on, day.on),
    )
    for leave, case in late:
        text = f"{_name(case)} 外出应于{leave.ends_on}返回，至今未销假。"
        key = f"leave_not_returned:{leave.id}"
        yield day.case_reminder(case, "leave_not_returned", key, leave.ends_on, text, True)


@reminder_type
def term_ends(day: Day) -> Iterator[Reminder]:
    """Term ending within 30 days: the release checklist opens (the rule as of the term end).
    For 暂外 the term end moves by the days absconded (docs/domain.md §7.6): the SQL picks
    candidates by the term end as sentenced, the case's effective term end decides."""
    ending = _with_person(CorrectionCase).where(*supervision.term_ending_candidates(day.on))
    for case in each(ending):
        term_end = supervision.term_ending_on(case, day.on)
        if term_end is None:
            continue
        text = f"{_name(case)} 矫正期将于{term_end}届满，请办理解除前各项工作。"
        key = f"term_ending:{case.id}:{term_end}"
        yield day.case_reminder(case, "term_ending", key, term_end, text, False)


@reminder_type
def medical_reviews(day: Day) -> Iterator[Reminder]:
    """保外就医 medical re-examination due soon (a window row) or overdue."""
    medical = _with_person(CorrectionCase).where(
        CorrectionCase.status == "active",
        CorrectionCase.correction_type == "temporary_release",
        CorrectionCase.grounds == "medical",
    )
    on = day.on
    for case in each(medical):
        due = supervision.medical_review_due(case)
        if due is None or not (due < on or supervision.medical_review_due_soon(due, on)):
            continue
        text = f"{_name(case)} 病情复查应于{due}前完成。"
        key = f"medical_review_due:{case.id}:{due}"
        yield day.case_reminder(case, "medical_review_due", key, due, text, due < on)


@reminder_type
def monitoring_ends(day: Day) -> Iterator[Reminder]:
    """Electronic monitoring ending soon (a window row, as of the episode's end)."""
    monitoring = _with_case(
        MonitoringEpisode,
        MonitoringEpisode.removed_on.is_(None),
        twins.due_soon("monitoring_end_soon_days", MonitoringEpisode.ends_on, day.on),
    )
    for episode, case in monitoring:
        if case.status != "active":
            continue
        text = f"{_name(case)} 电子定位将于{episode.ends_on}到期，请决定解除或延长。"
        key = f"monitoring_ending:{episode.id}:{episode.ends_on}"
        yield day.case_reminder(case, "monitoring_ending", key, episode.ends_on, text, False)


@reminder_type
def handovers(day: Day) -> Iterator[Reminder]:
    """Released prisoners not handed over within 7 days (the rule as of the release date)."""
    r = ResettlementCase
    waiting = _with_person(r).where(
        r.status == "released", twins.handover_overdue(r.released_on, r.handed_over_on, day.on)
    )
    for case in each(waiting):
        handover_days = deadline("handover_alert_days", case.released_on)
        text = f"{_name(case)} 已于{case.released_on}释放，超过{handover_days}天未衔接。"
        due_on = case.released_on + timedelta(days=handover_days)
        key = f"not_handed_over:{case.id}"
        yield day.case_reminder(case, "not_handed_over", key, due_on, text, True)


@reminder_type
def resettlement_periods(day: Day) -> Iterator[Reminder]:
    """Resettlement period ending within 30 days, or ended and the case still open
    (帮教期满未结案, docs/domain.md §7.7); one reminder per case and period end."""
    r = ResettlementCase
    period = _with_person(r).where(
        r.status != "ended", twins.period_end_alert(r.period_ends_on, day.on)
    )
    for case in each(period):
        end = case.period_ends_on
        text = (
            f"{_name(case)} 帮教期已于{end}届满，请办理结案。"
            if end < day.on
            else f"{_name(case)} 帮教期将于{end}届满。"
        )
        key = f"resettlement_period_ending:{case.id}:{end}"
        yield day.case_reminder(case, "resettlement_period_ending", key, end, text, False)
