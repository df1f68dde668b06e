"""The one source of "today": China local time, overridable in tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
_override: date | None = None


def today() -> date:
    if _override is not None:
        return _override
    return datetime.now(CHINA).date()


def now_utc() -> datetime:
    return datetime.now(UTC)


def set_today(value: date | None) -> None:
    """Freeze (or with ``None`` release) today's date; for tests and the demo loader."""
    global _override
    _override = value
