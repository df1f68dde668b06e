"""The nightly recompute of the stored due states (docs/domain.md §3.5), fast at province size.

A case's stored state is the engine's answer on ``due_computed_on`` (X), and every write that
changes its facts refreshes it. When nothing dated falls between X and the day ``on`` — no
contact dated X or later, no level or key change taking effect, no leave starting, ending or
returned, no reception or end, no contact rule coming into force — the requirements and their
due dates on ``on`` are those of X, so:

* ``next_due_on`` (the earliest due date) and the level / key status stay;
* ``overdue_days`` is ``on - next_due_on`` when positive (the largest of the requirements'),
  ``is_overdue`` whether it is positive;
* a month end between X and ``on`` was overdue when ``next_due_on`` was before it;
* the on-time counts over the 30 days ending on ``on`` are those ending on X, less the days
  that left the window, plus the days that entered it (the engine on those days only).

Those cases are carried forward here with a few statements per 5,000 cases; the others
(facts dated in the span, a state older than ``FAST_SPAN`` days or computed on ``on``
already, no stored month ends) get the engine in full, as before. ``tests/reminders/
test_recompute_fast.py`` checks the result equals the full recompute day after day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select, update

from corrections.extensions import db
from corrections.rules import engine
from corrections.rules.models import ContactRuleRow
from corrections.rules.tables import contact_rules
from corrections.supervision.models import CaseLevel, Contact, CorrectionCase, Leave

FAST_SPAN = 7  # days; an older stored state is recomputed in full
CHUNK = 5000


@dataclass
class Programme:
    """What the recompute needs to know of one programme's cases."""

    model: type
    open_cases: Callable[[date], object]  # SQL condition: the cases the job refreshes
    changes: Callable[[date, date], dict[int, set[date]]]  # see correction_changes
    start: str  # the column the case becomes active on
    engine_name: str  # the rules' programme
    facts_many: Callable | None = None  # facts for the on-time counts (corrections only)
    extra: tuple[str, ...] = ()  # the columns facts_many reads

    def columns(self) -> list:
        names = (*STATE, self.start, "ended_on", *self.extra)
        return [getattr(self.model, name) for name in dict.fromkeys(names)]


STATE = (
    "id",
    "due_computed_on",
    "next_due_on",
    "is_overdue",
    "overdue_days",
    "month_ends_from",
    "month_ends_to",
    "overdue_month_ends",
)


def _days(found: dict[int, set[date]], model, column: str, first: date, last: date, *where):
    """Add each case's days of ``model.column`` from ``first`` to ``last`` to ``found``."""
    day = getattr(model, column)
    query = select(model.case_id, day).where(day.between(first, last), *where).distinct()
    for case_id, on in db.session.execute(query):
        found.setdefault(case_id, set()).add(on)


def correction_changes(first: date, last: date) -> dict[int, set[date]]:
    """Per correction case, the days from ``first`` to ``last`` on which its facts may change
    what the engine says: a contact's date, a level change's, a leave's start, its return
    (and the day after), the day after its end."""
    found: dict[int, set[date]] = {}
    _days(found, Contact, "occurred_on", first, last, Contact.voided_at.is_(None))
    _days(found, CaseLevel, "effective_on", first, last)
    before = first - timedelta(days=1)
    leaves = select(Leave.case_id, Leave.starts_on, Leave.ends_on, Leave.returned_on).where(
        or_(
            Leave.starts_on.between(before, last),
            Leave.ends_on.between(before, last),
            Leave.returned_on.between(before, last),
        )
    )
    one = timedelta(days=1)
    for case_id, starts_on, ends_on, returned_on in db.session.execute(leaves):
        days = {starts_on, ends_on + one} | (
            {returned_on, returned_on + one} if returned_on else set()
        )
        found.setdefault(case_id, set()).update(days)
    return found


def resettlement_changes(first: date, last: date) -> dict[int, set[date]]:
    """Per resettlement case, the days from ``first`` to ``last`` of its contacts and
    key-status changes."""
    from corrections.resettlement.models import KeyStatusChange, ResettlementContact

    rc = ResettlementContact
    found: dict[int, set[date]] = {}
    _days(found, rc, "occurred_on", first, last, rc.voided_at.is_(None))
    _days(found, KeyStatusChange, "effective_on", first, last)
    return found


def _rule_comes_into_force(programme: str, first: date, last: date) -> bool:
    return (
        db.session.execute(
            select(ContactRuleRow.id)
            .where(
                ContactRuleRow.programme == programme,
                ContactRuleRow.effective_from.between(first, last),
            )
            .limit(1)
        ).first()
        is not None
    )


def _first(programme: Programme, on: date) -> date:
    """The earliest stored day a case may be carried forward from."""
    model = programme.model
    earliest = db.session.execute(
        select(func.min(model.due_computed_on)).where(
            programme.open_cases(on), model.due_computed_on >= on - timedelta(days=FAST_SPAN)
        )
    ).scalar()
    return earliest or on


