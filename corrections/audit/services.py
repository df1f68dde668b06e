"""Recording and verifying audit events.

``record()`` must be the last statement of a write's transaction: it takes a
transaction-scoped lock (PostgreSQL advisory lock; SQLite serialises writers
already), reads the previous hash and chains the new event to it.  Inside a
``deferred_writes()`` block (bulk imports) the events are chained together when
the block ends (corrections/deferred.py).

The chain is keyed: each hash is an HMAC-SHA256 under ``AUDIT_KEY`` (kept outside
the database), so rewriting rows and recomputing the hashes forward needs the key.
Daily anchors (chain length and head hash, signed) are stored outside the audited
table and in a file, so deleting the newest rows is detected too.  Keys rotate by
moving the old key to ``AUDIT_PREVIOUS_KEYS`` (docs/security.md "Audit").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import func, inspect, select, text

from corrections import clock
from corrections.audit.models import AuditAnchor, AuditEvent
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


def key_fingerprint(key: str) -> str:
    """A short public name for a key, stored with each event it signs."""
    return hashlib.sha256(("audit-key:" + key).encode("utf-8")).hexdigest()[:12]


def current_key() -> tuple[str, str]:
    """(key_id, key) of the key new events are signed with."""
    key = current_app.config.get("AUDIT_KEY")
    if not key:
        raise RuntimeError("AUDIT_KEY is not set")
    return key_fingerprint(key), key


def known_keys() -> dict[str, str]:
    """Every key the chain may be signed with: the current one and the previous ones."""
    keys = [current_app.config.get("AUDIT_KEY") or ""]
    keys += [k.strip() for k in (current_app.config.get("AUDIT_PREVIOUS_KEYS") or "").split(",")]
    return {key_fingerprint(k): k for k in keys if k}


def _canonical(event: AuditEvent) -> bytes:
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
    return canonical.encode("utf-8")


def compute_hash(event: AuditEvent, key: str | None = None) -> str:
    """HMAC-SHA256 of the event under ``key``; a plain SHA-256 for events written
    before the chain was keyed (``key`` None, ``key_id`` empty)."""
    if key is None:
        return hashlib.sha256(_canonical(event)).hexdigest()
    return hmac.new(key.encode("utf-8"), _canonical(event), hashlib.sha256).hexdigest()


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
        # the figures' change rows go in before the chain's lock (it serialises writers)
        from corrections.reports.figures import changes

        changes.settle(db.session)
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
    key_id, key = current_key()
    for event in events:
        event.prev_hash = prev
        event.key_id = key_id
        event.hash = prev = compute_hash(event, key)
    db.session.add_all(events)  # the unit of work inserts them in this order: ids follow the chain
    db.session.flush()


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str | None
    anchors_checked: int = 0
    after_last_anchor: int = 0
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class Anchor:
    """An anchor as read from the table or the anchor file."""

    anchored_on: str
    length: int
    last_event_id: int
    head_hash: str
    key_id: str
    signature: str
    source: str = "database"

    def message(self) -> str:
        return f"{self.anchored_on}|{self.length}|{self.last_event_id}|{self.head_hash}"


def _sign(message: str, key: str) -> str:
    return hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def stored_anchors() -> list[Anchor]:
    rows = db.session.execute(select(AuditAnchor).order_by(AuditAnchor.id)).scalars().all()
    return [
        Anchor(
            r.anchored_on.isoformat(), r.length, r.last_event_id, r.head_hash, r.key_id, r.signature
        )
        for r in rows
    ]


def read_anchor_file(path: str) -> list[Anchor]:
    """Anchors from a copy of the anchor file (one JSON object per line)."""
    anchors = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                anchors.append(
                    Anchor(
                        str(row["anchored_on"]),
                        int(row["length"]),
                        int(row["last_event_id"]),
                        str(row["head_hash"]),
                        str(row["key_id"]),
                        str(row["signature"]),
                        source=f"{os.path.basename(path)}:{number}",
                    )
                )
            except (ValueError, KeyError, TypeError):
                raise ValueError(f"{path}, line {number}: not an anchor") from None
    return anchors


def anchor_file_path() -> str:
    return current_app.config.get("AUDIT_ANCHOR_FILE") or os.path.join(
        current_app.instance_path, "audit-anchors.jsonl"
    )


def write_anchor(on: date) -> tuple[AuditAnchor, bool]:
    """Anchor the chain as it stands now, for day ``on`` (once per day).

    Returns the anchor and whether it was created now.  The row is committed by
    the caller; the file line is appended after the commit by ``append_anchor_file``.
    """
    existing = db.session.execute(
        select(AuditAnchor).where(AuditAnchor.anchored_on == on)
    ).scalar_one_or_none()
    if existing is not None:
        return existing, False
    _lock_chain()
    head = db.session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    length = db.session.execute(select(func.count(AuditEvent.id))).scalar_one()
    last_id, head_hash = (head[0], head[1]) if head else (0, GENESIS)
    key_id, key = current_key()
    draft = Anchor(on.isoformat(), length, last_id, head_hash, key_id, "")
    row = AuditAnchor(
        anchored_on=on,
        length=length,
        last_event_id=last_id,
        head_hash=head_hash,
        key_id=key_id,
        signature=_sign(draft.message(), key),
    )
    db.session.add(row)
    db.session.flush()
    return row, True


def append_anchor_file(row: AuditAnchor) -> str:
    path = anchor_file_path()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    line = {
        "anchored_on": row.anchored_on.isoformat(),
        "length": row.length,
        "last_event_id": row.last_event_id,
        "head_hash": row.head_hash,
        "key_id": row.key_id,
        "signature": row.signature,
    }
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, sort_keys=True) + "\n")
    return path


def latest_anchor() -> AuditAnchor | None:
    return db.session.execute(
        select(AuditAnchor).order_by(AuditAnchor.anchored_on.desc()).limit(1)
    ).scalar_one_or_none()


def verify_chain(batch: int = 5000, extra_anchors: list[Anchor] | None = None) -> ChainReport:
    """Walk the chain in id order; report the first broken link, a forged anchor, or
    truncation (an anchor recorded more events than the chain now has)."""
    keys = known_keys()
    anchors = stored_anchors() + list(extra_anchors or [])
    for anchor in anchors:
        key = keys.get(anchor.key_id)
        if key is None or not hmac.compare_digest(_sign(anchor.message(), key), anchor.signature):
            return ChainReport(
                0,
                None,
                f"anchor of {anchor.anchored_on} ({anchor.source}) is not signed by a known key",
            )
    by_last_id: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        by_last_id.setdefault(anchor.last_event_id, []).append(anchor)
    for anchor in by_last_id.pop(0, []):
        if anchor.length != 0 or anchor.head_hash != GENESIS:
            return ChainReport(0, None, f"anchor of {anchor.anchored_on} is inconsistent")
    report = ChainReport(0, None, None)
    reached = set()
    expected_prev = GENESIS
    keyed_seen = False
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
            break
        for event in rows:
            broken = _check_event(event, expected_prev, keys, keyed_seen)
            if broken:
                report.broken_at, report.reason = event.id, broken
                return report
            keyed_seen = keyed_seen or bool(event.key_id)
            expected_prev = event.hash
            report.checked += 1
            last_id = event.id
            for anchor in by_last_id.get(event.id, ()):
                if anchor.head_hash != event.hash or anchor.length != report.checked:
                    report.broken_at = event.id
                    report.reason = (
                        f"does not match the anchor of {anchor.anchored_on} ({anchor.source})"
                    )
                    return report
                reached.add(event.id)
        db.session.expunge_all()
    missing = [a for i, group in by_last_id.items() if i not in reached for a in group]
    if missing:
        first = min(missing, key=lambda a: a.last_event_id)
        report.truncated = True
        report.reason = (
            f"truncated: the anchor of {first.anchored_on} ({first.source}) recorded "
            f"{first.length} events ending with event {first.last_event_id}; "
            f"the chain now has {report.checked}"
        )
        return report
    report.anchors_checked = len(anchors)
    newest = max((a.last_event_id for a in anchors), default=0)
    report.after_last_anchor = _count_after(newest)
    return report


def _count_after(event_id: int) -> int:
    return db.session.execute(
        select(func.count(AuditEvent.id)).where(AuditEvent.id > event_id)
    ).scalar_one()


def _check_event(event: AuditEvent, expected_prev: str, keys: dict, keyed_seen: bool) -> str | None:
    if event.prev_hash != expected_prev:
        return "prev_hash does not match the previous event"
    if not event.key_id:
        if keyed_seen:
            return "an unkeyed event follows keyed events"
        key = None
    else:
        key = keys.get(event.key_id)
        if key is None:
            return f"signed with an unknown key ({event.key_id}): set AUDIT_PREVIOUS_KEYS"
    if not hmac.compare_digest(compute_hash(event, key), event.hash):
        return "content does not match its hash"
    return None


def anchor_day(on: date) -> dict:
    """The daily anchor job: store the anchor (once per day) and make sure the
    anchor file has its line; safe to run again for the same day."""
    row, created = write_anchor(on)
    db.session.commit()
    path = anchor_file_path()
    day = row.anchored_on.isoformat()
    present = False
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            present = any(f'"anchored_on": "{day}"' in line for line in handle)
    if not present:
        append_anchor_file(row)
    return {
        "created": int(created),
        "length": row.length,
        "last_event_id": row.last_event_id,
        "head_hash": row.head_hash,
    }
