"""Released prisoners in resettlement (安置帮教): notices, releases, handovers, visits and
assistance."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from corrections.auth.models import User
from corrections.demo.data import CRIMES
from corrections.extensions import db
from corrections.people.models import Person


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
        key = "gang" in person.flags or rng.random() < 0.2
        if plan in ("notice", "not_handed_over"):
            _not_yet_handed_over(officer, person, plan, today)
        else:
            _handed_over(rng, officer, person, plan, key, today)
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


def _not_yet_handed_over(officer, person, plan, today) -> None:
    """A release notice received (the person still inside), or a release not handed over."""
    from corrections.resettlement import services as rs

    station = person.registered_station.code
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
    else:
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


def _handed_over(rng, officer, person, plan, key, today) -> None:
    """Released, verified and handed over, with visits, assistance and a placement."""
    from corrections.resettlement import services as rs

    station = person.registered_station.code
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
    rs.verify(officer, case, {"verified_on": released - timedelta(days=20), "result": "verified"})
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
