"""The default rule tables (docs/domain.md §3–§4), seeded into the database: contact
frequencies and the deadlines, limits and periods."""

from __future__ import annotations

from .facts import (
    CORRECTION,
    DEFAULT_EFFECTIVE_FROM,
    ON_LEAVE_REMOTE,
    RESETTLEMENT,
    ContactRule,
)


def _rule(rule_id, programme, requirement, kinds, days, **scope) -> ContactRule:
    """A built-in row, in force from the earliest date; ``scope`` narrows it (``level``,
    ``correction_type``, ``is_key``; any when not given)."""
    return ContactRule(
        id=rule_id,
        programme=programme,
        requirement=requirement,
        level=scope.get("level"),
        correction_type=scope.get("correction_type"),
        is_key=scope.get("is_key"),
        satisfied_by=kinds,
        every_days=days,
        effective_from=DEFAULT_EFFECTIVE_FROM,
    )


def default_contact_rules() -> list[ContactRule]:
    """The default contact rule table (docs/domain.md §3.5 and §4), to be seeded into the database."""
    f2f = frozenset({"report_in_person", "field_visit"})
    remote = frozenset({"phone", "video", "info_check", "report_in_person", "field_visit"})
    visit = frozenset({"field_visit"})
    health = frozenset({"written_report", "report_in_person"})
    rows = [
        ("strict", "face_to_face", f2f, 7),
        ("strict", "field_visit", visit, 30),
        ("normal", "face_to_face", f2f, 30),
        ("normal", "remote_report", remote, 7),
        ("normal", "field_visit", visit, 60),
        ("lenient", "face_to_face", f2f, 60),
        ("lenient", "remote_report", remote, 30),
        ("lenient", "field_visit", visit, 90),
    ]
    rules = [
        _rule(
            f"correction.{level}.{requirement}", CORRECTION, requirement, kinds, days, level=level
        )
        for level, requirement, kinds, days in rows
    ]
    rules.append(_rule(f"correction.{ON_LEAVE_REMOTE}", CORRECTION, ON_LEAVE_REMOTE, remote, 7))
    rules.append(
        _rule(
            "correction.temporary_release.health_report",
            CORRECTION,
            "health_report",
            health,
            30,
            correction_type="temporary_release",
        )
    )
    for key, days in ((True, 30), (False, 90)):
        rules.append(
            _rule(
                f"resettlement.{'key' if key else 'other'}.visit",
                RESETTLEMENT,
                "visit",
                frozenset({"field_visit", "report_in_person"}),
                days,
                is_key=key,
            )
        )
    return rules


def default_deadlines() -> dict[str, int]:
    """Default deadlines, limits, monthly hours and periods (docs/domain.md §3–§4), key → value.

    Days are calendar days unless the key says working days (`assessment_*`);
    `*_months` are calendar months, `*_years` years, `*_hours` hours per month.
    Seeded as effective-dated rows (from `DEFAULT_EFFECTIVE_FROM`).
    """
    return {
        "report_days": 10,
        "transfer_report_days": 7,
        "assessment_days": 10,
        "assessment_fast_track_days": 5,
        "handover_alert_days": 7,
        "term_end_checklist_days": 30,
        "resettlement_period_end_alert_days": 30,
        "monitoring_max_months": 3,
        "medical_review_months": 3,
        # "due soon" windows (docs/domain.md §7.1)
        "medical_review_soon_days": 7,
        "monitoring_end_soon_days": 7,
        "due_soon_days": 7,
        "leave_station_max_days": 7,
        "leave_county_max_days": 30,
        "leave_window_months": 2,
        "leave_window_max_days": 30,
        "frequent_permit_months": 6,
        "education_hours_strict": 8,
        "education_hours_normal": 8,
        "education_hours_lenient": 4,
        "public_service_hours_strict": 8,
        "public_service_hours_normal": 8,
        "public_service_hours_lenient": 4,
        "resettlement_years_prison": 5,
        "resettlement_years_detention_center": 5,
        "resettlement_years_control": 3,
        "resettlement_years_probation": 3,
        "resettlement_years_parole": 5,
        "resettlement_years_temporary_release": 5,
        # 预警处置 (docs/domain.md §7.11)
        "alert_due_hours": 24,
        "alert_overdue_contact_days": 7,
        "location_same_position_days": 3,
        "location_same_position_m": 100,
        "location_night_start_hour": 22,
        "location_night_end_hour": 6,
        "location_night_far_m": 5000,
        # self check-in (docs/domain.md §7.12): every N days per level (0: none), window in hours
        "checkin_every_days_strict": 0,
        "checkin_every_days_normal": 7,
        "checkin_every_days_lenient": 30,
        "checkin_window_hours": 24,
    }
