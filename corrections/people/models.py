from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from corrections.auth.models import Station, User
from corrections.db import Base, TimestampMixin, VersionMixin

SEXES = ("male", "female")
HOUSEHOLD_TYPES = ("urban", "rural", "other")
EDUCATION_LEVELS = ("college", "high_school", "middle_school", "primary_or_less")
EMPLOYMENT_STATES = ("student", "employed", "unemployed")
# Stored flags (multi-select); 未成年 (minor) is derived from the birth date.
FLAGS = ("gang", "repeat_offender", "drugs", "cult", "three_no")


class Person(TimestampMixin, VersionMixin, Base):
    """One file per person, keyed by the resident ID number."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    sex: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date] = mapped_column(Date)
    ethnicity: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    household_address: Mapped[str] = mapped_column(String(200), default="")
    residence_address: Mapped[str] = mapped_column(String(200), default="")
    same_address: Mapped[bool] = mapped_column(Boolean, default=False)
    household_type: Mapped[str | None] = mapped_column(String(16))
    education: Mapped[str | None] = mapped_column(String(32))
    employment: Mapped[str | None] = mapped_column(String(32))
    emergency_contact: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    flag_gang: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_repeat_offender: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_drugs: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_cult: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_three_no: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The station the registering officer chose (informational; scope uses the registrant).
    registered_station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))

    registered_by: Mapped[User] = relationship()
    registered_station: Mapped[Station | None] = relationship()

    @property
    def flags(self) -> list[str]:
        return [f for f in FLAGS if getattr(self, f"flag_{f}")]

    def set_flags(self, flags) -> None:
        for f in FLAGS:
            setattr(self, f"flag_{f}", f in flags)

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def is_minor_on(self, day: date) -> bool:
        return self.age_on(day) < 18
