"""社区矫正 forms. They only carry data: every rule is checked by supervision.services.

Dates are plain strings rendered as ``<input type="date">`` so the service parses
them and answers in Chinese; selects accept any value (the service checks codes).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from corrections.forms import DateString, MarkRequired, ServiceForm
from corrections.forms import EnumSelect as Select
from corrections.labels import choices
from corrections.people.forms import IntakePersonForm, person_mode_field, station_field
from corrections.supervision.models import CHECKLIST_ITEMS

REQUIRED = [MarkRequired()]  # the * in the page; the service does the checking


class DecisionForm(ServiceForm):
    """Approve / refuse buttons; neither pressed leaves ``approved`` out (the service asks)."""

    decided_on = DateString(_l("决定日期"), today=True)
    note = TextAreaField(_l("审批意见"), render_kw={"rows": 2})
    approve = SubmitField(_l("批准"))
    refuse = SubmitField(_l("不批准"))

    def payload(self) -> dict:
        data = super().payload()
        if self.approve.data or self.refuse.data:
            data["approved"] = bool(self.approve.data)
        return data


# --------------------------------------------------------------------------- intake


class IntakeForm(IntakePersonForm):
    # The person (people.forms.IntakePersonForm): a file already kept, or a new one.
    person_mode = person_mode_field(_l("矫正对象"))
    # The case.
    station = station_field()
    correction_type = Select(
        _l("矫正类别"), "correction_type", blank=_l("（请选择）"), validators=REQUIRED
    )
    grounds = Select(_l("暂予监外执行情形"), "grounds", blank=_l("（非暂外不填）"))
    crime = StringField(_l("罪名"))
    crime_category = Select(_l("犯罪类型"), "crime_category", blank=_l("（未填）"))
    sentence = StringField(_l("原判刑罚"))
    judgment_effective_on = DateString(_l("判决（裁定、决定）生效日期"), validators=REQUIRED)
    term_start = DateString(_l("矫正期限起日"), validators=REQUIRED)
    term_end = DateString(_l("矫正期限止日"), validators=REQUIRED)
    decision_body = StringField(_l("决定机关"))
    decision_document = StringField(_l("法律文书编号"))
    prohibitions = TextAreaField(_l("禁止令（内容及期限）"))
    notified_on = DateString(_l("收到交付通知日期"))
    received_on = DateString(_l("报到接收日期"))
    source = Select(_l("接收方式"), "source")
    level = Select(_l("管理等级"), "level")
    officer = SelectField(_l("责任人"), choices=[], validate_choice=False)

    CASE_KEYS = (
        "station",
        "correction_type",
        "grounds",
        "crime",
        "crime_category",
        "sentence",
        "judgment_effective_on",
        "term_start",
        "term_end",
        "decision_body",
        "decision_document",
        "prohibitions",
        "notified_on",
        "received_on",
        "source",
        "level",
        "officer",
    )

    def case_payload(self, person_id: int | None) -> dict:
        data = self.payload()
        case = {k: data[k] for k in self.CASE_KEYS}
        if not case["officer"]:
            del case["officer"]  # the service's default: the creating officer
        case["person_id"] = person_id
        return case


# --------------------------------------------------------------------------- the case page


class ContactForm(ServiceForm):
    skip = ("photos",)
    kind = Select(_l("方式"), "contact_kind", default="report_in_person", validators=REQUIRED)
    occurred_on = DateString(_l("日期"), today=True, validators=REQUIRED)
    unannounced = BooleanField(_l("突击查访"))
    at_night = BooleanField(_l("夜间查访"))
    note = TextAreaField(_l("情况记录"))
    # visit photos, attached to this contact in the same save (paperwork/attachments.py)
    photos = MultipleFileField(_l("走访照片"))


class ReceiveForm(ServiceForm):
    received_on = DateString(_l("报到接收日期"), today=True, validators=REQUIRED)
    source = Select(_l("接收方式"), "source")


class DetailsForm(ServiceForm):
    skip = ("version",)
    version = HiddenField()
    crime = StringField(_l("罪名"))
    crime_category = Select(_l("犯罪类型"), "crime_category", blank=_l("（未填）"))
    sentence = StringField(_l("原判刑罚"))
    decision_body = StringField(_l("决定机关"))
    decision_document = StringField(_l("法律文书编号"))
    prohibitions = TextAreaField(_l("禁止令（内容及期限）"))
    announced_on = DateString(_l("入矫宣告日期"))
    term_start = DateString(_l("矫正期限起日"))
    term_end = DateString(_l("矫正期限止日"))


class LevelForm(ServiceForm):
    level = Select(_l("调整为"), "level", blank=_l("（请选择）"), validators=REQUIRED)
    effective_on = DateString(_l("生效日期"), today=True, validators=REQUIRED)
    reason = TextAreaField(_l("理由"), validators=REQUIRED)


class SanctionForm(ServiceForm):
    kind = Select(_l("种类"), "sanction_kind", blank=_l("（请选择）"), validators=REQUIRED)
    decided_on = DateString(_l("日期"), today=True, validators=REQUIRED)
    reason = TextAreaField(_l("事实和理由"), validators=REQUIRED)
    investigation = TextAreaField(_l("调查核实情况"))


class OutcomeForm(ServiceForm):
    decided_on = DateString(_l("结果日期"), today=True, validators=REQUIRED)
    granted = SelectField(
        _l("结果"),
        choices=[("", _l("（请选择）")), ("yes", _l("准予")), ("no", _l("不予准许"))],
        validate_choice=False,
        validators=REQUIRED,
    )

    def payload(self) -> dict:
        data = super().payload()
        if data["granted"] in ("yes", "no"):
            data["granted"] = data["granted"] == "yes"
        else:
            del data["granted"]
        return data


class LeaveForm(ServiceForm):
    kind = Select(_l("类别"), "leave_kind", default="leave", validators=REQUIRED)
    starts_on = DateString(_l("外出开始日期"), validators=REQUIRED)
    ends_on = DateString(_l("外出结束日期"), validators=REQUIRED)
    destination = StringField(_l("目的地"), validators=REQUIRED)
    reason = Select(_l("事由"), "leave_reason", blank=_l("（请选择）"), validators=REQUIRED)
    reason_detail = TextAreaField(_l("具体事由"))
    applied_on = DateString(_l("申请日期"), today=True)


class ReturnForm(ServiceForm):
    returned_on = DateString(_l("销假日期"), today=True, validators=REQUIRED)


class IncidentForm(ServiceForm):
    kind = Select(_l("事件"), "incident_kind", default="absconded", validators=REQUIRED)
    occurred_on = DateString(_l("发生日期"), today=True, validators=REQUIRED)
    note = TextAreaField(_l("情况"))


class SearchForm(ServiceForm):
    searched_on = DateString(_l("查找日期"), today=True, validators=REQUIRED)
    method = Select(_l("方式"), "search_method", default="phone", validators=REQUIRED)
    note = StringField(_l("结果"))


class NotifyForm(ServiceForm):
    police_notified_on = DateString(_l("通报公安日期"))
    procuratorate_notified_on = DateString(_l("通报检察院日期"))


class CloseIncidentForm(ServiceForm):
    closed_on = DateString(_l("结束日期"), today=True, validators=REQUIRED)
    outcome = StringField(_l("结果（如：已找回、已收押）"), validators=REQUIRED)


class MonitoringForm(ServiceForm):
    ground = Select(
        _l("适用情形"), "monitoring_ground", blank=_l("（请选择）"), validators=REQUIRED
    )
    approved_by = StringField(_l("批准人（县局负责人）"), validators=REQUIRED)
    starts_on = DateString(_l("开始日期"), today=True, validators=REQUIRED)
    ends_on = DateString(_l("结束日期（最长3个月）"), validators=REQUIRED)


class ExtendMonitoringForm(ServiceForm):
    ends_on = DateString(_l("延长至"), validators=REQUIRED)
    approved_by = StringField(_l("批准人"), validators=REQUIRED)
    extended_on = DateString(_l("批准日期"), today=True)


class RemoveMonitoringForm(ServiceForm):
    removed_on = DateString(_l("解除日期"), today=True, validators=REQUIRED)


class MedicalReviewForm(ServiceForm):
    examined_on = DateString(_l("复查日期"), today=True, validators=REQUIRED)
    hospital = StringField(_l("指定医院"), validators=REQUIRED)
    result = TextAreaField(_l("复查结果"), validators=REQUIRED)
    conditions_persist = BooleanField(_l("仍符合保外就医条件"), default=True)


class TeamMemberForm(ServiceForm):
    name = StringField(_l("姓名"), validators=REQUIRED)
    role = StringField(_l("身份（如：村干部、家属、志愿者）"))
    sex = SelectField(
        _l("性别"),
        choices=lambda: choices("sex", blank=_l("（请选择）")),
        validate_choice=False,
        validators=REQUIRED,
    )
    phone = StringField(_l("电话"))


class PlanForm(ServiceForm):
    adopted_on = DateString(_l("制定日期"), today=True, validators=REQUIRED)
    content = TextAreaField(_l("矫正方案内容"), validators=REQUIRED)


class ChecklistForm(ServiceForm):
    item = Select(
        _l("事项"),
        "checklist_item",
        codes=CHECKLIST_ITEMS,
        blank=_l("（请选择）"),
        validators=REQUIRED,
    )
    done_on = DateString(_l("完成日期"), today=True, validators=REQUIRED)
    note = TextAreaField(_l("说明（书面鉴定须写明安置帮教建议）"))


class ReleaseForm(ServiceForm):
    released_on = DateString(_l("解除日期"), today=True, validators=REQUIRED)
    reason = Select(_l("原因"), "release_reason", default="expiry", validators=REQUIRED)


class TerminateForm(ServiceForm):
    terminated_on = DateString(_l("终止日期"), today=True, validators=REQUIRED)
    reason = Select(_l("原因"), "termination_reason", blank=_l("（请选择）"), validators=REQUIRED)


class TransferOutForm(ServiceForm):
    transferred_on = DateString(_l("变更日期"), today=True, validators=REQUIRED)
    destination = StringField(_l("新执行地（县级社区矫正机构）"), validators=REQUIRED)


class MoveStationForm(ServiceForm):
    station = SelectField(_l("调整到"), choices=[], validate_choice=False, validators=REQUIRED)
    moved_on = DateString(_l("调整日期"), today=True, validators=REQUIRED)


class AssignOfficerForm(ServiceForm):
    officer = SelectField(_l("责任人"), choices=[], validate_choice=False)
    changed_on = DateString(_l("日期"), today=True)


class VoidForm(ServiceForm):
    reason = StringField(_l("作废原因"), validators=REQUIRED)


class RemoveMemberForm(ServiceForm):
    pass


class CaseloadForm(ServiceForm):
    from_officer = SelectField(
        _l("原责任人（离岗人员）"), choices=[], validate_choice=False, validators=REQUIRED
    )
    to_officer = SelectField(_l("移交给"), choices=[], validate_choice=False, validators=REQUIRED)
    changed_on = DateString(_l("移交日期"), today=True)


# Name → class, for forms rendered on the case page (see routes.FormBag).
CASE_FORMS = {
    "contact": ContactForm,
    "receive": ReceiveForm,
    "details": DetailsForm,
    "level": LevelForm,
    "level_decide": DecisionForm,
    "sanction": SanctionForm,
    "sanction_decide": DecisionForm,
    "outcome": OutcomeForm,
    "leave": LeaveForm,
    "leave_decide": DecisionForm,
    "leave_return": ReturnForm,
    "incident": IncidentForm,
    "search": SearchForm,
    "notify": NotifyForm,
    "incident_close": CloseIncidentForm,
    "monitoring": MonitoringForm,
    "monitoring_extend": ExtendMonitoringForm,
    "monitoring_remove": RemoveMonitoringForm,
    "medical": MedicalReviewForm,
    "team": TeamMemberForm,
    "team_remove": RemoveMemberForm,
    "plan": PlanForm,
    "checklist": ChecklistForm,
    "release": ReleaseForm,
    "terminate": TerminateForm,
    "transfer": TransferOutForm,
    "move": MoveStationForm,
    "assign": AssignOfficerForm,
    "void": VoidForm,
}
