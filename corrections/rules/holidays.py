"""The admin-editable holiday table (holidays and 调休 make-up workdays) for years the
`chinese_calendar` package does not cover, and the working-day calendar built from both."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from corrections.audit.services import record, snapshot
from corrections.db import Base, TimestampMixin
from corrections.errors import Forbidden, NotFound, RuleViolation
from corrections.extensions import db
from corrections.rules.workdays import WorkdayCalendar
from corrections.validation import Fields


class HolidayEntry(TimestampMixin, Base):
    """One day whose status differs from the weekday rule: a holiday or a make-up workday."""

    __tablename__ = "holiday_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class HolidayYear(TimestampMixin, Base):
    """A year the admin declares complete: every holiday and make-up day of it is entered."""

    __tablename__ = "holiday_years"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


def calendar() -> WorkdayCalendar:
    entries = db.session.execute(select(HolidayEntry.day, HolidayEntry.is_workday)).all()
    years = db.session.execute(select(HolidayYear.year)).scalars().all()
    return WorkdayCalendar(entries=[(d, w) for d, w in entries], covered_years=years)


def add_entry(actor, data) -> HolidayEntry:
    if not actor.is_admin:
        raise Forbidden(_("只有系统管理员可以维护节假日表。"))
    f = Fields(data)
    day = f.date("day")
    is_workday = f.boolean("is_workday")
    note = f.text("note", limit=100)
    f.raise_if_errors()
    if db.session.execute(select(HolidayEntry.id).where(HolidayEntry.day == day)).first():
        raise RuleViolation(_("%(d)s 已有记录。", d=day.isoformat()), fields={"day": _("已存在")})
    entry = HolidayEntry(day=day, is_workday=is_workday, note=note, created_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    _after_calendar_change()
    record(actor, "holiday.add", "holiday_entry", entry.id, None, snapshot(entry))
    return entry


def remove_entry(actor, entry_id: int) -> None:
    """Take back a mistaken entry; open deadlines are recomputed without it."""
    if not actor.is_admin:
        raise Forbidden(_("只有系统管理员可以维护节假日表。"))
    entry = db.session.get(HolidayEntry, entry_id)
    if entry is None:
        raise NotFound(_("记录不存在。"))
    before = snapshot(entry)
    db.session.delete(entry)
    db.session.flush()
    _after_calendar_change()
    record(actor, "holiday.remove", "holiday_entry", entry_id, before, None)


def declare_year(actor, year: int) -> HolidayYear:
    if not actor.is_admin:
        raise Forbidden(_("只有系统管理员可以维护节假日表。"))
    f = Fields({"year": year})
    value = f.integer("year", minimum=2000, maximum=2200)
    f.raise_if_errors()
    if db.session.execute(select(HolidayYear.id).where(HolidayYear.year == value)).first():
        raise RuleViolation(_("%(y)d年已标记为录入完整。", y=value))
    row = HolidayYear(year=value, created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    _after_calendar_change()
    record(actor, "holiday.declare_year", "holiday_year", row.id, None, snapshot(row))
    return row


def _after_calendar_change() -> None:
    """Deadlines left open (or not moved off a rest day) for want of holiday data are
    filled in as soon as it exists (docs/domain.md §3.2, §7.2)."""
    from corrections.assessments.services import recompute_open_due_dates
    from corrections.supervision.services import recompute_report_deadlines

    recompute_open_due_dates()
    recompute_report_deadlines()
