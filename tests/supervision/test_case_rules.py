"""Service rules of a correction case: every refusal writes nothing."""

import pytest
from sqlalchemy import func, select

from corrections.errors import Forbidden, RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.supervision import services as sv
from corrections.supervision.models import CaseLevel, Contact, Leave, Sanction
from tests.helpers import d, open_case, user


def _count(model, **where):
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.execute(query).scalar_one()


# --- contacts ------------------------------------------------------------------


def test_contact_dates(ctx, person_id):
    case = open_case(person_id)
    officer = user("off1")
    for bad in ("2026-01-09", "2026-11-26", "2026-13-01"):
        with pytest.raises(ValidationFailed) as e:
            sv.record_contact(officer, case, {"kind": "phone", "occurred_on": bad})
        assert "occurred_on" in e.value.fields
        db.session.rollback()
    with pytest.raises(ValidationFailed):
        sv.record_contact(officer, case, {"kind": "carrier_pigeon", "occurred_on": "2026-11-01"})
    db.session.rollback()
    assert _count(Contact) == 0
    sv.record_contact(
        officer, case, {"kind": "phone", "occurred_on": "2026-01-10"}
    )  # the reception day
    assert _count(Contact) == 1


def test_night_flag_only_on_field_visits(ctx, person_id):
    case = open_case(person_id)
    with pytest.raises(ValidationFailed):
        sv.record_contact(
            user("off1"), case, {"kind": "phone", "occurred_on": "2026-11-01", "at_night": True}
        )


def test_ended_case_accepts_late_entries_up_to_its_end_only(ctx, person_id):
    case = open_case(person_id, term_end="2026-11-01")
    sv.release_case(user("boss"), case, {"released_on": "2026-11-02", "reason": "expiry"})
    sv.record_contact(user("off1"), case, {"kind": "phone", "occurred_on": "2026-11-02"})
    with pytest.raises(RuleViolation) as e:
        sv.record_contact(user("off1"), case, {"kind": "phone", "occurred_on": "2026-11-03"})
    assert e.value.code == "case_ended"
    with pytest.raises(RuleViolation):
        sv.record_sanction(
            user("boss"), case, {"kind": "warning", "decided_on": "2026-11-10", "reason": "x"}
        )
    with pytest.raises(RuleViolation):
        sv.terminate_case(user("boss"), case, {"terminated_on": "2026-11-10", "reason": "death"})


def test_void_needs_reason_and_happens_once(ctx, person_id):
    case = open_case(person_id)
    contact = sv.record_contact(user("off1"), case, {"kind": "phone", "occurred_on": "2026-11-01"})
    with pytest.raises(ValidationFailed):
        sv.void_record(user("off1"), case, "contact", contact.id, {"reason": " "})
    sv.void_record(user("off1"), case, "contact", contact.id, {"reason": "日期录错"})
    with pytest.raises(RuleViolation):
        sv.void_record(user("off1"), case, "contact", contact.id, {"reason": "again"})
    assert contact.void_reason == "日期录错"


# --- levels --------------------------------------------------------------------


def test_officer_proposes_supervisor_approves(ctx, person_id):
    case = open_case(person_id)
    proposal = sv.propose_level(
        user("off1"), case, {"effective_on": "2026-03-10", "level": "normal", "reason": "表现良好"}
    )
    assert proposal.status == "proposed" and case.level == "strict"
    with pytest.raises(RuleViolation):
        sv.propose_level(
            user("off1"), case, {"effective_on": "2026-03-11", "level": "lenient", "reason": "x"}
        )
    with pytest.raises(Forbidden):
        sv.decide_level(user("off1"), case, proposal.id, {"approved": True})
    sv.decide_level(user("boss"), case, proposal.id, {"approved": True})
    assert proposal.status == "approved" and case.level == "normal"
    assert [lv.level for lv in sv.level_history(case)] == ["strict", "normal"]


def test_same_level_is_refused_and_officer_cannot_change_directly(ctx, person_id):
    case = open_case(person_id)
    with pytest.raises(RuleViolation):
        sv.change_level(
            user("boss"), case, {"effective_on": "2026-03-10", "level": "strict", "reason": "x"}
        )
    with pytest.raises(Forbidden):
        sv.change_level(
            user("off1"), case, {"effective_on": "2026-03-10", "level": "normal", "reason": "x"}
        )
    db.session.rollback()
    assert _count(CaseLevel) == 1


