"""Columns and indexes both programmes' tables share: the stored due state of a case
(kept by corrections.core.due; docs/domain.md §3.5) and the indexes of a contacts table."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column


class DueStateMixin:
    """The case's due state as of ``due_computed_on``, stored so that lists, the dashboard and
    the figures need not run the engine (verified nightly against it)."""

    next_due_on: Mapped[date | None] = mapped_column(Date)
    is_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue_days: Mapped[int] = mapped_column(Integer, default=0)
    due_computed_on: Mapped[date | None] = mapped_column(Date)
    # Month ends in [month_ends_from, month_ends_to] on which the case was overdue
    # (ISO dates, space-separated), stored with the due state (engine.overdue_month_ends).
    month_ends_from: Mapped[date | None] = mapped_column(Date)
    month_ends_to: Mapped[date | None] = mapped_column(Date)
    overdue_month_ends: Mapped[str] = mapped_column(String(200), default="", server_default="")


def contact_indexes(table: str) -> tuple[Index, Index]:
    """A contacts table's indexes: by case and day, and one that lets the month figures read
    a month's contacts from the index alone (docs/performance.md)."""
    return (
        Index(f"ix_{table}_case_occurred", "case_id", "occurred_on"),
        Index(
            f"ix_{table}_month_cover",
            "occurred_on",
            "case_id",
            "kind",
            postgresql_where=text("voided_at IS NULL"),
            sqlite_where=text("voided_at IS NULL"),
        ),
    )
