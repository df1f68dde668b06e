"""Correction cases in every state, with about a year of history."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from corrections.auth.models import User
from corrections.demo.data import CASE_PLANS, CRIMES, DECISION_BODIES, SENTENCES, STREAMS
from corrections.extensions import db
from corrections.people.models import Person


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


def load_demo_cases(rng: random.Random, users: dict[str, User]) -> int:
    """Correction cases in every state, with about a year of history (idempotent per person)."""
    from corrections import clock
    from corrections.supervision.models import CorrectionCase

    today = clock.today()
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
            _expected_case(officer, person, plan, crime, category, today)
        else:
            draws = (crime, category, ctype, months, age_days)
            _case_with_history(rng, officer, users["zhuguan"], person, plan, draws, today)
        created += 1
    _live_situations(users["zhuguan"], today)
    return created


def _expected_case(officer, person, plan, crime, category, today) -> None:
    """A judgment notified, the person not yet received (due, or past the deadline)."""
    from corrections.supervision import services as sv

    judged = today - timedelta(days=4 if plan == "expected" else 16)
    sv.create_case(
        officer,
        {
            "person_id": person.id,
            "station": person.registered_station.code,
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


def _case_with_history(rng, officer, boss, person, plan, draws, today) -> None:
    """A received case with its contacts, level, reviews and sanctions, ended as planned."""
    from corrections.supervision import services as sv

    crime, category, ctype, months, age_days = draws
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
        "station": person.registered_station.code,
        "correction_type": ctype,
        "crime": crime,
        "crime_category": category,
        "sentence": SENTENCES[ctype],
        "decision_body": DECISION_BODIES[ctype],
        # the sentencing document's number, as the papers cite it (docs/domain.md §7.9)
        "decision_document": _decision_document(ctype, judged, person.id),
        "judgment_effective_on": judged,
        "term_start": judged,
        "term_end": term_end,
        "received_on": received,
        "source": rng.choice(["self_report", "self_report", "escorted"]),
        "prohibitions": "禁止进入夜总会、酒吧、迪厅、网吧等娱乐场所" if rng.random() < 0.3 else "",
    }
    if ctype == "temporary_release":
        data["grounds"] = "medical"
    case = sv.create_case(officer, data)
    case.announced_on = received + timedelta(days=rng.randint(0, 3))
    stop = today - timedelta(days=rng.randint(1, 5))
    if plan == "active_overdue":
        stop = today - timedelta(days=rng.randint(12, 25))
    if plan in ("released", "terminated", "transferred_out"):
        stop = term_end - timedelta(days=1) if plan == "released" else term_end - timedelta(days=60)
    _supervise(rng, officer, boss, case, received, stop)
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
    _end_case(boss, case, plan, stop, term_end)


def _decision_document(ctype: str, judged: date, person_id: int) -> str:
    return {
        "probation": f"（{judged.year}）示0101刑初{100 + person_id}号",
        "control": f"（{judged.year}）示0101刑初{100 + person_id}号",
        "parole": f"（{judged.year}）示01刑更{200 + person_id}号",
        "temporary_release": f"（{judged.year}）省一监暂字第{person_id}号",
    }[ctype]


def _supervise(rng, officer, boss, case, received, stop) -> None:
    """Two months strict, then a supervisor relaxes most people to normal; a medical review
    every three months of a temporary release."""
    from corrections.supervision import services as sv

    relax_on = add_months_safe(received, 2)
    _demo_contacts(rng, officer, case, received, min(stop, relax_on - timedelta(days=1)), "strict")
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
        _demo_contacts(rng, officer, case, relax_on, stop, "normal")
    else:
        _demo_contacts(rng, officer, case, relax_on, stop, "strict")
    if case.correction_type == "temporary_release":
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


def _end_case(boss, case, plan, stop, term_end) -> None:
    """Released at the end of the term, terminated (revoked, custody or death) or transferred."""
    from corrections.supervision import services as sv

    ctype = case.correction_type
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


def _live_situations(boss, today) -> None:
    """A few live situations: someone away on leave, one overdue return, one absconding."""
    from corrections.supervision import services as sv
    from corrections.supervision.models import CorrectionCase, Incident, Leave

    active = (
        db.session.execute(
            select(CorrectionCase)
            .where(CorrectionCase.status == "active")
            .order_by(CorrectionCase.id)
        )
        .scalars()
        .all()
    )
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


def add_months_safe(day: date, months: int) -> date:
    from corrections.rules.dates import add_months

    return add_months(day, months)


# ------------------------------------------------------------- investigations and activities
