"""社区矫正 case services: every write of the supervision feature goes through here.

Each function takes the acting user, validates everything before writing,
writes, refreshes the stored due state when it could change, and records the
audit event last. Routes (UI and API) only parse input and call these.

One module per area; this package re-exports their public names, so
``services.record_contact(...)`` works as before. The programme-neutral pieces
(guards, voiding, the due-state refresh) are in ``corrections.core``.
"""

from corrections.core.due import history_since, store_month_ends
from corrections.core.endings import refuse_records_after_end
from corrections.core.guards import require_decider, require_writer
from corrections.supervision.models import CorrectionCase, Sanction  # tests reach the models here
from corrections.supervision.services.caseload import (
    assign_officer,
    move_station,
    reassign_caseload,
    station_on,
)
from corrections.supervision.services.common import (
    decision,
    not_before_reception,
    require_open,
)
from corrections.supervision.services.contacts import record_contact, void_record
from corrections.supervision.services.due import (
    absconded_periods,
    case_facts,
    case_facts_many,
    checklist_open,
    due_states,
    intake_deadline,
    medical_review_due_soon,
    missed_intake,
    on_time_counts,
    past_term_end,
    recompute_report_deadlines,
    refresh_due_state,
    refresh_due_states,
    term_end_effective,
    term_ending_candidates,
    term_ending_on,
)
from corrections.supervision.services.endings import (
    records_after_end,
    release_case,
    terminate_case,
    transfer_out,
)
from corrections.supervision.services.incidents import (
    close_incident,
    log_search,
    open_incident,
    record_notification,
)
from corrections.supervision.services.intake import (
    check_age_at_judgment,
    check_term_start,
    create_case,
    is_minor_case,
    receive_case,
    update_case_details,
)
from corrections.supervision.services.leave import (
    apply_leave,
    decide_leave,
    leave_tier_for,
    return_from_leave,
    return_overdue,
)
from corrections.supervision.services.levels import (
    change_level,
    decide_level,
    level_history,
    propose_level,
)
from corrections.supervision.services.monitoring import (
    extend_monitoring,
    medical_review_due,
    record_medical_review,
    remove_monitoring,
    start_monitoring,
)
from corrections.supervision.services.sanctions import (
    decide_sanction,
    number_sanction,
    pending_requests,
    record_outcome,
    record_sanction,
    sanction_series,
)
from corrections.supervision.services.suggestions import suggestions
from corrections.supervision.services.team import (
    add_plan,
    add_team_member,
    checklist,
    complete_checklist_item,
    remove_team_member,
    team_warning,
)

__all__ = [
    "history_since",
    "store_month_ends",
    "CorrectionCase",
    "Sanction",
    "absconded_periods",
    "add_plan",
    "add_team_member",
    "apply_leave",
    "assign_officer",
    "case_facts",
    "case_facts_many",
    "change_level",
    "check_age_at_judgment",
    "check_term_start",
    "checklist",
    "checklist_open",
    "close_incident",
    "complete_checklist_item",
    "create_case",
    "decide_leave",
    "decide_level",
    "decide_sanction",
    "decision",
    "due_states",
    "extend_monitoring",
    "intake_deadline",
    "is_minor_case",
    "leave_tier_for",
    "level_history",
    "log_search",
    "medical_review_due",
    "medical_review_due_soon",
    "missed_intake",
    "move_station",
    "not_before_reception",
    "number_sanction",
    "on_time_counts",
    "open_incident",
    "past_term_end",
    "pending_requests",
    "propose_level",
    "reassign_caseload",
    "receive_case",
    "recompute_report_deadlines",
    "record_contact",
    "record_medical_review",
    "record_notification",
    "record_outcome",
    "record_sanction",
    "records_after_end",
    "refresh_due_state",
    "refresh_due_states",
    "refuse_records_after_end",
    "release_case",
    "remove_monitoring",
    "remove_team_member",
    "require_decider",
    "require_open",
    "require_writer",
    "return_from_leave",
    "return_overdue",
    "sanction_series",
    "start_monitoring",
    "station_on",
    "suggestions",
    "team_warning",
    "term_end_effective",
    "term_ending_candidates",
    "term_ending_on",
    "terminate_case",
    "transfer_out",
    "update_case_details",
    "void_record",
]
