"""bench.run's own-setup scenarios on the tiny province: the phone photo the app accepts as
taken now, check-ins ready to submit, and a carrier export the location import matches."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image
from sqlalchemy import select

from bench import scenarios
from bench.generate import generate
from corrections import clock, create_app
from corrections.checkin import photos
from corrections.checkin.models import Checkin, CheckinEnrolment
from corrections.extensions import db
from tests.bench.test_generate import _database, summary_url

TODAY = date(2026, 11, 25)


def test_phone_photo_is_taken_now():
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        data = scenarios.phone_photo(300_000, width=1280, height=960)
        image = Image.open(io.BytesIO(data))
        assert image.size == (1280, 960)
        taken = photos.capture_time(image)
        assert abs((clock.now_utc() - taken).total_seconds()) < 120


def test_checkins_and_location_import_set_up_on_the_tiny_province(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    url, drop = _database(tmp_path)
    clock.set_today(TODAY)
    try:
        generate(url, "tiny", seed=7, reset=True, today=TODAY, json_path=str(tmp_path / "o.json"))
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": summary_url(url)})
        sessions = scenarios.setup_checkins(app, 2)
        assert len(sessions) == 2
        with app.app_context():
            for s in sessions:
                checkin = db.session.get(Checkin, s["checkin_id"])
                assert checkin.status == "requested"
                enrolment = db.session.get(CheckinEnrolment, checkin.enrolment_id)
                assert enrolment.status == "active" and enrolment.reference_photo_key
            assert not db.session.execute(
                select(Checkin.id).where(Checkin.id.not_in([s["checkin_id"] for s in sessions]))
            ).first()
        dry, real = scenarios.location_import(app, rows=500)
        assert dry.extra["rows"] == real.extra["rows"] > 0
        assert dry.extra["matched"] == dry.extra["rows"]
    finally:
        clock.set_today(None)
        drop()