def carry_forward(programme: Programme, on: date, full: Callable[[list[int]], None]) -> int:
    """Refresh the programme's open cases for ``on``: carried forward where nothing dated
    happened since their state was computed, ``full(ids)`` (the engine) for the others.
    Returns how many carried-forward cases changed (next due, overdue, level)."""
    model = programme.model
    first = _first(programme, on)
    changes = programme.changes(first, on)
    everything = _rule_comes_into_force(programme.engine_name, first, on)
    query = select(*programme.columns()).where(programme.open_cases(on))
    changed = 0
    last = 0
    while True:
        rows = db.session.execute(
            query.where(model.id > last).order_by(model.id).limit(CHUNK)
        ).all()
        if not rows:
            return changed
        after, last = last, rows[-1].id
        slow, fast = [], []
        for row in rows:
            x = row.due_computed_on
            carried = (
                not everything
                and x is not None
                and first <= x < on
                and row.month_ends_from is not None
                and not any(x <= day <= on for day in changes.get(row.id, ()))
                and not _between(getattr(row, programme.start), x, on)
                and not _between(row.ended_on, x, on)
            )
            (fast if carried else slow).append(row)
        full([row.id for row in slow])
        changed += _carry(programme, fast, on)
        if fast:  # every case of the chunk is now computed on ``on`` (the others by ``full``)
            table = model.__table__
            db.session.execute(
                update(table)
                .where(table.c.id > after, table.c.id <= last, programme.open_cases(on))
                .values(due_computed_on=on, updated_at=table.c.updated_at)
            )
        db.session.commit()


def _between(day: date | None, after: date, upto: date) -> bool:
    return day is not None and after <= day <= upto


def _carry(programme: Programme, rows: list, on: date) -> int:
    """Carry the stored state of ``rows`` forward to ``on`` (see the module's docstring)."""
    if not rows:
        return 0
    from corrections.derived import write_many

    counts = _on_time_counts(programme, rows, on)
    ends = engine.month_ends_before(on)
    writes, changed = [], 0
    for row in rows:
        values = _carried(row, on, ends)
        if counts is not None:
            values["on_time_ok"], values["on_time_total"] = counts[row.id]
        values = {k: v for k, v in values.items() if getattr(row, k) != v}
        changed += bool({"is_overdue", "overdue_days"} & set(values))
        if values:
            writes.append((row.id, values))
    write_many(programme.model, writes, bulk=True)
    return changed


def _carried(row, on: date, ends: list[date]) -> dict:
    """The stored state on ``on`` of a case with nothing dated since it was computed."""
    due = row.next_due_on
    days = max(0, (on - due).days) if due is not None else 0
    values = {"is_overdue": days > 0, "overdue_days": days}
    if (row.month_ends_from, row.month_ends_to) != (ends[0], ends[-1]):
        kept = [d for d in row.overdue_month_ends.split() if date.fromisoformat(d) >= ends[0]]
        new = [e for e in ends if e > row.month_ends_to and due is not None and due < e]
        values["month_ends_from"], values["month_ends_to"] = ends[0], ends[-1]
        values["overdue_month_ends"] = " ".join(kept + [e.isoformat() for e in new])
    return values


def _on_time_counts(programme: Programme, rows: list, on: date) -> dict | None:
    """The on-time counts over the window ending on ``on`` from those ending on each case's
    ``due_computed_on`` (X): less the days before the new window, plus the days after X."""
    if programme.facts_many is None:
        return None
    rules = contact_rules()
    start = engine.on_time_window(on)[0]
    earliest = min(row.due_computed_on for row in rows)
    facts = programme.facts_many(rows, on, since=engine.on_time_window(earliest)[0])
    counts = {}
    for row in rows:
        x = row.due_computed_on
        case = [facts[row.id]]
        left = engine.on_time_rate(case, rules, engine.on_time_window(x)[0], start - _ONE)
        entered = engine.on_time_rate(case, rules, x + _ONE, on)
        counts[row.id] = (
            row.on_time_ok - left[0] + entered[0],
            row.on_time_total - left[1] + entered[1],
        )
    return counts


_ONE = timedelta(days=1)


def correction_programme() -> Programme:
    from corrections.supervision.services import case_facts_many

    def open_cases(on: date):
        return or_(
            CorrectionCase.status.in_(("active", "expected")),
            CorrectionCase.ended_on > engine.on_time_window(on)[0],
        )

    return Programme(
        CorrectionCase,
        open_cases,
        correction_changes,
        "received_on",
        engine.CORRECTION,
        case_facts_many,
        ("received_on", "ended_on", "correction_type", "on_time_ok", "on_time_total"),
    )


def resettlement_programme() -> Programme:
    from corrections.resettlement.models import ResettlementCase

    return Programme(
        ResettlementCase,
        lambda on: ResettlementCase.status != "ended",
        resettlement_changes,
        "handed_over_on",
        engine.RESETTLEMENT,
    )
