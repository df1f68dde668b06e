"""The one door through which self check-in raises alerts (docs/domain.md §7.12).

Kinds: ``missed_checkin``, ``checkin_follow_up``, ``outside_area``, ``face_mismatch``.
Each alert names its cause (``checkin:<id>``) so the same situation never raises two.
They are alert records of the alert workflow (docs/domain.md §7.11): the officer sees them
first on "my day", and one still open after its ``due_by`` escalates to the supervisor.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from corrections.alerts.services import raise_alert

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
    (case, kind, cause). Returns how many alerts were new (0 or 1)."""
    if kind not in KINDS:
        raise ValueError(kind)
    alert = raise_alert(case, kind, cause=cause, note=_message(case, kind, note), at=at)
    return 0 if alert is None else 1
