"""Labels for the rule tables (programmes, requirements, contact kinds, deadline keys).

Also the bounds an admin may set for each deadline key: the key's unit says what
the number means (calendar days, working days, months, years, hours per month).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from corrections.labels import LABELS
from corrections.rules import engine
from corrections.rules.engine import ordered_kinds

# The labels are the catalogue's (corrections/labels.py).
PROGRAMMES = LABELS["programme"]
LEVELS = LABELS["level"]
CORRECTION_TYPES = LABELS["correction_type"]
REQUIREMENTS = LABELS["requirement"]
CONTACT_KINDS = LABELS["contact_kind"]
# Which requirements each programme has (docs/domain.md §3.5, §4).
PROGRAMME_REQUIREMENTS = {
    engine.CORRECTION: (
        "face_to_face",
        "remote_report",
        "remote_report_on_leave",
        "field_visit",
        "health_report",
    ),
    engine.RESETTLEMENT: ("visit",),
}


@dataclass(frozen=True)
class DeadlineKey:
    key: str
    label: object  # lazy string
    group: object
    unit: object
    minimum: int
    maximum: int


_INTAKE = _l("入矫与调查评估")
_LEAVE = _l("请假外出与审批")
_SUPERVISION = _l("监管措施与解矫")
_HOURS = _l("每月教育学习与公益活动")
_RESETTLEMENT = _l("安置帮教")
_ALERTS = _l("预警处置")
_METRES, _HOUR_OF_DAY = _l("米"), _l("时")
_CHECKIN = _l("自助报到")
_DAYS, _WORKDAYS, _MONTHS, _YEARS, _HOURS_UNIT = (
    _l("天"),
    _l("工作日"),
    _l("个月"),
    _l("年"),
    _l("小时"),
)

DEADLINE_KEYS: dict[str, DeadlineKey] = {
    k.key: k
    for k in (
        DeadlineKey(
            "alert_due_hours",
            _l("预警办结时限（小时）"),
            _ALERTS,
            _HOURS_UNIT,
            1,
            720,
        ),
        DeadlineKey(
            "alert_overdue_contact_days",
            _l("监管措施逾期超过几天发出预警"),
            _ALERTS,
            _DAYS,
            0,
            90,
        ),
        DeadlineKey(
            "location_same_position_days",
            _l("定位异常：连续几天同一位置且手机离身"),
            _ALERTS,
            _DAYS,
            2,
            30,
        ),
        DeadlineKey(
            "location_same_position_m",
            _l("定位异常：视为同一位置的距离（米）"),
            _ALERTS,
            _METRES,
            1,
            5000,
        ),
        DeadlineKey(
            "location_night_start_hour",
            _l("定位异常：夜间开始（时）"),
            _ALERTS,
            _HOUR_OF_DAY,
            0,
            23,
        ),
        DeadlineKey(
            "location_night_end_hour",
            _l("定位异常：夜间结束（时）"),
            _ALERTS,
            _HOUR_OF_DAY,
            0,
            23,
        ),
        DeadlineKey(
            "location_night_far_m",
            _l("定位异常：夜间距常住位置超过（米）"),
            _ALERTS,
            _METRES,
            100,
            500000,
        ),
        DeadlineKey(
            "report_days",
            _l("报到期限（天）"),
            _INTAKE,
            _DAYS,
            1,
            90,
        ),
        DeadlineKey(
            "transfer_report_days",
            _l("变更执行地后报到期限（天）"),
            _INTAKE,
            _DAYS,
            1,
            90,
        ),
        DeadlineKey(
            "assessment_days",
            _l("调查评估期限（工作日）"),
            _INTAKE,
            _WORKDAYS,
            1,
            60,
        ),
        DeadlineKey(
            "assessment_fast_track_days",
            _l("速裁案件调查评估期限（工作日）"),
            _INTAKE,
            _WORKDAYS,
            1,
            60,
        ),
        DeadlineKey(
            "leave_station_max_days",
            _l("司法所可批准的请假天数上限"),
            _LEAVE,
            _DAYS,
            1,
            90,
        ),
        DeadlineKey(
            "leave_county_max_days",
            _l("县局单次批准的请假天数上限"),
            _LEAVE,
            _DAYS,
            1,
            365,
        ),
        DeadlineKey(
            "leave_window_months",
            _l("累计请假统计期（月）"),
            _LEAVE,
            _MONTHS,
            1,
            24,
        ),
        DeadlineKey(
            "leave_window_max_days",
            _l("统计期内累计请假天数上限（超过须市局审批）"),
            _LEAVE,
            _DAYS,
            1,
            730,
        ),
        DeadlineKey(
            "frequent_permit_months",
            _l("经常性跨市县活动许可有效期（月）"),
            _LEAVE,
            _MONTHS,
            1,
            24,
        ),
        DeadlineKey(
            "monitoring_max_months",
            _l("电子定位每次批准最长期限（月）"),
            _SUPERVISION,
            _MONTHS,
            1,
            12,
        ),
        DeadlineKey(
            "medical_review_months",
            _l("保外就医病情复查间隔（月）"),
            _SUPERVISION,
            _MONTHS,
            1,
            12,
        ),
        DeadlineKey(
            "term_end_checklist_days",
            _l("期满前开启解矫清单（天）"),
            _SUPERVISION,
            _DAYS,
            0,
            365,
        ),
        DeadlineKey(
            "medical_review_soon_days",
            _l("病情复查即将到期提示（天）"),
            _SUPERVISION,
            _DAYS,
            0,
            90,
        ),
        DeadlineKey(
            "monitoring_end_soon_days",
            _l("电子定位即将到期提示（天）"),
            _SUPERVISION,
            _DAYS,
            0,
            90,
        ),
        DeadlineKey(
            "due_soon_days",
            _l("联系要求即将到期提示（天）"),
            _SUPERVISION,
            _DAYS,
            0,
            90,
        ),
        DeadlineKey(
            "education_hours_strict",
            _l("每月教育学习时长（严管，小时）"),
            _HOURS,
            _HOURS_UNIT,
            0,
            200,
        ),
        DeadlineKey(
            "education_hours_normal",
            _l("每月教育学习时长（普管，小时）"),
            _HOURS,
            _HOURS_UNIT,
            0,
            200,
        ),
        DeadlineKey(
            "education_hours_lenient",
            _l("每月教育学习时长（宽管，小时）"),
            _HOURS,
            _HOURS_UNIT,
            0,
            200,
        ),
        DeadlineKey(
            "public_service_hours_strict",
            _l("每月公益活动时长（严管，小时）"),
            _HOURS,
            _HOURS_UNIT,
            0,
            200,
        ),
        DeadlineKey(
            "public_service_hours_normal",
            _l("每月公益活动时长（普管，小时）"),
            _HOURS,
            _HOURS_UNIT,
            0,
            200,
        ),
        DeadlineKey(
            "public_service_hours_lenient",
            _l("每月公益活动时长（宽管，小时）"),
            _HOURS,
            _HOURS_UNIT,
            0,
            200,
        ),
        DeadlineKey(
            "handover_alert_days",
            _l("释放后未衔接提醒（天）"),
            _RESETTLEMENT,
            _DAYS,
            1,
            90,
        ),
        DeadlineKey(
            "resettlement_period_end_alert_days",
            _l("帮教期满前提醒（天）"),
            _RESETTLEMENT,
            _DAYS,
            0,
            365,
        ),
        DeadlineKey(
            "resettlement_years_prison",
            _l("帮教期（刑满释放，年）"),
            _RESETTLEMENT,
            _YEARS,
            1,
            20,
        ),
        DeadlineKey(
            "resettlement_years_detention_center",
            _l("帮教期（看守所释放，年）"),
            _RESETTLEMENT,
            _YEARS,
            1,
            20,
        ),
        DeadlineKey(
            "resettlement_years_control",
            _l("帮教期（管制期满，年）"),
            _RESETTLEMENT,
            _YEARS,
            1,
            20,
        ),
        DeadlineKey(
            "resettlement_years_probation",
            _l("帮教期（缓刑期满，年）"),
            _RESETTLEMENT,
            _YEARS,
            1,
            20,
        ),
        DeadlineKey(
            "resettlement_years_parole",
            _l("帮教期（假释期满，年）"),
            _RESETTLEMENT,
            _YEARS,
            1,
            20,
        ),
        DeadlineKey(
            "resettlement_years_temporary_release",
            _l("帮教期（暂予监外执行期满，年）"),
            _RESETTLEMENT,
            _YEARS,
            1,
            20,
        ),
        DeadlineKey(
            "checkin_every_days_strict",
            _l("自助报到间隔（严管，天；0为不自动发起）"),
            _CHECKIN,
            _DAYS,
            0,
            365,
        ),
        DeadlineKey(
            "checkin_every_days_normal",
            _l("自助报到间隔（普管，天；0为不自动发起）"),
            _CHECKIN,
            _DAYS,
            0,
            365,
        ),
        DeadlineKey(
            "checkin_every_days_lenient",
            _l("自助报到间隔（宽管，天；0为不自动发起）"),
            _CHECKIN,
            _DAYS,
            0,
            365,
        ),
        DeadlineKey(
            "checkin_window_hours",
            _l("自助报到提交时限（小时）"),
            _CHECKIN,
            _HOURS_UNIT,
            1,
            168,
        ),
    )
}


def scope_label(programme: str, level, correction_type, is_key) -> str:
    """Who a contact rule row applies to, e.g. "严管", "暂予监外执行", "重点帮教对象"."""
    if programme == engine.RESETTLEMENT:
        if is_key is None:
            return str(_l("全部帮教对象"))
        return str(_l("重点帮教对象") if is_key else _l("一般帮教对象"))
    level_text = str(LEVELS.get(level, level)) if level else None
    if correction_type:
        type_text = str(CORRECTION_TYPES.get(correction_type, correction_type))
        return f"{type_text}（{level_text}）" if level_text else type_text
    return level_text or str(_l("各管理等级"))


def effective_text(effective_from) -> str:
    """When a rule row applies from: "默认" for the built-in rows (in force from the
    earliest date, 1900-01-01, which means "always"), else "自2026-01-01起"."""
    if effective_from <= engine.DEFAULT_EFFECTIVE_FROM:
        return str(_l("默认"))
    return str(_l("自%(d)s起", d=effective_from.isoformat()))


def contact_rule_text(row) -> str:
    """One readable line: "严管 · 面对面 · 当面报告或实地查访 · 每7天 · 默认" (or "自2026-01-01起")."""
    kinds = [str(CONTACT_KINDS.get(k, k)) for k in ordered_kinds(_kinds(row.satisfied_by))]
    kinds_text = engine.join_words(kinds, str(_l("或")), "、")
    if row.every_days > 0:
        frequency = str(_l("每%(n)d天", n=row.every_days))
    else:
        frequency = str(_l("不再要求"))
    parts = [
        scope_label(row.programme, row.level, row.correction_type, row.is_key),
        str(REQUIREMENTS.get(row.requirement, row.requirement)),
        kinds_text,
        frequency,
        effective_text(row.effective_from),
    ]
    return " · ".join(parts)


def _kinds(value) -> list[str]:
    if isinstance(value, str):
        return [k for k in value.split(",") if k]
    return list(value)