def test_level_suggestion_after_two_months(ctx, person_id):
    case = open_case(person_id, received_on="2026-09-01")
    hints = sv.suggestions(case, d("2026-11-25"))
    assert any(s.kind == "review" for s in hints["levels"])


# --- sanctions -----------------------------------------------------------------


def test_sanction_type_rules(ctx, person_id):
    case = open_case(person_id)  # probation
    with pytest.raises(RuleViolation):
        sv.record_sanction(
            user("boss"),
            case,
            {"kind": "custody_request", "decided_on": "2026-05-01", "reason": "x"},
        )
    db.session.rollback()
    assert _count(Sanction) == 0
    req = sv.record_sanction(
        user("boss"),
        case,
        {"kind": "revocation_request", "decided_on": "2026-05-01", "reason": "再次违规"},
    )
    assert req.document_number == "本县矫撤缓〔2026〕1号"


def test_control_case_cannot_be_revoked(ctx, person_id):
    case = open_case(person_id, correction_type="control")
    with pytest.raises(RuleViolation):
        sv.record_sanction(
            user("boss"),
            case,
            {"kind": "revocation_request", "decided_on": "2026-05-01", "reason": "x"},
        )


def test_document_numbers_never_repeat(ctx, person_id, female_id):
    first = open_case(person_id)
    second = open_case(female_id)
    numbers = [
        sv.record_sanction(
            user("boss"), c, {"kind": "admonition", "decided_on": "2026-05-01", "reason": "迟到"}
        ).document_number
        for c in (first, second, first)
    ]
    assert numbers == ["本县矫训〔2026〕1号", "本县矫训〔2026〕2号", "本县矫训〔2026〕3号"]


def test_officer_proposes_sanction_supervisor_decides(ctx, person_id):
    case = open_case(person_id)
    with pytest.raises(Forbidden):
        sv.record_sanction(
            user("off1"), case, {"kind": "warning", "decided_on": "2026-05-01", "reason": "x"}
        )
    proposal = sv.record_sanction(
        user("off1"),
        case,
        {"kind": "warning", "proposed_on": "2026-05-01", "reason": "未经批准外出"},
        propose=True,
    )
    assert proposal.status == "proposed" and proposal.document_number == ""
    sv.decide_sanction(
        user("boss"), case, proposal.id, {"approved": True, "decided_on": "2026-05-03"}
    )
    assert proposal.status == "decided" and proposal.document_number == "本县矫警〔2026〕1号"


def test_release_blocked_while_revocation_pending(ctx, person_id):
    case = open_case(person_id, term_end="2026-11-01")
    boss = user("boss")
    req = sv.record_sanction(
        boss, case, {"kind": "revocation_request", "decided_on": "2026-10-01", "reason": "x"}
    )
    with pytest.raises(RuleViolation) as e:
        sv.release_case(boss, case, {"released_on": "2026-11-01", "reason": "expiry"})
    assert e.value.code == "request_pending"
    sv.record_outcome(boss, case, req.id, {"decided_on": "2026-10-20", "granted": False})
    sv.release_case(boss, case, {"released_on": "2026-11-01", "reason": "expiry"})
    assert case.status == "released"


def test_outcome_only_for_requests_and_once(ctx, person_id):
    case = open_case(person_id)
    boss = user("boss")
    warning = sv.record_sanction(
        boss, case, {"kind": "warning", "decided_on": "2026-05-01", "reason": "x"}
    )
    with pytest.raises(RuleViolation):
        sv.record_outcome(boss, case, warning.id, {"decided_on": "2026-05-02", "granted": True})
    req = sv.record_sanction(
        boss, case, {"kind": "police_penalty_request", "decided_on": "2026-05-01", "reason": "x"}
    )
    sv.record_outcome(boss, case, req.id, {"decided_on": "2026-05-05", "granted": True})
    with pytest.raises(RuleViolation):
        sv.record_outcome(boss, case, req.id, {"decided_on": "2026-05-06", "granted": False})


# --- leave ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ends", "tier"),
    [
        ("2026-03-07", "station"),
        ("2026-03-08", "county"),
        ("2026-03-30", "county"),
        ("2026-03-31", "above_county"),
    ],
)
def test_leave_tier_counts_both_ends(ctx, person_id, ends, tier):
    case = open_case(person_id)
    leave = sv.apply_leave(
        user("off1"),
        case,
        {
            "starts_on": "2026-03-01",
            "ends_on": ends,
            "destination": "杭州",
            "reason": "work",
            "applied_on": "2026-02-26",
        },
    )
    assert leave.tier == tier


