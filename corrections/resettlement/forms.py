"""安置帮教 forms. They only carry data: every rule is checked by resettlement.services.

Field names are the service keys, so ``payload()`` is the dict the service
receives. Dates are strings in ``<input type="date">`` (the service parses them
and answers in Chinese); selects accept any value (the service checks codes).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)

from corrections.forms import DateString, ServiceForm
from corrections.forms import EnumSelect as Select
from corrections.people.forms import IntakePersonForm, person_mode_field, station_field
from corrections.resettlement.models import CONTACT_KINDS
from corrections.supervision.forms import REQUIRED

# The person flags that local criteria treat as reasons to consider 重点帮教 (hints only).
KEY_HINT_FLAGS = ("gang", "repeat_offender", "three_no")


class IntakeForm(IntakePersonForm):
    """A pre-release notice or a release registration, for an existing or a new person."""

    person_mode = person_mode_field(_l("帮教对象"))
    # The case.
    station = station_field()
    source = Select(_l("来源"), "rs_source", default="prison", validators=REQUIRED)
    correction_type = Select(
        _l("原矫正类别"), "correction_type", blank=_l("（按系统中的矫正案件）")
    )
    facility = StringField(_l("释放单位（监狱、看守所）"))
    crime = StringField(_l("罪名"))
    sentence = StringField(_l("原判刑罚"))
    notice_received_on = DateString(_l("收到释放通知日期"))
    expected_release_on = DateString(_l("预计释放日期"))
    released_on = DateString(_l("释放日期"))
    is_key = BooleanField(_l("列为重点帮教对象"))
    key_reason = TextAreaField(_l("重点帮教理由"))

    CASE_KEYS = (
        "station",
        "source",
        "correction_type",
        "facility",
        "crime",
        "sentence",
        "notice_received_on",
        "expected_release_on",
        "released_on",
        "is_key",
        "key_reason",
    )

    def case_payload(self, person_id: int | None) -> dict:
        data = self.payload()
        case = {k: data[k] for k in self.CASE_KEYS}
        if case["source"] != "correction" or not case["correction_type"]:
            del case["correction_type"]  # the service looks up the last correction case
        case["person_id"] = person_id
        return case


class FromCorrectionForm(ServiceForm):
    is_key = BooleanField(_l("列为重点帮教对象"))
    key_reason = TextAreaField(_l("重点帮教理由"))


# --------------------------------------------------------------------------- the case page


class ContactForm(ServiceForm):
    skip = ("photos",)
    kind = Select(
        _l("方式"), "contact_kind", codes=CONTACT_KINDS, default="field_visit", validators=REQUIRED
    )
    occurred_on = DateString(_l("日期"), today=True, validators=REQUIRED)
    note = TextAreaField(_l("情况记录"))
    # visit photos, attached to this contact in the same save (paperwork/attachments.py)
    photos = MultipleFileField(_l("走访照片"))


class ReleaseForm(ServiceForm):
    released_on = DateString(_l("释放日期"), today=True, validators=REQUIRED)


class VerifyForm(ServiceForm):
    verified_on = DateString(_l("核查日期"), today=True, validators=REQUIRED)
    result = Select(
        _l("核查结果"), "verification_result", blank=_l("（请选择）"), validators=REQUIRED
    )


class HandoverForm(ServiceForm):
    handed_over_on = DateString(_l("衔接日期"), today=True, validators=REQUIRED)
    method = Select(_l("衔接方式"), "handover_method", blank=_l("（请选择）"), validators=REQUIRED)


class KeyForm(ServiceForm):
    is_key = SelectField(
        _l("调整为"),
        choices=[("", _l("（请选择）")), ("yes", _l("重点帮教对象")), ("no", _l("一般帮教对象"))],
        validate_choice=False,
        validators=REQUIRED,
    )
    effective_on = DateString(_l("生效日期"), today=True, validators=REQUIRED)
    reason = TextAreaField(_l("理由"), validators=REQUIRED)

    def payload(self) -> dict:
        data = super().payload()
        if data["is_key"] in ("yes", "no"):
            data["is_key"] = data["is_key"] == "yes"
        else:
            del data["is_key"]  # the service asks for it
        return data


class AssistanceForm(ServiceForm):
    kind = Select(_l("帮扶类别"), "assistance_kind", blank=_l("（请选择）"), validators=REQUIRED)
    given_on = DateString(_l("日期"), today=True, validators=REQUIRED)
    amount = StringField(_l("金额（元，可不填）"))
    note = TextAreaField(_l("说明"))


class PlacementForm(ServiceForm):
    placement = Select(_l("安置情况"), "placement", blank=_l("（请选择）"), validators=REQUIRED)


class LostForm(ServiceForm):
    lost_on = DateString(_l("失联日期"), today=True, validators=REQUIRED)
    note = TextAreaField(_l("情况"))


class LostSearchForm(ServiceForm):
    searched_on = DateString(_l("查找日期"), today=True, validators=REQUIRED)
    method = Select(_l("方式"), "rs_search_method", default="phone", validators=REQUIRED)
    note = StringField(_l("结果"))


class CloseLostForm(ServiceForm):
    found_on = DateString(_l("找到日期"), today=True, validators=REQUIRED)
    outcome = StringField(_l("结果（如：已找回、已收押）"), validators=REQUIRED)


class EndForm(ServiceForm):
    ended_on = DateString(_l("结束日期"), today=True, validators=REQUIRED)
    reason = Select(_l("结束原因"), "rs_end_reason", blank=_l("（请选择）"), validators=REQUIRED)


class VoidForm(ServiceForm):
    reason = StringField(_l("作废原因"), validators=REQUIRED)


# Name → class, for forms rendered on the case page (see routes.FormBag).
CASE_FORMS = {
    "contact": ContactForm,
    "release": ReleaseForm,
    "verify": VerifyForm,
    "handover": HandoverForm,
    "key": KeyForm,
    "assistance": AssistanceForm,
    "placement": PlacementForm,
    "lost": LostForm,
    "lost_search": LostSearchForm,
    "lost_close": CloseLostForm,
    "end": EndForm,
    "void": VoidForm,
}
