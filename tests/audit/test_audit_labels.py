"""Every action and record type the audit log shows has a readable name in the label
catalogue (corrections/labels.py): the demo county's log, which exercises both programmes,
alerts and self check-in, holds no bare code."""

from flask_babel import force_locale
from sqlalchemy import select

from corrections.audit.labels import action_label, entity_label
from corrections.audit.models import AuditEvent
from corrections.extensions import db
from corrections.labels import LABELS


def test_the_demo_countys_audit_log_has_a_name_for_every_action_and_record(demo_county, ctx):
    actions = db.session.execute(select(AuditEvent.action).distinct()).scalars().all()
    entities = db.session.execute(select(AuditEvent.entity_type).distinct()).scalars().all()
    assert len(actions) >= 30 and len(entities) >= 10
    assert [a for a in actions if a not in LABELS["audit_action"]] == []
    assert [e for e in entities if e not in LABELS["audit_entity"]] == []


def test_names_read_in_the_request_language_and_unknown_codes_stay_readable(app):
    with app.test_request_context():
        assert action_label("correction.release") == "解除社区矫正"
        assert entity_label("checkin_question") == "报到问题"
        assert action_label("something.new") == "something.new"
        with force_locale("en"):
            assert action_label("checkin.submit") == "Self check-in submitted"
            assert entity_label("alert") == "Alerts"
