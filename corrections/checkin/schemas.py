"""What an officer's check-in write accepts, declared once (docs/api.md: How the API is
described): the API body and the web form, read by ``Fields.read``."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from corrections.schema import Schema, Timestamp, doc, enum

Outcome = enum(("accepted", "follow_up"))


class EnrolBody(Schema):
    phone: str = Field(max_length=20, description="11-digit mobile number")
    consent_on: date


class CheckinRequest(Schema):
    """Read by ``requesting.request_checkin`` with its own parsers: ``due_by`` is a moment
    (China time when it has no zone) and ``questions`` a list of question codes."""

    due_by: Timestamp = None
    questions: list[str] = Field(None, max_length=3)


class ReviewBody(Schema):
    outcome: Outcome
    note: str = doc("Required for follow_up", default=None, max_length=1000)
