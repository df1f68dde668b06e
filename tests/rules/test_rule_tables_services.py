"""Rule table services called directly (as the API would): permissions, validation, history."""

from datetime import date

import pytest
from sqlalchemy import func, select

from corrections.audit.models import AuditEvent
from corrections.auth.services import user_by_username
from corrections.errors import Conflict, Duplicate, Forbidden, ValidationFailed
from corrections.extensions import db
from corrections.rules import engine, services, tables
from corrections.rules.models import ContactRuleRow, DeadlineRuleRow


def _events() -> int:
    return db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def _rows(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _visit(**overrides) -> dict:
    data = {
        "programme": "resettlement",
        "requirement": "visit",
        "is_key": True,
        "satisfied_by": ["field_visit", "report_in_person", "video"],
        "every_days": 14,
        "effective_from": date(2027, 1, 1),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("username", ["off1", "boss", "viewer"])
def test_only_admins_write(county, ctx, username):
    actor = user_by_username(username)
    row = db.session.execute(select(DeadlineRuleRow)).scalars().first()
    before = (_rows(ContactRuleRow), _rows(DeadlineRuleRow), _events())
    with pytest.raises(Forbidden) as err:
        services.add_contact_rule(actor, _visit())
    assert "只有系统管理员" in err.value.message
    with pytest.raises(Forbidden):
        services.add_deadline_rule(
            actor, {"key": "report_days", "value": 5, "effective_from": "2026-01-01"}
        )
    with pytest.raises(Forbidden):
        services.update_deadline_rule(actor, row, row.version, {"value": 5})
    assert (_rows(ContactRuleRow), _rows(DeadlineRuleRow), _events()) == before


def test_resettlement_visit_row_from_json_values(county, ctx):
    admin = user_by_username("admin")
    row = services.add_contact_rule(admin, _visit())
    assert (row.satisfied_by, row.is_key, row.level, row.created_by_id) == (
        "field_visit,report_in_person,video",
        True,
        None,
        admin.id,
    )
    rules = tables.contact_rules()
    key_rule = engine.rule_in_force(
        rules, "resettlement", "visit", None, None, True, date(2027, 1, 1)
    )
    other = engine.rule_in_force(
        rules, "resettlement", "visit", None, None, False, date(2027, 1, 1)
    )
    old = engine.rule_in_force(rules, "resettlement", "visit", None, None, True, date(2026, 12, 31))
    assert (key_rule.every_days, other.every_days, old.every_days) == (14, 90, 30)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"requirement": "face_to_face"}, "requirement", "安置帮教只有"),
        ({"level": "strict"}, "level", "安置帮教不区分管理等级"),
        ({"correction_type": "parole"}, "correction_type", "安置帮教不区分矫正类别"),
        ({"is_key": "maybe"}, "is_key", "应为"),
        ({"satisfied_by": ["carrier_pigeon"]}, "satisfied_by", "未知的联系方式"),
        ({"satisfied_by": ""}, "satisfied_by", "请至少选择一种"),
        ({"every_days": -1}, "every_days", "不能小于0"),
        ({"every_days": True}, "every_days", "应为整数"),
        ({"effective_from": "2027-02-29"}, "effective_from", "不存在"),
        ({"programme": "parole_board"}, "programme", "未知的工作类别"),
    ],
)
def test_contact_rule_validation_lists_fields(county, ctx, overrides, field, message):
    admin = user_by_username("admin")
    before = (_rows(ContactRuleRow), _events())
    with pytest.raises(ValidationFailed) as err:
        services.add_contact_rule(admin, _visit(**overrides))
    assert message in err.value.fields[field]
    assert (_rows(ContactRuleRow), _events()) == before


def test_several_problems_are_reported_together(county, ctx):
    admin = user_by_username("admin")
    with pytest.raises(ValidationFailed) as err:
        services.add_contact_rule(
            admin,
            {
                "programme": "correction",
                "requirement": "chat",
                "every_days": -3,
                "effective_from": "x",
            },
        )
    assert {"requirement", "satisfied_by", "every_days", "effective_from"} <= set(err.value.fields)


def test_unknown_deadline_key_is_refused(county, ctx):
    admin = user_by_username("admin")
    before = (_rows(DeadlineRuleRow), _events())
    with pytest.raises(ValidationFailed) as err:
        services.add_deadline_rule(
            admin, {"key": "nap_days", "value": 1, "effective_from": "2026-01-01"}
        )
    assert "未知的期限项目" in err.value.fields["key"]
    assert (_rows(DeadlineRuleRow), _events()) == before


