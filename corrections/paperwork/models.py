from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from corrections import clock
from corrections.core.voiding import VoidableMixin
from corrections.db import Base

ATTACHMENT_KINDS = ("judgment", "notice", "signed_document", "visit_photo", "id_card", "other")


class Attachment(VoidableMixin, Base):
    """A file on a person or a case, stored outside the database, never deleted (voided)."""

    __tablename__ = "attachments"
    __table_args__ = (
        Index("ix_attachments_person", "person_id"),
        Index("ix_attachments_case", "programme", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    programme: Mapped[str | None] = mapped_column(String(16))  # correction / resettlement
    case_id: Mapped[int | None] = mapped_column(Integer)
    contact_id: Mapped[int | None] = mapped_column(Integer)  # a visit photo's contact
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))  # path under ATTACHMENT_DIR
    # a phone photo's display copy (upright, scaled down); NULL: the original is shown
    display_key: Mapped[str | None] = mapped_column(String(300))
    display_sha256: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now_utc)


class GeneratedDocument(Base):
    """An official document generated from the records: its number, who made it when, and
    the PDF as made (content-addressed under ATTACHMENT_DIR like attachments).

    Most kinds take ``serial`` from their own per-unit/year/kind sequence. A sanction's
    decision or request carries the sanction's own number (``Sanction.document_number``):
    ``serial`` is NULL (the unique index ignores NULLs) and ``record_id`` names the record.
    """

    __tablename__ = "generated_documents"
    __table_args__ = (
        Index("uq_generated_documents_number", "unit_id", "year", "kind", "serial", unique=True),
        Index("ix_generated_documents_case", "programme", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64))
    programme: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int] = mapped_column(Integer)
    record_id: Mapped[int | None] = mapped_column(Integer)  # the leave / sanction it is made from
    generated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    generated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now_utc)
    # the stored PDF (NULL for documents generated before files were kept)
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    storage_key: Mapped[str | None] = mapped_column(String(300))
