"""What the two programmes' case pages share (社区矫正 supervision/, 安置帮教 resettlement/):
the case page's forms, an action posted from it, the quick contact page, intake.

A programme describes its pages once (``CasePages``); its routes then only parse, call the
service and render. On a refusal nothing is written (rollback), the case page is shown again
with the refused form in place and the error summary on top (docs/domain.md §7.10).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from corrections import clock
from corrections.auth.models import Station
from corrections.auth.scope import get_in_scope, scope
from corrections.errors import DomainError, NotFound, RecordsAfterEnd, ValidationFailed
from corrections.extensions import db
from corrections.labels import label
from corrections.people import idnumber
from corrections.people.models import Person
from corrections.web import (
    flash_error,
    form_errors,
    history_page,
    refuse,
    return_target,
    show_errors,
    writer_required,
)


def prefix(name: str, record_id) -> str:
    """The field prefix of form ``name`` (for a record: one form per record on the page)."""
    return f"{name}{record_id}" if record_id else name


def record_at(bound) -> str | None:
    """The history record a refused void form belongs to (its page is shown)."""
    if bound and bound[0] == "void" and bound[1]:
        kind = bound[1].rstrip("0123456789")
        return f"{kind}-{bound[1][len(kind) :]}"
    return None


class FormBag:
    """The case page's forms, made on demand; the one just refused keeps its data and errors.
    ``setup(form, name, case, record_id)`` gives a fresh form its choices and values."""

    def __init__(self, forms: dict, case, setup: Callable | None = None, bound=None):
        self.forms = forms
        self.case = case
        self.setup = setup
        self.cache = {}
        if bound is not None:
            name, record_id, form = bound
            self.cache[(name, record_id)] = form

    def get(self, name: str, record_id=None):
        key = (name, record_id)
        if key not in self.cache:
            form = self.forms[name](formdata=None, prefix=prefix(name, record_id))
            if self.setup is not None:
                self.setup(form, name, self.case, record_id)
            self.cache[key] = form
        return self.cache[key]

    __call__ = get


def due_alerts(due) -> list[tuple[str, str]]:
    """One alert per requirement overdue and not paused (both case pages' first alerts)."""
    return [
        (
            "danger",
            _(
                "%(r)s已逾期%(n)d天（应于%(d)s前）。",
                r=label("requirement", state.requirement),
                n=state.overdue_days,
                d=state.due_on,
            ),
        )
        for state in due
        if state.is_overdue and not state.paused
    ]


@dataclass
class CasePages:
    """One programme's case pages.

    ``forms``: action name → form class; ``load(case_id)``: the case in the user's scope;
    ``render(case, bound, status, section, error, leftover)``: the case page;
    ``configure(form, name, case, record_id)``: choices a posted form needs too;
    ``render_approvals(bound, error)``: the page a refusal posted from approvals goes back to.
    """

    blueprint: str
    forms: dict
    load: Callable
    render: Callable
    configure: Callable | None = None
    render_approvals: Callable | None = None

    def context(self, case, bound, section, error, leftover, setup=None, timeline=()) -> dict:
        """What every case page shows besides its programme's own records."""
        return {
            "case": case,
            "forms": FormBag(self.forms, case, setup, bound),
            "history": history_page(list(timeline), at=record_at(bound)),
            "section": section,
            "today": clock.today(),
            # the error summary on top (GOV.UK pattern): each field's message links to the field
            "error_message": error.message if error is not None else None,
            "error_rows": form_errors(
                bound[2] if bound and error else None, leftover=leftover or ()
            ),
            "back": return_target(),
            "saved_contact": request.args.get("saved", type=int),
        }

    def _to_case(self, case, section: str, **args):
        return redirect(url_for(f"{self.blueprint}.show", case_id=case.id, _anchor=section, **args))

    def act(self, case_id: int, name: str, call, section: str, record_id=None, aliases=None):
        """Bind form ``name``, run ``call(case, form)`` (returns the success message), commit."""
        case = self.load(case_id)
        form = self.forms[name](prefix=prefix(name, record_id))
        if self.configure is not None:
            self.configure(form, name, case, record_id)
        from_approvals = (
            self.render_approvals is not None and request.form.get("next") == "approvals"
        )
        if not form.validate_on_submit():  # with no validators, only a bad CSRF token fails
            flash(_("页面已过期，请重新提交。"), "danger")
            return self._to_case(case, section)
        try:
            message = call(case, form)
        except DomainError as e:
            leftover = refuse(e, form, aliases)
            if isinstance(e, RecordsAfterEnd):  # listed with links under the form instead
                leftover, form.records_after_end = [], e.records
            if from_approvals:  # the approvals page again, the refused form in place
                return self.render_approvals((name, record_id, form), e)
            return self.render(case, (name, record_id, form), e.status, section, e, leftover)
        db.session.commit()
        flash(message, "success")
        if from_approvals:
            return redirect(url_for(f"{self.blueprint}.approvals"))
        if name == "contact":
            # back where the officer came from (my day, the list); else the case page says
            # "saved" in place of the form (docs/domain.md §7.10)
            target = return_target()
            if target:
                return redirect(target)
            return self._to_case(case, "contact", saved=form.saved_id)
        return self._to_case(case, section)

    def action(self, bp, rule: str, name: str, section: str, aliases=None):
        """Register ``call(case, form[, record_id])`` (it runs the service and returns the
        success message) as the POST route ``rule`` of the case-page form ``name``, for
        writers; the route's endpoint is the function's name. A rule with ``<record_id>``
        is an action on one record of the case."""

        def register(call):
            if "<int:record_id>" in rule:

                def view(case_id: int, record_id: int):
                    def bound(case, form):
                        return call(case, form, record_id)

                    return self.act(case_id, name, bound, section, record_id, aliases)
            else:

                def view(case_id: int):
                    return self.act(case_id, name, call, section, None, aliases)

            view.__name__ = view.__qualname__ = call.__name__
            view.__doc__ = call.__doc__
            bp.add_url_rule(rule, call.__name__, writer_required(view), methods=["POST"])
            return call

        return register

    def contact_routes(self, bp, record_contact, due: Callable) -> None:
        """Register the contact form's two routes: ``add_contact`` (the case page's form)
        and ``quick_contact`` (the phone page). ``record_contact(case, form)`` saves and
        returns the message; ``due(case)``: the due dates the phone page shows."""

        def add_contact(case_id: int):
            return self.act(case_id, "contact", record_contact, "contact")

        def quick_contact(case_id: int):
            return self.quick_contact(case_id, record_contact, due)

        bp.add_url_rule(
            "/<int:case_id>/contacts", "add_contact", writer_required(add_contact), methods=["POST"]
        )
        bp.add_url_rule(
            "/<int:case_id>/contact",
            "quick_contact",
            writer_required(quick_contact),
            methods=["GET", "POST"],
        )

    def quick_contact(self, case_id: int, record_contact, due: Callable):
        """A phone-size page with only the contact form (officers log visits in the field);
        saved, it sends the officer back where they came from (``next``: my day, the list).
        ``record_contact(case, form)`` saves and returns the message; ``due(case)``: the
        due dates shown above the form."""
        case = self.load(case_id)
        form = self.forms["contact"](prefix="contact")
        status = 200
        error, leftover = None, []
        if form.validate_on_submit():
            try:
                message = record_contact(case, form)
            except DomainError as e:
                error, leftover = e, refuse(e, form)
                status = e.status
            else:
                db.session.commit()
                flash(message, "success")
                return redirect(return_target(url_for(f"{self.blueprint}.show", case_id=case.id)))
        return render_template(
            f"{self.blueprint}/contact.html",
            case=case,
            form=form,
            due=due(case),
            back=return_target(),
            error_message=error.message if error is not None else None,
            error_rows=form_errors(form, leftover=leftover),
        ), status


def save_contact(record, case, form):
    """Record a contact with the photos posted with it (all or nothing: every photo is
    checked before anything is written): ``record(user, case, data)`` is the programme's
    service. Returns the contact and the photos; ``form.saved_id`` is the contact's id."""
    from corrections.paperwork import attachments

    photos = attachments.spool_photos(request.files.getlist(form.photos.name))
    try:
        contact = record(current_user, case, form.payload())
        attachments.attach_photos(current_user, contact, photos)
    except BaseException:
        for photo in photos:
            photo.discard()
        raise
    form.saved_id = contact.id
    head = _(
        "已记录 %(name)s 的%(k)s（%(d)s）。",
        k=label("contact_kind", contact.kind),
        d=contact.occurred_on,
        name=case.person.name,
    )
    if photos:
        head += _("附照片%(n)d张。", n=len(photos))
    return contact, head


# --------------------------------------------------------------------------- intake


def person_by_id_number(raw: str | None) -> Person | None:
    """The person file with this ID number, if in the user's scope."""
    raw = (raw or "").strip().upper()
    if not raw:
        return None
    return db.session.execute(
        scope(select(Person).where(Person.id_number == raw), current_user, Person)
    ).scalar_one_or_none()


def intake_person(form) -> Person:
    """An intake's person: the fixed one, one found by ID number, or a new file."""
    from corrections.people import services as people_services

    if form.person_id.data:
        try:
            return get_in_scope(Person, int(form.person_id.data), current_user)
        except (ValueError, NotFound):
            raise ValidationFailed(
                _("人员不存在或不在您的范围内。"), fields={"person_id": _("请重新选择")}
            ) from None
    if form.person_mode.data == "existing":
        person = person_by_id_number(form.existing_id_number.data)
        if person is None:
            raise ValidationFailed(
                _("没有找到该身份证号码的档案；如是新人员，请选择“登记新人员”。"),
                fields={"existing_id_number": _("未找到（或不在您的范围内）")},
            )
        return person
    station = db.session.execute(
        select(Station).where(Station.code == (form.station.data or ""))
    ).scalar_one_or_none()
    return people_services.create_person(current_user, form.person_payload(), station)


def existing_target(error: DomainError, targets: dict[str, tuple[Any, str, Any]]):
    """What a conflict points at, if the user may open it: ``targets`` maps the error's code
    to (model, kind, what to show when it is out of scope); any other code is a person file."""
    existing_id = getattr(error, "existing_id", None)
    if existing_id is None:
        return None
    model, kind, missing = targets.get(error.code, (Person, "person", ("elsewhere", None)))
    query = select(model).where(model.id == existing_id)
    found = db.session.execute(scope(query, current_user, model)).scalar_one_or_none()
    return (kind, found) if found is not None else missing


def intake_refused(error: DomainError, form, create_case, person_keys, targets) -> tuple:
    """An intake the service refused: field messages in place, the flash, and what a
    conflict points at. A refused person hides the case's own problems, so the service is
    asked for those too (``create_case(user, payload)``). Returns (existing, status)."""
    leftover = refuse(error, form)
    if set(error.fields) & set(person_keys):
        try:
            create_case(current_user, form.case_payload(None))
        except DomainError as more:
            db.session.rollback()
            more.fields.pop("person_id", None)
            show_errors(form, more)
    existing = existing_target(error, targets)
    flash_error(error, leftover)
    return existing, error.status


def flash_created(person: Person, message: str) -> None:
    """The intake's success message, and the ID number's area notice if it has one."""
    flash(message, "success")
    if person.id_number:
        notice = idnumber.parse(person.id_number).notice
        if notice:
            flash(str(notice), "warning")
