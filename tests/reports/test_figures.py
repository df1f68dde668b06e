"""The figures registry: period bounds inclusive, stock at the end of `to`, station history,
voided records excluded, and cc.overdue / rs.overdue equal to the engine."""

from sqlalchemy import select

from corrections import clock
from corrections.activities import services as acts
from corrections.alerts.models import ALERT_KINDS
from corrections.auth.models import Station
from corrections.extensions import db
from corrections.reports.figures import BY_KEY, KEYS, compute
from corrections.resettlement import services as rs
from corrections.rules import engine
from corrections.rules.tables import contact_rules
from corrections.supervision import services as sv
from corrections.supervision.models import CorrectionCase
from tests.helpers import d, open_case, user


def _station(code):
    return db.session.execute(select(Station.id).where(Station.code == code)).scalar_one()


def test_every_domain_key_is_registered():
    expected = {
        "cc.assessments_received",
        "cc.assessments_completed",
        "cc.received",
        "cc.transferred_in",
        "cc.released",
        "cc.terminated",
        "cc.transferred_out",
        "cc.missed_intake",
        "cc.contacts",
        "cc.contacts_in_person",
        "cc.commendations",
        "cc.admonitions",
        "cc.warnings",
        "cc.police_penalty_requests",
        "cc.revocation_requests",
        "cc.custody_requests",
        "cc.education_sessions",
        "cc.education_attendances",
        "cc.public_service_sessions",
        "cc.public_service_attendances",
        "cc.counselling_attendances",
        "cc.assistance_attendances",
        "cc.absconded_new",
        "cc.reoffended",
        "cc.on_register",
        "cc.on_leave",
        "cc.overdue_return",
        "cc.absconded_open",
        "cc.overdue",
        "cc.checkins_requested",
        "cc.checkins_submitted",
        "cc.checkins_missed",
        "rs.notices_received",
        "rs.handed_over",
        "rs.escorted",
        "rs.contacts_in_person",
        "rs.assisted",
        "rs.subsistence",
        "rs.employment",
        "rs.ended",
        "rs.on_register",
        "rs.on_register_key",
        "rs.on_register_gang",
        "rs.overdue",
        *[f"cc.on_register.{t}" for t in ("control", "probation", "parole", "temporary_release")],
        *[f"cc.on_register.{lv}" for lv in ("strict", "normal", "lenient")],
        # 预警处置 (docs/domain.md §7.11), each also by alert kind
        *[
            f"{key}{suffix}"
            for key in ("cc.alerts_raised", "cc.alerts_closed", "cc.alerts_closed_on_time")
            for suffix in ("", *(f".{k}" for k in ALERT_KINDS))
        ],
    }
    assert set(KEYS) == expected
    assert all(BY_KEY[k].kind in ("period", "stock") for k in KEYS)


def test_period_bounds_are_inclusive(ctx, person_id, female_id):
    open_case(
        person_id,
        received_on="2026-03-01",
        judgment_effective_on="2026-02-25",
        term_start="2026-02-25",
        term_end="2027-02-24",
    )
    open_case(
        female_id,
        received_on="2026-03-31",
        judgment_effective_on="2026-03-25",
        term_start="2026-03-25",
        term_end="2027-03-24",
    )
    assert compute(d("2026-03-01"), d("2026-03-31"), None).totals["cc.received"] == 2
    assert compute(d("2026-03-02"), d("2026-03-30"), None).totals["cc.received"] == 0
    assert compute(d("2026-03-31"), d("2026-03-31"), None).totals["cc.received"] == 1


def test_stock_on_register_counts_the_end_day(ctx, person_id):
    case = open_case(person_id, term_end="2026-10-31")
    sv.release_case(user("boss"), case, {"released_on": "2026-10-31", "reason": "expiry"})
    db.session.commit()
    assert compute(d("2026-10-01"), d("2026-10-30"), None).totals["cc.on_register"] == 1
    october = compute(d("2026-10-01"), d("2026-10-31"), None).totals
    assert october["cc.on_register"] == 0 and october["cc.released"] == 1


def test_contacts_voided_excluded_and_in_person_kinds(ctx, person_id):
    case = open_case(person_id)
    officer = user("off1")
    sv.record_contact(officer, case, {"kind": "phone", "occurred_on": "2026-05-01"})
    sv.record_contact(officer, case, {"kind": "field_visit", "occurred_on": "2026-05-02"})
    mistake = sv.record_contact(
        officer, case, {"kind": "report_in_person", "occurred_on": "2026-05-03"}
    )
    sv.void_record(officer, case, "contact", mistake.id, {"reason": "录错"})
    db.session.commit()
    may = compute(d("2026-05-01"), d("2026-05-31"), None).totals
    assert may["cc.contacts"] == 2 and may["cc.contacts_in_person"] == 1


