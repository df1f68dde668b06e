"""/api/v1/assessments: 调查评估 (docs/api.md: Pre-sentence investigations; docs/domain.md §3.2).

Today is frozen at 2026-11-25 (a Wednesday).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from corrections import clock
from corrections.assessments.models import Assessment, AssessmentExtension
from corrections.audit.models import AuditEvent
from corrections.extensions import db
from tests.helpers import error_of, ok_json, valid_id


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def counts(app) -> dict:
    return {m.__name__: count(app, m) for m in (Assessment, AssessmentExtension, AuditEvent)}


BODY = {
    "station": "S1",
    "name": "赵六",
    "commissioned_by": "court",
    "received_on": "2023-09-28",
}


def register(api, **overrides) -> dict:
    data = {k: v for k, v in {**BODY, **overrides}.items() if v is not None}
    return ok_json(api.post("/assessments", json=data), 201)


def ids(page: dict) -> list[int]:
    return [item["id"] for item in page["items"]]


# --------------------------------------------------------------------------- register, read


def test_register_national_day_example_and_shape(county, app):
    api = county.api("off1")
    before = count(app, AuditEvent)
    a = register(api, commissioning_body="某县人民法院", crime="危险驾驶罪")
    assert isinstance(a["id"], int) and isinstance(a["version"], int)
    assert a["station"] == "S1" and a["name"] == "赵六"
    assert a["commissioned_by"] == "court" and a["commissioning_body"] == "某县人民法院"
    assert a["received_on"] == "2023-09-28" and a["fast_track"] is False
    # Thursday 2023-09-28: 09-29..10-06 are holidays, 10-07 and 10-08 make-up workdays.
    assert a["due_on"] == "2023-10-18" and a["due_note"] is None
    assert a["status"] == "open" and a["completed_on"] is None and a["opinion"] is None
    assert a["extensions"] == []
    assert a["id_number"] is None and a["person_id"] is None
    assert a["overdue"] is True and a["days_left"] == (date(2023, 10, 18) - date(2026, 11, 25)).days
    assert count(app, AuditEvent) == before + 1
    assert ok_json(api.get(f"/assessments/{a['id']}")) == a


def test_fast_track_is_five_working_days(county):
    a = register(county.api("off1"), received_on="2026-11-20", fast_track=True)  # a Friday
    assert a["due_on"] == "2026-11-27" and a["fast_track"] is True
    assert a["days_left"] == 2 and a["overdue"] is False


def test_uncovered_year_gives_null_due_on_and_a_note(county):
    clock.set_today(date(2030, 1, 10))
    a = register(county.api("off1"), received_on="2030-01-07")
    assert a["due_on"] is None
    assert a["due_note"] and "2030" in a["due_note"]
    assert a["days_left"] is None and a["overdue"] is False


def test_id_number_links_a_registered_person(county):
    number = valid_id("110101", "19900101", "123")
    person = county.person("off1", number, name="赵六", station="S1")
    a = register(county.api("off1"), id_number=number)
    assert a["id_number"] == number and a["person_id"] == person
    b = register(county.api("off1"), id_number=valid_id("110101", "19800101", "555"))
    assert b["person_id"] is None


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"station": None}, "station"),
        ({"station": "S2"}, "station"),  # not off1's station
        ({"station": "NOPE"}, "station"),
        ({"name": None}, "name"),
        ({"name": "名" * 101}, "name"),
        ({"commissioned_by": "mayor"}, "commissioned_by"),
        ({"received_on": None}, "received_on"),
        ({"received_on": "2023-02-30"}, "received_on"),
        ({"received_on": "2026-11-26"}, "received_on"),  # after today
        ({"fast_track": "yes"}, "fast_track"),
        ({"id_number": "110101199001011234"}, "id_number"),  # bad check digit
    ],
)
def test_register_refusals_write_nothing(county, app, overrides, field):
    api = county.api("off1")
    before = counts(app)
    data = {k: v for k, v in {**BODY, **overrides}.items() if v is not None}
    error = error_of(api.post("/assessments", json=data), 422)
    assert field in error["fields"]
    assert counts(app) == before


# --------------------------------------------------------------------------- extend, complete


def test_extend_in_working_days_and_stale_version(county, app):
    api = county.api("off1")
    a = register(api, received_on="2026-11-11")
    assert a["due_on"] == "2026-11-25" and a["days_left"] == 0 and a["overdue"] is False
    b = ok_json(
        api.post(
            f"/assessments/{a['id']}/extend",
            json={"working_days": 5, "reason": "需补充走访", "version": a["version"]},
        )
    )
    assert b["due_on"] == "2026-12-02" and b["version"] > a["version"]
    assert b["extensions"] == [
        {"working_days": 5, "reason": "需补充走访", "extended_on": "2026-11-25"}
    ]
    before = counts(app)
    error_of(
        api.post(
            f"/assessments/{a['id']}/extend",
            json={"working_days": 2, "reason": "再延", "version": a["version"]},
        ),
        409,
        "stale_version",
    )
    assert counts(app) == before
    for bad in ({"working_days": 0, "reason": "x"}, {"working_days": 3}, {"reason": "x"}):
        error_of(api.post(f"/assessments/{a['id']}/extend", json=bad), 422)
    # 422 answers before 409 when both apply.
    error_of(
        api.post(
            f"/assessments/{a['id']}/extend",
            json={"working_days": 0, "reason": "x", "version": a["version"]},
        ),
        422,
    )
    assert counts(app) == before
    assert ok_json(api.get(f"/assessments/{a['id']}"))["due_on"] == "2026-12-02"


def test_complete_then_no_more_changes(county, app):
    api = county.api("off1")
    a = register(api, received_on="2026-11-11")
    for bad, field in (
        ({"completed_on": "2026-11-20", "opinion": "maybe"}, "opinion"),
        ({"completed_on": "2026-11-10", "opinion": "suitable"}, "completed_on"),
        ({"completed_on": "2026-11-26", "opinion": "suitable"}, "completed_on"),
        ({"opinion": "suitable"}, "completed_on"),
    ):
        assert (
            field in error_of(api.post(f"/assessments/{a['id']}/complete", json=bad), 422)["fields"]
        )
    done = ok_json(
        api.post(
            f"/assessments/{a['id']}/complete",
            json={"completed_on": "2026-11-20", "opinion": "suitable", "opinion_note": "建议适用"},
        )
    )
    assert done["status"] == "completed" and done["completed_on"] == "2026-11-20"
    assert done["opinion"] == "suitable" and done["opinion_note"] == "建议适用"
    assert done["days_left"] is None and done["overdue"] is False
    before = counts(app)
    error_of(
        api.post(
            f"/assessments/{a['id']}/complete",
            json={"completed_on": "2026-11-21", "opinion": "unsuitable"},
        ),
        422,
        "completed",
    )
    error_of(
        api.post(f"/assessments/{a['id']}/extend", json={"working_days": 2, "reason": "x"}),
        422,
        "completed",
    )
    assert counts(app) == before


# --------------------------------------------------------------------------- lists


@pytest.fixture
def three(county):
    """Overdue (due in October), due on 2026-12-04, and completed."""
    api = county.api("off1")
    late = register(api, received_on="2026-10-09")
    soon = register(api, received_on="2026-11-20")  # Fri → 10 working days: 2026-12-04
    done = register(api, received_on="2026-11-02")
    api.post(
        f"/assessments/{done['id']}/complete",
        json={"completed_on": "2026-11-10", "opinion": "unsuitable"},
    )
    assert soon["due_on"] == "2026-12-04" and late["due_on"] < "2026-11-25"
    return late, soon, done


def test_list_open_first_and_filters(county, three):
    late, soon, done = three
    api = county.api("off1")
    page = ok_json(api.get("/assessments"))
    assert ids(page) == [late["id"], soon["id"], done["id"]]
    assert page["total"] == 3 and page["page"] == 1 and page["per_page"] >= 3
    assert ids(ok_json(api.get("/assessments?status=completed"))) == [done["id"]]
    assert ids(ok_json(api.get("/assessments?status=open"))) == [late["id"], soon["id"]]
    assert ids(ok_json(api.get("/assessments?station=S1"))) == ids(page)
    second = ok_json(api.get("/assessments?per_page=1&page=2"))
    assert ids(second) == [soon["id"]] and second["total"] == 3 and second["per_page"] == 1
    error_of(api.get("/assessments?status=late"), 422)
    error_of(api.get("/assessments?station=S2"), 422)  # not off1's station
    error_of(api.get("/assessments?page=0"), 422)


def test_overdue_on_lists_open_ones_due_before_that_date(county, three):
    late, soon, _done = three
    api = county.api("off1")
    page = ok_json(api.get("/assessments?overdue_on=2026-11-25"))
    assert ids(page) == [late["id"]] and page["total"] == 1
    expected = (date(2026, 11, 25) - date.fromisoformat(late["due_on"])).days
    assert page["items"][0]["days_overdue"] == expected
    # due_on itself is not overdue; the day after is.
    assert ids(ok_json(api.get("/assessments?overdue_on=2026-12-04"))) == [late["id"]]
    assert ids(ok_json(api.get("/assessments?overdue_on=2026-12-05"))) == [late["id"], soon["id"]]
    assert ids(ok_json(api.get("/assessments?overdue_on=2026-10-01"))) == []
    error_of(api.get("/assessments?overdue_on=2026-13-01"), 422)


def test_open_without_due_date_is_never_listed_as_overdue(county):
    clock.set_today(date(2030, 1, 10))
    api = county.api("off1")
    a = register(api, received_on="2030-01-07")
    assert ids(ok_json(api.get("/assessments?overdue_on=2031-01-01"))) == []
    assert ids(ok_json(api.get("/assessments"))) == [a["id"]]


# --------------------------------------------------------------------------- roles and scope


def test_roles_and_scope(county, app, three):
    late, _soon, _done = three
    path = f"/assessments/{late['id']}"
    viewer = county.api("viewer")
    assert ok_json(viewer.get(path))["id"] == late["id"]
    assert len(ok_json(viewer.get("/assessments"))["items"]) == 3
    outsiders = [county.api(name) for name in ("off2", "far", "farboss")]  # tokens are audited
    before = counts(app)
    # Viewers write nothing: 403 before the body (400) and before the record (404).
    error_of(viewer.post("/assessments", json=BODY), 403)
    error_of(viewer.post("/assessments", data="nope", content_type="text/plain"), 403)
    error_of(viewer.post(f"{path}/extend", json={"working_days": 1, "reason": "x"}), 403)
    error_of(viewer.post("/assessments/999999/complete", json={}), 403)
    # Out of scope looks missing, before the body is read.
    for api in outsiders:
        error_of(api.get(path), 404)
        error_of(api.post(f"{path}/extend", json={"working_days": 1, "reason": "x"}), 404)
        error_of(api.post(f"{path}/complete", data="nope", content_type="text/plain"), 404)
        assert ok_json(api.get("/assessments"))["total"] == 0
    assert counts(app) == before
    boss = county.api("boss")
    assert ok_json(boss.get(path))["id"] == late["id"]
    ok_json(boss.post(f"{path}/extend", json={"working_days": 1, "reason": "县局同意"}))
    ok_json(county.api("both").get(path))
    error_of(county.api("off1").get("/assessments/999999"), 404)


def test_bad_body_and_no_token(county, app, client):
    api = county.api("off1")
    a = register(api)
    before = counts(app)
    error_of(api.post("/assessments", data="{not json", content_type="application/json"), 400)
    error_of(api.post("/assessments", data="x", content_type="text/plain"), 400, "bad_request")
    error_of(api.post(f"/assessments/{a['id']}/extend", data="x"), 400)
    error_of(api.post("/assessments", json=["a", "list"]), 422)
    assert counts(app) == before
    error_of(client.get("/api/v1/assessments"), 401)
    error_of(client.post("/api/v1/assessments", json=BODY), 401)
