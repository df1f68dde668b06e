"""Who sees which person through the API (docs/api.md: Conventions, the officer scope rule).

"A person is in an officer's scope when any of the person's cases is at one
of their stations, or the person has no case yet and was registered by a
user of one of those stations." Supervisors and viewers see their unit,
admins everything; out of scope answers 404.
"""

from __future__ import annotations

import pytest

from tests.helpers import valid_id

USERS = ("admin", "boss", "viewer", "off1", "off2", "both", "far", "farboss")


@pytest.fixture
def registered(county):
    """One person registered by each kind of registrant; returns {label: person id}."""
    county.user("off1b", "officer", ("S1",))
    people = {
        "by_off1": county.person("off1", valid_id(serial="101"), name="甲"),
        "by_off1b": county.person("off1b", valid_id(serial="102"), name="乙"),
        "by_off2": county.person("off2", valid_id(serial="103"), name="丙"),
        "by_both": county.person("both", valid_id(serial="104"), name="丁"),
        "by_far": county.person("far", valid_id(serial="105"), name="戊"),
        "by_boss": county.person("boss", valid_id(serial="106"), name="己"),
        "by_farboss": county.person("farboss", valid_id(serial="107"), name="庚"),
    }
    return people


# Who sees each person (registrant's stations decide for officers; the unit for the rest).
EXPECTED = {
    "admin": {"by_off1", "by_off1b", "by_off2", "by_both", "by_far", "by_boss", "by_farboss"},
    "boss": {"by_off1", "by_off1b", "by_off2", "by_both", "by_boss"},
    "viewer": {"by_off1", "by_off1b", "by_off2", "by_both", "by_boss"},
    "off1": {"by_off1", "by_off1b", "by_both"},
    "off2": {"by_off2", "by_both"},
    "both": {"by_off1", "by_off1b", "by_off2", "by_both"},
    "far": {"by_far"},
    "farboss": {"by_far", "by_farboss"},
}


@pytest.mark.parametrize("username", USERS)
def test_list_shows_exactly_the_people_in_scope(county, registered, username):
    body = county.api(username).get("/people").get_json()
    seen = {label for label, pid in registered.items() if pid in {p["id"] for p in body["items"]}}
    assert seen == EXPECTED[username]
    assert body["total"] == len(EXPECTED[username])


@pytest.mark.parametrize("username", USERS)
def test_get_one_agrees_with_the_list(county, registered, username):
    api = county.api(username)
    for label, pid in registered.items():
        response = api.get(f"/people/{pid}")
        if label in EXPECTED[username]:
            assert response.status_code == 200, (username, label)
            assert response.get_json()["id"] == pid
        else:
            assert response.status_code == 404, (username, label)
            assert response.get_json()["error"]["code"] == "not_found"


def test_officer_of_two_stations_sees_people_registered_at_either(county):
    s1 = county.person("off1", valid_id(serial="111"), name="城关人")
    s2 = county.person("off2", valid_id(serial="112"), name="东山人")
    ids = {p["id"] for p in county.api("both").get("/people").get_json()["items"]}
    assert ids == {s1, s2}


def test_officer_of_the_other_station_does_not_see_it(county):
    s1 = county.person("off1", valid_id(serial="111"), name="城关人")
    api = county.api("off2")
    assert api.get("/people").get_json() == {"items": [], "page": 1, "per_page": 50, "total": 0}
    assert api.get(f"/people/{s1}").status_code == 404
    assert api.patch(f"/people/{s1}", json={"version": 1, "name": "改"}).status_code == 404


def test_a_person_registered_by_a_colleague_is_in_scope_for_writes(county, app):
    pid = county.person("off1", valid_id(serial="111"), name="城关人")
    county.user("off1b", "officer", ("S1",))
    response = county.api("off1b").patch(f"/people/{pid}", json={"version": 1, "phone": "123"})
    assert response.status_code == 200
    assert response.get_json()["phone"] == "123"


def test_registered_station_chosen_by_admin_puts_the_person_in_that_station(county):
    at_s2 = county.person("admin", valid_id(serial="121"), name="所二", station="S2")
    nowhere = county.person("admin", valid_id(serial="122"), name="未定")
    assert county.api("off2").get(f"/people/{at_s2}").status_code == 200
    assert county.api("off1").get(f"/people/{at_s2}").status_code == 404
    # Registered by an admin without a station: no station's officer, but the admin's unit.
    assert county.api("off1").get(f"/people/{nowhere}").status_code == 404
    assert county.api("boss").get(f"/people/{nowhere}").status_code == 200
    assert county.api("admin").get(f"/people/{nowhere}").status_code == 200


def test_supervisor_of_another_unit_cannot_write_either(county, app):
    pid = county.person("off1", valid_id(serial="131"), name="城关人")
    api = county.api("farboss")
    assert api.patch(f"/people/{pid}", json={"version": 1, "name": "改"}).status_code == 404
    response = county.api("boss").patch(f"/people/{pid}", json={"version": 1, "name": "改"})
    assert response.status_code == 200
    assert response.get_json()["name"] == "改"


def _open_case(app, actor: str, person_id: int, station: str) -> int:
    """A received correction case at ``station`` (through the service, as the UI does)."""
    from corrections.auth import services as auth
    from corrections.extensions import db
    from corrections.supervision import services as supervision

    with app.app_context():
        case = supervision.create_case(
            auth.user_by_username(actor),
            {
                "person_id": person_id,
                "station": station,
                "correction_type": "probation",
                "judgment_effective_on": "2026-10-01",
                "term_start": "2026-10-01",
                "term_end": "2027-09-30",
                "received_on": "2026-10-05",
            },
        )
        db.session.commit()
        return case.id


def test_once_a_person_has_a_case_the_cases_station_decides(county, app):
    pid = county.person("off1", valid_id(serial="141"), name="城关登记")
    case_id = _open_case(app, "boss", pid, "S2")  # registered at S1, supervised at S2
    seen = {u: county.api(u).get(f"/people/{pid}").status_code for u in USERS}
    assert seen == {
        "admin": 200,
        "boss": 200,
        "viewer": 200,
        "off1": 404,  # registered here, but the person's case is elsewhere
        "off2": 200,
        "both": 200,
        "far": 404,
        "farboss": 404,
    }
    assert [p["id"] for p in county.api("off2").get("/people").get_json()["items"]] == [pid]
    assert county.api("off1").get("/people").get_json()["total"] == 0
    body = county.api("off2").get(f"/people/{pid}").get_json()
    assert [c["id"] for c in body["cases"]] == [case_id]
    assert body["cases"][0]["station"] == "S2"


def test_a_case_at_the_officers_station_keeps_the_person_in_scope(county, app):
    pid = county.person("off1", valid_id(serial="142"), name="城关矫正")
    _open_case(app, "off1", pid, "S1")
    assert county.api("off1").get(f"/people/{pid}").status_code == 200
    assert county.api("off2").get(f"/people/{pid}").status_code == 404
    assert county.api("off2").get("/people").get_json()["total"] == 0
