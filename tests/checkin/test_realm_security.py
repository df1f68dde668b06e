"""The person's realm: own records only; staff sessions and tokens never reach /my/;
person sessions are nobody on staff pages; photos only to the person and staff in scope."""

from __future__ import annotations

from sqlalchemy import select

from corrections.extensions import db
from corrections.supervision.models import Leave
from tests.checkin.conftest import csrf, jpeg, person_client, request_checkin, upload


def _submit(client, checkin_id):
    page = client.get(f"/my/checkins/{checkin_id}")
    return client.post(
        f"/my/checkins/{checkin_id}",
        data={"csrf_token": csrf(page), "photo": upload(jpeg())},
        content_type="multipart/form-data",
    )


def _two_people(app, case_id, other_case_id):
    mine = person_client(app, case_id)
    theirs = person_client(app, other_case_id, phone="13900139000", birth="1949-12-31")
    their_checkin = request_checkin(app, other_case_id)
    assert _submit(theirs, their_checkin).status_code == 302
    page = theirs.get("/my/leaves/new")
    from datetime import timedelta

    from corrections import clock

    theirs.post(
        "/my/leaves/new",
        data={
            "csrf_token": csrf(page),
            "starts_on": (clock.today() + timedelta(days=3)).isoformat(),
            "ends_on": (clock.today() + timedelta(days=4)).isoformat(),
            "destination": "宁波市",
            "reason": "family",
        },
    )
    with app.app_context():
        their_leave = db.session.execute(select(Leave.id)).scalar_one()
    return mine, theirs, their_checkin, their_leave


def test_person_cannot_reach_another_persons_records(app, county, case_id, other_case_id):
    mine, _theirs, checkin_id, leave_id = _two_people(app, case_id, other_case_id)
    for path in (
        f"/my/checkins/{checkin_id}",
        f"/my/checkins/{checkin_id}/photo",
        f"/my/leaves/{leave_id}",
    ):
        response = mine.get(path)
        assert response.status_code == 404, path
    page = mine.get("/my/")
    token = csrf(page)
    post = mine.post(
        f"/my/checkins/{checkin_id}",
        data={"csrf_token": token, "photo": upload(jpeg())},
        content_type="multipart/form-data",
    )
    assert post.status_code == 404
    home = mine.get("/my/").get_data(as_text=True)
    assert "宁波市" not in home and "李梅" not in home


def test_person_sees_own_photo_with_no_store(app, county, case_id):
    client = person_client(app, case_id)
    checkin_id = request_checkin(app, case_id)
    _submit(client, checkin_id)
    response = client.get(f"/my/checkins/{checkin_id}/photo")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "no-store"
    ref = client.get("/my/reference/photo")
    assert ref.status_code == 200 and ref.headers["Cache-Control"] == "no-store"


def test_staff_routes_refuse_person_sessions(app, county, case_id):
    client = person_client(app, case_id)
    checkin_id = request_checkin(app, case_id)
    _submit(client, checkin_id)
    for path in (
        f"/corrections/{case_id}",
        f"/corrections/{case_id}/checkin",
        f"/corrections/{case_id}/checkin/reference.jpg",
        f"/checkins/{checkin_id}",
        f"/checkins/{checkin_id}/photo",
        "/checkins",
        "/people/",
    ):
        response = client.get(path)
        assert response.status_code in (302, 401), path
        if response.status_code == 302:
            assert (
                "/login" in response.headers["Location"]
                and "/my/" not in response.headers["Location"]
            )
    assert client.get("/api/v1/checkins").status_code == 401


def test_staff_session_and_tokens_never_reach_my(app, county, world, case_id):
    staff = world.login(app.test_client(), "off1")
    for path in ("/my/", "/my/login", "/my/leaves/new"):
        assert staff.get(path).status_code == 403, path
    token = world.token("off1")
    fresh = app.test_client()
    assert fresh.get("/my/", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_photos_served_to_staff_in_scope_only(app, county, world, case_id):
    client = person_client(app, case_id)
    checkin_id = request_checkin(app, case_id)
    _submit(client, checkin_id)
    own = world.login(app.test_client(), "off1")
    response = own.get(f"/checkins/{checkin_id}/photo")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert own.get(f"/corrections/{case_id}/checkin/reference.jpg").status_code == 200
    other = world.login(app.test_client(), "off2")
    assert other.get(f"/checkins/{checkin_id}/photo").status_code == 404
    assert other.get(f"/corrections/{case_id}/checkin/reference.jpg").status_code == 404
    assert other.get(f"/checkins/{checkin_id}").status_code == 404


def test_logout_ends_the_server_session(app, county, case_id):
    client = person_client(app, case_id)
    cookie = client.get_cookie("session")
    page = client.get("/my/")
    client.post("/my/logout", data={"csrf_token": csrf(page)})
    copy = app.test_client()
    copy.set_cookie("session", cookie.value)
    assert copy.get("/my/").status_code == 302


def test_reference_step_required_before_home(app, county, case_id):
    from tests.checkin.conftest import activate, enrol

    code = enrol(app, case_id)
    client = app.test_client()
    activate(client, code)
    response = client.get("/my/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/my/reference")
