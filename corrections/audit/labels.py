"""Readable names for audit events: the action a person took (one name per action, the
words the pages use: 记录联系, not a code; the names are in the label catalogue,
corrections/labels.py), the record it was done to, and who took it (the person's name, not
the login). Used by the audit log and the closed-month change lists."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from corrections.extensions import db
from corrections.labels import label


def action_label(action: str) -> str:
    """The readable name of an action code (the code itself when it has none)."""
    return label("audit_action", action)


def entity_label(entity_type: str) -> str:
    """The readable name of a record type (the type itself when it has none)."""
    return label("audit_entity", entity_type)


def names_by_username(usernames: Iterable[str]) -> dict[str, str]:
    """username -> the person's name (display name, else the login), one query."""
    from corrections.auth.models import User

    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(User.username, User.display_name).where(User.username.in_(wanted))
    ).all()
    return {username: (display or username) for username, display in rows}
