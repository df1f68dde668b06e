"""Helpers for the 安置帮教 page tests: ID numbers, cases made through the services."""

from __future__ import annotations

from corrections.extensions import db
from corrections.resettlement import services as rs
from tests.helpers import user


def make_rs_case(app, person_id: int, actor: str = "off1", steps=(), **overrides) -> int:
    """A resettlement case (released 2026-10-01 from prison by default), then ``steps``:
    (service name, data) pairs run in order, e.g. ("handover", {...})."""
    data = {
        "person_id": person_id,
        "station": "S1",
        "source": "prison",
        "facility": "省第一监狱",
        "released_on": "2026-10-01",
        "crime": "盗窃罪",
    }
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    with app.app_context():
        case = rs.create_case(user(actor), data)
        for name, payload in steps:
            getattr(rs, name)(user(actor), case, payload)
        db.session.commit()
        return case.id
