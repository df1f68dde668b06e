"""The check-in figures' records (docs/domain.md §5, §7.12): check-ins counted by their
deadline's date (``due_on``, China time) at the station the case was at on that day.

- ``cc.checkins_requested``: every check-in due in the period;
- ``cc.checkins_submitted``: of those, submitted by the deadline (submitted or reviewed);
- ``cc.checkins_missed``: of those, expired.
"""

from __future__ import annotations

STATUSES = {
    "requested": None,
    "submitted": ("submitted", "reviewed"),
    "missed": ("expired",),
}


def checkin_source(which: str):
    """(start, end) -> the figures' Source of the check-ins counted as ``which``."""
    statuses = STATUSES[which]

    def source(start, end):
        from corrections.checkin.models import Checkin
        from corrections.reports.figures import CC, Source, station_at

        where = [Checkin.due_on.between(start, end)]
        if statuses:
            where.append(Checkin.status.in_(statuses))
        return Source(
            Checkin,
            station_at(Checkin.due_on),
            tuple(where),
            frm=Checkin.__table__.join(CC.__table__, CC.id == Checkin.case_id),
            on=Checkin.due_on,
        )

    return source
