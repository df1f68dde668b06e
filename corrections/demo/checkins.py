"""Self check-in in the demo county: enrolled people with weeks of weekly check-ins."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from corrections.auth.models import User
from corrections.demo.county import demo_unit, officers_by_station
from corrections.demo.data import DEMO_PIN
from corrections.extensions import db


def demo_face(rng: random.Random, tint: int) -> bytes:
    """A placeholder portrait drawn with Pillow (no external files)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 480), (200 + tint % 40, 215, 230))
    draw = ImageDraw.Draw(image)
    skin = (224 - tint % 30, 188 - tint % 20, 160)
    draw.rectangle((60, 360, 300, 480), fill=(60 + tint % 80, 80, 120))
    draw.ellipse((105, 90, 255, 290), fill=skin)
    draw.ellipse((140, 160, 160, 175), fill=(40, 40, 40))
    draw.ellipse((200, 160, 220, 175), fill=(40, 40, 40))
    draw.arc((150, 210, 210, 250), 20, 160, fill=(120, 60, 60), width=4)
    draw.text((10, 10), f"DEMO {rng.randrange(1000, 9999)}", fill=(90, 90, 90))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=75)
    return out.getvalue()


def load_demo_checkins(rng: random.Random, users: dict[str, User]) -> int:
    """Enrolled people with eight weeks of weekly check-ins: most reviewed and accepted,
    some missed, some outside the allowed area, one waiting for review, one open."""
    from werkzeug.security import generate_password_hash

    from corrections import clock
    from corrections.checkin import services as checkin
    from corrections.checkin.models import CheckinEnrolment
    from corrections.supervision import services as supervision
    from corrections.supervision.models import CorrectionCase

    _area_and_questions(demo_unit())
    cases = (
        db.session.execute(
            select(CorrectionCase)
            .where(
                CorrectionCase.status == "active", CorrectionCase.level.in_(("normal", "lenient"))
            )
            .order_by(CorrectionCase.id)
        )
        .scalars()
        .all()
    )
    officer_for = officers_by_station(users)
    today = clock.today()
    now = datetime.combine(today, time(10), tzinfo=clock.CHINA).astimezone(UTC)
    pin_hash = generate_password_hash(DEMO_PIN)
    made = 0
    per_station: dict[int, int] = {}
    for case in cases:
        if per_station.get(case.station_id, 0) >= 3:
            continue
        per_station[case.station_id] = per_station.get(case.station_id, 0) + 1
        if db.session.execute(
            select(CheckinEnrolment.id).where(CheckinEnrolment.case_id == case.id)
        ).first():
            continue
        officer = officer_for.get(case.station.code) or users["chen"]
        start = max(case.received_on or today, today - timedelta(days=56))
        enrolment = _enrol(rng, case, officer, start, pin_hash)
        made += _weekly_checkins(rng, case, enrolment, officer, start, today, now)
        if checkin.open_checkin(case.id) is None and per_station[case.station_id] == 1:
            _open_request(case, enrolment, officer, now)
            made += 1
        supervision.refresh_due_state(case)
    db.session.flush()
    return made


def _area_and_questions(unit) -> None:
    """The unit's area (the alerts demo keeps the same circle) and its three questions."""
    from corrections.alerts import areas
    from corrections.alerts.demo import AREA_RADIUS_M, CENTRE
    from corrections.checkin.models import CheckinQuestion

    if areas.area_for(unit) is None:  # the one area: the alerts demo keeps the same circle
        areas.set_area(unit, circle=(CENTRE[0], CENTRE[1], AREA_RADIUS_M))
    if (
        db.session.execute(
            select(CheckinQuestion.id).where(CheckinQuestion.unit_id == unit.id)
        ).first()
        is None
    ):
        for text in ("最近一周在做什么工作？", "身体情况怎么样？", "近期有没有离开本县的打算？"):
            db.session.add(CheckinQuestion(unit_id=unit.id, text=text, active=True))


