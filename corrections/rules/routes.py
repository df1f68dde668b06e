"""Rule tables pages: everyone signed in reads them; admins add and correct rows."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
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


@dataclass(frozen=True)
class RuleKind:
    """A rule table's rows as the admin pages edit them: the row model, its form, its page
    and the anchor of its table on the rules page."""

    model: type
    form: type
    template: str
    anchor: str


CONTACT = RuleKind(ContactRuleRow, ContactRuleForm, "rules/contact_form.html", "contact-rules")
DEADLINE = RuleKind(DeadlineRuleRow, DeadlineRuleForm, "rules/deadline_form.html", "deadline-rules")


def _rule_page(kind: RuleKind, row, save, done, context):
    """The form of a new row (``row`` None; ``?from=<id>`` copies one: ``source``) or of
    ``row``: ``save(form)`` on a valid post, then ``done`` and back to the rules page;
    ``context(source)`` adds to the page's values."""
    form, source = _filled(kind.form, kind.model, row)
    target = url_for("rules.index", _anchor=kind.anchor)
    work = partial(save, form)
    return form_page(kind.template, form, work, done, target, row=row, **context(source))


def _new(kind: RuleKind, add, done, context):
    return _rule_page(
        kind, None, lambda form: add(current_user, form.data_for_service()), done, context
    )


def _edit(kind: RuleKind, row_id: int, update, done, context):
    """``done(row)`` and ``context(row)``: the row edited."""
    row = _get(kind.model, row_id)

    def save(form):
        return update(current_user, row, form.version.data, form.data_for_service())

    return _rule_page(kind, row, save, lambda _saved: done(row), lambda _source: context(row))


# --------------------------------------------------------------------------- contact rules


def _contact_added(row) -> str:
    return _("已添加规则：%(t)s", t=display.contact_rule_text(row))


def _contact_saved(row) -> str:
    return _("已保存：%(t)s", t=display.contact_rule_text(row))


def _contact_page(row) -> dict:
    return {"source": None, "text": display.contact_rule_text(row)}


@bp.route("/contact/new", methods=["GET", "POST"])
@role_required("admin")
def new_contact_rule():
    return _new(
        CONTACT, services.add_contact_rule, _contact_added, lambda source: {"source": source}
    )


@bp.route("/contact/<int:row_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_contact_rule(row_id: int):
    return _edit(CONTACT, row_id, services.update_contact_rule, _contact_saved, _contact_page)


# --------------------------------------------------------------------------- deadlines


def _deadline_page(_row) -> dict:
    return {"units": _units()}


@bp.route("/deadlines/new", methods=["GET", "POST"])
@role_required("admin")
def new_deadline_rule():
    return _new(DEADLINE, services.add_deadline_rule, _("已添加期限。"), _deadline_page)


@bp.route("/deadlines/<int:row_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_deadline_rule(row_id: int):
    saved = _("已保存。")
    return _edit(
        DEADLINE, row_id, services.update_deadline_rule, lambda _row: saved, _deadline_page
    )


def _units() -> dict[str, str]:
    return {
        key: _("%(a)d–%(b)d %(unit)s", a=spec.minimum, b=spec.maximum, unit=str(spec.unit))
        for key, spec in display.DEADLINE_KEYS.items()
    }