def test_partial_update_keeps_other_values_and_no_op_writes_nothing(county, ctx):
    admin = user_by_username("admin")
    row = services.add_deadline_rule(
        admin, {"key": "leave_station_max_days", "value": 5, "effective_from": "2026-03-01"}
    )
    db.session.commit()
    services.update_deadline_rule(admin, row, row.version, {"value": 6})
    db.session.commit()
    assert (row.key, row.value, row.effective_from, row.version) == (
        "leave_station_max_days",
        6,
        date(2026, 3, 1),
        2,
    )
    events = _events()
    services.update_deadline_rule(admin, row, row.version, {"value": "6"})
    assert _events() == events and row.version == 2


def test_stale_version_and_missing_version(county, ctx):
    admin = user_by_username("admin")
    row = db.session.execute(
        select(ContactRuleRow).where(ContactRuleRow.requirement == "health_report")
    ).scalar_one()
    with pytest.raises(Conflict) as err:
        services.update_contact_rule(admin, row, row.version + 1, {"every_days": 20})
    assert err.value.code == "stale_version" and "已被他人修改" in err.value.message
    with pytest.raises(ValidationFailed):
        services.update_contact_rule(admin, row, None, {"every_days": 20})
    db.session.rollback()
    assert row.every_days == 30


def test_correcting_a_row_onto_another_rows_scope_and_date_is_refused(county, ctx):
    admin = user_by_username("admin")
    row = services.add_deadline_rule(
        admin, {"key": "report_days", "value": 12, "effective_from": "2026-03-01"}
    )
    with pytest.raises(Duplicate) as err:
        services.update_deadline_rule(admin, row, row.version, {"effective_from": "1900-01-01"})
    assert err.value.existing_id is not None
    assert "effective_from" in err.value.fields


def test_rows_marked_in_force_follow_the_engine(county, ctx):
    admin = user_by_username("admin")
    # A rule for every level from 2026-06-01: more recent than the level-specific
    # 1900 rows, so it governs every level from then on.
    broad = services.add_contact_rule(
        admin,
        {
            "programme": "correction",
            "requirement": "field_visit",
            "level": None,
            "satisfied_by": ["field_visit"],
            "every_days": 45,
            "effective_from": "2026-06-01",
        },
    )
    future = services.add_contact_rule(
        admin,
        {
            "programme": "correction",
            "requirement": "field_visit",
            "level": "strict",
            "satisfied_by": ["field_visit"],
            "every_days": 20,
            "effective_from": "2027-01-01",
        },
    )
    rows = services.contact_rule_rows()
    old_field_visits = {
        r.id for r in rows if r.requirement == "field_visit" and r.effective_from.year == 1900
    }
    now = services.contact_rules_in_force(rows, date(2026, 11, 25))
    assert broad.id in now and future.id not in now
    assert not (old_field_visits & now)
    later = services.contact_rules_in_force(rows, date(2027, 1, 1))
    assert (
        future.id in later and broad.id in later
    )  # strict by the new row, others by the broad one

    deadline_rows = services.deadline_rule_rows()
    in_force = services.deadline_rules_in_force(deadline_rows, date(2026, 11, 25))
    assert len(in_force) == len(engine.default_deadlines())


def test_rule_change_refreshes_stored_due_state(ctx, county, world):
    from sqlalchemy import select as _select

    from corrections.auth.models import User as _User
    from corrections.rules import services as rule_services
    from tests.helpers import MALE_ID, open_case

    person = world.person("off1", MALE_ID, name="甲", station="S1")
    case = open_case(person, received_on="2026-11-20")
    assert case.next_due_on.isoformat() == "2026-11-27"
    admin = db.session.execute(_select(_User).where(_User.username == "admin")).scalar_one()
    rule_services.add_contact_rule(
        admin,
        {
            "programme": "correction",
            "requirement": "face_to_face",
            "level": "strict",
            "satisfied_by": ["report_in_person", "field_visit"],
            "every_days": 3,
            "effective_from": "2026-11-01",
        },
    )
    db.session.commit()
    assert case.next_due_on.isoformat() == "2026-11-23" and case.is_overdue
