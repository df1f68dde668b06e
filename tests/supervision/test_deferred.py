"""deferred_writes(): bulk work through the ordinary services with fewer round trips."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from corrections.audit.models import AuditEvent
from corrections.audit.services import verify_chain
from corrections.deferred import deferred_writes, memoised
from corrections.extensions import db
from corrections.supervision import services as ss
from corrections.supervision.models import CorrectionCase
from tests.helpers import open_case, user


def test_due_state_and_audit_written_when_the_block_ends(county, person_id, ctx):
    case = open_case(person_id)
    db.session.commit()
    case_id = case.id
    officer = user("off1")
    before = db.session.execute(select(AuditEvent.id)).scalars().all()
    stored = case.next_due_on
    with deferred_writes():
        ss.record_contact(officer, case, {"kind": "report_in_person", "occurred_on": "2026-11-24"})
        # inside the block nothing has been chained or refreshed yet
        assert sorted(db.session.execute(select(AuditEvent.id)).scalars()) == sorted(before)
        assert case.next_due_on == stored
    db.session.commit()
    after = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    assert [e.action for e in after if e.id not in before] == ["correction.contact"]
    assert verify_chain().ok
    # the stored state is the engine's answer
    case = db.session.get(CorrectionCase, case_id)
    assert not ss.refresh_due_state(case, date(2026, 11, 25))
    assert case.next_due_on > stored


def test_an_error_inside_the_block_discards_everything(county, person_id, ctx):
    case = open_case(person_id)
    db.session.commit()
    count = db.session.query(AuditEvent).count()
    with pytest.raises(RuntimeError), deferred_writes():
        ss.record_contact(user("off1"), case, {"kind": "phone", "occurred_on": "2026-11-24"})
        raise RuntimeError("stop")
    db.session.rollback()
    assert db.session.query(AuditEvent).count() == count


def test_memo_lives_only_inside_a_block(ctx):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert memoised("k", compute) == 1 and memoised("k", compute) == 2
    with deferred_writes():
        assert memoised("k", compute) == 3 and memoised("k", compute) == 3
    assert memoised("k", compute) == 4


def test_blocks_do_not_nest(ctx):
    with deferred_writes(), pytest.raises(RuntimeError), deferred_writes():
        pass
