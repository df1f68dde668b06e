"""Appending to a case is not an edit of the case: concurrent contacts all succeed, while a
stale edit of the case itself still gets 409 (a real server, requests in parallel threads)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from corrections.extensions import db
from corrections.supervision.models import Contact, CorrectionCase
from tests.helpers import MALE_ID, open_case
from tests.security.live import call, live_server


def test_ten_parallel_contacts_to_one_case_all_succeed(app, county, world):
    """Given a received case, when ten officers' contacts (days 11-12 … 11-21) are posted at
    once, then all ten are 201, all ten are stored, and the stored due state counts the
    latest of them (each refresh read the others' committed contacts)."""
    person_id = world.person("off1", MALE_ID, name="张三", station="S1")
    with app.app_context():
        case_id = open_case(person_id).id
        version = db.session.get(CorrectionCase, case_id).version
    token = world.token("off1")
    days = [f"2026-11-{d:02d}" for d in range(12, 22)]
    with live_server(app) as base:
        url = f"{base}/api/v1/corrections/{case_id}/contacts"

        def post(day):
            return call(
                url, "POST", token, {"kind": "report_in_person", "occurred_on": day, "note": day}
            )

        with ThreadPoolExecutor(max_workers=10) as pool:
            results = list(pool.map(post, days))
    assert [status for status, _body in results] == [201] * 10, results
    with app.app_context():
        assert db.session.scalar(select(func.count(Contact.id))) == 10
        case = db.session.get(CorrectionCase, case_id)
        assert case.version == version  # appends are not edits of the case
        from corrections.supervision import services

        stored = case.next_due_on
        services.refresh_due_state(case)
        assert case.next_due_on == stored  # what is stored is what the rules say now
        db.session.rollback()


def test_a_stale_edit_of_the_case_is_still_409_after_concurrent_contacts(app, county, world):
    """Given a case read at version v, when contacts are appended and then an edit of the case
    is sent with version v - 1, then the edit is 409 stale_version and the one with v is 200."""
    person_id = world.person("off1", MALE_ID, name="张三", station="S1")
    with app.app_context():
        case_id = open_case(person_id, received_on=None, notified_on="2026-01-06").id
        version = db.session.get(CorrectionCase, case_id).version
    token = world.token("off1")
    with live_server(app) as base:
        stale = call(
            f"{base}/api/v1/corrections/{case_id}/receive",
            "POST",
            token,
            {"received_on": "2026-01-10", "version": version - 1},
        )
        fresh = call(
            f"{base}/api/v1/corrections/{case_id}/receive",
            "POST",
            token,
            {"received_on": "2026-01-10", "version": version},
        )
    assert stale[0] == 409 and stale[1]["error"]["code"] == "stale_version", stale
    assert fresh[0] == 200, fresh
    assert fresh[1]["version"] > version
