"""docs/domain.md §7.2 (intake): how a case arrives is fixed, a never-received case may be
terminated, term start rules, age at the judgment, no new case after a recorded death,
one programme at a time. Each refusal: the exact code, the field named, nothing written.

Today is frozen at 2026-11-25.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.extensions import db
from corrections.reports.figures import compute
from corrections.resettlement.models import ResettlementCase
from corrections.supervision.models import CorrectionCase
from tests.helpers import error_of, valid_id
from tests.supervision.webhelpers import form, text

ADULT_ID = valid_id("110101", "19900101", "123")
# Born 2014-11-25: 12 on 2026-11-25, 11 the day before.
CHILD_ID = valid_id("110101", "20141125", "125")
# Born 2008-11-25: 18 on 2026-11-25, 17 the day before.
TEEN_ID = valid_id("110101", "20081125", "127")

CASE = {
    "station": "S1",
    "correction_type": "probation",
    "crime": "盗窃罪",
    "crime_category": "property",
    "judgment_effective_on": "2026-09-28",
    "term_start": "2026-09-28",
    "term_end": "2027-09-27",
    "received_on": "2026-10-01",
}


def body(person_id: int, **overrides) -> dict:
    data = {"person_id": person_id, **CASE, **overrides}
    return {k: v for k, v in data.items() if v is not None}


def counts(app) -> tuple[int, int, int]:
    """Cases of both programmes and audit events about them (tokens and logins aside)."""
    with app.app_context():
        cases = [
            db.session.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (CorrectionCase, ResettlementCase)
        ]
        audited = db.session.execute(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type.in_(("correction_case", "resettlement_case", "person")))
        ).scalar_one()
        return (*cases, audited)


@pytest.fixture
def adult(county):
    return county.person("off1", ADULT_ID, name="张三", station="S1")


def _expected(api, person_id: int, **overrides) -> dict:
    data = body(
        person_id,
        received_on=None,
        notified_on="2026-11-10",
        judgment_effective_on="2026-11-10",
        term_start="2026-11-10",
        term_end="2027-11-09",
        **overrides,
    )
    response = api.post("/corrections", json=data)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


# --------------------------------------------------------------------------- arrival is fixed


@pytest.mark.parametrize(
    ("created_as", "received_as"),
    [("self_report", "transfer_in"), ("transfer_in", "self_report"), ("transfer_in", "escorted")],
)
def test_given_a_case_when_receiving_changes_court_vs_transfer_in_then_422_on_source(
    app, county, adult, created_as, received_as
):
    api = county.api("off1")
    case = _expected(api, adult, source=created_as)
    before = counts(app)
    error = error_of(
        api.post(
            f"/corrections/{case['id']}/receive",
            json={"received_on": "2026-11-20", "source": received_as},
        ),
        422,
        "validation_failed",
    )
    assert "source" in error["fields"]
    assert counts(app) == before
    assert api.get(f"/corrections/{case['id']}").get_json()["status"] == "expected"


def test_given_a_court_case_when_received_escorted_then_the_way_it_came_may_be_stated(
    county, adult
):
    api = county.api("off1")
    case = _expected(api, adult)
    got = api.post(
        f"/corrections/{case['id']}/receive",
        json={"received_on": "2026-11-20", "source": "escorted"},
    )
    assert got.status_code == 200 and got.get_json()["source"] == "escorted"


def test_given_a_transfer_in_case_when_received_as_transfer_in_then_accepted(county, adult):
    api = county.api("off1")
    case = _expected(api, adult, source="transfer_in")
    got = api.post(
        f"/corrections/{case['id']}/receive",
        json={"received_on": "2026-11-17", "source": "transfer_in"},
    )
    assert got.status_code == 200 and got.get_json()["status"] == "active"


def test_page_receive_with_the_other_arrival_is_refused_inline(app, client, county, adult):
    case = _expected(county.api("off1"), adult)
    county.login(client, "off1")
    before = counts(app)
    r = client.post(
        f"/corrections/{case['id']}/receive",
        data=form("receive", received_on="2026-11-20", source="transfer_in"),
    )
    assert r.status_code == 422
    page = text(r)
    assert "不能改为“转入”" in page and 'value="2026-11-20"' in page
    assert counts(app) == before


# --------------------------------------------------------------------------- never received


def test_given_a_never_received_probation_when_revoked_by_a_supervisor_then_terminated(
    app, county, adult
):
    case = _expected(county.api("off1"), adult)
    got = county.api("boss").post(
        f"/corrections/{case['id']}/terminate",
        json={"terminated_on": "2026-11-25", "reason": "probation_revoked"},
    )
    assert got.status_code == 200, got.get_data(as_text=True)
    data = got.get_json()
    assert data["status"] == "terminated" and data["received_on"] is None
    assert data["ended_on"] == "2026-11-25" and data["end_reason"] == "probation_revoked"
    with app.app_context():
        figures = compute(date(2026, 11, 1), date(2026, 11, 30), None).totals
        assert figures["cc.terminated"] == 1
        assert figures["cc.on_register"] == 0
        assert figures["cc.received"] == 0


def test_a_never_received_case_is_never_on_the_register_on_any_day(app, county, adult):
    case = _expected(county.api("off1"), adult)
    county.api("boss").post(
        f"/corrections/{case['id']}/terminate",
        json={"terminated_on": "2026-11-20", "reason": "custody"},
    )
    with app.app_context():
        for day in (date(2026, 11, 10), date(2026, 11, 19), date(2026, 11, 20)):
            assert compute(day, day, None).totals["cc.on_register"] == 0
        assert compute(date(2026, 11, 20), date(2026, 11, 20), None).totals["cc.terminated"] == 1
        assert compute(date(2026, 11, 21), date(2026, 11, 30), None).totals["cc.terminated"] == 0


def test_an_officer_cannot_terminate_a_never_received_case(app, county, adult):
    case = _expected(county.api("off1"), adult)
    before = counts(app)
    got = county.api("off1").post(
        f"/corrections/{case['id']}/terminate",
        json={"terminated_on": "2026-11-25", "reason": "death"},
    )
    assert got.status_code == 403
    assert counts(app) == before


def test_terminating_a_never_received_case_before_its_judgment_is_422(app, county, adult):
    case = _expected(county.api("off1"), adult)
    before = counts(app)
    error = error_of(
        county.api("boss").post(
            f"/corrections/{case['id']}/terminate",
            json={"terminated_on": "2026-11-09", "reason": "death"},
        ),
        422,
        "validation_failed",
    )
    assert "terminated_on" in error["fields"]
    assert counts(app) == before


def test_page_a_supervisor_terminates_a_never_received_case(app, client, county, adult):
    case = _expected(county.api("off1"), adult)
    county.login(client, "boss")
    page = text(client.get(f"/corrections/{case['id']}"))
    assert 'id="terminate-form"' in page
    r = client.post(
        f"/corrections/{case['id']}/terminate",
        data=form("terminate", terminated_on="2026-11-24", reason="death"),
    )
    assert r.status_code == 302
    with app.app_context():
        stored = db.session.get(CorrectionCase, case["id"])
        assert (stored.status, stored.end_reason, stored.received_on) == (
            "terminated",
            "death",
            None,
        )


def test_page_an_officer_sees_no_termination_on_a_never_received_case(client, county, adult):
    case = _expected(county.api("off1"), adult)
    county.login(client, "off1")
    assert 'id="terminate-form"' not in text(client.get(f"/corrections/{case['id']}"))


# --------------------------------------------------------------------------- terms


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        # probation (刑法 §73) and control start on the judgment day, not a day later
        ({"term_start": "2026-09-29", "term_end": "2027-09-28"}, "term_start"),
        (
            {"correction_type": "control", "term_start": "2026-09-27", "term_end": "2027-09-26"},
            "term_start",
        ),
        # no term starts before the judgment
        (
            {"correction_type": "parole", "term_start": "2026-09-27", "term_end": "2027-09-26"},
            "term_start",
        ),
        # the term ends after it starts: the same day is refused
        ({"term_end": "2026-09-28"}, "term_end"),
    ],
)
def test_term_rules_are_422_with_the_field_named(app, county, adult, overrides, field):
    before = counts(app)
    error = error_of(
        county.api("off1").post("/corrections", json=body(adult, **overrides)),
        422,
        "validation_failed",
    )
    assert field in error["fields"]
    assert counts(app) == before


@pytest.mark.parametrize("ctype", ["parole", "temporary_release"])
def test_parole_and_temporary_release_may_start_after_the_judgment(county, adult, ctype):
    extra = {"grounds": "medical"} if ctype == "temporary_release" else {}
    got = county.api("off1").post(
        "/corrections",
        json=body(
            adult,
            correction_type=ctype,
            term_start="2026-09-30",
            term_end="2027-09-29",
            **extra,
        ),
    )
    assert got.status_code == 201, got.get_data(as_text=True)
    assert got.get_json()["term_start"] == "2026-09-30"


def test_probation_starting_on_the_judgment_day_is_accepted(county, adult):
    got = county.api("off1").post("/corrections", json=body(adult))
    assert got.status_code == 201 and got.get_json()["term_start"] == "2026-09-28"


def test_page_intake_term_start_refused_inline_with_typed_values(app, client, county, adult):
    county.login(client, "off1")
    before = counts(app)
    data = {
        "person_mode": "existing",
        "existing_id_number": ADULT_ID,
        **{k: v for k, v in CASE.items()},
        "term_start": "2026-10-05",
        "term_end": "2027-10-04",
        "source": "self_report",
        "level": "strict",
    }
    r = client.post("/corrections/new", data=data)
    assert r.status_code == 422
    page = text(r)
    assert "起日应为 2026-09-28" in page and 'value="2026-10-05"' in page
    assert counts(app) == before


# --------------------------------------------------------------------------- age


def test_under_twelve_at_the_judgment_is_refused(app, county):
    child = county.person("off1", CHILD_ID, name="王小", station="S1")
    before = counts(app)
    error = error_of(
        county.api("off1").post(
            "/corrections",
            json=body(
                child,
                judgment_effective_on="2026-11-24",
                term_start="2026-11-24",
                term_end="2027-11-23",
                received_on="2026-11-25",
            ),
        ),
        422,
        "validation_failed",
    )
    assert "未满12周岁" in error["fields"]["judgment_effective_on"]
    assert counts(app) == before


def test_twelve_on_the_judgment_day_itself_is_accepted_as_a_minors_case(county):
    child = county.person("off1", CHILD_ID, name="王小", station="S1")
    got = county.api("off1").post(
        "/corrections",
        json=body(
            child,
            judgment_effective_on="2026-11-25",
            term_start="2026-11-25",
            term_end="2027-11-24",
            received_on="2026-11-25",
        ),
    )
    assert got.status_code == 201, got.get_data(as_text=True)
    assert got.get_json()["minor"] is True


@pytest.mark.parametrize(("judged", "minor"), [("2026-11-24", True), ("2026-11-25", False)])
def test_minor_is_the_age_at_the_judgment_the_eighteenth_birthday_is_adult(county, judged, minor):
    teen = county.person("off1", TEEN_ID, name="赵青", station="S1")
    got = county.api("off1").post(
        "/corrections",
        json=body(
            teen,
            judgment_effective_on=judged,
            term_start=judged,
            term_end="2027-11-24",
            received_on="2026-11-25",
        ),
    )
    assert got.status_code == 201, got.get_data(as_text=True)
    assert got.get_json()["minor"] is minor


def test_page_intake_under_twelve_is_refused_inline(app, client, county):
    county.person("off1", CHILD_ID, name="王小", station="S1")
    county.login(client, "off1")
    before = counts(app)
    data = {
        "person_mode": "existing",
        "existing_id_number": CHILD_ID,
        **CASE,
        "judgment_effective_on": "2026-11-24",
        "term_start": "2026-11-24",
        "term_end": "2027-11-23",
        "received_on": "2026-11-25",
        "source": "self_report",
        "level": "strict",
    }
    r = client.post("/corrections/new", data=data)
    assert r.status_code == 422
    page = text(r)
    assert "未满12周岁" in page and 'value="2027-11-23"' in page
    assert counts(app) == before


# --------------------------------------------------------------------------- recorded death


def test_after_a_correction_case_terminated_for_death_no_new_case(app, county, adult):
    api = county.api("off1")
    case = _expected(api, adult, correction_type="control")
    county.api("boss").post(
        f"/corrections/{case['id']}/terminate",
        json={"terminated_on": "2026-11-20", "reason": "death"},
    )
    before = counts(app)
    error = error_of(api.post("/corrections", json=body(adult)), 422, "person_deceased")
    assert "person_id" in error["fields"]
    error_of(api.post("/resettlements", json=_rs_body(adult)), 422, "person_deceased")
    assert counts(app) == before


def test_a_case_terminated_for_another_reason_does_not_block(county, adult):
    api = county.api("off1")
    case = _expected(api, adult)
    county.api("boss").post(
        f"/corrections/{case['id']}/terminate",
        json={"terminated_on": "2026-11-20", "reason": "probation_revoked"},
    )
    assert api.post("/corrections", json=body(adult)).status_code == 201


def _rs_body(person_id: int, **overrides) -> dict:
    data = {
        "person_id": person_id,
        "station": "S1",
        "source": "prison",
        "facility": "省第一监狱",
        "crime": "盗窃罪",
        "released_on": "2026-10-01",
    }
    data.update(overrides)
    return data


def test_after_a_resettlement_case_ended_for_death_no_new_case(app, county, adult):
    api = county.api("off1")
    rs = api.post("/resettlements", json=_rs_body(adult)).get_json()
    ended = api.post(
        f"/resettlements/{rs['id']}/end", json={"ended_on": "2026-11-01", "reason": "death"}
    )
    assert ended.status_code == 200, ended.get_data(as_text=True)
    before = counts(app)
    error_of(api.post("/corrections", json=body(adult)), 422, "person_deceased")
    error_of(api.post("/resettlements", json=_rs_body(adult)), 422, "person_deceased")
    assert counts(app) == before


def test_page_intake_for_a_dead_person_is_refused_inline(app, client, county, adult):
    api = county.api("off1")
    rs = api.post("/resettlements", json=_rs_body(adult)).get_json()
    api.post(f"/resettlements/{rs['id']}/end", json={"ended_on": "2026-11-01", "reason": "death"})
    county.login(client, "off1")
    before = counts(app)
    data = {
        "person_mode": "existing",
        "existing_id_number": ADULT_ID,
        **CASE,
        "source": "self_report",
        "level": "strict",
    }
    r = client.post("/corrections/new", data=data)
    assert r.status_code == 422
    page = text(r)
    assert "已死亡" in page and 'value="2027-09-27"' in page
    assert counts(app) == before


# --------------------------------------------------------------------------- one programme


def test_enrolling_a_person_under_correction_in_resettlement_is_409(app, county, adult):
    api = county.api("off1")
    case = api.post("/corrections", json=body(adult)).get_json()
    before = counts(app)
    error = error_of(api.post("/resettlements", json=_rs_body(adult)), 409, "active_correction")
    assert error.get("existing_id") == case["id"]
    assert counts(app) == before


def test_an_expected_correction_case_also_blocks_resettlement(app, county, adult):
    api = county.api("off1")
    _expected(api, adult)
    error_of(api.post("/resettlements", json=_rs_body(adult)), 409, "active_correction")


def test_the_one_step_move_at_release_still_works(app, county, adult):
    api = county.api("off1")
    case = api.post("/corrections", json=body(adult)).get_json()
    released = county.api("boss").post(
        f"/corrections/{case['id']}/release",
        json={"released_on": "2026-11-25", "reason": "pardon"},
    )
    assert released.status_code == 200, released.get_data(as_text=True)
    from corrections.resettlement.services import from_correction
    from tests.helpers import user

    with app.app_context():
        moved = from_correction(user("off1"), db.session.get(CorrectionCase, case["id"]), {})
        db.session.commit()
        assert moved.correction_case_id == case["id"]


def test_a_new_correction_case_with_an_open_resettlement_case_is_409(app, county, adult):
    api = county.api("off1")
    rs = api.post("/resettlements", json=_rs_body(adult)).get_json()
    before = counts(app)
    error = error_of(api.post("/corrections", json=body(adult)), 409, "active_resettlement")
    assert error.get("existing_id") == rs["id"]
    assert counts(app) == before
    # the one action that resolves it: end the resettlement case as reoffended
    ended = api.post(
        f"/resettlements/{rs['id']}/end", json={"ended_on": "2026-11-10", "reason": "reoffended"}
    )
    assert ended.status_code == 200, ended.get_data(as_text=True)
    again = body(
        adult, judgment_effective_on="2026-11-10", term_start="2026-11-10", received_on=None
    )
    assert api.post("/corrections", json=again).status_code == 201


def test_page_resettlement_intake_for_a_person_under_correction_is_refused(
    app, client, county, adult
):
    county.api("off1").post("/corrections", json=body(adult))
    county.login(client, "off1")
    before = counts(app)
    r = client.post(
        "/resettlement/new",
        data={
            "person_mode": "existing",
            "existing_id_number": ADULT_ID,
            "station": "S1",
            "source": "prison",
            "facility": "省第一监狱",
            "released_on": "2026-10-01",
        },
    )
    assert r.status_code == 409
    page = text(r)
    assert 'id="active-correction"' in page and 'value="省第一监狱"' in page
    assert counts(app) == before


def test_page_correction_intake_offers_ending_the_resettlement_case(app, client, county, adult):
    rs = county.api("off1").post("/resettlements", json=_rs_body(adult)).get_json()
    county.login(client, "off1")
    before = counts(app)
    data = {
        "person_mode": "existing",
        "existing_id_number": ADULT_ID,
        **CASE,
        "source": "self_report",
        "level": "strict",
    }
    r = client.post("/corrections/new", data=data)
    assert r.status_code == 409
    page = text(r)
    assert 'id="active-resettlement"' in page and 'id="end-resettlement-link"' in page
    assert f"/resettlement/{rs['id']}?end=reoffended#end" in page
    assert 'value="2027-09-27"' in page  # typed values kept
    assert counts(app) == before
    # the offered action opens the end form with the reason filled in
    offered = text(client.get(f"/resettlement/{rs['id']}?end=reoffended"))
    assert 'id="end-form"' in offered
    assert '<option selected value="reoffended">' in offered


# --------------------------------------------------------------------------- terms, edited


def _details(client, case_id: int, app, **fields):
    with app.app_context():
        version = db.session.get(CorrectionCase, case_id).version
    return client.post(
        f"/corrections/{case_id}/details", data=form("details", version=str(version), **fields)
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"term_start": "2026-09-29"}, "term_start", "起日应为 2026-09-28"),
        ({"term_end": "2026-09-28"}, "term_end", "止日应晚于起日"),
        ({"term_end": "2026-09-27"}, "term_end", "止日应晚于起日"),
    ],
)
def test_editing_the_term_is_checked_as_at_intake(
    app, client, county, adult, fields, field, message
):
    case = county.api("off1").post("/corrections", json=body(adult)).get_json()
    county.login(client, "off1")
    before = counts(app)
    r = _details(client, case["id"], app, crime="盗窃罪", **fields)
    assert r.status_code == 422
    page = text(r)
    assert message in page
    assert f'value="{next(iter(fields.values()))}"' in page  # typed value kept
    assert counts(app) == before
    with app.app_context():
        stored = db.session.get(CorrectionCase, case["id"])
        assert (stored.term_start.isoformat(), stored.term_end.isoformat()) == (
            "2026-09-28",
            "2027-09-27",
        )


def test_editing_the_term_end_of_a_parole_case_is_saved(app, client, county, adult):
    case = (
        county.api("off1")
        .post(
            "/corrections",
            json=body(
                adult, correction_type="parole", term_start="2026-09-30", term_end="2027-09-29"
            ),
        )
        .get_json()
    )
    county.login(client, "off1")
    r = _details(client, case["id"], app, term_start="2026-09-28", term_end="2027-12-31")
    assert r.status_code == 302
    with app.app_context():
        stored = db.session.get(CorrectionCase, case["id"])
        assert (stored.term_start.isoformat(), stored.term_end.isoformat()) == (
            "2026-09-28",
            "2027-12-31",
        )
    # a parole term may not start before the judgment, even when edited
    r = _details(client, case["id"], app, term_start="2026-09-27")
    assert r.status_code == 422 and "不能早于判决" in text(r)
