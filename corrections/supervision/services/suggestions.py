"""Sanction and level suggestions from a case's history (docs/domain.md §3.8)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from corrections import clock
from corrections.extensions import db
from corrections.supervision.models import CorrectionCase, Incident, Leave, Sanction
from corrections.supervision.services.due import case_facts
from corrections.supervision.services.monitoring import medical_review_due


def suggestions(case: CorrectionCase, on: date | None = None) -> dict[str, list]:
    """Sanction and level suggestions computed from the case's history (never applied;
    docs/domain.md §3.8, §7.2, §7.5). Violations a later sanction answered are left out."""
    from corrections.rules import sanctions as sanction_rules

    on = on or clock.today()
    if case.status == "expected":
        return {"sanctions": _never_received(case, on), "levels": []}
    if case.status != "active":
        return {"sanctions": [], "levels": []}
    recorded = db.session.execute(
        select(Sanction.kind, Sanction.status, Sanction.decided_on, Sanction.proposed_on).where(
            Sanction.case_id == case.id,
            Sanction.voided_at.is_(None),
            Sanction.status != "rejected",
        )
    ).all()
    decided = [(k, d) for k, st, d, _p in recorded if st == "decided" and d]
    # A proposed sanction already answers the violation it was proposed for.
    on_record = tuple(
        sanction_rules.SanctionFact(k, d or p) for k, _st, d, p in recorded if (d or p)
    )
    facts = _violation_facts(case, on, decided, on_record)
    level_suggestions = sanction_rules.suggest_level_changes(
        case.received_on,
        case_facts(case).levels,
        [sanction_rules.SanctionFact(k, d) for k, d in decided],
        on,
    )
    return {"sanctions": sanction_rules.suggest_sanctions(facts), "levels": level_suggestions}


def _never_received(case: CorrectionCase, on: date) -> list:
    """Never received: not reporting for more than a month after the deadline (§7.2)."""
    from corrections.rules import sanctions as sanction_rules

    if on <= case.report_deadline:
        return []
    facts = sanction_rules.ViolationFacts(
        correction_type=case.correction_type,
        on=on,
        late_report_days=(on - case.report_deadline).days,
        report_deadline=case.report_deadline,
    )
    return [s for s in sanction_rules.suggest_sanctions(facts) if s.kind == "revocation_request"]


def _violation_facts(case: CorrectionCase, on: date, decided: list, on_record: tuple):
    """What the case did that a sanction may answer, as of ``on``."""
    from corrections.rules import sanctions as sanction_rules

    absconded = db.session.execute(
        select(Incident)
        .where(Incident.case_id == case.id, Incident.kind == "absconded")
        .order_by(Incident.occurred_on.desc())
        .limit(1)
    ).scalar_one_or_none()
    late_days = 0
    if case.received_on and case.received_on > case.report_deadline:
        late_days = (case.received_on - case.report_deadline).days
    overdue_leave_days, overdue_leave_on = _most_overdue_return(case, on)
    review_due = medical_review_due(case)
    missed_review = bool(review_due and on > review_due)
    return sanction_rules.ViolationFacts(
        correction_type=case.correction_type,
        on=on,
        late_report_days=late_days,
        absconded_since=absconded.occurred_on if absconded else None,
        found_on=absconded.closed_on if absconded else None,
        overdue_return_days=overdue_leave_days,
        missed_medical_review=missed_review,
        prior_admonitions=sum(1 for k, _d in decided if k == "admonition"),
        prior_warnings=sum(1 for k, _d in decided if k == "warning"),
        report_deadline=case.report_deadline if late_days else None,
        overdue_return_on=overdue_leave_on,
        missed_medical_review_on=review_due + timedelta(days=1) if missed_review else None,
        sanctions=on_record,
    )


def _most_overdue_return(case: CorrectionCase, on: date) -> tuple[int, date | None]:
    """The most days late back from an approved leave, and the first day it was late."""
    from corrections.rules import leaves as leave_rules

    overdue_leave_days, overdue_leave_on = 0, None
    for leave in db.session.execute(
        select(Leave).where(
            Leave.case_id == case.id, Leave.status == "approved", Leave.kind == "leave"
        )
    ).scalars():
        days = leave_rules.return_days_late(leave.ends_on, leave.returned_on, on)
        if days > overdue_leave_days:
            overdue_leave_days = days
            overdue_leave_on = leave.ends_on + timedelta(days=1)
    return overdue_leave_days, overdue_leave_on
