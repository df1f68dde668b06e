"""Self check-in fixtures: a county, an active case, an enrolled and activated person."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from corrections.extensions import db

PIN = "482916"
BIRTH = "1990-01-01"  # of tests.helpers.MALE_ID


def jpeg(colour=(200, 160, 120), size=(320, 400), exif_time: str | None = None) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((80, 80, 240, 280), fill=(230, 190, 160))
    out = io.BytesIO()
    if exif_time:
        exif = Image.Exif()
        exif.get_ifd(0x8769)[0x9003] = exif_time
        exif[0x0110] = "TestPhone"
        exif[0x8825] = {1: "N", 2: (30.0, 0.0, 0.0)}  # GPS: must not survive
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg"):
    return (io.BytesIO(data), name)


@pytest.fixture(autouse=True)
def _today_is_now():
    """Check-ins compare real timestamps (submission, deadline) with dates: here "today"
    is the real date in China, so the two clocks agree."""
    from corrections import clock

    clock.set_today(datetime.now(clock.CHINA).date())
    yield


def case_dates() -> dict:
    from corrections import clock

    today = clock.today()
    start = today - timedelta(days=60)
    return {
        "judgment_effective_on": start.isoformat(),
        "term_start": start.isoformat(),
        "term_end": (today + timedelta(days=300)).isoformat(),
        "received_on": (start + timedelta(days=3)).isoformat(),
    }


def new_case(app, world, id_number: str, name: str, station: str = "S1", actor="off1") -> int:
    from tests.supervision.webhelpers import make_case

    person = world.person(actor, id_number, name=name, station=station)
    return make_case(app, person, actor, station=station, **case_dates())


@pytest.fixture
def case_id(app, county, world):
    from tests.helpers import MALE_ID

    return new_case(app, world, MALE_ID, "张三")


@pytest.fixture
def other_case_id(app, county, world):
    from tests.helpers import FEMALE_ID

    return new_case(app, world, FEMALE_ID, "李梅")


def enrol(app, case_id: int, phone: str = "13800138000", actor: str = "off1") -> str:
    from corrections.checkin import services
    from corrections.supervision.models import CorrectionCase
    from tests.helpers import user

    with app.test_request_context():
        case = db.session.get(CorrectionCase, case_id)
        _e, code = services.enrol(user(actor), case, {"phone": phone, "consent_on": "2026-11-20"})
        db.session.commit()
        return code


def activate(client, code: str, birth: str = BIRTH, pin: str = PIN):
    page = client.get(f"/my/activate?code={code}")
    token = csrf(page)
    return client.post(
        "/my/activate",
        data={"csrf_token": token, "code": code, "birth_date": birth, "pin": pin, "pin_again": pin},
    )


def csrf(response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    return found.group(1) if found else ""


def person_client(app, case_id: int, phone: str = "13800138000", birth: str = BIRTH):
    """A browser with an active person session (enrolled, activated, reference photo)."""
    code = enrol(app, case_id, phone)
    client = app.test_client()
    response = activate(client, code, birth)
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    page = client.get("/my/reference")
    response = client.post(
        "/my/reference",
        data={"csrf_token": csrf(page), "photo": upload(jpeg())},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    return client


def request_checkin(app, case_id: int, actor: str = "off1", **data):
    from corrections.checkin import services
    from corrections.supervision.models import CorrectionCase
    from tests.helpers import user

    with app.test_request_context():
        case = db.session.get(CorrectionCase, case_id)
        checkin = services.request_checkin(user(actor), case, data)
        db.session.commit()
        return checkin.id


def get_checkin(app, checkin_id: int):
    from corrections.checkin.models import Checkin

    with app.app_context():
        row = db.session.get(Checkin, checkin_id)
        db.session.expunge(row)
        return row


def enrolment_row(app, case_id: int):
    from corrections.checkin.models import CheckinEnrolment

    with app.app_context():
        row = db.session.execute(
            select(CheckinEnrolment).where(CheckinEnrolment.case_id == case_id)
        ).scalar_one()
        db.session.expunge(row)
        return row
