"""Pre-sentence assessments (调查评估) and group activities (教育学习、公益活动)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from corrections.auth.models import User
from corrections.demo.data import CRIMES, GIVEN, SURNAMES
from corrections.extensions import db


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
