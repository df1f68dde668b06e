"""Activity forms. They only carry data: activities.services checks every value."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField

from corrections.forms import DateString, EnumSelect, MarkRequired, MultiCheckboxField, ServiceForm

REQUIRED = [MarkRequired()]


class ActivityForm(ServiceForm):
    station = SelectField(_l("司法所"), choices=[], validate_choice=False, validators=REQUIRED)
    kind = EnumSelect(_l("活动类别"), "activity_kind", blank=_l("（请选择）"), validators=REQUIRED)
    held_on = DateString(_l("活动日期"), today=True, validators=REQUIRED)
    hours = StringField(_l("时长（小时）"), validators=REQUIRED)
    topic = StringField(_l("主题"))
    place = StringField(_l("地点"))
    note = TextAreaField(_l("备注"))
    attendees = MultiCheckboxField(_l("参加人员"), choices=[], validate_choice=False)

    def payload(self) -> dict:
        data = super().payload()
        # Case ids as numbers; anything else goes through as is and the service refuses it.
        data["attendees"] = [
            int(v) if isinstance(v, str) and v.isdigit() else v for v in (self.attendees.data or [])
        ]
        return data


class VoidForm(ServiceForm):
    reason = StringField(_l("作废原因"), validators=REQUIRED)
