"""Jobs (idempotent), retention, figures with drill-down, and the API."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from corrections import clock
from corrections.alerts.models import Alert
from corrections.audit.models import AuditEvent
from corrections.checkin import services
from corrections.checkin.models import Checkin, CheckinEnrolment
from corrections.extensions import db
from tests.checkin.conftest import (
    enrolment_row,
    get_checkin,
    jpeg,
    person_client,
    request_checkin,
    upload,
)


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count()).select_from(model).where(*where)
        ).scalar_one()


def _set_level(app, case_id, level):
    from corrections.supervision.models import CorrectionCase

    with app.app_context():
        db.session.get(CorrectionCase, case_id).level = level
        db.session.commit()


def test_request_checkins_follows_rule_rows_and_is_idempotent(app, county, case_id, other_case_id):
    from corrections.reminders.jobs import run_job

    person_client(app, case_id)
    person_client(app, other_case_id, phone="13900139000", birth="1949-12-31")
    _set_level(app, case_id, "normal")
    _set_level(app, other_case_id, "strict")  # strict: none by default
    today = clock.today()
    with app.test_request_context():
        first = run_job("request_checkins", today)
        again = run_job("request_checkins", today)
    assert first["created"] == 1 and again["created"] == 0
    assert _count(app, Checkin) == 1
    with app.app_context():
        row = db.session.execute(select(Checkin)).scalar_one()
        due = row.due_by if row.due_by.tzinfo else row.due_by.replace(tzinfo=UTC)
        start = datetime.combine(today, time(8), tzinfo=clock.CHINA)
        assert due == start + timedelta(hours=24) and row.source == "schedule"
        row.status = "expired"  # no longer open
        db.session.commit()
    # 6 days later: not yet (every 7 days); 7 days later: due again
    with app.test_request_context():
        assert run_job("request_checkins", today + timedelta(days=6))["created"] == 0
        assert run_job("request_checkins", today + timedelta(days=7))["created"] == 1


def test_expire_checkins_raises_missed_checkin_once(app, county, case_id):
    from corrections.reminders.jobs import run_job

    person_client(app, case_id)
    checkin_id = request_checkin(app, case_id)
    with app.app_context():
        row = db.session.get(Checkin, checkin_id)
        row.due_by = datetime.now(UTC) - timedelta(minutes=5)
        db.session.commit()
    on = services.china_date(datetime.now(UTC))
    with app.test_request_context():
        assert run_job("expire_checkins", on)["created"] == 1
        assert run_job("expire_checkins", on)["created"] == 0
    assert get_checkin(app, checkin_id).status == "expired"
    assert _count(app, Alert, Alert.kind == "missed_checkin") == 1


def test_expire_checkins_leaves_open_ones(app, county, case_id):
    from corrections.reminders.jobs import run_job

    person_client(app, case_id)
    checkin_id = request_checkin(app, case_id)
    with app.test_request_context():
        assert run_job("expire_checkins", clock.today())["created"] == 0
    assert get_checkin(app, checkin_id).status == "requested"


def _submitted_and_reviewed(
    app, world, case_id, outcome="accepted", note="", phone="13800138000", birth="1990-01-01"
):
    client = person_client(app, case_id, phone=phone, birth=birth)
    checkin_id = request_checkin(app, case_id)
    page = client.get(f"/my/checkins/{checkin_id}")
    from tests.checkin.conftest import csrf

    client.post(
        f"/my/checkins/{checkin_id}",
        data={"csrf_token": csrf(page), "photo": upload(jpeg())},
        content_type="multipart/form-data",
    )
    api = world.api("off1")
    response = api.post(f"/checkins/{checkin_id}/review", json={"outcome": outcome, "note": note})
    assert response.status_code == 200, response.get_json()
    return checkin_id


def test_retention_deletes_photos_after_n_days_unless_held(
    app, county, world, case_id, other_case_id
):
    from corrections import storage
    from corrections.reminders.jobs import run_job

    kept = _submitted_and_reviewed(app, world, case_id)
    held = _submitted_and_reviewed(
        app, world, other_case_id, "follow_up", "核实", "13900139000", "1949-12-31"
    )
    key = get_checkin(app, kept).photo_key
    today = clock.today()
    with app.test_request_context():
        early = run_job("checkin_retention", today + timedelta(days=179))
        assert early["checkin_photos_deleted"] == 0
        late = run_job("checkin_retention", today + timedelta(days=180))
        assert late["checkin_photos_deleted"] == 1 and late["held"] == 1
        assert (
            run_job("checkin_retention", today + timedelta(days=181))["checkin_photos_deleted"] == 0
        )
        assert not storage.store().exists(key) or key == get_checkin(app, held).photo_key
    assert get_checkin(app, kept).photo_key is None
    assert get_checkin(app, held).photo_key is not None
    assert _count(app, AuditEvent, AuditEvent.action == "checkin.retention") == 3


def test_reference_photo_deleted_after_case_end_plus_retention(app, county, world, case_id):
    from corrections.reminders.jobs import run_job
    from corrections.supervision import services as supervision
    from corrections.supervision.models import CorrectionCase
    from tests.helpers import user

    person_client(app, case_id)
    today = clock.today()
    with app.test_request_context():
        supervision.terminate_case(
            user("boss"),
            db.session.get(CorrectionCase, case_id),
            {"terminated_on": today.isoformat(), "reason": "death"},
        )
        db.session.commit()
        assert (
            run_job("checkin_retention", today + timedelta(days=179))["reference_photos_deleted"]
            == 0
        )
        assert (
            run_job("checkin_retention", today + timedelta(days=180))["reference_photos_deleted"]
            == 1
        )
    row = enrolment_row(app, case_id)
    assert row.reference_photo_key is None and row.reference_deleted_at is not None


def test_figures_count_by_due_date_with_drill_down(app, county, world, case_id, other_case_id):
    from corrections.reports import figures

    person_client(app, case_id)
    person_client(app, other_case_id, phone="13900139000", birth="1949-12-31")
    missed = request_checkin(app, case_id)
    open_one = request_checkin(app, other_case_id)
    with app.app_context():
        row = db.session.get(Checkin, missed)
        row.due_by = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
        now = datetime.now(UTC)
        services.expire_due_checkins(services.china_date(now), now)
        db.session.commit()
        due_days = {get_checkin(app, i).due_on for i in (missed, open_one)}
        start, end = min(due_days), max(due_days)
        result = figures.compute(start, end, None)
        assert result.totals["cc.checkins_requested"] == 2
        assert result.totals["cc.checkins_missed"] == 1
        assert result.totals["cc.checkins_submitted"] == 0
        rows = db.session.execute(figures.BY_KEY["cc.checkins_missed"].rows(start, end, None)).all()
        assert [r[0].id for r in rows] == [missed]
        before = figures.compute(start - timedelta(days=10), start - timedelta(days=1), None)
        assert before.totals["cc.checkins_requested"] == 0


# --------------------------------------------------------------------------- API


def test_api_enrol_request_review(app, county, world, case_id):
    api = world.api("off1")
    response = api.post(
        f"/corrections/{case_id}/checkin-enrolment",
        json={"phone": "13800138000", "consent_on": clock.today().isoformat()},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "pending" and len(body["activation_code"]) == 8
    assert body["activation_url"].endswith(body["activation_code"]) and body["expires_at"].endswith(
        "Z"
    )
    again = api.post(
        f"/corrections/{case_id}/checkin-enrolment",
        json={"phone": "13800138001", "consent_on": clock.today().isoformat()},
    )
    assert again.status_code == 409
    not_active = api.post(f"/corrections/{case_id}/checkins", json={})
    assert (
        not_active.status_code == 422 and not_active.get_json()["error"]["code"] == "not_enrolled"
    )
    # activate through the pages
    from tests.checkin.conftest import BIRTH, PIN, activate, csrf

    client = app.test_client()
    assert activate(client, body["activation_code"], BIRTH, PIN).status_code == 302
    page = client.get("/my/reference")
    client.post(
        "/my/reference",
        data={"csrf_token": csrf(page), "photo": upload(jpeg())},
        content_type="multipart/form-data",
    )
    bad = api.post(f"/corrections/{case_id}/checkins", json={"questions": ["a", "b", "c", "d"]})
    assert bad.status_code == 422 and "questions" in bad.get_json()["error"]["fields"]
    created = api.post(f"/corrections/{case_id}/checkins", json={"questions": ["近况？"]})
    assert created.status_code == 201
    item = created.get_json()
    assert item["status"] == "requested" and item["questions"] == ["近况？"]
    assert "/my/checkins/" in item["checkin_url"]
    requested_at = datetime.fromisoformat(item["requested_at"].replace("Z", "+00:00"))
    due_by = datetime.fromisoformat(item["due_by"].replace("Z", "+00:00"))
    assert due_by - requested_at == timedelta(hours=24)
    assert api.post(f"/corrections/{case_id}/checkins", json={}).status_code == 409
    queue = api.get("/checkins?status=requested").get_json()
    assert queue["total"] == 1 and queue["items"][0]["id"] == item["id"]
    early = api.post(f"/checkins/{item['id']}/review", json={"outcome": "accepted"})
    assert early.status_code == 409
    assert api.get("/checkins?status=bogus").status_code == 422
    ended = api.client.delete(
        f"/api/v1/corrections/{case_id}/checkin-enrolment", headers=api.headers
    )
    assert ended.status_code == 200 and ended.get_json()["status"] == "ended"


def test_api_scope_and_roles(app, county, world, case_id):
    far = world.api("far")
    assert (
        far.post(
            f"/corrections/{case_id}/checkin-enrolment",
            json={"phone": "13800138000", "consent_on": "2026-01-01"},
        ).status_code
        == 404
    )
    viewer = world.api("viewer")
    assert (
        viewer.post(
            f"/corrections/{case_id}/checkin-enrolment",
            json={"phone": "13800138000", "consent_on": "2026-01-01"},
        ).status_code
        == 403
    )
    person_client(app, case_id)
    checkin_id = request_checkin(app, case_id)
    assert far.get(f"/checkins/{checkin_id}").status_code == 404
    assert far.get("/checkins").get_json()["total"] == 0
    assert (
        world.api("off2")
        .post(f"/checkins/{checkin_id}/review", json={"outcome": "accepted"})
        .status_code
        == 404
    )


def test_api_review_accepted_records_contact(app, county, world, case_id):
    checkin_id = _submitted_and_reviewed(app, world, case_id)
    body = world.api("off1").get(f"/checkins/{checkin_id}").get_json()
    assert body["status"] == "reviewed" and body["outcome"] == "accepted" and body["contact_id"]
    assert body["face"] == "not_checked" and body["location"] is None
    with app.app_context():
        assert db.session.get(CheckinEnrolment, 1) is not None


def test_dashboard_shows_on_time_rate_and_queue_age(app, county, world, case_id, other_case_id):
    person_client(app, case_id)
    missed = request_checkin(app, case_id)
    with app.app_context():
        row = db.session.get(Checkin, missed)
        row.due_by = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
        now = datetime.now(UTC)
        services.expire_due_checkins(services.china_date(now), now)
        db.session.commit()
    _submitted_and_reviewed(app, world, other_case_id, phone="13900139000", birth="1949-12-31")
    boss = world.login(app.test_client(), "boss")
    html = boss.get("/dashboard").get_data(as_text=True)
    assert "checkin-rates" in html and "0%" in html  # the missed one (the other is due tomorrow)
    queue = boss.get("/checkins").get_data(as_text=True)
    assert "queue-age" not in queue  # nothing waits: the one submission was reviewed


def test_demo_county_has_a_check_in_history(app, ctx):
    from corrections.demo import DEMO_PIN, load_demo

    load_demo()
    db.session.commit()
    statuses = dict(
        db.session.execute(select(Checkin.status, func.count()).group_by(Checkin.status)).all()
    )
    assert statuses.get("expired") and statuses.get("reviewed") and statuses.get("submitted")
    assert db.session.execute(
        select(func.count()).select_from(Checkin).where(Checkin.outside_area.is_(True))
    ).scalar_one()
    enrolment = db.session.execute(select(CheckinEnrolment).limit(1)).scalar_one()
    found = services.login(enrolment.phone, DEMO_PIN)
    assert found.id == enrolment.id


def test_schedule_rule_rows_are_editable_and_effective_dated(app, county, case_id):
    from corrections.reminders.jobs import run_job
    from corrections.rules import services as rules
    from tests.helpers import user

    person_client(app, case_id)
    _set_level(app, case_id, "strict")
    today = clock.today()
    with app.test_request_context():
        assert run_job("request_checkins", today)["created"] == 0  # strict: none by default
        rules.add_deadline_rule(
            user("admin"),
            {"key": "checkin_every_days_strict", "value": 3, "effective_from": today.isoformat()},
        )
        db.session.commit()
        assert run_job("request_checkins", today)["created"] == 1
    admin_page = app.test_client()
    from tests.conftest import PASSWORD

    admin_page.post("/login", data={"username": "admin", "password": PASSWORD})
    assert "自助报到间隔（严管" in admin_page.get("/rules/").get_data(as_text=True)


def test_person_leave_shows_as_self_applied_on_the_case(app, county, world, case_id):
    from tests.checkin.conftest import csrf

    client = person_client(app, case_id)
    page = client.get("/my/leaves/new")
    client.post(
        "/my/leaves/new",
        data={
            "csrf_token": csrf(page),
            "starts_on": (clock.today() + timedelta(days=2)).isoformat(),
            "ends_on": (clock.today() + timedelta(days=3)).isoformat(),
            "destination": "绍兴市",
            "reason": "family",
        },
    )
    staff = world.login(app.test_client(), "off1")
    assert "本人（手机申请）" in staff.get(f"/corrections/{case_id}").get_data(as_text=True)


def test_check_in_figures_on_the_summary_and_in_the_api(app, county, world):
    boss = world.login(app.test_client(), "boss")
    html = boss.get("/reports/").get_data(as_text=True)
    assert "自助报到应报" in html and "自助报到逾期未报" in html
    today = clock.today().isoformat()
    body = world.api("boss").get(f"/reports/summary?from={today}&to={today}").get_json()
    assert body["figures"]["cc.checkins_requested"] == 0
    assert "cc.checkins_submitted" in body["figures"] and "cc.checkins_missed" in body["figures"]
