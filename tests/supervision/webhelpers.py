"""Helpers for the 社区矫正 page tests: prefixed form posts, counts, case setup."""

from __future__ import annotations

from sqlalchemy import func, select

from corrections.extensions import db
from tests.helpers import open_case


def form(prefix: str | None, **fields) -> dict:
    """Form data as the case page posts it (fields carry the form's prefix)."""
    out = {}
    for key, value in fields.items():
        if value is True:
            value = "y"
        elif value is False or value is None:
            continue
        out[f"{prefix}-{key}" if prefix else key] = value
    return out


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count()).select_from(model).where(*where)
        ).scalar_one()


def get(app, model, record_id):
    with app.app_context():
        obj = db.session.get(model, record_id)
        db.session.expunge(obj)
        return obj


def make_case(app, person_id: int, actor: str = "off1", **overrides) -> int:
    with app.app_context():
        return open_case(person_id, actor, **overrides).id


def text(response) -> str:
    return response.get_data(as_text=True)
