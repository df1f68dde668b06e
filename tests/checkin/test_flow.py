"""Enrolment, activation, the PIN realm, submission and review through the web pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from corrections import clock
from corrections.alerts.models import Alert
from corrections.checkin.models import Checkin, CheckinEnrolment
from corrections.extensions import db
from corrections.supervision.models import Contact, CorrectionCase, Leave
from tests.checkin.conftest import (
    PIN,
    activate,
    csrf,
    enrol,
    enrolment_row,
    get_checkin,
    jpeg,
    person_client,
    request_checkin,
    upload,
)


def _submit(client, checkin_id, photo=None, **fields):
    page = client.get(f"/my/checkins/{checkin_id}")
    data = {"csrf_token": csrf(page), **fields}
    if photo is not False:
        data["photo"] = upload(photo or jpeg())
    return client.post(f"/my/checkins/{checkin_id}", data=data, content_type="multipart/form-data")


def test_officer_enrols_and_sees_qr(app, county, world, case_id):
    client = world.login(app.test_client(), "off1")
    page = client.get(f"/corrections/{case_id}/checkin")
    response = client.post(
        f"/corrections/{case_id}/checkin/enrol",
        data={"csrf_token": csrf(page), "phone": "13800138000", "consent_on": "2026-11-20"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<svg" in html and "activation-code" in html
    assert "/my/activate?code=" in html
    row = enrolment_row(app, case_id)
    assert (
        row.status == "pending" and row.code_digest and row.consent_on.isoformat() == "2026-11-20"
    )


def test_enrol_bad_phone_writes_nothing(app, county, world, case_id):
    client = world.login(app.test_client(), "off1")
    page = client.get(f"/corrections/{case_id}/checkin")
    response = client.post(
        f"/corrections/{case_id}/checkin/enrol",
        data={"csrf_token": csrf(page), "phone": "12345", "consent_on": "2026-11-20"},
    )
    assert response.status_code == 422
    assert "11位手机号码" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(func.count(CheckinEnrolment.id))).scalar_one() == 0


def test_activation_code_single_use_and_birth_date(app, county, case_id):
    code = enrol(app, case_id)
    client = app.test_client()
    wrong = activate(client, code, birth="1991-01-01")
    assert wrong.status_code == 422 and "激活码或出生日期不正确" in wrong.get_data(as_text=True)
    assert activate(client, code).status_code == 302
    again = activate(app.test_client(), code)
    assert again.status_code == 422
    assert enrolment_row(app, case_id).code_digest is None


def test_activation_code_expires_after_7_days(app, county, case_id):
    from corrections.checkin import services

    code = enrol(app, case_id)
    with app.app_context():
        row = db.session.execute(select(CheckinEnrolment)).scalar_one()
        issued = row.code_expires_at
        if issued.tzinfo is None:
            issued = issued.replace(tzinfo=UTC)
        assert services.code_enrolment(code, issued - timedelta(seconds=1)) is not None
        assert services.code_enrolment(code, issued + timedelta(seconds=1)) is None


def test_five_wrong_birth_dates_void_the_code(app, county, case_id):
    code = enrol(app, case_id)
    for _ in range(5):
        activate(app.test_client(), code, birth="1980-02-02")
    assert activate(app.test_client(), code).status_code == 422


def test_activation_is_throttled(app, county, case_id):
    client = app.test_client()
    statuses = [activate(client, "WRONGCOD").status_code for _ in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429


def test_pin_locks_after_ten_failures_and_officer_resets(app, county, world, case_id):
    from corrections.extensions import limiter

    person_client(app, case_id)
    client = app.test_client()
    for i in range(10):
        limiter.reset()
        page = client.get("/my/login")
        response = client.post(
            "/my/login", data={"csrf_token": csrf(page), "phone": "13800138000", "pin": "000001"}
        )
        assert response.status_code == (403 if i == 9 else 422)
    limiter.reset()
    page = client.get("/my/login")
    locked = client.post(
        "/my/login", data={"csrf_token": csrf(page), "phone": "13800138000", "pin": PIN}
    )
    assert locked.status_code == 403 and "已锁定" in locked.get_data(as_text=True)
    assert enrolment_row(app, case_id).locked_at is not None
    staff = world.login(app.test_client(), "off1")
    page = staff.get(f"/corrections/{case_id}/checkin")
    response = staff.post(f"/corrections/{case_id}/checkin/code", data={"csrf_token": csrf(page)})
    assert response.status_code == 200 and "activation-code" in response.get_data(as_text=True)
    row = enrolment_row(app, case_id)
    assert row.locked_at is None and row.pin_failures == 0 and row.status == "pending"


def test_login_attempts_are_rate_limited(app, county, case_id):
    client = app.test_client()
    page = client.get("/my/login")
    token = csrf(page)
    statuses = [
        client.post("/my/login", data={"csrf_token": token, "phone": "1", "pin": "1"}).status_code
        for _ in range(11)
    ]
    assert statuses[-1] == 429


def test_submit_checkin_with_location_and_answers(app, county, world, case_id):
    from corrections.alerts import areas

    with app.test_request_context():
        from tests.helpers import user

        areas.set_area(user("off1").unit, circle=(30.0, 120.0, 1000))
        db.session.commit()
    client = person_client(app, case_id)
    checkin_id = request_checkin(app, case_id, questions=["最近在做什么工作？"])
    home = client.get("/my/")
    assert "现在报到" in home.get_data(as_text=True)
    response = _submit(
        client, checkin_id, lat="30.02", lon="120.0", accuracy_m="25", answer_0="在工厂上班"
    )
    assert response.status_code == 302
    row = get_checkin(app, checkin_id)
    assert row.status == "submitted" and row.answers == ["在工厂上班"]
    assert row.outside_area is True and 1000 < row.distance_m < 1300
    assert row.approximate is False and row.face == "not_checked"
    with app.app_context():
        kinds = db.session.execute(select(Alert.kind)).scalars().all()
    assert "outside_area" in kinds
    # a double submission: still one check-in, unchanged
    again = _submit(client, checkin_id, lat="30.0", lon="120.0", accuracy_m="5", answer_0="x")
    assert again.status_code == 302
    assert get_checkin(app, checkin_id).answers == ["在工厂上班"]


def test_checkin_uses_the_stations_own_area_over_the_units(app, county, world, case_id):
    """One area for the system (docs/domain.md §7.11): a check-in is judged exactly as the
    信息化核查 import judges a position, against the station's area when it has one."""
    from corrections.alerts import areas

    square = {
        "type": "Polygon",
        "coordinates": [
            [[120.0, 30.0], [120.1, 30.0], [120.1, 30.1], [120.0, 30.1], [120.0, 30.0]]
        ],
    }
    with app.test_request_context():
        case = db.session.get(CorrectionCase, case_id)
        areas.set_area(case.station.unit, circle=(40.0, 110.0, 1000))
        areas.set_area(case.station.unit, station=case.station, geojson=square)
        db.session.commit()
    client = person_client(app, case_id)
    inside_id = request_checkin(app, case_id)
    assert _submit(client, inside_id, lat="30.05", lon="120.05", accuracy_m="10").status_code == 302
    row = get_checkin(app, inside_id)
    assert row.outside_area is False and row.distance_m == 0
    with app.test_request_context():
        case = db.session.get(CorrectionCase, case_id)
        assert areas.outside_area(case.station, row.lat, row.lon) is False
    outside_id = request_checkin(app, case_id)
    _submit(client, outside_id, lat="30.1", lon="120.11", accuracy_m="10")
    row = get_checkin(app, outside_id)
    assert row.outside_area is True and 900 < row.distance_m < 1000  # 0.01° east at 30.1°N
    with app.app_context():
        kinds = db.session.execute(select(Alert.kind)).scalars().all()
    assert kinds.count("outside_area") == 1


