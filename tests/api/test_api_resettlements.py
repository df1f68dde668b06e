"""/api/v1/resettlements: 安置帮教 cases (docs/api.md: Resettlement cases; docs/domain.md §4).

Today is frozen at 2026-11-25. Visits: every 30 days for key people, 90 for others,
counted from the handover, met by field_visit or report_in_person.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.extensions import db
from corrections.resettlement.models import (
    Assistance,
    KeyStatusChange,
    ResettlementCase,
    ResettlementContact,
)
from tests import helpers as sv
from tests.helpers import error_of, ok_json, valid_id

PERSON_ID = valid_id("110101", "19900101", "123")


def count(app, model) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def counts(app) -> dict:
    models = (ResettlementCase, KeyStatusChange, ResettlementContact, Assistance, AuditEvent)
    return {m.__name__: count(app, m) for m in models}


def body(person_id: int, **overrides) -> dict:
    data = {
        "person_id": person_id,
        "station": "S1",
        "source": "prison",
        "facility": "省第一监狱",
        "crime": "盗窃罪",
        "released_on": "2026-10-01",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def create(api, person_id: int, **overrides) -> dict:
    return ok_json(api.post("/resettlements", json=body(person_id, **overrides)), 201)


def ids(page: dict) -> list[int]:
    return [item["id"] for item in page["items"]]


_serial = iter(range(200, 999))


def new_person(county, station: str = "S1", actor: str = "off1", name: str = "张三") -> int:
    return county.person(
        actor, valid_id("110101", "19800101", f"{next(_serial):03d}"), name=name, station=station
    )


@pytest.fixture
def person(county):
    return county.person("off1", PERSON_ID, name="张三", station="S1")


def closed_correction(app, person_id: int, correction_type: str, how: str = "release") -> int:
    """A correction case of the person, received in January and ended on 2026-11-01."""
    from corrections.supervision import services

    with app.app_context():
        case = sv.open_case(person_id, correction_type=correction_type, term_end="2026-11-01")
        if how == "release":
            services.release_case(
                sv.user("boss"), case, {"released_on": "2026-11-01", "reason": "expiry"}
            )
        else:
            services.terminate_case(
                sv.user("boss"), case, {"terminated_on": "2026-11-01", "reason": how}
            )
        db.session.commit()
        return case.id


# --------------------------------------------------------------------------- create, read


def test_create_shape_and_read(county, app, person):
    api = county.api("off1")
    before = count(app, AuditEvent)
    case = create(api, person, is_key=True, key_reason="累犯", notice_received_on="2026-09-01")
    assert isinstance(case["id"], int) and isinstance(case["version"], int)
    assert case["person_id"] == person and case["person_name"] == "张三"
    assert case["station"] == "S1" and case["officer"] == "off1"
    assert case["source"] == "prison" and case["correction_type"] is None
    assert case["facility"] == "省第一监狱" and case["crime"] == "盗窃罪"
    assert case["notice_received_on"] == "2026-09-01" and case["expected_release_on"] is None
    assert case["released_on"] == "2026-10-01" and case["period_ends_on"] == "2031-10-01"
    assert case["status"] == "released"
    assert case["is_key"] is True and case["key_reason"] == "累犯"
    assert case["key_changes"] == [{"effective_on": "2026-10-01", "is_key": True, "reason": "累犯"}]
    assert case["verified_on"] is None and case["verification_result"] is None
    assert case["handed_over_on"] is None and case["handover_method"] is None
    assert case["due"] == []  # visits start at the handover
    assert case["handover_overdue"] is True  # released 10-01, not handed over within 7 days
    assert case["period_ending_soon"] is False
    assert case["ended_on"] is None and case["end_reason"] is None
    assert count(app, AuditEvent) == before + 1
    assert ok_json(api.get(f"/resettlements/{case['id']}")) == case


def test_pre_release_notice_then_release(county, app, person):
    api = county.api("off1")
    case = create(
        api,
        person,
        released_on=None,
        expected_release_on="2026-12-20",
        notice_received_on="2026-11-20",
    )
    assert case["status"] == "expected" and case["released_on"] is None
    assert case["expected_release_on"] == "2026-12-20"
    assert case["period_ends_on"] is None and case["handover_overdue"] is False
    path = f"/resettlements/{case['id']}"
    before = counts(app)
    error_of(
        api.post(f"{path}/handover", json={"handed_over_on": "2026-11-21", "method": "family"}),
        422,
        "not_released",
    )
    error_of(api.post(f"{path}/contacts", json={"kind": "phone", "occurred_on": "2026-11-21"}), 422)
    error_of(api.post(f"{path}/release", json={"released_on": "2026-11-26"}), 422)  # future
    error_of(api.post(f"{path}/release", json={}), 422)
    assert counts(app) == before
    released = ok_json(
        api.post(f"{path}/release", json={"released_on": "2026-11-22", "version": case["version"]})
    )
    assert released["status"] == "released" and released["released_on"] == "2026-11-22"
    assert released["period_ends_on"] == "2031-11-22"
    assert released["version"] > case["version"]
    error_of(api.post(f"{path}/release", json={"released_on": "2026-11-23"}), 422)
    # Stale version: 409, nothing written.
    other = create(api, new_person(county), released_on=None, expected_release_on="2026-12-01")
    before = counts(app)
    error_of(
        api.post(
            f"/resettlements/{other['id']}/release",
            json={"released_on": "2026-11-24", "version": other["version"] + 5},
        ),
        409,
        "stale_version",
    )
    assert counts(app) == before
    assert ok_json(api.get(f"/resettlements/{other['id']}"))["released_on"] is None


@pytest.mark.parametrize(
    "source, released_on, ends_on",
    [
        ("prison", "2024-02-29", "2029-02-28"),
        ("prison", "2026-01-31", "2031-01-31"),
        ("detention_center", "2026-03-15", "2031-03-15"),
    ],
)
def test_period_after_prison_or_detention_is_five_years(
    county, person, source, released_on, ends_on
):
    case = create(county.api("off1"), person, source=source, released_on=released_on)
    assert case["period_ends_on"] == ends_on


@pytest.mark.parametrize(
    "correction_type, ends_on",
    [
        ("control", "2029-11-01"),
        ("probation", "2029-11-01"),
        ("parole", "2031-11-01"),
        ("temporary_release", "2031-11-01"),
    ],
)
def test_period_after_correction_follows_the_last_case_in_the_system(
    county, app, person, correction_type, ends_on
):
    correction_id = closed_correction(app, person, correction_type)
    # A correction_type field does not override the case in the system.
    other = "parole" if correction_type in ("control", "probation") else "probation"
    case = create(
        county.api("off1"),
        person,
        source="correction",
        released_on="2026-11-01",
        correction_type=other,
    )
    assert case["correction_type"] == correction_type and case["period_ends_on"] == ends_on
    assert correction_id


def test_period_after_correction_not_in_the_system_needs_the_type(county, app, person):
    api = county.api("off1")
    before = counts(app)
    error = error_of(
        api.post("/resettlements", json=body(person, source="correction")),
        422,
        "correction_type_needed",
    )
    assert "correction_type" in error["fields"]
    assert counts(app) == before
    probation = create(api, person, source="correction", correction_type="probation")
    assert probation["period_ends_on"] == "2029-10-01"
    parole = create(
        api,
        new_person(county),
        source="correction",
        correction_type="parole",
        released_on="2024-02-29",
    )
    assert parole["period_ends_on"] == "2029-02-28"


def test_period_follows_the_last_ended_case(county, app, person):
    # Probation revoked (a terminated case) is the person's last ended case.
    closed_correction(app, person, "probation", how="probation_revoked")
    case = create(county.api("off1"), person, source="correction", released_on="2026-11-01")
    assert case["correction_type"] == "probation" and case["period_ends_on"] == "2029-11-01"


@pytest.mark.parametrize(
    "overrides, field, status",
    [
        ({"source": "camp"}, "source", 422),
        ({"source": None}, "source", 422),
        ({"station": "S2"}, "station", 422),
        ({"station": None}, "station", 422),
        ({"released_on": None}, "expected_release_on", 422),
        ({"released_on": "2026-11-26"}, "released_on", 422),
        ({"released_on": "2026-02-30"}, "released_on", 422),
        ({"notice_received_on": "2026-12-01"}, "notice_received_on", 422),
        ({"is_key": "yes"}, "is_key", 422),
        ({"correction_type": "exile", "source": "correction"}, "correction_type", 422),
        ({"person_id": 999999}, "person_id", 422),
        ({"person_id": "1"}, "person_id", 422),
    ],
)
def test_create_refusals_write_nothing(county, app, person, overrides, field, status):
    api = county.api("off1")
    before = counts(app)
    error = error_of(api.post("/resettlements", json={**body(person), **overrides}), status)
    assert field in error["fields"]
    assert counts(app) == before


def test_second_open_case_conflicts(county, app, person):
    api = county.api("off1")
    first = create(api, person)
    before = counts(app)
    error = error_of(api.post("/resettlements", json=body(person)), 409, "active_case_exists")
    assert error["existing_id"] == first["id"]
    # 422 answers before 409.
    error_of(api.post("/resettlements", json=body(person, source="camp")), 422)
    assert counts(app) == before
    ok_json(
        api.post(
            f"/resettlements/{first['id']}/end",
            json={"ended_on": "2026-11-01", "reason": "transferred"},
        )
    )
    # the first one has ended (not for death: docs/domain.md §7.2 refuses a dead person)
    create(api, person, released_on="2026-11-20")


# --------------------------------------------------------------------------- workflow


def test_verification_handover_visits_and_end(county, app, person):
    api = county.api("off1")
    case = create(api, person, released_on="2026-11-18")
    path = f"/resettlements/{case['id']}"
    for bad, field in (
        ({"verified_on": "2026-11-19", "result": "fine"}, "result"),
        ({"result": "verified"}, "verified_on"),
    ):
        assert field in error_of(api.post(f"{path}/verification", json=bad), 422)["fields"]
    checked = ok_json(
        api.post(f"{path}/verification", json={"verified_on": "2026-11-19", "result": "verified"})
    )
    assert checked["verified_on"] == "2026-11-19" and checked["verification_result"] == "verified"
    assert checked["handover_overdue"] is False  # the 7th day after release
    for bad, field in (
        ({"handed_over_on": "2026-11-17", "method": "family"}, "handed_over_on"),
        ({"handed_over_on": "2026-11-20", "method": "taxi"}, "method"),
        ({"handed_over_on": "2026-11-26", "method": "family"}, "handed_over_on"),
    ):
        assert field in error_of(api.post(f"{path}/handover", json=bad), 422)["fields"]
    handed = ok_json(
        api.post(f"{path}/handover", json={"handed_over_on": "2026-11-20", "method": "family"})
    )
    assert handed["status"] == "active" and handed["handed_over_on"] == "2026-11-20"
    assert handed["handover_method"] == "family" and handed["key_not_escorted"] is False
    [due] = handed["due"]
    assert due["requirement"] == "visit" and due["due_on"] == "2027-02-18"  # 90 days
    assert due["last_contact_on"] is None and due["days_overdue"] == 0 and due["explanation"]
    error_of(
        api.post(f"{path}/handover", json={"handed_over_on": "2026-11-21", "method": "family"}),
        422,
        "already_handed_over",
    )

    phone = ok_json(
        api.post(f"{path}/contacts", json={"kind": "phone", "occurred_on": "2026-11-22"}), 201
    )
    assert phone["kind"] == "phone" and phone["case_id"] == case["id"]
    assert phone["recorded_by"] == "off1" and phone["voided"] is False
    assert ok_json(api.get(path))["due"][0]["due_on"] == "2027-02-18"  # a call is not a visit
    visit = ok_json(
        api.post(
            f"{path}/contacts",
            json={"kind": "field_visit", "occurred_on": "2026-11-24", "note": "家中走访"},
        ),
        201,
    )
    assert visit["note"] == "家中走访"
    due = ok_json(api.get(path))["due"][0]
    assert due["due_on"] == "2027-02-22" and due["last_contact_on"] == "2026-11-24"
    for bad, field in (
        ({"kind": "letter", "occurred_on": "2026-11-24"}, "kind"),
        ({"kind": "phone", "occurred_on": "2026-11-17"}, "occurred_on"),  # before release
        ({"kind": "phone", "occurred_on": "2026-11-26"}, "occurred_on"),
    ):
        assert field in error_of(api.post(f"{path}/contacts", json=bad), 422)["fields"]

    void_path = f"{path}/contacts/{visit['id']}/void"
    error_of(api.post(void_path, json={}), 422)
    voided = ok_json(api.post(void_path, json={"reason": "录错对象"}))
    assert voided["voided"] is True and voided["void_reason"] == "录错对象"
    assert ok_json(api.get(path))["due"][0]["due_on"] == "2027-02-18"  # stops counting
    error_of(api.post(void_path, json={"reason": "again"}), 422, "already_void")

    aid = ok_json(
        api.post(
            f"{path}/assistance",
            json={"kind": "subsistence", "given_on": "2026-11-23", "amount": "800.50"},
        ),
        201,
    )
    assert (
        aid["kind"] == "subsistence" and aid["amount"] == 800.5 and aid["given_on"] == "2026-11-23"
    )
    assert aid["note"] == "" and aid["voided"] is False
    for bad, field in (
        ({"kind": "relief", "given_on": "2026-11-23", "amount": -5}, "amount"),
        ({"kind": "relief", "given_on": "2026-11-23", "amount": "1.001"}, "amount"),
        ({"kind": "cash", "given_on": "2026-11-23"}, "kind"),
        ({"kind": "relief", "given_on": "2026-11-10"}, "given_on"),  # before release
    ):
        assert field in error_of(api.post(f"{path}/assistance", json=bad), 422)["fields"]
    plain = ok_json(
        api.post(f"{path}/assistance", json={"kind": "relief", "given_on": "2026-11-23"}), 201
    )
    assert plain["amount"] is None
    gone = ok_json(api.post(f"{path}/assistance/{plain['id']}/void", json={"reason": "重复"}))
    assert gone["voided"] is True

    for bad, field in (
        ({"ended_on": "2026-11-24", "reason": "expiry"}, "ended_on"),  # before period end
        ({"ended_on": "2026-11-24", "reason": "bored"}, "reason"),
        ({"ended_on": "2026-11-10", "reason": "death"}, "ended_on"),  # before release
    ):
        assert field in error_of(api.post(f"{path}/end", json=bad), 422)["fields"]
    ended = ok_json(
        api.post(f"{path}/end", json={"ended_on": "2026-11-24", "reason": "reoffended"})
    )
    assert ended["status"] == "ended" and ended["ended_on"] == "2026-11-24"
    assert ended["end_reason"] == "reoffended" and ended["due"] == []
    before = counts(app)
    error_of(api.post(f"{path}/end", json={"ended_on": "2026-11-25", "reason": "death"}), 422)
    error_of(api.post(f"{path}/contacts", json={"kind": "phone", "occurred_on": "2026-11-25"}), 422)
    error_of(
        api.post(f"{path}/key", json={"effective_on": "2026-11-25", "is_key": True, "reason": "x"}),
        422,
        "case_ended",
    )
    assert counts(app) == before
    # A late entry dated on or before the end date is accepted.
    ok_json(api.post(f"{path}/contacts", json={"kind": "phone", "occurred_on": "2026-11-24"}), 201)


def test_sub_records_belong_to_their_case(county, person):
    api = county.api("off1")
    a = create(api, person)
    b = create(api, new_person(county))
    contact = ok_json(
        api.post(
            f"/resettlements/{a['id']}/contacts",
            json={"kind": "phone", "occurred_on": "2026-10-02"},
        ),
        201,
    )
    aid = ok_json(
        api.post(
            f"/resettlements/{a['id']}/assistance", json={"kind": "other", "given_on": "2026-10-02"}
        ),
        201,
    )
    error_of(
        api.post(f"/resettlements/{b['id']}/contacts/{contact['id']}/void", json={"reason": "x"}),
        404,
    )
    error_of(
        api.post(f"/resettlements/{b['id']}/assistance/{aid['id']}/void", json={"reason": "x"}), 404
    )
    error_of(api.post(f"/resettlements/{a['id']}/contacts/999999/void", json={"reason": "x"}), 404)
    # 404 before 400.
    error_of(api.post(f"/resettlements/{a['id']}/assistance/999999/void", data="x"), 404)


def test_period_ending_soon_and_key_not_escorted(county, person):
    api = county.api("off1")
    case = create(api, person, released_on="2021-12-20", is_key=True, key_reason="涉黑涉恶")
    assert case["period_ends_on"] == "2026-12-20" and case["period_ending_soon"] is True
    handed = ok_json(
        api.post(
            f"/resettlements/{case['id']}/handover",
            json={"handed_over_on": "2021-12-21", "method": "self_report"},
        )
    )
    assert handed["key_not_escorted"] is True
    early = create(api, new_person(county), released_on="2021-12-26")
    assert early["period_ends_on"] == "2026-12-26" and early["period_ending_soon"] is False


# --------------------------------------------------------------------------- key history


def test_key_changes_are_dated_and_restart_the_visit_window(county, app, person):
    api = county.api("off1")
    case = create(api, person, released_on="2026-09-01", is_key=True, key_reason="累犯")
    path = f"/resettlements/{case['id']}"
    handed = ok_json(
        api.post(f"{path}/handover", json={"handed_over_on": "2026-09-01", "method": "escorted"})
    )
    assert handed["key_not_escorted"] is False
    assert handed["due"][0]["due_on"] == "2026-10-01" and handed["due"][0]["days_overdue"] == 55
    before = counts(app)
    for bad, field in (
        ({"effective_on": "2026-11-10", "reason": "x"}, "is_key"),
        ({"effective_on": "2026-11-10", "is_key": "no", "reason": "x"}, "is_key"),
        ({"effective_on": "2026-11-10", "is_key": False}, "reason"),
        ({"effective_on": "2026-11-26", "is_key": False, "reason": "x"}, "effective_on"),
    ):
        assert field in error_of(api.post(f"{path}/key", json=bad), 422)["fields"]
    assert counts(app) == before
    changed = ok_json(
        api.post(
            f"{path}/key",
            json={"effective_on": "2026-11-10", "is_key": False, "reason": "表现稳定"},
        )
    )
    assert changed["is_key"] is False
    assert changed["key_changes"] == [
        {"effective_on": "2026-09-01", "is_key": True, "reason": "累犯"},
        {"effective_on": "2026-11-10", "is_key": False, "reason": "表现稳定"},
    ]
    [due] = changed["due"]
    assert due["due_on"] == "2027-02-08" and due["days_overdue"] == 0  # 90 days from the change
    assert ok_json(api.get(path)) == changed
    assert ids(ok_json(api.get("/resettlements?is_key=false"))) == [case["id"]]
    assert ids(ok_json(api.get("/resettlements?is_key=true"))) == []
    # Figures use the status on the date asked: key and overdue on 2026-11-05.
    page = ok_json(api.get("/resettlements?overdue_on=2026-11-05&is_key=true"))
    assert ids(page) == [case["id"]]
    assert page["items"][0]["overdue"] == [
        {"requirement": "visit", "due_on": "2026-10-01", "days_overdue": 35}
    ]
    assert ids(ok_json(api.get("/resettlements?overdue_on=2026-11-25"))) == []


# --------------------------------------------------------------------------- lists


@pytest.fixture
def register(county):
    """A (key, due 10-01), B (not key, due 11-30), C (not handed over), D (ended), E at S2."""
    api = county.api("both")

    def case(station="S1", **overrides):
        return create(
            api, new_person(county, station=station, actor="both"), station=station, **overrides
        )

    def hand_over(c, on="2026-09-01"):
        return ok_json(
            api.post(
                f"/resettlements/{c['id']}/handover",
                json={"handed_over_on": on, "method": "family"},
            )
        )

    a = hand_over(case(released_on="2026-09-01", is_key=True))
    b = hand_over(case(released_on="2026-09-01"))
    c = case(released_on="2026-11-20")
    d = hand_over(case(released_on="2026-06-01"), "2026-06-01")
    d = ok_json(
        api.post(
            f"/resettlements/{d['id']}/end",
            json={"ended_on": "2026-09-15", "reason": "transferred"},
        )
    )
    e = hand_over(case(station="S2", released_on="2026-09-01", is_key=True))
    notice = case(released_on=None, expected_release_on="2026-12-15")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "notice": notice}


def test_list_filters(county, register):
    r = register
    boss = county.api("boss")
    everyone = ok_json(boss.get("/resettlements"))
    assert ids(everyone) == sorted(c["id"] for c in r.values()) and everyone["total"] == 6
    item = next(i for i in everyone["items"] if i["id"] == r["a"]["id"])
    assert item == ok_json(boss.get(f"/resettlements/{r['a']['id']}"))
    assert ids(ok_json(boss.get("/resettlements?station=S2"))) == [r["e"]["id"]]
    assert ids(ok_json(boss.get("/resettlements?status=ended"))) == [r["d"]["id"]]
    assert ids(ok_json(boss.get("/resettlements?status=expected"))) == [r["notice"]["id"]]
    assert ids(ok_json(boss.get("/resettlements?status=released"))) == [r["c"]["id"]]
    assert ids(ok_json(boss.get("/resettlements?is_key=true"))) == sorted(
        [r["a"]["id"], r["e"]["id"]]
    )
    assert ids(ok_json(boss.get("/resettlements?is_key=1&station=S1"))) == [r["a"]["id"]]
    page = ok_json(boss.get("/resettlements?per_page=2&page=3"))
    assert page["total"] == 6 and len(page["items"]) == 2 and page["page"] == 3
    off1 = county.api("off1")
    assert r["e"]["id"] not in ids(ok_json(off1.get("/resettlements")))
    for bad in ("status=gone", "is_key=maybe", "overdue_on=2026-02-30", "station=S2", "per_page=x"):
        error_of(off1.get(f"/resettlements?{bad}"), 422)
    assert ok_json(county.api("far").get("/resettlements"))["total"] == 0


def test_overdue_on_lists_cases_overdue_for_a_visit(county, register):
    r = register
    boss = county.api("boss")
    page = ok_json(boss.get("/resettlements?overdue_on=2026-11-25"))
    assert ids(page) == [r["a"]["id"], r["e"]["id"]] and page["total"] == 2
    assert page["items"][0]["overdue"] == [
        {"requirement": "visit", "due_on": "2026-10-01", "days_overdue": 55}
    ]
    assert page["items"][0]["due"] and page["items"][0]["person_name"]
    # B is due on 11-30 (90 days): not overdue that day, overdue the day after.
    assert ids(ok_json(boss.get("/resettlements?overdue_on=2026-11-30"))) == [
        r["a"]["id"],
        r["e"]["id"],
    ]
    later = ok_json(boss.get("/resettlements?overdue_on=2026-12-05"))
    assert ids(later) == [r["a"]["id"], r["b"]["id"], r["e"]["id"]]
    b_item = next(i for i in later["items"] if i["id"] == r["b"]["id"])
    assert b_item["overdue"] == [
        {"requirement": "visit", "due_on": "2026-11-30", "days_overdue": 5}
    ]
    # D was active (handed over 06-01, due 08-30) before it ended on 09-15.
    assert ids(ok_json(boss.get("/resettlements?overdue_on=2026-09-10"))) == [r["d"]["id"]]
    assert ids(ok_json(boss.get("/resettlements?overdue_on=2026-09-15"))) == []
    assert ids(ok_json(boss.get("/resettlements?overdue_on=2026-12-05&is_key=false"))) == [
        r["b"]["id"]
    ]
    assert ids(ok_json(boss.get("/resettlements?overdue_on=2026-12-05&station=S2"))) == [
        r["e"]["id"]
    ]
    assert ids(ok_json(boss.get("/resettlements?overdue_on=2026-12-05&status=ended"))) == []
    second = ok_json(boss.get("/resettlements?overdue_on=2026-12-05&per_page=2&page=2"))
    assert ids(second) == [r["e"]["id"]] and second["total"] == 3
    assert ids(ok_json(county.api("off1").get("/resettlements?overdue_on=2026-12-05"))) == [
        r["a"]["id"],
        r["b"]["id"],
    ]
    # A visit clears it from that date on.
    county.api("both").post(
        f"/resettlements/{r['a']['id']}/contacts",
        json={"kind": "report_in_person", "occurred_on": "2026-11-24"},
    )
    assert ids(ok_json(boss.get("/resettlements?overdue_on=2026-11-25"))) == [r["e"]["id"]]
    assert r["a"]["id"] in ids(ok_json(boss.get("/resettlements?overdue_on=2026-11-20")))


# --------------------------------------------------------------------------- person file


def test_person_json_lists_resettlement_cases_in_scope(county, app, person):
    api = county.api("off1")
    closed_correction(app, person, "parole")
    ok_json(
        county.api("both").post(
            "/resettlements",
            json=body(person, station="S2", source="correction", released_on="2026-11-01"),
        ),
        201,
    )
    mine = ok_json(county.api("both").get(f"/people/{person}"))
    programmes = sorted(c["programme"] for c in mine["cases"])
    assert programmes == ["correction", "resettlement"]
    [rs] = [c for c in mine["cases"] if c["programme"] == "resettlement"]
    assert rs["station"] == "S2" and rs["source"] == "correction"
    assert rs["period_ends_on"] == "2031-11-01" and rs["status"] == "released"
    assert rs["is_key"] is False and isinstance(rs["id"], int)
    # Each officer sees the cases at their own station only.
    assert [c["programme"] for c in ok_json(api.get(f"/people/{person}"))["cases"]] == [
        "correction"
    ]
    theirs = ok_json(county.api("off2").get(f"/people/{person}"))
    assert [c["programme"] for c in theirs["cases"]] == ["resettlement"]


# --------------------------------------------------------------------------- roles


def test_roles_scope_and_error_order(county, app, person, client):
    api = county.api("off1")
    case = create(api, person)
    path = f"/resettlements/{case['id']}"
    viewer, off2, far = county.api("viewer"), county.api("off2"), county.api("far")
    boss, farboss = county.api("boss"), county.api("farboss")
    stranger = new_person(county)  # registered at S1: out of off2's scope
    before = counts(app)
    assert ok_json(viewer.get(path))["id"] == case["id"]
    writes = [
        ("/release", {"released_on": "2026-10-01"}),
        ("/key", {"effective_on": "2026-10-02", "is_key": True, "reason": "x"}),
        ("/verification", {"verified_on": "2026-10-02", "result": "verified"}),
        ("/handover", {"handed_over_on": "2026-10-02", "method": "family"}),
        ("/contacts", {"kind": "phone", "occurred_on": "2026-10-02"}),
        ("/contacts/1/void", {"reason": "x"}),
        ("/assistance", {"kind": "relief", "given_on": "2026-10-02"}),
        ("/assistance/1/void", {"reason": "x"}),
        ("/end", {"ended_on": "2026-10-02", "reason": "death"}),
    ]
    error_of(viewer.post("/resettlements", json=body(person)), 403)
    error_of(viewer.post("/resettlements", data="x", content_type="text/plain"), 403)
    for suffix, data in writes:
        error_of(viewer.post(path + suffix, json=data), 403)
        error_of(viewer.post("/resettlements/999999" + suffix, data="x"), 403)  # 403 first
        for outsider in (off2, far, farboss):
            error_of(outsider.post(path + suffix, json=data), 404)
            error_of(outsider.post(path + suffix, data="x", content_type="text/plain"), 404)
        error_of(api.post("/resettlements/999999" + suffix, json=data), 404)
        if "void" not in suffix:
            error_of(
                api.post(path + suffix, data="x", content_type="text/plain"), 400, "bad_request"
            )
    for outsider in (off2, far, farboss):
        error_of(outsider.get(path), 404)
    error_of(api.post("/resettlements", data="{", content_type="application/json"), 400)
    error_of(api.post("/resettlements", json=[1]), 422)
    # off2 may not open a case for a person out of their scope.
    error = error_of(off2.post("/resettlements", json=body(stranger, station="S2")), 422)
    assert "person_id" in error["fields"]
    error_of(client.get("/api/v1/resettlements"), 401)
    error_of(client.post("/api/v1/resettlements", json=body(person)), 401)
    assert counts(app) == before
    # Supervisors of the unit write too.
    ok_json(
        boss.post(path + "/verification", json={"verified_on": "2026-10-02", "result": "not_local"})
    )


def test_batched_facts_and_stored_state_agree_with_the_engine(county, app, register):
    from corrections import clock
    from corrections.resettlement import services as rs

    def order(facts):
        return sorted((c.occurred_on, c.kind) for c in facts.contacts)

    county.api("both").post(
        f"/resettlements/{register['b']['id']}/contacts",
        json={"kind": "field_visit", "occurred_on": "2026-11-02"},
    )
    with app.app_context():
        cases = db.session.execute(select(ResettlementCase)).scalars().all()
        many = rs.case_facts_many(cases, clock.today())
        for case in cases:
            single = rs.case_facts(case, clock.today())
            assert order(many[case.id]) == order(single)
            assert many[case.id].key_periods == single.key_periods
            assert many[case.id].received_on == single.received_on
            states = rs.due_states(case)
            overdue = any(s.overdue_days for s in states)
            assert case.is_overdue == overdue, case.id
            assert case.next_due_on == (min(s.due_on for s in states) if states else None)
