"""API conformance: every timestamp carries its zone, the OpenAPI says what is cut or
ignored, 405 answers carry ``Allow``."""

from __future__ import annotations

import re
from datetime import datetime

from corrections.extensions import db
from corrections.reminders.models import Notification
from tests.helpers import user

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def test_notification_timestamps_carry_their_zone(app, county):
    """Given a notification created and read, when the inbox is listed, then created_at and
    read_at are ISO 8601 in UTC with Z, and parse back to the stored moments."""
    with app.app_context():
        note = Notification(
            user_id=user("off1").id, key="k1", kind="overdue", programme="correction",
            message="逾期", created_at=datetime(2026, 11, 24, 16, 30),
        )  # fmt: skip
        db.session.add(note)
        db.session.commit()
        note_id = note.id
    api = county.api("off1")
    assert api.post(f"/notifications/{note_id}/read", json={}).status_code == 200
    items = api.get("/notifications?status=all").get_json()["items"]
    assert items, items
    item = items[0]
    assert STAMP.match(item["created_at"]), item
    assert STAMP.match(item["read_at"]), item
    created = datetime.fromisoformat(item["created_at"].replace("Z", "+00:00"))
    assert created.utcoffset().total_seconds() == 0
    assert created.replace(tzinfo=None) == datetime(2026, 11, 24, 16, 30)


def test_the_openapi_says_per_page_is_cut_and_unknown_parameters_ignored(client, county):
    spec = client.get("/api/v1/openapi.json").get_json()
    description = spec["info"]["description"]
    assert "cut to 500" in description and "ignored" in description
    assert "UTC" in description and "Z" in description
    per_page = next(
        p for p in spec["paths"]["/people"]["get"]["parameters"] if p["name"] == "per_page"
    )
    assert "cut to 500" in per_page["description"]
    # and it is so: 501 answers 500 per page; an unknown parameter changes nothing
    api = county.api("admin")
    assert api.get("/people?per_page=501").get_json()["per_page"] == 500
    assert api.get("/people?colour=blue").status_code == 200


def test_405_carries_allow_on_every_api_path(client, county):
    """Given every path of the OpenAPI, when it is sent a method it does not list, then the
    answer is 405 with Allow naming at least the listed methods."""
    api = county.api("admin")
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        listed = {m.upper() for m in operations}
        if "DELETE" in listed:
            continue
        response = api.client.delete("/api/v1" + concrete, headers=api.headers)
        assert response.status_code == 405, (path, response.status_code)
        assert listed <= set(response.headers["Allow"].split(", ")), path
        assert response.get_json()["error"]["code"] == "method_not_allowed"