def test_approximate_location_is_kept_and_marked(app, county, case_id):
    client = person_client(app, case_id)
    checkin_id = request_checkin(app, case_id)
    _submit(client, checkin_id, lat="30.0", lon="120.0", accuracy_m="1500")
    row = get_checkin(app, checkin_id)
    assert row.lat == 30.0 and row.approximate is True and row.outside_area is None


def test_bad_photos_are_refused_with_a_message(app, county, case_id):
    client = person_client(app, case_id)
    checkin_id = request_checkin(app, case_id)
    not_image = _submit(client, checkin_id, photo=b"%PDF-1.4 not a photo")
    assert not_image.status_code == 422
    assert "不是照片" in not_image.get_data(as_text=True)
    app.config["CHECKIN_MAX_PHOTO_MB"] = 1
    try:
        big = _submit(client, checkin_id, photo=b"\xff\xd8" + b"0" * (1024 * 1024 + 10))
    finally:
        app.config["CHECKIN_MAX_PHOTO_MB"] = 10
    assert big.status_code == 422 and "照片太大" in big.get_data(as_text=True)
    missing = _submit(client, checkin_id, photo=False)
    assert missing.status_code == 422
    assert get_checkin(app, checkin_id).status == "requested"


def test_heic_is_converted(app, county, case_id):
    import io

    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (200, 200), (90, 120, 200)).save(out, "HEIF")
    client = person_client(app, case_id)
    checkin_id = request_checkin(app, case_id)
    response = _submit(client, checkin_id, photo=out.getvalue())
    assert response.status_code == 302
    assert get_checkin(app, checkin_id).status == "submitted"