def test_station_decides_short_leave_county_decides_long(ctx, person_id):
    case = open_case(person_id)
    officer, boss = user("off1"), user("boss")
    short = sv.apply_leave(
        officer,
        case,
        {
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-07",
            "destination": "杭州",
            "reason": "medical",
            "applied_on": "2026-02-26",
        },
    )
    sv.decide_leave(officer, case, short.id, {"approved": True, "decided_on": "2026-02-27"})
    long = sv.apply_leave(
        officer,
        case,
        {
            "starts_on": "2026-04-01",
            "ends_on": "2026-04-10",
            "destination": "上海",
            "reason": "work",
            "applied_on": "2026-03-28",
        },
    )
    with pytest.raises(Forbidden):
        sv.decide_leave(officer, case, long.id, {"approved": True, "decided_on": "2026-03-29"})
    sv.decide_leave(boss, case, long.id, {"approved": True, "decided_on": "2026-03-29"})
    assert long.status == "approved"


def test_return_and_overdue_return(ctx, person_id):
    case = open_case(person_id)
    officer = user("off1")
    leave = sv.apply_leave(
        officer,
        case,
        {
            "starts_on": "2026-11-10",
            "ends_on": "2026-11-14",
            "destination": "宁波",
            "reason": "family",
            "applied_on": "2026-11-07",
        },
    )
    with pytest.raises(RuleViolation):  # not approved yet
        sv.return_from_leave(officer, case, leave.id, {"returned_on": "2026-11-14"})
    sv.decide_leave(officer, case, leave.id, {"approved": True, "decided_on": "2026-11-08"})
    assert sv.return_overdue(leave, d("2026-11-14")) is False  # the end day itself
    assert sv.return_overdue(leave, d("2026-11-15")) is True
    sv.return_from_leave(officer, case, leave.id, {"returned_on": "2026-11-16"})
    assert sv.return_overdue(leave, d("2026-11-20")) is False
    assert _count(Leave, status="approved") == 1


def test_frequent_permit_runs_six_months(ctx, person_id):
    case = open_case(person_id)
    permit = sv.apply_leave(
        user("off1"),
        case,
        {
            "kind": "frequent_permit",
            "starts_on": "2026-08-31",
            "destination": "杭州市区",
            "reason": "work",
            "applied_on": "2026-08-25",
        },
    )
    assert permit.ends_on == d("2027-02-27")  # 2026-08-31 + 6 months clamps to 02-28, minus a day


# --- incidents, monitoring, medical -------------------------------------------------


def test_absconding_incident_lifecycle_and_suggestions(ctx, person_id):
    case = open_case(person_id)
    officer = user("off1")
    incident = sv.open_incident(officer, case, {"kind": "absconded", "occurred_on": "2026-10-01"})
    with pytest.raises(RuleViolation):
        sv.open_incident(officer, case, {"kind": "absconded", "occurred_on": "2026-10-02"})
    sv.log_search(
        officer,
        case,
        incident.id,
        {"searched_on": "2026-10-01", "method": "phone", "note": "电话关机"},
    )
    sv.record_notification(
        officer,
        case,
        incident.id,
        {"police_notified_on": "2026-10-02", "procuratorate_notified_on": "2026-10-02"},
    )
    kinds = {s.kind for s in sv.suggestions(case, d("2026-11-25"))["sanctions"]}
    assert "revocation_request" in kinds  # 脱管 more than a month, probation
    sv.close_incident(officer, case, incident.id, {"closed_on": "2026-10-05", "outcome": "已找回"})
    with pytest.raises(RuleViolation):
        sv.close_incident(officer, case, incident.id, {"closed_on": "2026-10-06", "outcome": "x"})


def test_monitoring_at_most_three_months_per_approval(ctx, person_id):
    case = open_case(person_id)
    boss = user("boss")
    with pytest.raises(ValidationFailed) as e:
        sv.start_monitoring(
            boss,
            case,
            {
                "ground": "prohibition_breach",
                "approved_by": "局长",
                "starts_on": "2026-01-31",
                "ends_on": "2026-05-01",
            },
        )
    assert "ends_on" in e.value.fields
    episode = sv.start_monitoring(
        boss,
        case,
        {
            "ground": "prohibition_breach",
            "approved_by": "局长",
            "starts_on": "2026-01-31",
            "ends_on": "2026-04-30",
        },
    )
    with pytest.raises(ValidationFailed):
        sv.extend_monitoring(
            boss, case, episode.id, {"ends_on": "2026-07-31", "approved_by": "局长"}
        )
    # approved on the episode's end day (docs/domain.md §7.4: not after it)
    sv.extend_monitoring(
        boss,
        case,
        episode.id,
        {"ends_on": "2026-07-30", "approved_by": "局长", "extended_on": "2026-04-30"},
    )
    assert episode.ends_on == d("2026-07-30")
    with pytest.raises(Forbidden):
        sv.start_monitoring(
            user("off1"),
            case,
            {
                "ground": "police_penalty",
                "approved_by": "x",
                "starts_on": "2026-08-01",
                "ends_on": "2026-08-02",
            },
        )


