"""The token user's notifications (docs/api.md: Notifications)."""

from __future__ import annotations

from datetime import date

from corrections.schema import NullTimestamp, Schema, Timestamp, enum, timestamp


class Notification(Schema):
    id: int
    kind: str
    programme: enum(("correction", "resettlement", "assessment"))
    case_id: int | None
    due_on: date | None
    message: str
    created_at: Timestamp
    read_at: NullTimestamp

    @classmethod
    def of(cls, note) -> dict:
        return cls.of_row(
            note,
            created_at=timestamp(note.created_at),
            read_at=timestamp(note.read_at),
        )


class NotificationQuery(Schema):
    status: enum(("unread", "all")) = None