def test_exif_is_stripped_capture_time_kept(app, county, case_id):
    from PIL import Image

    from corrections.checkin import photos

    stamp = datetime.now(UTC).astimezone(__import__("corrections").clock.CHINA)
    exif_time = stamp.strftime("%Y:%m:%d %H:%M:%S")
    client = person_client(app, case_id)
    checkin_id = request_checkin(app, case_id)
    assert _submit(client, checkin_id, photo=jpeg(exif_time=exif_time)).status_code == 302
    row = get_checkin(app, checkin_id)
    taken = (
        row.photo_taken_at if row.photo_taken_at.tzinfo else row.photo_taken_at.replace(tzinfo=UTC)
    )
    assert abs((taken - stamp).total_seconds()) < 2
    with app.app_context():
        import io

        data = photos.load(row.photo_key)
    image = Image.open(io.BytesIO(data))
    assert len(image.getexif()) == 0


def test_old_photo_is_refused(app, county, case_id):
    client = person_client(app, case_id)
    checkin_id = request_checkin(app, case_id)
    response = _submit(client, checkin_id, photo=jpeg(exif_time="2020:01:01 10:00:00"))
    assert response.status_code == 422 and "重新拍照" in response.get_data(as_text=True)


def test_late_submission_refused_with_officer_phone(app, county, case_id):
    from corrections.checkin import services

    app.config["CHECKIN_DEFAULT_PHONE"] = "0571-88886666"
    try:
        client = person_client(app, case_id)
        checkin_id = request_checkin(app, case_id)
        with app.test_request_context():
            row = db.session.get(Checkin, checkin_id)
            row.due_by = datetime.now(UTC) - timedelta(minutes=1)
            db.session.commit()
        page = client.get(f"/my/checkins/{checkin_id}")
        assert "0571-88886666" in page.get_data(as_text=True)
        response = _submit(client, checkin_id)
        assert response.status_code == 422
        assert "0571-88886666" in response.get_data(as_text=True)
        assert get_checkin(app, checkin_id).status == "requested"
        with app.test_request_context():
            now = datetime.now(UTC)
            assert services.expire_due_checkins(services.china_date(now), now)["expired"] == 1
            db.session.commit()
    finally:
        app.config["CHECKIN_DEFAULT_PHONE"] = ""


def test_review_accept_records_info_check_and_moves_due(app, county, world, case_id):
    client = person_client(app, case_id)
    checkin_id = request_checkin(app, case_id)
    _submit(client, checkin_id)
    with app.app_context():
        before = db.session.get(CorrectionCase, case_id).next_due_on
    staff = world.login(app.test_client(), "off1")
    page = staff.get(f"/checkins/{checkin_id}")
    html = page.get_data(as_text=True)
    assert "photo-pair" in html
    response = staff.post(
        f"/checkins/{checkin_id}/review", data={"csrf_token": csrf(page), "outcome": "accepted"}
    )
    assert response.status_code == 302
    row = get_checkin(app, checkin_id)
    assert row.status == "reviewed" and row.outcome == "accepted" and row.contact_id
    with app.app_context():
        contact = db.session.get(Contact, row.contact_id)
        assert contact.kind == "info_check"
        assert (
            contact.occurred_on
            == row.submitted_at.replace(tzinfo=UTC)
            .astimezone(__import__("corrections").clock.CHINA)
            .date()
        )
        after = db.session.get(CorrectionCase, case_id).next_due_on
    assert after >= before


