"""Loading the whole demo county, one part after the other from one seeded random stream."""

from __future__ import annotations

import random

from corrections.demo.assessments import load_demo_activities, load_demo_assessments
from corrections.demo.cases import load_demo_cases
from corrections.demo.checkins import load_demo_checkins
from corrections.demo.county import demo_unit, load_people, load_stations, load_users
from corrections.demo.data import DEMO_PASSWORD, DEMO_USERS
from corrections.demo.photos import load_demo_photos
from corrections.demo.resettlement import load_demo_resettlement
from corrections.extensions import db


def load_demo(seed: int = 2026) -> dict:
    rng = random.Random(seed)
    unit = demo_unit()
    created = {"stations": 0, "users": 0, "people": 0}
    stations = load_stations(unit, created)
    users = load_users(unit, stations, created)
    load_people(rng, stations, users, created)
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
