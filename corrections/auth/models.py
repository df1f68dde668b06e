from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from corrections.db import Base, TimestampMixin, VersionMixin

ROLES = ("admin", "supervisor", "officer", "viewer")


class Unit(TimestampMixin, VersionMixin, Base):
    """A county bureau (县司法局 / 县级社区矫正机构)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    stations: Mapped[list[Station]] = relationship(back_populates="unit", order_by="Station.code")


class Station(TimestampMixin, VersionMixin, Base):
    """A township justice office (司法所)."""

    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    unit: Mapped[Unit] = relationship(back_populates="stations")


user_stations = Table(
    "user_stations",
    Base.metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("station_id", Integer, ForeignKey("stations.id"), primary_key=True, index=True),
)


class User(UserMixin, TimestampMixin, VersionMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str | None] = mapped_column(String(200))  # for e-mailed reminders (optional)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped on password change and deactivation so old sessions stop working.
    session_nonce: Mapped[int] = mapped_column(Integer, default=0)

    unit: Mapped[Unit] = relationship()
    stations: Mapped[list[Station]] = relationship(secondary=user_stations, order_by="Station.code")

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in
        return bool(self.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    @property
    def label(self) -> str:
        return self.display_name or self.username

    # Small composable predicates; routes and services ask these, never role strings.
    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def is_officer(self) -> bool:
        return self.role == "officer"

    @property
    def is_viewer(self) -> bool:
        return self.role == "viewer"

    @property
    def can_write(self) -> bool:
        return self.role in ("admin", "supervisor", "officer")

    @property
    def can_decide(self) -> bool:
        """County-level decisions: levels, sanctions, long leave, endings."""
        return self.role in ("admin", "supervisor")

    @property
    def sees_full_id_numbers(self) -> bool:
        return self.role in ("admin", "supervisor")


class ApiToken(TimestampMixin, Base):
    """An API token: only the SHA-256 digest of the secret is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class UserSession(Base):
    """A browser login: the cookie carries a random secret, the table keeps its SHA-256.

    Logging out deletes the row, so a copied cookie stops working; a row also ends after
    SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after the login.
    """

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the secret
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
