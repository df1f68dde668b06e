"""Endings of a correction case (docs/domain.md §7.6), through the services, the API and
the case page, on both databases. Today is frozen at 2026-11-25.

The case of ``open_case``: probation, received 2026-01-10, term end 2027-01-04.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from corrections import clock
from corrections.activities import services as activities
from corrections.audit.models import AuditEvent
from corrections.errors import RecordsAfterEnd, RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.reports import figures, records
from corrections.supervision import services as sv
from corrections.supervision.models import CorrectionCase, Incident
from tests.helpers import FEMALE_ID, d, error_of, open_case, user
from tests.supervision.webhelpers import form, get, make_case, text


def _events() -> int:
    return db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def _contact(case, on: str, kind: str = "phone"):
    return sv.record_contact(user("off1"), case, {"kind": kind, "occurred_on": on})


# --- no end date before the case's own records -----------------------------------------


ENDINGS = (
    ("release", sv.release_case, {"reason": "pardon"}, "released_on"),
    ("terminate", sv.terminate_case, {"reason": "death"}, "terminated_on"),
    ("transfer", sv.transfer_out, {"destination": "邻市某区司法局"}, "transferred_on"),
)


@pytest.mark.parametrize("name,call,extra,key", ENDINGS, ids=[e[0] for e in ENDINGS])
def test_end_on_the_last_contact_day_is_allowed_one_day_before_is_refused(
    ctx, person_id, name, call, extra, key
):
    """Given a contact on 2026-11-20, when the case is ended on 2026-11-19, then 422
    records_after_end names the contact and nothing is written; on 2026-11-20 it ends."""
    case = open_case(person_id)
    contact = _contact(case, "2026-11-20")
    db.session.commit()
    events = _events()
    with pytest.raises(RecordsAfterEnd) as e:
        call(user("boss"), case, {key: "2026-11-19", **extra})
    assert e.value.code == "records_after_end" and e.value.status == 422
    assert e.value.fields[f"contact:{contact.id}"] == "2026-11-20"
    assert "2026-11-20" in e.value.fields[key]
    assert "作废" in e.value.message
    db.session.rollback()
    assert get_case(case.id).status == "active" and _events() == events
    call(user("boss"), case, {key: "2026-11-20", **extra})
    db.session.commit()
    assert get_case(case.id).ended_on == d("2026-11-20")


def get_case(case_id: int) -> CorrectionCase:
    db.session.expire_all()
    return db.session.get(CorrectionCase, case_id)


def test_every_kind_of_record_after_the_end_is_named(ctx, person_id):
    """Given a sanction, a leave, an incident and a session attended after 2026-11-10, when
    the case is terminated on 2026-11-10, then each is named by kind and id."""
    case = open_case(person_id)
    boss, officer = user("boss"), user("off1")
    warning = sv.record_sanction(
        boss, case, {"kind": "warning", "decided_on": "2026-11-12", "reason": "未按时报告"}
    )
    leave = sv.apply_leave(
        officer,
        case,
        {
            "starts_on": "2026-11-14",
            "ends_on": "2026-11-16",
            "destination": "杭州市",
            "reason": "family",
            "applied_on": "2026-11-11",
        },
    )
    incident = sv.open_incident(officer, case, {"kind": "detained", "occurred_on": "2026-11-18"})
    session = activities.record_activity(
        officer,
        {
            "station": "S1",
            "kind": "education",
            "held_on": "2026-11-19",
            "hours": "2",
            "attendees": [case.id],
        },
    )
    db.session.commit()
    with pytest.raises(RecordsAfterEnd) as e:
        sv.terminate_case(boss, case, {"terminated_on": "2026-11-10", "reason": "death"})
    assert e.value.fields == {
        "terminated_on": e.value.fields["terminated_on"],
        f"sanction:{warning.id}": "2026-11-12",
        f"leave:{leave.id}": "2026-11-14",
        f"incident:{incident.id}": "2026-11-18",
        f"attendance:{session.id}": "2026-11-19",
    }
    assert [r.kind for r in e.value.records] == ["sanction", "leave", "incident", "attendance"]
    db.session.rollback()
    assert get_case(case.id).status == "active"


def test_voided_and_refused_records_do_not_hold_the_end(ctx, person_id):
    """Given a voided contact, a refused leave and a voided session after the end date,
    when the case is transferred out, then it ends."""
    case = open_case(person_id)
    officer, boss = user("off1"), user("boss")
    contact = _contact(case, "2026-11-20")
    sv.void_record(officer, case, "contact", contact.id, {"reason": "录错了对象"})
    leave = sv.apply_leave(
        officer,
        case,
        {
            "starts_on": "2026-11-21",
            "ends_on": "2026-11-22",
            "destination": "杭州市",
            "reason": "family",
            "applied_on": "2026-11-18",
        },
    )
    sv.decide_leave(
        boss, case, leave.id, {"approved": False, "decided_on": "2026-11-19", "note": "理由不充分"}
    )
    session = activities.record_activity(
        officer,
        {"station": "S1", "kind": "education", "held_on": "2026-11-21", "hours": "1",
         "attendees": [case.id]},
    )  # fmt: skip
    activities.void_activity(officer, session, {"reason": "重复登记"})
    db.session.commit()
    sv.transfer_out(boss, case, {"transferred_on": "2026-11-15", "destination": "邻市"})
    db.session.commit()
    assert get_case(case.id).status == "transferred_out"


# --- release on expiry: 脱管 and 重新犯罪 ------------------------------------------------


def test_release_on_expiry_is_refused_while_absconded(ctx, person_id):
    """Given a 脱管 open since 2026-11-02 on a case whose term ended 2026-11-01, when it is
    released on expiry, then 422 absconded_open; once found, the release goes through."""
    case = open_case(person_id, term_end="2026-11-01")
    incident = sv.open_incident(
        user("off1"), case, {"kind": "absconded", "occurred_on": "2026-11-02"}
    )
    db.session.commit()
    events = _events()
    with pytest.raises(RuleViolation) as e:
        sv.release_case(user("boss"), case, {"released_on": "2026-11-25", "reason": "expiry"})
    assert e.value.code == "absconded_open" and "reason" in e.value.fields
    db.session.rollback()
    assert get_case(case.id).status == "active" and _events() == events
    sv.close_incident(
        user("off1"), case, incident.id, {"closed_on": "2026-11-05", "outcome": "已找到"}
    )
    sv.release_case(user("boss"), case, {"released_on": "2026-11-25", "reason": "expiry"})
    assert case.status == "released"


def test_release_on_expiry_is_refused_after_a_reoffence_until_a_request_is_decided(ctx, person_id):
    """Given a 重新犯罪 recorded on 2026-10-20, when the case is released on expiry, then
    422 reoffence_undecided; a revocation request without an outcome still blocks
    (request_pending); once the court refuses it, the release goes through."""
    case = open_case(person_id, term_end="2026-11-01")
    boss = user("boss")
    sv.open_incident(user("off1"), case, {"kind": "reoffended", "occurred_on": "2026-10-20"})
    db.session.commit()
    with pytest.raises(RuleViolation) as e:
        sv.release_case(boss, case, {"released_on": "2026-11-02", "reason": "expiry"})
    assert e.value.code == "reoffence_undecided"
    db.session.rollback()
    request_ = sv.record_sanction(
        boss,
        case,
        {"kind": "revocation_request", "decided_on": "2026-10-25", "reason": "涉嫌新罪"},
    )
    db.session.commit()
    with pytest.raises(RuleViolation) as e:
        sv.release_case(boss, case, {"released_on": "2026-11-02", "reason": "expiry"})
    assert e.value.code == "request_pending"
    db.session.rollback()
    sv.record_outcome(boss, case, request_.id, {"decided_on": "2026-11-01", "granted": False})
    sv.release_case(boss, case, {"released_on": "2026-11-02", "reason": "expiry"})
    assert case.status == "released"


def test_a_request_decided_before_the_reoffence_does_not_answer_it(ctx, person_id):
    case = open_case(person_id, term_end="2026-11-01")
    boss = user("boss")
    old = sv.record_sanction(
        boss, case, {"kind": "revocation_request", "decided_on": "2026-06-01", "reason": "x"}
    )
    sv.record_outcome(boss, case, old.id, {"decided_on": "2026-06-20", "granted": False})
    sv.open_incident(user("off1"), case, {"kind": "reoffended", "occurred_on": "2026-10-20"})
    db.session.commit()
    with pytest.raises(RuleViolation) as e:
        sv.release_case(boss, case, {"released_on": "2026-11-02", "reason": "expiry"})
    assert e.value.code == "reoffence_undecided"


# --- termination closes open incidents ------------------------------------------------


def test_termination_closes_the_open_incidents_with_case_ended(ctx, person_id):
    """Given an open 脱管 and an open detention, when the case is terminated on 2026-11-20,
    then both close that day with outcome case_ended, each audited; a closed one is kept."""
    case = open_case(person_id)
    officer = user("off1")
    closed = sv.open_incident(officer, case, {"kind": "detained", "occurred_on": "2026-09-01"})
    sv.close_incident(officer, case, closed.id, {"closed_on": "2026-09-05", "outcome": "释放"})
    sv.open_incident(officer, case, {"kind": "absconded", "occurred_on": "2026-11-01"})
    sv.open_incident(officer, case, {"kind": "detained", "occurred_on": "2026-11-10"})
    db.session.commit()
    sv.terminate_case(
        user("boss"), case, {"terminated_on": "2026-11-20", "reason": "probation_revoked"}
    )
    db.session.commit()
    rows = db.session.execute(select(Incident).order_by(Incident.id)).scalars().all()
    assert [(r.closed_on, r.outcome) for r in rows] == [
        (d("2026-09-05"), "释放"),
        (d("2026-11-20"), "case_ended"),
        (d("2026-11-20"), "case_ended"),
    ]
    closes = db.session.execute(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "correction.incident_close")
    ).scalar_one()
    assert closes == 3  # the one closed by hand and the two closed by the termination


# --- cc.absconded_open only for cases active at `to` -----------------------------------


def test_absconded_open_counts_only_cases_active_at_the_end_of_the_period(ctx, person_id):
    """Given two cases absconded since 2026-11-01, one transferred out on 2026-11-10 while
    still absconded, when cc.absconded_open is asked for 2026-11-25, then only the active
    one counts (figure and drill-down agree); on 2026-11-05 both counted."""
    other_person = _other_person(FEMALE_ID)
    active = open_case(person_id)
    moved = open_case(other_person)
    officer = user("off1")
    for case in (active, moved):
        sv.open_incident(officer, case, {"kind": "absconded", "occurred_on": "2026-11-01"})
    sv.transfer_out(user("boss"), moved, {"transferred_on": "2026-11-10", "destination": "邻市"})
    db.session.commit()
    for day, expected in ((date(2026, 11, 25), 1), (date(2026, 11, 5), 2)):
        result = figures.compute(day.replace(day=1), day, None, ["cc.absconded_open"])
        assert result.totals["cc.absconded_open"] == expected, day
        assert records.count("cc.absconded_open", day.replace(day=1), day, None) == expected


def _other_person(id_number: str) -> int:
    from corrections.people.services import create_person

    person = create_person(user("off1"), {"name": "李梅", "id_number": id_number}, None)
    db.session.commit()
    return person.id


# --- 暂予监外执行: the term end moves by the days absconded -----------------------------


def _temporary(person_id: int, term_end: str) -> CorrectionCase:
    return open_case(
        person_id,
        correction_type="temporary_release",
        grounds="medical",
        term_end=term_end,
    )


def test_temporary_release_term_end_moves_by_days_absconded(ctx, person_id):
    """Given a 暂外 case ending 2026-11-10 absconded from 2026-10-01 to 2026-10-11, then its
    effective term end is 2026-11-20: release on expiry on the 19th is refused (released_on),
    past-term-end is raised from the 21st only, release on the 20th goes through."""
    case = _temporary(person_id, "2026-11-10")
    incident = sv.open_incident(
        user("off1"), case, {"kind": "absconded", "occurred_on": "2026-10-01"}
    )
    sv.close_incident(
        user("off1"), case, incident.id, {"closed_on": "2026-10-11", "outcome": "已找到"}
    )
    db.session.commit()
    assert sv.term_end_effective(case) == d("2026-11-20")
    assert sv.past_term_end(case, d("2026-11-20")) is False
    assert sv.past_term_end(case, d("2026-11-21")) is True
    with pytest.raises(ValidationFailed) as e:
        sv.release_case(user("boss"), case, {"released_on": "2026-11-19", "reason": "expiry"})
    assert "2026-11-20" in e.value.fields["released_on"] and "顺延10天" in e.value.message
    db.session.rollback()
    sv.release_case(user("boss"), case, {"released_on": "2026-11-20", "reason": "expiry"})
    assert case.status == "released"


def test_an_open_absconding_moves_the_term_end_up_to_today(ctx, person_id):
    case = _temporary(person_id, "2026-12-31")
    sv.open_incident(user("off1"), case, {"kind": "absconded", "occurred_on": "2026-11-15"})
    db.session.commit()
    assert sv.term_end_effective(case) == d("2027-01-10")  # 10 days to 2026-11-25
    clock.set_today(d("2026-11-26"))
    assert sv.term_end_effective(case) == d("2027-01-11")


def test_probation_term_end_does_not_move(ctx, person_id):
    case = open_case(person_id, term_end="2026-11-10")
    sv.open_incident(user("off1"), case, {"kind": "absconded", "occurred_on": "2026-10-01"})
    db.session.commit()
    assert sv.term_end_effective(case) == d("2026-11-10")
    assert sv.past_term_end(case) is True


def test_checklist_window_follows_the_effective_term_end(ctx, person_id):
    """Given a 暂外 term ending 2026-12-20 with 10 days absconded, the 30-day checklist opens
    on 2026-11-30, not on 2026-11-20."""
    case = _temporary(person_id, "2026-12-20")
    incident = sv.open_incident(
        user("off1"), case, {"kind": "absconded", "occurred_on": "2026-10-01"}
    )
    sv.close_incident(user("off1"), case, incident.id, {"closed_on": "2026-10-11", "outcome": "x"})
    db.session.commit()
    assert sv.checklist_open(case, d("2026-11-25")) is False
    assert sv.checklist_open(case, d("2026-11-29")) is False
    assert sv.checklist_open(case, d("2026-11-30")) is True


# --- the API -----------------------------------------------------------------------------


def test_api_records_after_end_and_term_end_effective(app, county, person_id):
    with app.app_context():
        case = _temporary(person_id, "2026-11-10")
        incident = sv.open_incident(
            user("off1"), case, {"kind": "absconded", "occurred_on": "2026-10-01"}
        )
        sv.close_incident(
            user("off1"), case, incident.id, {"closed_on": "2026-10-11", "outcome": "已找到"}
        )
        contact = _contact(case, "2026-11-21")
        db.session.commit()
        case_id, contact_id = case.id, contact.id
    api, boss = county.api("off1"), county.api("boss")
    body = api.get(f"/corrections/{case_id}").get_json()
    assert body["term_end"] == "2026-11-10" and body["term_end_effective"] == "2026-11-20"
    assert body["past_term_end"] is True
    listed = api.get("/corrections?status=active").get_json()["items"]
    assert [(c["id"], c["term_end_effective"]) for c in listed] == [(case_id, "2026-11-20")]
    error = error_of(
        boss.post(
            f"/corrections/{case_id}/release",
            json={"released_on": "2026-11-20", "reason": "expiry"},
        ),
        422,
        "records_after_end",
    )
    assert error["fields"][f"contact:{contact_id}"] == "2026-11-21"
    assert "released_on" in error["fields"]
    with app.app_context():
        assert db.session.get(CorrectionCase, case_id).status == "active"
    released = boss.post(
        f"/corrections/{case_id}/release", json={"released_on": "2026-11-21", "reason": "expiry"}
    )
    assert released.status_code == 200 and released.get_json()["status"] == "released"


def test_api_release_refusals_for_absconding_and_reoffence(app, county, person_id):
    with app.app_context():
        case = open_case(person_id, term_end="2026-11-01")
        sv.open_incident(user("off1"), case, {"kind": "absconded", "occurred_on": "2026-11-02"})
        db.session.commit()
        case_id = case.id
    boss = county.api("boss")
    path = f"/corrections/{case_id}/release"
    error_of(
        boss.post(path, json={"released_on": "2026-11-25", "reason": "expiry"}),
        422,
        "absconded_open",
    )
    with app.app_context():
        other = open_case(_other_person(FEMALE_ID), term_end="2026-11-01")
        sv.open_incident(user("off1"), other, {"kind": "reoffended", "occurred_on": "2026-10-02"})
        db.session.commit()
        other_id = other.id
    error_of(
        boss.post(
            f"/corrections/{other_id}/release",
            json={"released_on": "2026-11-25", "reason": "expiry"},
        ),
        422,
        "reoffence_undecided",
    )


def test_openapi_describes_term_end_effective(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    props = spec["components"]["schemas"]["CorrectionCase"]["properties"]
    assert props["term_end_effective"]["format"] == "date"


# --- the case page -------------------------------------------------------------------------


def test_page_lists_the_records_after_the_end_with_links_and_keeps_the_date(
    app, client, county, person_id
):
    with app.app_context():
        case = open_case(person_id)
        contact = _contact(case, "2026-11-20")
        db.session.commit()
        case_id, contact_id = case.id, contact.id
    county.login(client, "boss")
    r = client.post(
        f"/corrections/{case_id}/terminate",
        data=form("terminate", terminated_on="2026-11-19", reason="death"),
    )
    page = text(r)
    assert r.status_code == 422
    assert 'class="record-after-end"' in page
    assert f"at=contact-{contact_id}#contact-{contact_id}" in page
    assert 'value="2026-11-19"' in page  # the typed date is kept
    assert "不能早于本案最后一条记录的日期 2026-11-20" in page
    assert get(app, CorrectionCase, case_id).status == "active"
    r = client.post(
        f"/corrections/{case_id}/terminate",
        data=form("terminate", terminated_on="2026-11-20", reason="death"),
    )
    assert r.status_code == 302
    assert get(app, CorrectionCase, case_id).status == "terminated"


def test_page_refuses_release_while_absconded_inline(app, client, county, person_id):
    with app.app_context():
        case = open_case(person_id, term_end="2026-11-01")
        sv.open_incident(user("off1"), case, {"kind": "absconded", "occurred_on": "2026-11-02"})
        db.session.commit()
        case_id = case.id
    county.login(client, "boss")
    r = client.post(
        f"/corrections/{case_id}/release",
        data=form("release", released_on="2026-11-25", reason="expiry"),
    )
    page = text(r)
    assert r.status_code == 422 and "尚未归案" in page and 'value="2026-11-25"' in page
    assert get(app, CorrectionCase, case_id).status == "active"


def test_page_shows_the_term_end_moved(app, client, county, person_id):
    cid = make_case(
        app, person_id, correction_type="temporary_release", grounds="medical",
        term_end="2026-12-31",
    )  # fmt: skip
    with app.app_context():
        case = db.session.get(CorrectionCase, cid)
        incident = sv.open_incident(
            user("off1"), case, {"kind": "absconded", "occurred_on": "2026-10-01"}
        )
        sv.close_incident(
            user("off1"), case, incident.id, {"closed_on": "2026-10-11", "outcome": "已找到"}
        )
        db.session.commit()
    county.login(client, "off1")
    page = text(client.get(f"/corrections/{cid}"))
    assert 'id="term-extended"' in page and "顺延10天" in page and "2027-01-10" in page


def test_term_ending_reminder_follows_the_temporary_release_effective_term_end(ctx, person_id):
    """Given a 暂外 case whose term ended 2026-11-10 on paper but moved to 2026-11-20 by ten
    days absconded, when the reminders run on 2026-11-15 (past the paper term end), then
    the officer is reminded of the term ending on 2026-11-20; on 2026-11-21 it is past."""
    from corrections.reminders.jobs import daily_reminders
    from corrections.reminders.models import Notification

    case = _temporary(person_id, "2026-11-10")
    incident = sv.open_incident(
        user("off1"), case, {"kind": "absconded", "occurred_on": "2026-10-01"}
    )
    sv.close_incident(
        user("off1"), case, incident.id, {"closed_on": "2026-10-11", "outcome": "已找到"}
    )
    db.session.commit()
    daily_reminders(d("2026-11-15"))
    db.session.commit()
    rows = (
        db.session.execute(select(Notification).where(Notification.kind == "term_ending"))
        .scalars()
        .all()
    )
    assert {(n.case_id, n.due_on) for n in rows} == {(case.id, d("2026-11-20"))}
    assert "2026-11-20届满" in rows[0].message
    daily_reminders(d("2026-11-21"))
    db.session.commit()
    assert db.session.execute(
        select(func.count()).select_from(Notification).where(Notification.kind == "term_ending")
    ).scalar() == len(rows)
