"""Deferred writes for bulk work (ledger imports): the same services, fewer round trips.

Inside ``with deferred_writes():`` the services behave as usual except that

* ``refresh_due_state`` only notes the case; at the end of the block every noted
  case is refreshed at once with the bulk refresher (``refresh_due_states``),
  which loads the facts of 500 cases per query instead of three queries a case;
* ``audit.record`` builds its event without reading the chain; at the end the
  events are chained in the order they were recorded, under one lock;
* the rule tables are read once per block (they cannot change inside it).

The block must end before the transaction commits; leaving it with an exception
discards what was collected (the caller rolls back).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from corrections.extensions import db

_KEY = "corrections.deferred"


@dataclass
class Deferred:
    refreshers: dict[Callable, dict[int, Any]] = field(default_factory=dict)
    audit_events: list = field(default_factory=list)
    memo: dict[Any, Any] = field(default_factory=dict)

    def discard(self) -> None:
        """Drop what was collected (the caller is about to roll back)."""
        self.refreshers.clear()
        self.audit_events = []

    def finish(self) -> None:
        from corrections.audit.services import chain_events

        db.session.flush()
        for refresh_many, cases in self.refreshers.items():
            refresh_many(list(cases.values()))
        self.refreshers.clear()
        db.session.flush()
        chain_events(self.audit_events)
        self.audit_events = []


def current() -> Deferred | None:
    return db.session.info.get(_KEY)


def defer_refresh(case: Any, refresh_many: Callable[[list], Any]) -> bool:
    """Note ``case`` for ``refresh_many`` at the end of the block; False outside a block."""
    state = current()
    if state is None:
        return False
    state.refreshers.setdefault(refresh_many, {})[id(case)] = case
    return True


def memoised(key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per block (every time outside a block)."""
    state = current()
    if state is None:
        return compute()
    if key not in state.memo:
        state.memo[key] = compute()
    return state.memo[key]


@contextmanager
def deferred_writes() -> Iterator[Deferred]:
    if current() is not None:
        raise RuntimeError("deferred_writes() blocks do not nest")
    state = Deferred()
    db.session.info[_KEY] = state
    try:
        yield state
        db.session.info.pop(_KEY, None)
        state.finish()
    finally:
        db.session.info.pop(_KEY, None)
