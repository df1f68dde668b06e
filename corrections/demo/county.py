"""The demo county's unit, stations, users and registered people (idempotent: looked up by
their natural keys, only missing ones are created)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from corrections.auth import services as auth
from corrections.auth.models import Station, Unit, User
from corrections.demo.data import (
    AREA_CODES,
    DEMO_PASSWORD,
    DEMO_STATIONS,
    DEMO_UNIT,
    DEMO_USERS,
    ETHNICITIES,
    GIVEN,
    OLD_DEMO_NAMES,
    PEOPLE_PER_STATION,
    SURNAMES,
    TOWNS,
)
from corrections.extensions import db
from corrections.people import services as people
from corrections.people.idnumber import make_fictional
from corrections.people.models import Person


def demo_unit() -> Unit:
    unit = db.session.execute(select(Unit).where(Unit.name == DEMO_UNIT)).scalar_one_or_none()
    if unit is not None:
        return unit
    default = auth.default_unit()
    if default.name == auth.DEFAULT_UNIT_NAME:
        default.name = DEMO_UNIT  # an empty new database: the default unit becomes the demo county
        return default
    return auth.create_unit(None, DEMO_UNIT)


def load_stations(unit: Unit, created: dict) -> dict[str, Station]:
    stations: dict[str, Station] = {}
    for code, name in DEMO_STATIONS:
        station = auth.station_by_code(code)
        if station is None:
            station = auth.create_station(None, code, name, unit)
            created["stations"] += 1
        stations[code] = station
    return stations


def load_users(unit: Unit, stations: dict[str, Station], created: dict) -> dict[str, User]:
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
    return users


def officers_by_station(users: dict[str, User]) -> dict[str, User]:
    return {"CG": users["chen"], "DS": users["li"], "NX": users["zhou"], "BL": users["zhou"]}


def load_people(
    rng: random.Random, stations: dict[str, Station], users: dict[str, User], created: dict
) -> None:
    officer_for = officers_by_station(users)
    serial = 900
    for index, (code, _name) in enumerate(DEMO_STATIONS):
        for n in range(PEOPLE_PER_STATION):
            serial += 1
            data = _person_data(rng, index, code, n, serial)
            # Every random draw happens before this check, so a rerun replays the same county.
            if db.session.execute(
                select(Person.id).where(Person.id_number == data["id_number"])
            ).first():
                continue
            people.create_person(officer_for[code], data, stations[code])
            created["people"] += 1


def _person_data(rng: random.Random, index: int, code: str, n: int, serial: int) -> dict:
    """The registration of the ``n``-th person of a station (every random draw in order)."""
    birth = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 47))
    # Odd 17th digit: male. About one in six is a woman, as on real registers.
    want_female = rng.random() < 0.17
    seq = 900 + (serial % 50) * 2 + (0 if want_female else 1)  # 9xx: fictional
    area = AREA_CODES[index % len(AREA_CODES)]
    number = make_fictional(area, birth, seq)
    name = (
        rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
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
    return {
        "name": name,
        "id_number": number,
        "ethnicity": rng.choice(ETHNICITIES),
        "phone": f"13{rng.randrange(100000000, 999999999)}",
        "household_type": rng.choice(["urban", "rural", "rural"]),
        "household_address": f"示范县{town}{rng.choice('东南西北')}村{rng.randrange(1, 60)}号",
        "residence_address": "",
        "same_address": rng.random() < 0.8,
        "education": rng.choice(
            ["college", "high_school", "middle_school", "middle_school", "primary_or_less"]
        ),
        "employment": rng.choice(["employed", "employed", "unemployed", "student"])
        if n
        else "employed",
        "emergency_contact": f"{rng.choice(SURNAMES)}某（家属） 13{rng.randrange(100000000, 999999999)}",
        "flags": flags,
    }
