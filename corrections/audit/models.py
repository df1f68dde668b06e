from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from corrections import clock
from corrections.db import Base


class AuditEvent(Base):
    """One write: who, when, from where, what, before and after.

    Rows are only ever inserted. ``hash`` is an HMAC, under the key named by
    ``key_id``, of the row's content and the previous row's hash, so editing or
    deleting a row breaks the chain and nobody without the key can forge a new
    one (docs/security.md "Audit"). Rows written before keyed chaining have an
    empty ``key_id`` and a plain SHA-256; they may only form the chain's start.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now_utc, index=True
    )
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(64), default="")
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity_type: Mapped[str] = mapped_column(String(64), index=True)
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[str] = mapped_column(String(16), default="", server_default="")


class AuditAnchor(Base):
    """The chain's length and head on a day, kept outside ``audit_events``.

    An anchor is also appended to a file the operator copies off the host and is
    printed on the monthly PDF; ``audit verify`` checks the chain against every
    anchor, so deleting the newest events (truncation) is detected.  ``signature``
    is an HMAC of the other fields under the key ``key_id``.
    """

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(primary_key=True)
    anchored_on: Mapped[date] = mapped_column(Date, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now_utc)
    length: Mapped[int] = mapped_column(Integer)
    last_event_id: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(64))
