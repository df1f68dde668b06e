"""The person form. Validation rules live in people.services; the form only carries data."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)

from corrections.forms import MarkRequired, MultiCheckboxField, ServiceForm


def flag_choices():
    return [
        ("gang", _l("涉黑涉恶")),
        ("repeat_offender", _l("累犯")),
        ("drugs", _l("涉毒")),
        ("cult", _l("涉邪")),
        ("three_no", _l("三无人员")),
    ]


def household_choices():
    return [
        ("", _l("（未填）")),
        ("urban", _l("城镇")),
        ("rural", _l("农村")),
        ("other", _l("其他")),
    ]


def education_choices():
    return [
        ("", _l("（未填）")),
        ("college", _l("大专及以上")),
        ("high_school", _l("高中或中专")),
        ("middle_school", _l("初中")),
        ("primary_or_less", _l("小学及以下")),
    ]


def employment_choices():
    return [
        ("", _l("（未填）")),
        ("student", _l("在校")),
        ("employed", _l("就业")),
        ("unemployed", _l("无业")),
    ]


class PersonFields(FlaskForm):
    """A person's own fields: the person form and the intakes (docs/domain.md §2)."""

    name = StringField(_l("姓名"), validators=[MarkRequired()])
    id_number = StringField(_l("公民身份号码"), validators=[MarkRequired()])
    ethnicity = StringField(_l("民族"))
    phone = StringField(_l("联系电话"))
    household_type = SelectField(_l("户籍类型"), choices=household_choices, validate_choice=False)
    household_address = StringField(_l("户籍地"))
    residence_address = StringField(_l("居住地"))
    same_address = BooleanField(_l("户籍地与居住地相同"))
    education = SelectField(_l("文化程度"), choices=education_choices, validate_choice=False)
    employment = SelectField(_l("就业就学"), choices=employment_choices, validate_choice=False)

    OWN_KEYS = (
        "name",
        "id_number",
        "ethnicity",
        "phone",
        "household_type",
        "household_address",
        "residence_address",
        "same_address",
        "education",
        "employment",
    )


class PersonForm(PersonFields):
    version = HiddenField()
    emergency_contact = StringField(_l("紧急联系人（姓名、关系、电话）"))
    flags = MultiCheckboxField(_l("风险标记"), choices=flag_choices, validate_choice=False)
    station = SelectField(_l("登记司法所"), choices=[], validate_choice=False)
    notes = TextAreaField(_l("备注"))

    def data_for_service(self) -> dict:
        keys = (*self.OWN_KEYS, "emergency_contact", "flags", "notes")
        return {k: self[k].data for k in keys}


class IntakePersonForm(ServiceForm, PersonFields):
    """The person part of an intake (supervision and resettlement): a file already kept
    (by ID number, or fixed by ``person_id``) or a new one. A programme's intake form adds
    ``person_mode`` (its own label) and the case's fields."""

    person_id = HiddenField()
    existing_id_number = StringField(_l("已有档案的公民身份号码"), validators=[MarkRequired()])
    flags = MultiCheckboxField(_l("风险标记"), choices=flag_choices, validate_choice=False)

    PERSON_KEYS = (*PersonFields.OWN_KEYS, "flags")

    def person_payload(self) -> dict:
        data = self.payload()
        return {k: data[k] for k in self.PERSON_KEYS}


def person_mode_field(label) -> RadioField:
    """An intake's choice of a file already kept or a new person (``label``: the
    programme's word for its person)."""
    return RadioField(
        label,
        choices=[("existing", _l("已有档案")), ("new", _l("登记新人员"))],
        default="existing",
        validate_choice=False,
    )


def station_field() -> SelectField:
    """An intake's station (司法所): required, its choices set by the page."""
    return SelectField(_l("司法所"), choices=[], validate_choice=False, validators=[MarkRequired()])
