"""调查评估 forms, and the holiday table's. They only carry data: assessments.services and
rules.holidays check every value and answer in Chinese."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField

from corrections.forms import DateString, EnumSelect, MarkRequired, ServiceForm
from corrections.labels import choices

REQUIRED = [MarkRequired()]


class AssessmentForm(ServiceForm):
    station = SelectField(_l("司法所"), choices=[], validate_choice=False, validators=REQUIRED)
    name = StringField(_l("被调查人姓名"), validators=REQUIRED)
    id_number = StringField(_l("公民身份号码"))
    commissioned_by = EnumSelect(
        _l("委托机关类别"), "commissioned_by", blank=_l("（请选择）"), validators=REQUIRED
    )
    commissioning_body = StringField(_l("委托机关名称"))
    crime = StringField(_l("涉嫌罪名"))
    proposed_type = EnumSelect(_l("拟适用矫正类别"), "correction_type", blank=_l("（未填）"))
    received_on = DateString(_l("收到委托日期"), today=True, validators=REQUIRED)
    fast_track = BooleanField(_l("速裁案件（5个工作日内完成）"))


class ExtendForm(ServiceForm):
    working_days = StringField(_l("延长工作日数"), validators=REQUIRED)
    reason = TextAreaField(_l("延期理由"), validators=REQUIRED)


class CompleteForm(ServiceForm):
    completed_on = DateString(_l("完成日期"), today=True, validators=REQUIRED)
    opinion = RadioField(
        _l("评估意见"),
        choices=lambda: choices("opinion"),
        validate_choice=False,
        validators=REQUIRED,
    )
    opinion_note = TextAreaField(_l("意见说明"))


class HolidayEntryForm(ServiceForm):
    skip = ("kind",)
    day = DateString(_l("日期"), validators=REQUIRED)
    kind = RadioField(
        _l("类型"),
        choices=lambda: [("holiday", _l("放假（休息日）")), ("workday", _l("调休上班（工作日）"))],
        default="holiday",
        validate_choice=False,
    )
    note = StringField(_l("说明"))

    def payload(self) -> dict:
        data = super().payload()
        data["is_workday"] = self.kind.data == "workday"
        return data


class DeclareYearForm(ServiceForm):
    year = StringField(_l("年份"), validators=REQUIRED)
