"""The one door through which self check-in raises alerts (docs/domain.md §7.9).

Kinds: ``missed_checkin``, ``checkin_follow_up``, ``outside_area``, ``face_mismatch``.
Each alert names its cause (``checkin:<id>``) so the same situation never raises two.
Here the alert is a notification to the case's officer (or the station's officers when
the case has none); the alert workflow takes these over where it exists.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from corrections import clock
from corrections.reminders.services import Recipients, notify

KINDS = ("missed_checkin", "checkin_follow_up", "outside_area", "face_mismatch")


def _message(case, kind: str, note: str | None) -> str:
    name = case.person.name
    text = {
        "missed_checkin": _("%(n)s 未在期限内完成自助报到。", n=name),
        "checkin_follow_up": _("%(n)s 的自助报到需要跟进核查。", n=name),
        "outside_area": _("%(n)s 自助报到的位置在允许范围之外。", n=name),
        "face_mismatch": _("%(n)s 自助报到照片与基准照片比对不一致（仅供参考）。", n=name),
    }[kind]
    return f"{text} {note}" if note else text


def signal(case, kind: str, *, cause: str, note: str | None = None, at: datetime | None = None):
    """Raise the alert ``kind`` for ``case`` caused by ``cause``; idempotent per
    (case, kind, cause). Returns how many notifications were new."""
    if kind not in KINDS:
        raise ValueError(kind)
    at = at or clock.now_utc()
    users = Recipients().for_case(case.station_id, case.officer_id, escalate=False)
    return notify(
        users,
        key=f"alert:{kind}:{case.id}:{cause}"[:120],
        kind=kind,
        programme="correction",
        case_id=case.id,
        due_on=at.astimezone(clock.CHINA).date(),
        message=_message(case, kind, note)[:500],
    )