def test_station_figures_follow_the_move_date(ctx, person_id):
    case = open_case(person_id)
    sv.record_contact(user("off1"), case, {"kind": "field_visit", "occurred_on": "2026-05-31"})
    sv.move_station(user("boss"), case, {"moved_on": "2026-06-01", "station": "S2"})
    sv.record_contact(user("boss"), case, {"kind": "field_visit", "occurred_on": "2026-06-01"})
    db.session.commit()
    s1, s2 = _station("S1"), _station("S2")
    result = compute(d("2026-05-01"), d("2026-06-30"), None)
    assert result.by_station[s1]["cc.contacts"] == 1 and result.by_station[s2]["cc.contacts"] == 1
    may = compute(d("2026-05-01"), d("2026-05-31"), [s1]).totals
    assert may["cc.on_register"] == 1
    june = compute(d("2026-06-01"), d("2026-06-30"), [s1]).totals
    assert june["cc.on_register"] == 0


def test_stock_by_type_and_level_on_the_date(ctx, person_id):
    case = open_case(person_id)
    sv.change_level(
        user("boss"), case, {"effective_on": "2026-06-15", "level": "normal", "reason": "好"}
    )
    db.session.commit()
    assert compute(d("2026-06-01"), d("2026-06-14"), None).totals["cc.on_register.strict"] == 1
    june = compute(d("2026-06-01"), d("2026-06-15"), None).totals
    assert june["cc.on_register.normal"] == 1 and june["cc.on_register.strict"] == 0
    assert june["cc.on_register.probation"] == 1


def test_sessions_count_at_their_own_station(ctx, person_id):
    case = open_case(person_id)
    acts.record_activity(
        user("both"),
        {
            "station": "S2",
            "kind": "education",
            "held_on": "2026-06-10",
            "hours": 2,
            "attendees": [case.id],
        },
    )
    db.session.commit()
    result = compute(d("2026-06-01"), d("2026-06-30"), None)
    assert result.by_station[_station("S2")]["cc.education_sessions"] == 1
    assert result.totals["cc.education_attendances"] == 1


def test_overdue_equals_the_engine(ctx, person_id, female_id):
    a = open_case(person_id, received_on="2026-10-01")
    b = open_case(female_id, received_on="2026-10-01")
    sv.record_contact(user("off1"), b, {"kind": "report_in_person", "occurred_on": "2026-10-07"})
    db.session.commit()
    rules = contact_rules()
    for day in ("2026-10-08", "2026-10-09", "2026-10-14", "2026-10-15", "2026-11-25"):
        on = d(day)
        expected = sum(
            bool(engine.overdue_on(sv.case_facts(c, on), rules, on))
            for c in db.session.execute(select(CorrectionCase)).scalars()
        )
        assert compute(on, on, None, keys=["cc.overdue"]).totals["cc.overdue"] == expected, day
    assert compute(d("2026-10-08"), d("2026-10-08"), None).totals["cc.overdue"] == 0
    assert compute(d("2026-10-09"), d("2026-10-09"), None).totals["cc.overdue"] == 1
    assert a.id != b.id


def test_resettlement_key_at_date_and_distinct_assisted(ctx, person_id):
    case = rs.create_case(
        user("off1"),
        {
            "person_id": person_id,
            "station": "S1",
            "source": "prison",
            "released_on": "2026-01-10",
            "is_key": True,
        },
    )
    rs.handover(user("off1"), case, {"handed_over_on": "2026-01-10", "method": "escorted"})
    rs.set_key(
        user("off1"), case, {"effective_on": "2026-06-01", "is_key": False, "reason": "稳定"}
    )
    for kind in ("relief", "subsistence"):
        rs.add_assistance(user("off1"), case, {"kind": kind, "given_on": "2026-06-05"})
    db.session.commit()
    may = compute(d("2026-05-01"), d("2026-05-31"), None).totals
    assert may["rs.on_register"] == 1 and may["rs.on_register_key"] == 1
    june = compute(d("2026-06-01"), d("2026-06-30"), None).totals
    assert june["rs.on_register_key"] == 0
    assert june["rs.assisted"] == 1 and june["rs.subsistence"] == 1
    january = compute(d("2026-01-01"), d("2026-01-31"), None).totals
    assert january["rs.handed_over"] == 1 and january["rs.escorted"] == 1


def test_missed_intake_by_deadline_in_period(ctx, person_id):
    open_case(
        person_id,
        received_on=None,
        judgment_effective_on="2026-11-01",
        term_start="2026-11-01",
        term_end="2027-11-01",
    )  # deadline 2026-11-11
    assert compute(d("2026-11-11"), d("2026-11-30"), None).totals["cc.missed_intake"] == 1
    assert compute(d("2026-11-12"), d("2026-11-30"), None).totals["cc.missed_intake"] == 0
    assert clock.today() == d("2026-11-25")
