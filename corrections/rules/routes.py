"""Rule tables pages: everyone signed in reads them; admins add and correct rows."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField

from corrections import clock
from corrections.errors import NotFound
from corrections.extensions import db
from corrections.forms import MultiCheckboxField
from corrections.inputs import parse_id
from corrections.rules import display, services
from corrections.rules.models import ContactRuleRow, DeadlineRuleRow
from corrections.web import form_page, role_required

bp = Blueprint("rules", __name__, url_prefix="/rules")


def _status(row, in_force: set[int], today) -> str:
    if row.id in in_force:
        return "current"
    if row.effective_from > today:
        return "future"
    return "superseded"


@bp.route("/")
@login_required
def index():
    today = clock.today()
    contact_rows = services.contact_rule_rows()
    contact_now = services.contact_rules_in_force(contact_rows, today)
    contact_groups = []
    for programme, rows in groupby(contact_rows, key=lambda r: r.programme):
        by_requirement = [
            (
                display.REQUIREMENTS.get(requirement, requirement),
                [
                    {
                        "row": r,
                        "text": display.contact_rule_text(r),
                        "status": _status(r, contact_now, today),
                    }
                    for r in items
                ],
            )
            for requirement, items in groupby(rows, key=lambda r: r.requirement)
        ]
        contact_groups.append((display.PROGRAMMES.get(programme, programme), by_requirement))

    deadline_rows = services.deadline_rule_rows()
    deadline_now = services.deadline_rules_in_force(deadline_rows, today)
    deadline_groups: list[tuple[str, list]] = []
    for row in deadline_rows:
        spec = display.DEADLINE_KEYS.get(row.key)
        group = str(spec.group) if spec else _("其他")
        if not deadline_groups or deadline_groups[-1][0] != group:
            deadline_groups.append((group, []))
        deadline_groups[-1][1].append(
            {
                "row": row,
                "label": spec.label if spec else row.key,
                "unit": spec.unit if spec else "",
                "status": _status(row, deadline_now, today),
            }
        )
    return render_template(
        "rules/index.html",
        today=today,
        contact_groups=contact_groups,
        deadline_groups=deadline_groups,
        effective_text=display.effective_text,
    )


# --------------------------------------------------------------------------- forms


def _blank_choice(label) -> list[tuple[str, object]]:
    return [("", label)]


class ContactRuleForm(FlaskForm):
    version = HiddenField()
    programme = SelectField(
        _l("工作类别"), choices=list(display.PROGRAMMES.items()), validate_choice=False
    )
    requirement = SelectField(
        _l("联系要求"), choices=list(display.REQUIREMENTS.items()), validate_choice=False
    )
    level = SelectField(
        _l("管理等级（社区矫正）"),
        choices=_blank_choice(_l("各管理等级")) + list(display.LEVELS.items()),
        validate_choice=False,
    )
    correction_type = SelectField(
        _l("矫正类别（社区矫正）"),
        choices=_blank_choice(_l("各矫正类别")) + list(display.CORRECTION_TYPES.items()),
        validate_choice=False,
    )
    is_key = SelectField(
        _l("重点帮教（安置帮教）"),
        choices=[("", _l("不区分")), ("true", _l("重点帮教对象")), ("false", _l("一般帮教对象"))],
        validate_choice=False,
    )
    satisfied_by = MultiCheckboxField(
        _l("可满足此要求的联系方式"),
        choices=[
            (k, display.CONTACT_KINDS[k]) for k in display.ordered_kinds(display.CONTACT_KINDS)
        ],
        validate_choice=False,
    )
    every_days = StringField(_l("每隔天数（0 表示自生效日起不再要求）"))
    effective_from = StringField(_l("生效日期"))

    def data_for_service(self) -> dict:
        return {
            "programme": self.programme.data,
            "requirement": self.requirement.data,
            "level": self.level.data,
            "correction_type": self.correction_type.data,
            "is_key": self.is_key.data,
            "satisfied_by": list(self.satisfied_by.data or []),
            "every_days": (self.every_days.data or "").strip(),
            "effective_from": (self.effective_from.data or "").strip(),
        }

    def fill_from(self, row: ContactRuleRow, *, with_date: bool = True) -> None:
        self.programme.data = row.programme
        self.requirement.data = row.requirement
        self.level.data = row.level or ""
        self.correction_type.data = row.correction_type or ""
        self.is_key.data = "" if row.is_key is None else ("true" if row.is_key else "false")
        self.satisfied_by.data = [k for k in row.satisfied_by.split(",") if k]
        self.every_days.data = str(row.every_days)
        self.effective_from.data = row.effective_from.isoformat() if with_date else ""
        self.version.data = str(row.version)


def _deadline_choices():
    return [(key, spec.label) for key, spec in display.DEADLINE_KEYS.items()]


class DeadlineRuleForm(FlaskForm):
    version = HiddenField()
    key = SelectField(_l("期限项目"), choices=_deadline_choices, validate_choice=False)
    value = StringField(_l("数值"))
    effective_from = StringField(_l("生效日期"))

    def data_for_service(self) -> dict:
        return {
            "key": self.key.data,
            "value": (self.value.data or "").strip(),
            "effective_from": (self.effective_from.data or "").strip(),
        }

    def fill_from(self, row: DeadlineRuleRow, *, with_date: bool = True) -> None:
        self.key.data = row.key
        self.value.data = str(row.value)
        self.effective_from.data = row.effective_from.isoformat() if with_date else ""
        self.version.data = str(row.version)


def _get(model, row_id: int):
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(_("记录不存在。"))
    return row


def _filled(form_class, model, row=None):
    """A rule's form and the row it copies: shown (GET) with ``row``, or for a new rule
    with the values of ``?from=<id>`` (that row, its date left blank)."""
    form, source = form_class(), None
    if request.method == "GET":
        if row is not None:
            form.fill_from(row)
        elif parse_id(request.args.get("from")):
            source = db.session.get(model, parse_id(request.args["from"]))
            if source is not None:
                form.fill_from(source, with_date=False)
    return form, source


# --------------------------------------------------------------------------- contact rules


@bp.route("/contact/new", methods=["GET", "POST"])
@role_required("admin")
def new_contact_rule():
    form, source = _filled(ContactRuleForm, ContactRuleRow)
    return form_page(
        "rules/contact_form.html",
        form,
        lambda: services.add_contact_rule(current_user, form.data_for_service()),
        lambda row: _("已添加规则：%(t)s", t=display.contact_rule_text(row)),
        url_for("rules.index", _anchor="contact-rules"),
        row=None,
        source=source,
    )


@bp.route("/contact/<int:row_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_contact_rule(row_id: int):
    row = _get(ContactRuleRow, row_id)
    form, _source = _filled(ContactRuleForm, ContactRuleRow, row)
    return form_page(
        "rules/contact_form.html",
        form,
        lambda: services.update_contact_rule(
            current_user, row, form.version.data, form.data_for_service()
        ),
        lambda _row: _("已保存：%(t)s", t=display.contact_rule_text(row)),
        url_for("rules.index", _anchor="contact-rules"),
        row=row,
        source=None,
        text=display.contact_rule_text(row),
    )


# --------------------------------------------------------------------------- deadlines


@bp.route("/deadlines/new", methods=["GET", "POST"])
@role_required("admin")
def new_deadline_rule():
    form, _source = _filled(DeadlineRuleForm, DeadlineRuleRow)
    return form_page(
        "rules/deadline_form.html",
        form,
        lambda: services.add_deadline_rule(current_user, form.data_for_service()),
        _("已添加期限。"),
        url_for("rules.index", _anchor="deadline-rules"),
        row=None,
        units=_units(),
    )


@bp.route("/deadlines/<int:row_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_deadline_rule(row_id: int):
    row = _get(DeadlineRuleRow, row_id)
    form, _source = _filled(DeadlineRuleForm, DeadlineRuleRow, row)
    return form_page(
        "rules/deadline_form.html",
        form,
        lambda: services.update_deadline_rule(
            current_user, row, form.version.data, form.data_for_service()
        ),
        _("已保存。"),
        url_for("rules.index", _anchor="deadline-rules"),
        row=row,
        units=_units(),
    )


def _units() -> dict[str, str]:
    return {
        key: _("%(a)d–%(b)d %(unit)s", a=spec.minimum, b=spec.maximum, unit=str(spec.unit))
        for key, spec in display.DEADLINE_KEYS.items()
    }
