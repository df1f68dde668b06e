"""Rule tables: effective-dated rows, seeded from docs/domain.md defaults, editable by admins."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from corrections.db import Base, TimestampMixin, VersionMixin
from corrections.rules import engine


class ContactRuleRow(TimestampMixin, VersionMixin, Base):
    """ "At least one of ``satisfied_by`` every ``every_days`` days" (docs/domain.md §3.5, §4)."""

    __tablename__ = "contact_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme: Mapped[str] = mapped_column(String(16))
    requirement: Mapped[str] = mapped_column(String(32))
    level: Mapped[str | None] = mapped_column(String(16))
    correction_type: Mapped[str | None] = mapped_column(String(32))
    is_key: Mapped[bool | None] = mapped_column(Boolean)
    satisfied_by: Mapped[str] = mapped_column(String(200))  # comma-separated contact kinds
    every_days: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def to_engine(self) -> engine.ContactRule:
        return engine.ContactRule(
            id=self.id,
            programme=self.programme,
            requirement=self.requirement,
            level=self.level,
            correction_type=self.correction_type,
            is_key=self.is_key,
            satisfied_by=frozenset(k for k in self.satisfied_by.split(",") if k),
            every_days=self.every_days,
            effective_from=self.effective_from,
        )


class DeadlineRuleRow(TimestampMixin, VersionMixin, Base):
    """A deadline, limit, monthly target or period (key → integer value), effective-dated."""

    __tablename__ = "deadline_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    value: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


def default_contact_rule_rows() -> list[dict]:
    return [
        {
            "programme": r.programme,
            "requirement": r.requirement,
            "level": r.level,
            "correction_type": r.correction_type,
            "is_key": r.is_key,
            "satisfied_by": ",".join(sorted(r.satisfied_by)),
            "every_days": r.every_days,
            "effective_from": r.effective_from,
        }
        for r in engine.default_contact_rules()
    ]


def default_deadline_rows() -> list[dict]:
    return [
        {"key": k, "value": v, "effective_from": engine.DEFAULT_EFFECTIVE_FROM}
        for k, v in engine.default_deadlines().items()
    ]


def seed_rule_tables() -> None:
    """Insert the default rows when a table is empty (tests; migrations do the same)."""
    from corrections.extensions import db

    if db.session.execute(select(ContactRuleRow.id).limit(1)).first() is None:
        db.session.add_all(ContactRuleRow(**row) for row in default_contact_rule_rows())
    if db.session.execute(select(DeadlineRuleRow.id).limit(1)).first() is None:
        db.session.add_all(DeadlineRuleRow(**row) for row in default_deadline_rows())
    db.session.flush()
