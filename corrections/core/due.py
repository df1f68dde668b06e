"""The stored due state of a case and its refresh (both programmes; docs/domain.md §3.5).

Each programme says how to load its facts (``case_facts`` for one case,
``case_facts_many`` for a list) and what else it stores; loading the contacts, storing
the common columns and refreshing one case or many is done here once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select

from corrections import clock, deferred, derived
from corrections.extensions import db
from corrections.rules import engine
from corrections.rules.tables import contact_rules

CHUNK = 500  # cases (or ids) per query in the bulk loads


def chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def contact_facts(model: type, case_id: int, until: date | None) -> tuple:
    """The case's contacts not voided (up to ``until``) as engine facts."""
    rows = db.session.execute(
        select(model.occurred_on, model.kind).where(
            model.case_id == case_id,
            model.voided_at.is_(None),
            *([model.occurred_on <= until] if until else []),
        )
    ).all()
    return tuple(engine.ContactFact(o, k) for o, k in rows)


def contact_facts_many(
    model: type, ids: Sequence[int], until: date | None, since: date | None, into: dict
) -> None:
    """Add to ``into[case_id]`` the contacts of the cases ``ids`` (one chunk).

    Of the contacts before ``since`` (all of them when ``since`` is None) only the latest
    of each kind is loaded: the engine only ever uses the latest satisfying contact, so
    the answer on any day from ``since`` on is the same as with every contact. Contacts
    from ``since`` on are all loaded (on-time counts need them).
    """
    upto = [model.occurred_on <= until] if until else []
    for case_id, kind, last in db.session.execute(
        select(model.case_id, model.kind, func.max(model.occurred_on))
        .where(
            model.case_id.in_(ids),
            model.voided_at.is_(None),
            *upto,
            *([model.occurred_on < since] if since else []),
        )
        .group_by(model.case_id, model.kind)
    ):
        into[case_id].append(engine.ContactFact(last, kind))
    if since is None:
        return
    for case_id, kind, day in db.session.execute(
        select(model.case_id, model.kind, model.occurred_on).where(
            model.case_id.in_(ids), model.voided_at.is_(None), model.occurred_on >= since, *upto
        )
    ):
        into[case_id].append(engine.ContactFact(day, kind))


def due_states(case: Any, case_facts: Callable, on: date | None = None) -> list[engine.DueState]:
    on = on or clock.today()
    return engine.due_dates_on(case_facts(case, on), contact_rules(), on)


def refresh_one(
    case: Any, on: date | None, case_facts: Callable, store: Callable, refresh_many: Callable
) -> bool:
    """Store the engine's answer on the case; True when something changed.

    Inside ``deferred_writes()`` the case is noted for ``refresh_many`` at the end.
    """
    if on is None and deferred.defer_refresh(case, refresh_many):
        return False
    day = on or clock.today()
    return derived.refresh_unversioned(
        case, lambda: store(case, case_facts(case, day), contact_rules(), day)
    )


def bulk_refresh(cases: list, on: date | None, case_facts_many: Callable, store: Callable) -> list:
    """Store the due state of ``cases`` 500 at a time; returns those that changed."""
    on = on or clock.today()
    rules = contact_rules()
    changed = []
    for chunk in chunks(cases):
        facts = case_facts_many(chunk, on, since=history_since(on))
        changed += derived.refresh_many_unversioned(
            chunk, lambda c, f=facts: store(c, f[c.id], rules, on)
        )
    return changed


def store_due_state(case: Any, facts: engine.CaseFacts, rules: list, on: date) -> bool:
    """The columns both programmes store: the next due date, whether and how long overdue,
    the overdue month ends, the day computed. True when the first three changed."""
    values = engine.next_due(facts, rules, on)
    changed = (case.next_due_on, case.is_overdue, case.overdue_days) != values
    case.next_due_on, case.is_overdue, case.overdue_days = values
    store_month_ends(case, facts, rules, on)
    case.due_computed_on = on
    return changed


def store_month_ends(case: Any, facts: engine.CaseFacts, rules: list, on: date) -> None:
    """Keep on the case the past month ends it was overdue on."""
    first, last, overdue = engine.overdue_month_ends(facts, rules, on)
    case.month_ends_from, case.month_ends_to = first, last
    case.overdue_month_ends = " ".join(d.isoformat() for d in overdue)


def history_since(on: date) -> date:
    """The earliest day whose contacts the stored due state needs one by one."""
    return min(engine.on_time_window(on)[0], engine.month_ends_before(on)[0])


def days_overdue(case, on: date | None = None) -> int:
    """Days an active case's contact is overdue on ``on`` (today), from its stored earliest
    due date (the engine's answer when it was stored); 0 when not overdue
    (docs/domain.md §3.5)."""
    on = on or clock.today()
    if case.status != "active" or case.next_due_on is None or case.next_due_on >= on:
        return 0
    return (on - case.next_due_on).days
