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
DEMO_PASSWORD = "demo-2026"
DEMO_STATIONS = [
    ("CG", "城关司法所"),
    ("DS", "东山司法所"),
    ("NX", "南溪司法所"),
    ("BL", "北岭司法所"),
]
# username, role, display name, station codes
DEMO_USERS = [
    ("admin", "admin", "系统管理员", []),
    ("zhuguan", "supervisor", "县局社矫科 王主管", []),
    ("jiancha", "viewer", "县检察院 刘检察官", []),
    ("chen", "officer", "城关所 陈晓", ["CG"]),
    ("li", "officer", "东山所 李娜", ["DS"]),
    ("zhou", "officer", "南溪、北岭所 周强", ["NX", "BL"]),
]
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
    return {
        "unit": unit.name,
        "created": created,
        "password": DEMO_PASSWORD,
        "logins": [u[0] for u in DEMO_USERS],
    }