def test_medical_review_due_every_three_months(ctx, person_id):
    case = open_case(person_id, correction_type="temporary_release", received_on="2026-05-31")
    assert sv.medical_review_due(case) == d("2026-08-31")
    sv.record_medical_review(
        user("off1"),
        case,
        {"examined_on": "2026-08-30", "hospital": "县医院", "result": "病情稳定"},
    )
    assert sv.medical_review_due(case) == d("2026-11-30")


def test_medical_review_only_for_medical_parole(ctx, person_id):
    case = open_case(person_id)
    with pytest.raises(RuleViolation):
        sv.record_medical_review(
            user("off1"), case, {"examined_on": "2026-08-30", "hospital": "x", "result": "y"}
        )


# --- team, checklist, endings ---------------------------------------------------------


def test_team_needs_a_woman_for_a_female_person(ctx, female_id):
    case = open_case(female_id)
    assert sv.team_warning(case) is not None
    sv.add_team_member(user("off1"), case, {"name": "王芳", "role": "社工", "sex": "female"})
    assert sv.team_warning(case) is None


def test_checklist_opens_thirty_days_before_term_end(ctx, person_id):
    case = open_case(person_id, term_end="2026-12-26")  # opens 2026-11-26
    with pytest.raises(RuleViolation):
        sv.complete_checklist_item(
            user("off1"), case, {"item": "self_assessment", "done_on": "2026-11-25"}
        )
    db.session.rollback()
    case = db.session.get(type(case), case.id)
    case.term_end = d("2026-12-25")  # opens today
    db.session.commit()
    sv.complete_checklist_item(
        user("off1"),
        case,
        {"item": "appraisal", "done_on": "2026-11-25", "note": "建议列为一般安置帮教对象"},
    )
    assert sv.checklist(case)["appraisal"].note.startswith("建议")


def test_release_expiry_not_before_term_end_and_past_term_flag(ctx, person_id):
    case = open_case(person_id, term_end="2026-11-20")
    assert sv.past_term_end(case) is True
    with pytest.raises(ValidationFailed):
        sv.release_case(user("boss"), case, {"released_on": "2026-11-19", "reason": "expiry"})
    with pytest.raises(Forbidden):
        sv.release_case(user("off1"), case, {"released_on": "2026-11-20", "reason": "expiry"})
    sv.release_case(user("boss"), case, {"released_on": "2026-11-20", "reason": "expiry"})
    assert case.status == "released" and not sv.past_term_end(case)


def test_termination_reason_must_fit_type(ctx, person_id):
    case = open_case(person_id)  # probation
    with pytest.raises(ValidationFailed):
        sv.terminate_case(
            user("boss"), case, {"terminated_on": "2026-11-01", "reason": "parole_revoked"}
        )
    sv.terminate_case(
        user("boss"), case, {"terminated_on": "2026-11-01", "reason": "probation_revoked"}
    )
    assert case.status == "terminated"


def test_station_move_within_unit_only(ctx, person_id):
    case = open_case(person_id)
    boss = user("boss")
    with pytest.raises(ValidationFailed):
        sv.move_station(boss, case, {"moved_on": "2026-06-01", "station": "T1"})
    sv.move_station(boss, case, {"moved_on": "2026-06-01", "station": "S2"})
    assert case.station.code == "S2" and case.officer_id is None  # off1 does not work at S2
    assert sv.station_on(case, d("2026-05-31")) != sv.station_on(case, d("2026-06-01"))


def test_reassign_whole_caseload(ctx, person_id, female_id):
    open_case(person_id)
    open_case(female_id)
    moved = sv.reassign_caseload(user("boss"), "off1", "both")
    assert moved == 2
    with pytest.raises(RuleViolation):
        sv.reassign_caseload(user("boss"), "both", "off2")  # off2 does not work at S1