def _enrol(rng, case, officer, start: date, pin_hash: str):
    from corrections import clock
    from corrections.checkin import photos
    from corrections.checkin.models import CheckinEnrolment

    enrolment = CheckinEnrolment(
        case_id=case.id,
        phone=f"1390000{case.id:04d}",
        consent_on=start,
        status="active",
        pin_hash=pin_hash,
        reference_photo_key=photos.save_bytes(demo_face(rng, case.id * 7)),
        reference_photo_at=datetime.combine(start, time(9), tzinfo=clock.CHINA),
        activated_at=datetime.combine(start, time(9), tzinfo=clock.CHINA),
        created_by_id=officer.id,
    )
    db.session.add(enrolment)
    db.session.flush()
    return enrolment


def _weekly_checkins(rng, case, enrolment, officer, start, today, now) -> int:
    """A scheduled check-in every week since ``start``: missed, or submitted (and reviewed
    unless it is the latest)."""
    from corrections import clock
    from corrections.checkin.models import Checkin
    from corrections.checkin.signals import signal

    made = 0
    day = start + timedelta(days=7)
    while day < today:
        due = datetime.combine(day, time(8), tzinfo=clock.CHINA) + timedelta(hours=24)
        row = Checkin(
            case_id=case.id,
            enrolment_id=enrolment.id,
            status="requested",
            source="schedule",
            schedule_key=f"{case.id}:{day.isoformat()}",
            requested_at=datetime.combine(day, time(8), tzinfo=clock.CHINA),
            due_by=due,
            due_on=due.date(),
            questions=[],
            answers=[],
        )
        db.session.add(row)
        roll = rng.random()
        if roll < 0.12 or due.astimezone(UTC) >= now - timedelta(hours=1) and roll < 0.3:
            if due.astimezone(UTC) < now:
                row.status, row.expired_at = "expired", due
                db.session.flush()
                signal(case, "missed_checkin", cause=f"checkin:{row.id}", at=due)
        else:
            _submitted(rng, row, case, day, now)
            if day + timedelta(days=7) < today:  # the latest one waits for review
                _reviewed(rng, row, officer)
        db.session.flush()
        made += 1
        day += timedelta(days=7)
    return made


def _submitted(rng, row, case, day: date, now: datetime) -> None:
    """The person's submission: a photo, and a position inside the area or well outside."""
    from corrections import clock
    from corrections.alerts import areas
    from corrections.alerts.demo import AREA_RADIUS_M, CENTRE
    from corrections.checkin import photos

    submitted = datetime.combine(day, time(8), tzinfo=clock.CHINA) + timedelta(
        hours=rng.randrange(1, 20)
    )
    if submitted.astimezone(UTC) > now:
        submitted = now - timedelta(minutes=30)
    outside = rng.random() < 0.15
    lat0, lon0 = CENTRE
    metres = AREA_RADIUS_M + rng.randrange(2_000, 30_000) if outside else rng.randrange(0, 9_000)
    row.status = "submitted"
    row.submitted_at = submitted
    row.photo_key = photos.save_bytes(demo_face(rng, case.id * 7 + 1))
    row.photo_taken_at = submitted
    row.lat = round(lat0 + metres / areas.EARTH_M_PER_DEG_LAT, 6)
    row.lon = lon0
    row.accuracy_m = float(rng.choice((12, 25, 40, 65, 1800)))
    row.approximate = row.accuracy_m > 1000
    # judged against the unit's area exactly as a real check-in is
    row.outside_area = areas.outside_area(case.station, row.lat, row.lon)
    row.distance_m = areas.distance_outside(case.station, row.lat, row.lon)
    row.face = "not_checked"
    db.session.flush()


def _reviewed(rng, row, officer) -> None:
    from corrections.checkin import services as checkin

    outcome = "follow_up" if row.outside_area and rng.random() < 0.5 else "accepted"
    checkin.review(
        officer,
        row,
        {"outcome": outcome, "note": "位置在范围外，已电话核实" if outcome == "follow_up" else ""},
    )


def _open_request(case, enrolment, officer, now: datetime) -> None:
    """One open check-in the officer asked for, due in twenty hours."""
    from corrections.checkin import services as checkin
    from corrections.checkin.models import Checkin

    due = now + timedelta(hours=20)
    db.session.add(
        Checkin(
            case_id=case.id,
            enrolment_id=enrolment.id,
            status="requested",
            source="officer",
            requested_at=now,
            requested_by_id=officer.id,
            due_by=due,
            due_on=checkin.china_date(due),
            questions=["最近一周在做什么工作？"],
            answers=[],
        )
    )
