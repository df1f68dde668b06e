"""Derived columns written outside the case's optimistic lock.

A case's stored due state (next due day, overdue days, on-time counts, …) is the rule
engine's answer cached on the case row. Appending a record (a contact, a report) refreshes
it, but that is not an edit of the case: if it went through the ORM it would bump the
case's ``version`` and check the old one, so two officers appending contacts to one case
at the same moment would get a stale-version conflict although nothing conflicts.

``refresh_unversioned`` runs the refresh for a case that has no pending edit, writes the
changed columns with a plain UPDATE (version and updated_at untouched) and marks them
committed on the object. The case row is locked first (PostgreSQL: SELECT … FOR NO KEY UPDATE;
SQLite serialises writers anyway), so the facts are read after any concurrent append has
committed and the stored state includes it. A case with a pending edit is refreshed the
ORM way: its UPDATE bumps and checks the version as an edit should.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value

from corrections.extensions import db


def is_clean(case: Any) -> bool:
    """Persistent in this session and with no pending change of its own."""
    state = inspect(case)
    return state.persistent and not state.modified


def lock(case: Any) -> None:
    """Take the case row's write lock until the transaction ends (no-op on SQLite).

    FOR NO KEY UPDATE, not FOR UPDATE: the appended row's foreign key already holds a
    KEY SHARE lock on the case, which FOR UPDATE would wait on (two appends: deadlock)."""
    model = type(case)
    db.session.execute(
        select(model.__table__.c.id)
        .where(model.__table__.c.id == case.id)
        .with_for_update(key_share=True)
    )


def take_changes(case: Any) -> dict[str, Any]:
    """The case's changed columns (column name → value), marked committed on the object:
    the ORM will not write them; the caller does."""
    state = inspect(case)
    values: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.added:
            values[attr.key] = history.added[0]
    for key, value in values.items():
        set_committed_value(case, key, value)
    return {state.mapper.get_property(k).columns[0].name: v for k, v in values.items()}


def write_many(model: type, rows: list[tuple[int, dict[str, Any]]], bulk: bool = False) -> None:
    """Plain UPDATEs (no version check or bump, updated_at kept), one executemany per set
    of changed columns. ``bulk``: a job's batch (its change touches every station's figures
    rather than naming each case)."""
    from corrections.reports.figures import changes

    table = model.__table__
    # the stored due state feeds the overdue figures: name the cases for their stations
    written = [pk for pk, values in rows if values]
    if bulk and written:
        changes.touch_all(db.session)
    else:
        changes.touch(db.session, table.name, written)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for pk, values in rows:
        if values:
            params = {"pk_": pk, **{f"v_{k}": v for k, v in values.items()}}
            groups.setdefault(tuple(sorted(values)), []).append(params)
    for columns, params in groups.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("pk_"))
            .values({**{c: bindparam(f"v_{c}") for c in columns}, "updated_at": table.c.updated_at})
        )
        db.session.execute(statement, params, execution_options={changes.KNOWN: True})


def write_changes(case: Any) -> None:
    """Write the case's changed columns without the optimistic lock."""
    write_many(type(case), [(case.id, take_changes(case))])


def refresh_many_unversioned(cases: list, refresh: Callable[[Any], bool]) -> list:
    """``refresh(case)`` for each case; the clean ones written together without the
    optimistic lock (bulk jobs: no row lock, they run alone). Returns those changed."""
    changed, pending = [], []
    with db.session.no_autoflush:
        for case in cases:
            clean = is_clean(case)
            if refresh(case):
                changed.append(case)
            if clean:
                pending.append(case)
        by_model: dict[type, list] = {}
        for case in pending:
            by_model.setdefault(type(case), []).append((case.id, take_changes(case)))
        for model, rows in by_model.items():
            write_many(model, rows, bulk=True)
    return changed


def refresh_unversioned(case: Any, refresh: Callable[[], Any], *, locked: bool = True) -> Any:
    """``refresh()`` (which sets the derived attributes on ``case``), written without the
    optimistic lock when the case has no pending edit."""
    if not is_clean(case):
        return refresh()
    if locked:
        lock(case)
    with db.session.no_autoflush:  # a query inside must not flush the case the ORM way
        result = refresh()
        write_changes(case)
    return result
