"""A realistic demo county (示范县), loaded by ``flask --app wsgi demo``.

Idempotent: stations, users and people are looked up by their natural keys
(code, username, ID number) and only missing ones are created. ID numbers are
well-formed (valid check digit) but clearly fictional: every serial is 9xx.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from corrections.auth import services as auth
from corrections.auth.models import Station, Unit, User
from corrections.extensions import db
from corrections.people import services as people
from corrections.people.idnumber import make_fictional
from corrections.people.models import Person

DEMO_UNIT = "示范县司法局"
DEMO_PASSWORD = "demo-county-2026"
DEMO_STATIONS = [
    ("CG", "城关司法所"),
    ("DS", "东山司法所"),
    ("NX", "南溪司法所"),
    ("BL", "北岭司法所"),
]
# username, role, display name, station codes
# Display names are people's names: the station or office is shown beside them where it
# matters (officer pickers, the scope line), never glued into the name.
DEMO_USERS = [
    ("admin", "admin", "系统管理员", []),
    ("zhuguan", "supervisor", "王建华", []),
    ("jiancha", "viewer", "刘敏", []),
    ("chen", "officer", "陈晓", ["CG"]),
    ("li", "officer", "李娜", ["DS"]),
    ("zhou", "officer", "周强", ["NX", "BL"]),
]
# the names earlier demo databases were given (renamed when the demo is loaded again)
OLD_DEMO_NAMES = {
    "zhuguan": "县局社矫科 王主管",
    "jiancha": "县检察院 刘检察官",
    "chen": "城关所 陈晓",
    "li": "东山所 李娜",
    "zhou": "南溪、北岭所 周强",
}
AREA_CODES = ["330726", "330727", "330781", "330782"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红建国志文辉鹏飞斌宇浩凯健俊帆"
ETHNICITIES = ["汉族"] * 18 + ["畲族", "回族"]
TOWNS = {"CG": "城关镇", "DS": "东山乡", "NX": "南溪镇", "BL": "北岭乡"}
PEOPLE_PER_STATION = 15


def _unit() -> Unit:
    unit = db.session.execute(select(Unit).where(Unit.name == DEMO_UNIT)).scalar_one_or_none()
    if unit is not None:
        return unit
    default = auth.default_unit()
    if default.name == auth.DEFAULT_UNIT_NAME:
        default.name = DEMO_UNIT  # an empty new database: the default unit becomes the demo county
        return default
    return auth.create_unit(None, DEMO_UNIT)


def load_demo(seed: int = 2026) -> dict:
    rng = random.Random(seed)
    unit = _unit()
    created = {"stations": 0, "users": 0, "people": 0}
    stations: dict[str, Station] = {}
    for code, name in DEMO_STATIONS:
        station = auth.station_by_code(code)
        if station is None:
            station = auth.create_station(None, code, name, unit)
            created["stations"] += 1
        stations[code] = station
    users: dict[str, User] = {}
    for username, role, display, codes in DEMO_USERS:
        user = db.session.execute(
            select(User).where(User.username == username)
        ).scalar_one_or_none()
        if user is None:
            user = auth.create_user(
                None,
                username,
                DEMO_PASSWORD,
                role,
                stations=[stations[c] for c in codes],
                unit=unit,
                display_name=display,
            )
            created["users"] += 1
        elif user.display_name == OLD_DEMO_NAMES.get(username):
            user.display_name = display
        users[username] = user
    officer_for = {"CG": users["chen"], "DS": users["li"], "NX": users["zhou"], "BL": users["zhou"]}
    serial = 900
    for index, (code, _name) in enumerate(DEMO_STATIONS):
        for n in range(PEOPLE_PER_STATION):
            serial += 1
            birth = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 47))
            # Odd 17th digit: male. About one in six is a woman, as on real registers.
            want_female = rng.random() < 0.17
            seq = 900 + (serial % 50) * 2 + (0 if want_female else 1)  # 9xx: fictional
            area = AREA_CODES[index % len(AREA_CODES)]
            number = make_fictional(area, birth, seq)
            name = (
                rng.choice(SURNAMES)
                + rng.choice(GIVEN)
                + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
            )
            town = TOWNS[code]
            flags = []
            roll = rng.random()
            if roll < 0.08:
                flags.append("gang")
            if rng.random() < 0.12:
                flags.append("repeat_offender")
            if rng.random() < 0.06:
                flags.append("drugs")
            if rng.random() < 0.04:
                flags.append("three_no")
            data = {
                "name": name,
                "id_number": number,
                "ethnicity": rng.choice(ETHNICITIES),
                "phone": f"13{rng.randrange(100000000, 999999999)}",
                "household_type": rng.choice(["urban", "rural", "rural"]),
                "household_address": f"示范县{town}{rng.choice('东南西北')}村{rng.randrange(1, 60)}号",
                "residence_address": "",
                "same_address": rng.random() < 0.8,
                "education": rng.choice(
                    [
                        "college",
                        "high_school",
                        "middle_school",
                        "middle_school",
                        "primary_or_less",
                    ]
                ),
                "employment": rng.choice(["employed", "employed", "unemployed", "student"])
                if n
                else "employed",
                "emergency_contact": f"{rng.choice(SURNAMES)}某（家属） 13{rng.randrange(100000000, 999999999)}",
                "flags": flags,
            }
            # Every random draw happens before this check, so a rerun replays the same county.
            if db.session.execute(select(Person.id).where(Person.id_number == number)).first():
                continue
            people.create_person(officer_for[code], data, stations[code])
            created["people"] += 1
    db.session.flush()
    created["cases"] = load_demo_cases(rng, users)
    created["assessments"] = load_demo_assessments(rng, users)
    created["activities"] = load_demo_activities(rng, users)
    created["resettlement"] = load_demo_resettlement(rng, users)
    created["checkins"] = load_demo_checkins(rng, users)
    db.session.flush()
    created["photos"] = load_demo_photos()
    from corrections.alerts.demo import load_demo_alerts

    created["alerts"] = load_demo_alerts(rng, users, unit)
    db.session.flush()
    return {
        "unit": unit.name,
        "created": created,
        "password": DEMO_PASSWORD,
        "logins": [u[0] for u in DEMO_USERS],
    }


# --------------------------------------------------------------------------- correction cases

CRIMES = [
    ("盗窃罪", "property"),
    ("诈骗罪", "property"),
    ("危险驾驶罪", "public_safety"),
    ("交通肇事罪", "public_safety"),
    ("故意伤害罪", "personal_rights"),
    ("寻衅滋事罪", "social_order"),
    ("开设赌场罪", "social_order"),
    ("非法吸收公众存款罪", "market_order"),
    ("受贿罪", "corruption"),
    ("玩忽职守罪", "malfeasance"),
    ("帮助信息网络犯罪活动罪", "social_order"),
]
# (share of people, plan) — what becomes of each registered person in the demo county.
CASE_PLANS = (
    ["active"] * 30
    + ["active_overdue"] * 5
    + ["expected"] * 2
    + ["missed_intake"] * 2
    + ["released"] * 8
    + ["terminated"] * 2
    + ["transferred_out"] * 2
    + ["near_end"] * 3
    + ["none"] * 6
)


# Contact streams per level: (roughly every N days, kinds), each a little inside its window.
STREAMS = {
    "strict": [(6, ["report_in_person", "report_in_person", "field_visit"]), (26, ["field_visit"])],
    "normal": [
        (6, ["phone", "video", "info_check"]),
        (26, ["report_in_person"]),
        (50, ["field_visit"]),
    ],
}


def _demo_contacts(rng, officer, case, start, stop, level):
    from corrections.supervision import services as sv

    for every, kinds in STREAMS[level]:
        day = start + timedelta(days=rng.randint(1, max(1, every - 2)))
        while day <= stop:
            kind = rng.choice(kinds)
            sv.record_contact(
                officer,
                case,
                {
                    "kind": kind,
                    "occurred_on": day,
                    "note": rng.choice(
                        ["情况稳定", "按时报到，思想汇报正常", "走访家属，表现良好", "工作稳定"]
                    ),
                    "unannounced": kind == "field_visit" and rng.random() < 0.2,
                    "at_night": kind == "field_visit" and rng.random() < 0.1,
                },
            )
            day += timedelta(days=rng.randint(max(1, every - 4), every))


def _demo_photo(index: int, size: tuple[int, int], orientation: int | None = None):
    """A made-up visit photo (a house front: wall, door, window), as a phone would send it:
    a large JPEG, sometimes turned by its EXIF orientation."""
    import io

    from PIL import Image, ImageDraw
    from werkzeug.datastructures import FileStorage

    walls = [(214, 196, 170), (188, 204, 214), (222, 214, 190), (200, 188, 200)]
    width, height = size
    image = Image.new("RGB", size, (150, 190, 225))  # sky
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(110, 110, 105))  # road
    draw.rectangle(
        (width // 8, height // 4, width * 7 // 8, height * 5 // 6), fill=walls[index % 4]
    )
    draw.rectangle(
        (width * 2 // 5, height // 2, width * 3 // 5, height * 5 // 6), fill=(120, 70, 40)
    )
    draw.rectangle((width // 5, height * 2 // 5, width // 3, height * 3 // 5), fill=(90, 130, 170))
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(out, "JPEG", quality=88, exif=exif.tobytes())
    out.seek(0)
    return FileStorage(stream=out, filename=f"IMG_20261{index:03d}.jpg")


def load_demo_photos() -> int:
    """Visit photos on the newest field visits of a few open cases (both programmes): two
    each, sent from a phone (large, one taken sideways). Idempotent: a contact that has
    photos gets none again."""
    from corrections.paperwork import attachments
    from corrections.paperwork.models import Attachment
    from corrections.resettlement.models import ResettlementCase, ResettlementContact
    from corrections.supervision.models import Contact, CorrectionCase

    picks = []
    for contact_model, case_model, limit in (
        (Contact, CorrectionCase, 3),
        (ResettlementContact, ResettlementCase, 1),
    ):
        picks += (
            db.session.execute(
                select(contact_model)
                .join(case_model, case_model.id == contact_model.case_id)
                .where(case_model.status == "active", contact_model.kind == "field_visit")
                .order_by(contact_model.occurred_on.desc(), contact_model.id.desc())
                .limit(limit)
            )
            .scalars()
            .all()
        )
    made = 0
    for n, contact in enumerate(picks):
        programme = "correction" if isinstance(contact, Contact) else "resettlement"
        if db.session.execute(
            select(Attachment.id).where(
                Attachment.programme == programme, Attachment.contact_id == contact.id
            )
        ).first():
            continue
        recorder = db.session.get(User, contact.recorded_by_id)
        photos = attachments.spool_photos(
            [_demo_photo(2 * n, (2400, 1800)), _demo_photo(2 * n + 1, (2400, 1800), 6)]
        )
        made += len(attachments.attach_photos(recorder, contact, photos))
    return made


def load_demo_cases(rng: random.Random, users: dict[str, User]) -> int:
    """Correction cases in every state, with about a year of history (idempotent per person)."""
    from corrections import clock
    from corrections.supervision import services as sv
    from corrections.supervision.models import CorrectionCase

    today = clock.today()
    boss = users["zhuguan"]
    people_rows = db.session.execute(select(Person).order_by(Person.id)).scalars().all()
    created = 0
    for person, plan in zip(people_rows, CASE_PLANS, strict=False):
        # Draw every random value first, so a rerun replays the same plan.
        crime, category = rng.choice(CRIMES)
        ctype = rng.choices(
            ["probation", "parole", "control", "temporary_release"], [70, 15, 5, 10]
        )[0]
        months = rng.choice([12, 18, 24, 36])
        age_days = rng.randint(60, 330)
        if db.session.execute(
            select(CorrectionCase.id).where(CorrectionCase.person_id == person.id)
        ).first():
            continue
        station = person.registered_station
        officer = next(u for u in users.values() if u.is_officer and station in u.stations)
        if plan == "none":
            continue
        if plan in ("expected", "missed_intake"):
            judged = today - timedelta(days=4 if plan == "expected" else 16)
            sv.create_case(
                officer,
                {
                    "person_id": person.id,
                    "station": station.code,
                    "correction_type": "probation",
                    "crime": crime,
                    "crime_category": category,
                    "sentence": "有期徒刑一年，缓刑二年",
                    "decision_body": "示范县人民法院",
                    "judgment_effective_on": judged,
                    "term_start": judged,
                    "term_end": add_months_safe(judged, 24),
                    "notified_on": judged,
                },
            )
            created += 1
            continue
        if plan == "near_end":
            received = today - timedelta(days=360)
            term_end = today + timedelta(days=rng.randint(5, 25))
        elif plan in ("released", "terminated", "transferred_out"):
            received = today - timedelta(days=rng.randint(300, 360))
            term_end = received + timedelta(days=rng.randint(150, 250))
        else:
            received = today - timedelta(days=age_days)
            term_end = add_months_safe(received, months)
        judged = received - timedelta(days=rng.randint(2, 12))
        data = {
            "person_id": person.id,
            "station": station.code,
            "correction_type": ctype,
            "crime": crime,
            "crime_category": category,
            "sentence": {
                "probation": "有期徒刑一年六个月，缓刑二年",
                "parole": "有期徒刑五年，假释",
                "control": "管制一年",
                "temporary_release": "有期徒刑三年，暂予监外执行",
            }[ctype],
            "decision_body": {
                "probation": "示范县人民法院",
                "control": "示范县人民法院",
                "parole": "示范市中级人民法院",
                "temporary_release": "省第一监狱",
            }[ctype],
            # the sentencing document's number, as the papers cite it (docs/domain.md §7.9)
            "decision_document": {
                "probation": f"（{judged.year}）示0101刑初{100 + person.id}号",
                "control": f"（{judged.year}）示0101刑初{100 + person.id}号",
                "parole": f"（{judged.year}）示01刑更{200 + person.id}号",
                "temporary_release": f"（{judged.year}）省一监暂字第{person.id}号",
            }[ctype],
            "judgment_effective_on": judged,
            "term_start": judged,
            "term_end": term_end,
            "received_on": received,
            "source": rng.choice(["self_report", "self_report", "escorted"]),
            "prohibitions": "禁止进入夜总会、酒吧、迪厅、网吧等娱乐场所"
            if rng.random() < 0.3
            else "",
        }
        if ctype == "temporary_release":
            data["grounds"] = "medical"
        case = sv.create_case(officer, data)
        created += 1
        case.announced_on = received + timedelta(days=rng.randint(0, 3))
        stop = today - timedelta(days=rng.randint(1, 5))
        if plan == "active_overdue":
            stop = today - timedelta(days=rng.randint(12, 25))
        if plan in ("released", "terminated", "transferred_out"):
            stop = (
                term_end - timedelta(days=1)
                if plan == "released"
                else term_end - timedelta(days=60)
            )
        # Two months strict, then a supervisor relaxes most people to normal.
        relax_on = add_months_safe(received, 2)
        _demo_contacts(
            rng,
            officer,
            case,
            received,
            min(stop, relax_on - timedelta(days=1)),
            "strict",
        )
        if relax_on <= stop and rng.random() < 0.8:
            sv.change_level(
                boss,
                case,
                {
                    "effective_on": relax_on,
                    "level": "normal",
                    "reason": "入矫满两个月，表现良好，经评估调整为普管",
                },
            )
            _demo_contacts(
                rng,
                officer,
                case,
                relax_on,
                stop,
                "normal",
            )
        else:
            _demo_contacts(rng, officer, case, relax_on, stop, "strict")
        if ctype == "temporary_release":
            exam = add_months_safe(received, 3)
            while exam < stop:
                sv.record_medical_review(
                    officer,
                    case,
                    {
                        "examined_on": exam,
                        "hospital": "示范县人民医院",
                        "result": "病情未见明显好转，保外就医条件仍具备",
                    },
                )
                exam = add_months_safe(exam, 3)
        if plan == "active_overdue" and rng.random() < 0.6:
            sv.record_sanction(
                boss,
                case,
                {
                    "kind": "admonition",
                    "decided_on": stop + timedelta(days=3),
                    "reason": "未按规定时间报到，经教育后认错",
                },
            )
        if plan == "released":
            sv.release_case(boss, case, {"released_on": term_end, "reason": "expiry"})
        elif plan == "terminated":
            reason = {
                "probation": "probation_revoked",
                "parole": "parole_revoked",
                "temporary_release": "custody",
            }.get(ctype, "death")
            if reason != "death":
                kind = "custody_request" if ctype == "temporary_release" else "revocation_request"
                req = sv.record_sanction(
                    boss,
                    case,
                    {
                        "kind": kind,
                        "decided_on": stop + timedelta(days=5),
                        "reason": "脱离监管超过一个月",
                    },
                )
                sv.record_outcome(
                    boss, case, req.id, {"decided_on": stop + timedelta(days=20), "granted": True}
                )
            sv.terminate_case(
                boss, case, {"terminated_on": stop + timedelta(days=25), "reason": reason}
            )
        elif plan == "transferred_out":
            sv.transfer_out(
                boss,
                case,
                {"transferred_on": stop + timedelta(days=10), "destination": "邻市某区司法局"},
            )
    # A few live situations: someone away on leave, one overdue return, one absconding.
    active = (
        db.session.execute(
            select(CorrectionCase)
            .where(CorrectionCase.status == "active")
            .order_by(CorrectionCase.id)
        )
        .scalars()
        .all()
    )
    from corrections.supervision.models import Incident, Leave

    if active and not db.session.execute(select(Leave.id).limit(1)).first():
        away, late = active[0], active[1]
        for case, start, length in (
            (away, today - timedelta(days=2), 5),
            (late, today - timedelta(days=9), 4),
        ):
            officer = case.officer or boss
            leave = sv.apply_leave(
                officer,
                case,
                {
                    "starts_on": start,
                    "ends_on": start + timedelta(days=length - 1),
                    "destination": "杭州市",
                    "reason": "family",
                    "applied_on": start - timedelta(days=3),
                },
            )
            sv.decide_leave(
                officer, case, leave.id, {"approved": True, "decided_on": start - timedelta(days=2)}
            )
    if len(active) > 2 and not db.session.execute(select(Incident.id).limit(1)).first():
        missing = active[2]
        sv.open_incident(
            missing.officer or boss,
            missing,
            {
                "kind": "absconded",
                "occurred_on": today - timedelta(days=6),
                "note": "电话无法接通，居住地无人",
            },
        )
    return created


def add_months_safe(day: date, months: int) -> date:
    from corrections.rules.dates import add_months

    return add_months(day, months)


# ------------------------------------------------------------- investigations and activities


def load_demo_assessments(rng: random.Random, users: dict[str, User]) -> int:
    from corrections import clock
    from corrections.assessments import services as av
    from corrections.assessments.models import Assessment

    if db.session.execute(select(Assessment.id).limit(1)).first():
        return 0
    today = clock.today()
    created = 0
    officers = [u for u in users.values() if u.is_officer]
    for n in range(14):
        officer = officers[n % len(officers)]
        station = officer.stations[n % len(officer.stations)]
        received = today - timedelta(days=rng.randint(1, 120))
        crime, _cat = rng.choice(CRIMES)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        assessment = av.register_assessment(
            officer,
            {
                "station": station.code,
                "name": name,
                "crime": crime,
                "commissioned_by": rng.choice(
                    ["court", "court", "court", "procuratorate", "prison"]
                ),
                "commissioning_body": "示范县人民法院",
                "received_on": received,
                "fast_track": rng.random() < 0.3,
                "proposed_type": "probation",
            },
        )
        created += 1
        if received < today - timedelta(days=20) and rng.random() < 0.85:
            done = min(today, (assessment.due_on or today) - timedelta(days=rng.randint(0, 3)))
            av.complete_assessment(
                officer,
                assessment,
                {
                    "completed_on": max(done, received),
                    "opinion": rng.choice(["suitable", "suitable", "suitable", "unsuitable"]),
                    "opinion_note": "家庭、社区同意接收，具备监管条件",
                },
            )
        elif rng.random() < 0.3:
            av.extend_assessment(
                officer, assessment, {"working_days": 5, "reason": "被告人居住地需进一步核实"}
            )
    return created


def load_demo_activities(rng: random.Random, users: dict[str, User]) -> int:
    from corrections import clock
    from corrections.activities import services as acts
    from corrections.activities.models import Activity
    from corrections.supervision.models import CorrectionCase

    if db.session.execute(select(Activity.id).limit(1)).first():
        return 0
    today = clock.today()
    created = 0
    topics = {
        "education": ["法治教育：社区矫正法解读", "警示教育", "道德讲堂", "禁毒宣传"],
        "public_service": ["社区环境清洁", "敬老院志愿服务", "交通文明劝导"],
        "counselling": ["心理健康讲座", "个别心理辅导"],
        "assistance": ["就业技能培训", "临时救助"],
    }
    for officer in (u for u in users.values() if u.is_officer):
        for station in officer.stations:
            for months_back in range(6, -1, -1):
                first = (today.replace(day=1) - timedelta(days=28 * months_back)).replace(day=5)
                for kind, hours in (("education", 4), ("public_service", 4), ("counselling", 2)):
                    for session in range(2 if kind != "counselling" else 1):
                        held = first + timedelta(days=10 * session + rng.randint(0, 4))
                        if held > today:
                            continue
                        cases = (
                            db.session.execute(
                                select(CorrectionCase).where(
                                    CorrectionCase.station_id == station.id,
                                    CorrectionCase.received_on <= held,
                                    (CorrectionCase.ended_on.is_(None))
                                    | (CorrectionCase.ended_on > held),
                                )
                            )
                            .scalars()
                            .all()
                        )
                        attendees = [c.id for c in cases if rng.random() < 0.8]
                        if not attendees:
                            continue
                        acts.record_activity(
                            officer,
                            {
                                "station": station.code,
                                "kind": kind,
                                "held_on": held,
                                "hours": hours,
                                "topic": rng.choice(topics[kind]),
                                "attendees": attendees,
                            },
                        )
                        created += 1
    return created


def load_demo_resettlement(rng: random.Random, users: dict[str, User]) -> int:
    """Released prisoners: notices, releases, handovers, visits and assistance."""
    from corrections import clock
    from corrections.resettlement import services as rs
    from corrections.resettlement.models import ResettlementCase
    from corrections.supervision.models import CorrectionCase

    if db.session.execute(select(ResettlementCase.id).limit(1)).first():
        return 0
    today = clock.today()
    boss = users["zhuguan"]
    created = 0
    # People without a correction case are released prisoners in this demo.
    with_case = select(CorrectionCase.person_id)
    free = (
        db.session.execute(select(Person).where(Person.id.not_in(with_case)).order_by(Person.id))
        .scalars()
        .all()
    )
    plans = ["notice", "not_handed_over", "active", "active", "active", "ending"]
    for person, plan in zip(free, plans, strict=False):
        officer = next(
            u for u in users.values() if u.is_officer and person.registered_station in u.stations
        )
        station = person.registered_station.code
        key = "gang" in person.flags or rng.random() < 0.2
        if plan == "notice":
            rs.create_case(
                officer,
                {
                    "person_id": person.id,
                    "station": station,
                    "source": "prison",
                    "facility": "省第四监狱",
                    "expected_release_on": today + timedelta(days=20),
                    "notice_received_on": today - timedelta(days=8),
                    "crime": "抢劫罪",
                    "is_key": True,
                    "key_reason": "暴力犯罪，监狱建议列为重点",
                },
            )
        elif plan == "not_handed_over":
            rs.create_case(
                officer,
                {
                    "person_id": person.id,
                    "station": station,
                    "source": "detention_center",
                    "facility": "县看守所",
                    "released_on": today - timedelta(days=10),
                    "crime": "盗窃罪",
                },
            )
        else:
            released = (
                today - timedelta(days=rng.randint(90, 400))
                if plan == "active"
                else today.replace(year=today.year - 5) + timedelta(days=15)
            )
            case = rs.create_case(
                officer,
                {
                    "person_id": person.id,
                    "station": station,
                    "source": "prison",
                    "facility": rng.choice(["省第一监狱", "省女子监狱", "省第四监狱"]),
                    "released_on": released,
                    "crime": rng.choice(CRIMES)[0],
                    "is_key": key,
                    "key_reason": "涉黑涉恶" if key else "",
                    "notice_received_on": released - timedelta(days=30),
                },
            )
            rs.verify(
                officer, case, {"verified_on": released - timedelta(days=20), "result": "verified"}
            )
            rs.handover(
                officer,
                case,
                {
                    "handed_over_on": released,
                    "method": "escorted" if key else rng.choice(["family", "self_report"]),
                },
            )
            every = 28 if key else 85
            day = released + timedelta(days=rng.randint(10, every))
            while day <= today - timedelta(days=rng.randint(0, 20)):
                rs.record_contact(
                    officer,
                    case,
                    {
                        "kind": rng.choice(["field_visit", "report_in_person"]),
                        "occurred_on": day,
                        "note": "走访了解就业和家庭情况",
                    },
                )
                day += timedelta(days=rng.randint(every - 10, every))
            rs.add_assistance(
                officer,
                case,
                {
                    "kind": rng.choice(["employment", "training", "relief"]),
                    "given_on": released + timedelta(days=20),
                    "amount": 500 if rng.random() < 0.5 else None,
                },
            )
            rs.set_placement(
                officer, case, {"placement": rng.choice(["employed", "self_employed", "unplaced"])}
            )
        created += 1
    # Released correction cases move into resettlement in one step.
    for correction in (
        db.session.execute(
            select(CorrectionCase)
            .where(CorrectionCase.status == "released")
            .order_by(CorrectionCase.id)
        )
        .scalars()
        .all()[:4]
    ):
        case = rs.from_correction(boss, correction, {})
        rs.handover(boss, case, {"handed_over_on": correction.ended_on, "method": "self_report"})
        created += 1
    return created


# --------------------------------------------------------------------------- self check-in

DEMO_PIN = "135790"  # every demo person's PIN at /my/login (phones 1390000xxxx)


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
    from datetime import UTC, datetime, time

    from werkzeug.security import generate_password_hash

    from corrections import clock
    from corrections.alerts import areas
    from corrections.alerts.demo import AREA_RADIUS_M, CENTRE
    from corrections.checkin import photos
    from corrections.checkin import services as checkin
    from corrections.checkin.models import Checkin, CheckinEnrolment, CheckinQuestion
    from corrections.checkin.signals import signal
    from corrections.supervision import services as supervision
    from corrections.supervision.models import CorrectionCase

    unit = _unit()
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
    officer_for = {"CG": users["chen"], "DS": users["li"], "NX": users["zhou"], "BL": users["zhou"]}
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
                submitted = datetime.combine(day, time(8), tzinfo=clock.CHINA) + timedelta(
                    hours=rng.randrange(1, 20)
                )
                if submitted.astimezone(UTC) > now:
                    submitted = now - timedelta(minutes=30)
                outside = rng.random() < 0.15
                lat0, lon0 = CENTRE
                metres = (
                    AREA_RADIUS_M + rng.randrange(2_000, 30_000)
                    if outside
                    else rng.randrange(0, 9_000)
                )
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
                if day + timedelta(days=7) < today:  # the latest one waits for review
                    outcome = "follow_up" if row.outside_area and rng.random() < 0.5 else "accepted"
                    checkin.review(
                        officer,
                        row,
                        {
                            "outcome": outcome,
                            "note": "位置在范围外，已电话核实" if outcome == "follow_up" else "",
                        },
                    )
            db.session.flush()
            made += 1
            day += timedelta(days=7)
        if checkin.open_checkin(case.id) is None and per_station[case.station_id] == 1:
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
            made += 1
        supervision.refresh_due_state(case)
    db.session.flush()
    return made