def test_follow_up_needs_a_note_and_raises_an_alert(app, county, world, case_id):
    client = person_client(app, case_id)
    checkin_id = request_checkin(app, case_id)
    _submit(client, checkin_id)
    staff = world.login(app.test_client(), "off1")
    page = staff.get(f"/checkins/{checkin_id}")
    response = staff.post(
        f"/checkins/{checkin_id}/review", data={"csrf_token": csrf(page), "outcome": "follow_up"}
    )
    assert response.status_code == 422
    assert get_checkin(app, checkin_id).status == "submitted"
    response = staff.post(
        f"/checkins/{checkin_id}/review",
        data={"csrf_token": csrf(page), "outcome": "follow_up", "note": "照片背景不像住所"},
    )
    assert response.status_code == 302
    with app.app_context():
        note = db.session.execute(
            select(Alert).where(Alert.kind == "checkin_follow_up")
        ).scalar_one()
        assert note.case_id == case_id and "照片背景不像住所" in note.message


def test_person_applies_for_leave_into_the_normal_flow(app, county, world, case_id):
    client = person_client(app, case_id)
    page = client.get("/my/leaves/new")
    response = client.post(
        "/my/leaves/new",
        data={
            "csrf_token": csrf(page),
            "starts_on": (clock.today() + timedelta(days=5)).isoformat(),
            "ends_on": (clock.today() + timedelta(days=7)).isoformat(),
            "destination": "杭州市",
            "reason": "medical",
            "reason_detail": "复诊",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        leave = db.session.execute(select(Leave)).scalar_one()
        assert leave.status == "applied" and leave.applied_via == "self"
        assert leave.applied_by_id is None and leave.tier == "station"
        leave_id = leave.id
    staff = world.login(app.test_client(), "off1")
    case_page = staff.get(f"/corrections/{case_id}")
    assert "杭州市" in case_page.get_data(as_text=True)
    # the officer decides through the normal service; the person sees the decision
    from corrections.supervision import services as supervision
    from tests.helpers import user

    with app.test_request_context():
        case = db.session.get(CorrectionCase, case_id)
        supervision.decide_leave(user("off1"), case, leave_id, {"approved": True})
        db.session.commit()
    page = client.get(f"/my/leaves/{leave_id}")
    assert "已批准" in page.get_data(as_text=True)


def test_person_leave_bad_input(app, county, case_id):
    client = person_client(app, case_id)
    page = client.get("/my/leaves/new")
    response = client.post(
        "/my/leaves/new",
        data={"csrf_token": csrf(page), "starts_on": "2026-12-05", "ends_on": "2026-12-01"},
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.execute(select(func.count(Leave.id))).scalar_one() == 0


def test_home_page_is_small_and_self_contained(app, county, case_id):
    client = person_client(app, case_id)
    request_checkin(app, case_id)
    response = client.get("/my/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    import re

    assets = re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', html)
    assert assets and all(a.startswith("/static/") for a in assets)
    total = len(response.data) + sum(len(client.get(a).data) for a in assets)
    assert total < 100 * 1024  # the page and everything it loads
    assert "http://" not in html.replace("http://localhost", "") and "https://" not in html
    assert response.headers["Cache-Control"] == "no-store"
    assert "本月教育学习和公益活动" in html and "近期要求" in html


def test_case_end_ends_enrolment_and_sessions(app, county, world, case_id):
    client = person_client(app, case_id)
    from corrections.supervision import services as supervision
    from tests.helpers import user

    with app.test_request_context():
        case = db.session.get(CorrectionCase, case_id)
        supervision.terminate_case(
            user("boss"), case, {"terminated_on": clock.today().isoformat(), "reason": "death"}
        )
        db.session.commit()
    assert enrolment_row(app, case_id).status == "ended"
    assert client.get("/my/").status_code == 302
