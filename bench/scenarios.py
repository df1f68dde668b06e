"""Scenarios of ``bench.run`` that need their own setup: the 信息化核查 location import,
self check-in submissions with a phone photo, and the check-in review queue.

Setup writes into the benchmark database, as recording contacts does: the location
import's real run raises its alerts; each check-in run enrols a few more active cases of
unit 1 (phone ``139`` + the case id), activates them, stores a reference photo, requests one
check-in each and opens a person session for each (the cookie is signed here, as the app
would sign it). A unit without an area gets the circle ``bench.location_import`` uses.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import time
import uuid

PHOTO_BYTES = 3 * 1024 * 1024  # a phone photo of about 3 MB
PIN = "246813"


# --------------------------------------------------------------------------- location import


def location_import(app, rows: int = 50_000, username: str = "sup1"):
    """Time the dry run and the real run of a carrier export of ``rows`` rows for the active
    correction cases of ``username``'s unit (in this process, like the jobs)."""
    from sqlalchemy import select

    from bench.location_import import HOME, export
    from bench.run import Result
    from corrections.alerts import areas
    from corrections.alerts import location_import as li
    from corrections.auth.models import Station, Unit, User
    from corrections.extensions import db
    from corrections.people.models import Person
    from corrections.supervision.models import CorrectionCase

    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        unit = db.session.get(Unit, user.unit_id)
        if areas.area_for(unit) is None:  # the out-of-area check needs an area
            areas.set_area(unit, circle=(HOME[0], HOME[1], 30000))
            db.session.commit()
        numbers = list(
            db.session.execute(
                select(Person.id_number)
                .join(CorrectionCase, CorrectionCase.person_id == Person.id)
                .join(Station, Station.id == CorrectionCase.station_id)
                .where(Station.unit_id == unit.id, CorrectionCase.status == "active")
                .order_by(CorrectionCase.id)
            ).scalars()
        )
        # five days of five checks a person (and some night checks), as bench.location_import
        numbers = numbers[: max(1, rows // 25)]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "export.csv")
            facts = export(numbers, rows, path, "csv")
            out = []
            for dry_run in (True, False):
                began = time.perf_counter()
                with open(path, "rb") as fh:
                    result = li.run_location_import(user, "export.csv", fh, dry_run=dry_run)
                db.session.commit() if not dry_run else db.session.rollback()
                elapsed = (time.perf_counter() - began) * 1000
                name = "location_import_dry_run" if dry_run else "location_import"
                extra = {"rows": facts["rows"], "people": len(numbers), "matched": result.matched}
                if not dry_run:
                    extra["alerts_created"] = result.alerts_created
                what = f"信息化核查 import, {facts['rows']:,} rows (CSV), " + (
                    "dry run" if dry_run else "raising the alerts"
                )
                out.append(Result(name, what, [elapsed], extra))
    return out


# --------------------------------------------------------------------------- check-ins


def phone_photo(size: int = PHOTO_BYTES, when=None, width: int = 4032, height: int = 3024) -> bytes:
    """A ``width`` × ``height`` JPEG of about ``size`` bytes (or the smallest of the qualities
    tried), taken ``when`` (EXIF, China time; default now)."""
    from PIL import Image

    from corrections import clock

    when = when or clock.now_utc().astimezone(clock.CHINA)
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image = Image.blend(gradient, noise, 0.35)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    best = b""
    for quality in (95, 90, 85, 80, 75, 70, 60, 50, 40):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, exif=exif)
        best = out.getvalue()
        if len(best) <= size * 1.1:
            break
    return best


def setup_checkins(app, count: int, unit_username: str = "sup1") -> list[dict]:
    """``count`` enrolled cases of ``unit_username``'s unit, each with one open check-in and a
    person session: [{"cookie": (name, value), "checkin_id": id}]."""
    from flask.sessions import SecureCookieSessionInterface
    from sqlalchemy import select
    from werkzeug.datastructures import FileStorage

    from corrections import clock
    from corrections.auth.models import Station, User
    from corrections.checkin import services as checkin
    from corrections.checkin.models import CheckinEnrolment
    from corrections.extensions import db
    from corrections.supervision.models import CorrectionCase

    reference = phone_photo(300_000, width=1280, height=960)
    out = []
    with app.test_request_context():
        boss = db.session.execute(select(User).where(User.username == unit_username)).scalar_one()
        enrolled = select(CheckinEnrolment.case_id)
        cases = db.session.execute(
            select(CorrectionCase)
            .join(Station, Station.id == CorrectionCase.station_id)
            .where(
                Station.unit_id == boss.unit_id,
                CorrectionCase.status == "active",
                CorrectionCase.officer_id.is_not(None),
                CorrectionCase.id.not_in(enrolled),
            )
            .order_by(CorrectionCase.id)
            .limit(count)
        ).scalars()
        serializer = SecureCookieSessionInterface().get_signing_serializer(app)
        for case in cases:
            officer = db.session.get(User, case.officer_id)
            enrolment, code = checkin.enrol(
                officer,
                case,
                {"phone": f"139{case.id:08d}", "consent_on": clock.today().isoformat()},
            )
            checkin.activate(
                {
                    "code": code,
                    "birth_date": case.person.birth_date.isoformat(),
                    "pin": PIN,
                    "pin_again": PIN,
                }
            )
            upload = FileStorage(io.BytesIO(reference), filename="reference.jpg")
            checkin.set_reference(enrolment, upload)
            row = checkin.request_checkin(officer, case, {})
            secret = checkin.start_person_session(enrolment)
            db.session.commit()
            cookie = serializer.dumps({"person_sid": secret})
            out.append(
                {"cookie": (app.config["SESSION_COOKIE_NAME"], cookie), "checkin_id": row.id}
            )
    return out


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            .encode()
        )  # fmt: skip
    for name, (filename, data) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def run_checkins(port: int, sessions: list[dict], warm_up: int = 2):
    """Each person opens their check-in page (not timed) and submits it with a 3 MB photo and
    a position (timed, up to the redirect); the first ``warm_up`` are not counted."""
    from bench.run import Client, Result

    photo = phone_photo()
    samples = []
    for i, s in enumerate(sessions):
        client = Client(port)
        name, value = s["cookie"]
        client.cookies[name] = value
        path = f"/my/checkins/{s['checkin_id']}"
        status, page = client.get(path)
        if status != 200:
            raise SystemExit(f"GET {path}: HTTP {status}: {page[:300]!r}")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        fields = {"csrf_token": token.group(1).decode() if token else ""}
        fields.update({"lat": "30.2600", "lon": "120.1600", "accuracy_m": "25"})
        for answer in sorted(set(re.findall(rb'name="(answer_\d+)"', page))):
            fields[answer.decode()] = "在家"
        body, content_type = _multipart(fields, {"photo": ("IMG_0001.jpg", photo)})
        began = time.perf_counter()
        status, data = client.request("POST", path, body, {"Content-Type": content_type})
        elapsed = (time.perf_counter() - began) * 1000
        if status != 302:
            raise SystemExit(f"POST {path}: HTTP {status}: {data[:300]!r}")
        if i >= warm_up:
            samples.append(elapsed)
    return Result(
        "checkin_submit",
        f"self check-in submitted with a {len(photo) / 2**20:.1f} MB phone photo (/my/)",
        samples,
        {"photo_bytes": len(photo)},
    )
