"""Recording and verifying audit events.

``record()`` must be the last statement of a write's transaction: it takes a
transaction-scoped lock (PostgreSQL advisory lock; SQLite serialises writers
already), reads the previous hash and chains the new event to it.  Inside a
``deferred_writes()`` block (bulk imports) the events are chained together when
the block ends (corrections/deferred.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import inspect, select, text

from corrections import clock
from corrections.audit.models import AuditEvent
from corrections.extensions import db

GENESIS = "0" * 64
_LOCK_KEY = 7_340_001  # arbitrary constant naming the audit chain lock


def _json_safe(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False))


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value)
    return str(value)


def _utc_text(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


def compute_hash(event: AuditEvent) -> str:
    payload = {
        "prev": event.prev_hash,
        "at": _utc_text(event.occurred_at),
        "user_id": event.user_id,
        "username": event.username,
        "addr": event.remote_addr,
        "action": event.action,
        "type": event.entity_type,
        "entity_id": event.entity_id,
        "before": event.before,
        "after": event.after,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def snapshot(obj: Any, exclude: tuple[str, ...] = ("password_hash",)) -> dict:
    """Column values of a mapped object, JSON-safe."""
    mapper = inspect(obj).mapper
    values = {
        attr.key: getattr(obj, attr.key)
        for attr in mapper.column_attrs
        if attr.key not in exclude and attr.key not in ("created_at", "updated_at")
    }
    return _json_safe(values)


def _lock_chain() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def record(
    actor,
    action: str,
    entity_type: str,
    entity_id: int | None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    from corrections import deferred

    pending = deferred.current()
    if pending is None:
        db.session.flush()
    addr = ""
    if has_request_context():
        addr = (request.remote_addr or "")[:64]
    event = AuditEvent(
        occurred_at=clock.now_utc(),
        user_id=getattr(actor, "id", None),
        username=getattr(actor, "username", None) or "system",
        remote_addr=addr,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=_json_safe(before),
        after=_json_safe(after),
    )
    if pending is not None:  # chained when the deferred block ends
        pending.audit_events.append(event)
        return event
    chain_events([event])
    return event


def chain_events(events: list[AuditEvent]) -> None:
    """Link ``events`` (in order) to the end of the chain and store them."""
    if not events:
        return
    _lock_chain()
    prev = db.session.execute(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    prev = prev or GENESIS
    for event in events:
        event.prev_hash = prev
        event.hash = prev = compute_hash(event)
    db.session.add_all(events)  # the unit of work inserts them in this order: ids follow the chain
    db.session.flush()


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch: int = 5000) -> ChainReport:
    """Walk the chain in id order; report the first event whose link is broken."""
    expected_prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = (
            db.session.execute(
                select(AuditEvent)
                .where(AuditEvent.id > last_id)
                .order_by(AuditEvent.id)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return ChainReport(checked, None, None)
        for event in rows:
            if event.prev_hash != expected_prev:
                return ChainReport(checked, event.id, "prev_hash does not match the previous event")
            if compute_hash(event) != event.hash:
                return ChainReport(checked, event.id, "content does not match its hash")
            expected_prev = event.hash
            checked += 1
            last_id = event.id
        db.session.expunge_all()
