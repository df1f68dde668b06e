"""Attachments, generated documents and report downloads (docs/api.md)."""

from __future__ import annotations

from datetime import date

from flask import url_for
from pydantic import Field

from corrections.paperwork.models import ATTACHMENT_KINDS
from corrections.schema import Binary, NullTimestamp, Schema, Timestamp, doc, enum, timestamp


class Attachment(Schema):
    id: int
    person_id: int
    programme: str | None
    case_id: int | None
    contact_id: int | None
    kind: enum(ATTACHMENT_KINDS)
    filename: str
    content_type: enum(("application/pdf", "image/jpeg", "image/png"))
    size: int
    sha256: str
    note: str
    uploaded_by_id: int
    uploaded_at: Timestamp
    voided_at: NullTimestamp
    void_reason: str | None
    download_url: str = doc("The web download (session login; scope-checked, checksum verified)")

    @classmethod
    def of(cls, a) -> dict:
        return cls.of_row(
            a,
            uploaded_at=timestamp(a.uploaded_at),
            voided_at=timestamp(a.voided_at),
            download_url=url_for("attachments.download", attachment_id=a.id),
        )


class AttachmentForm(Schema):
    file: Binary
    kind: enum(ATTACHMENT_KINDS)
    note: str = Field(None, max_length=1000)
    contact_id: int = doc("A contact of this case; required for kind visit_photo", default=None)


class ReportSummary(Schema):
    from_: date = Field(alias="from")
    to: date
    station: str | None
    frozen: bool
    figures: dict[str, int]
    text: str


class PeriodQuery(Schema):
    from_: date = Field(alias="from")
    to: date
    station: str = None


class MonthQuery(Schema):
    month: str = doc("YYYY-MM", pattern="^[0-9]{4}-[0-9]{2}$")
    station: str = None
