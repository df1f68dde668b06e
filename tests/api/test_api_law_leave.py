"""/api/v1/corrections: leave overlap and the case's suggestions (docs/domain.md §7.3, §7.5).

Today is frozen at 2026-11-25.
"""

from __future__ import annotations

import pytest

from tests.api.test_api_corrections import leave, open_case, snapshot_counts
from tests.helpers import error_of, ok_json, valid_id


@pytest.fixture
def person(county):
    return county.person("off1", valid_id("110101", "19900101", "311"), name="张三", station="S1")


def test_given_leave_when_an_overlapping_one_is_applied_then_422_leave_overlap(county, person, app):
    api = county.api("off1")
    case = open_case(api, person)
    ok_json(leave(api, case["id"], "2026-12-01", "2026-12-07", applied_on="2026-11-20"), 201)
    before = snapshot_counts(app)
    error = error_of(
        leave(api, case["id"], "2026-11-28", "2026-12-01", applied_on="2026-11-20"),
        422,
        "leave_overlap",
    )
    assert "starts_on" in error["fields"] and "2026-12-01" in error["message"]
    assert snapshot_counts(app) == before
    ok_json(leave(api, case["id"], "2026-12-08", "2026-12-08", applied_on="2026-11-20"), 201)


def test_given_strict_case_on_leave_then_due_has_a_remote_report_from_the_leave_start(
    county, person
):
    api = county.api("off1")
    case = open_case(api, person)
    away = ok_json(leave(api, case["id"], "2026-11-20", "2026-11-26", applied_on="2026-11-15"), 201)
    ok_json(
        api.post(
            f"/corrections/{case['id']}/leaves/{away['id']}/decision",
            json={"approved": True, "decided_on": "2026-11-16"},
        )
    )
    due = {d["requirement"]: d for d in ok_json(api.get(f"/corrections/{case['id']}"))["due"]}
    assert due["remote_report"]["due_on"] == "2026-11-27"
    assert due["remote_report"]["paused"] is False
    assert due["face_to_face"]["paused"] is True


def test_given_late_report_then_suggestions_until_a_warning_answers_it(county, person):
    """Judgment 09-28: report deadline 10-08; received 10-21, 13 days late."""
    api = county.api("off1")
    case = open_case(api, person, received_on="2026-10-21")
    got = ok_json(api.get(f"/corrections/{case['id']}"))
    assert [s["kind"] for s in got["suggestions"]] == ["warning"]
    assert all(s["reason"] for s in got["suggestions"])
    ok_json(
        county.api("boss").post(
            f"/corrections/{case['id']}/sanctions",
            json={"kind": "warning", "decided_on": "2026-10-25", "reason": "报到迟延13天"},
        ),
        201,
    )
    assert ok_json(api.get(f"/corrections/{case['id']}"))["suggestions"] == []


def test_given_strict_case_two_months_after_intake_then_level_review_suggestion(county, person):
    api = county.api("off1")
    case = open_case(
        api,
        person,
        judgment_effective_on="2026-08-01",
        term_start="2026-08-01",
        received_on="2026-08-05",
    )  # strict since 08-05: review from 10-05
    got = ok_json(api.get(f"/corrections/{case['id']}"))
    assert {"kind": "level_review", "reason": got["suggestions"][0]["reason"]} in got["suggestions"]
    english = ok_json(api.get(f"/corrections/{case['id']}?lang=en"))
    assert "level" in english["suggestions"][0]["reason"]


def test_openapi_documents_suggestions(county):
    spec = ok_json(county.api("off1").get("/openapi.json"))
    schemas = spec["components"]["schemas"]
    assert schemas["CorrectionCase"]["properties"]["suggestions"]["items"] == {
        "$ref": "#/components/schemas/Suggestion"
    }
    assert "revocation_request" in schemas["Suggestion"]["properties"]["kind"]["enum"]
