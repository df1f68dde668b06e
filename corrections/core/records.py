"""A write and its audit event: every service records what it added or changed, last."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from corrections.audit.services import record, snapshot
from corrections.auth.models import User
from corrections.extensions import db


def add_recorded(
    actor: User | None,
    obj: Any,
    action: str,
    subject: str,
    after_flush: Callable[[], Any] | None = None,
    subject_id: int | None = None,
) -> Any:
    """Add ``obj`` and record its creation; ``after_flush`` runs once it has its id (a
    due-state refresh, a number), before the audit event. The event is about ``obj``
    unless ``subject_id`` names the record it belongs to (a search in an incident's log)."""
    db.session.add(obj)
    db.session.flush()
    if after_flush is not None:
        after_flush()
    record(
        actor, action, subject, obj.id if subject_id is None else subject_id, None, snapshot(obj)
    )
    return obj


@contextmanager
def recorded_change(
    actor: User | None,
    action: str,
    subject: str,
    obj: Any,
    after_flush: Callable[[], Any] | None = None,
) -> Iterator[Any]:
    """Record what the block changes on ``obj``: its snapshot before and after the block,
    flushed (``after_flush`` runs in between). Nothing is recorded when the block raises."""
    before = snapshot(obj)
    yield obj
    db.session.flush()
    if after_flush is not None:
        after_flush()
    record(actor, action, subject, obj.id, before, snapshot(obj))
