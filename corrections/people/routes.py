"""People pages: list and search, register, view, edit."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from corrections import clock
from corrections.auth.models import Station
from corrections.auth.scope import get_in_scope, scope
from corrections.errors import Conflict, DomainError
from corrections.extensions import db
from corrections.people import idnumber, services
from corrections.people.forms import PersonForm
from corrections.people.models import Person
from corrections.web import page_args, paginate, refuse, role_required, station_choices

bp = Blueprint("people", __name__, url_prefix="/people")


def _station_choices():
    return station_choices(blank=_("（不指定）"))


@bp.route("/")
@login_required
def index():
    q = request.args.get("q", "")
    page, per_page = page_args()
    people = paginate(services.search_people(current_user, q), page, per_page)
    return render_template("people/index.html", people=people, q=q)


@bp.route("/new", methods=["GET", "POST"])
@role_required("writer")
def new():
    form = PersonForm()
    form.station.choices = _station_choices()
    if request.method == "GET" and current_user.is_officer and len(current_user.stations) == 1:
        form.station.data = current_user.stations[0].code
    existing = None
    if form.validate_on_submit():
        station = db.session.execute(
            select(Station).where(Station.code == form.station.data)
        ).scalar_one_or_none()
        try:
            person = services.create_person(current_user, form.data_for_service(), station)
        except DomainError as e:
            existing = _refused(form, e)
        else:
            db.session.commit()
            _flash_area_notice(person)
            flash(_("已登记 %(name)s。", name=person.name), "success")
            return redirect(url_for("people.show", person_id=person.id))
    return render_template("people/form.html", form=form, person=None, existing=existing)


def _existing_in_scope(person_id: int | None):
    """The duplicate's file if the user may open it; ``False`` if it exists out of scope."""
    if person_id is None:
        return None
    found = db.session.execute(
        scope(select(Person).where(Person.id == person_id), current_user, Person)
    ).scalar_one_or_none()
    return found if found is not None else False


def _refused(form: PersonForm, error: DomainError):
    """Field messages in place and the message flashed; the page answers 200 with the form
    (a duplicate points at the existing file)."""
    refuse(error, form)
    flash(error.message, "danger")
    if isinstance(error, Conflict):
        return _existing_in_scope(getattr(error, "existing_id", None))
    return None


def _flash_area_notice(person: Person) -> None:
    info = idnumber.parse(person.id_number)
    if info.notice:
        flash(str(info.notice), "warning")


@bp.route("/<int:person_id>")
@login_required
def show(person_id: int):
    from corrections.resettlement import queries as rs_queries
    from corrections.supervision import queries as cc_queries

    person = get_in_scope(Person, person_id, current_user)
    info = idnumber.parse(person.id_number)
    cases = cc_queries.person_cases(current_user, person)
    rs_cases = rs_queries.person_cases(current_user, person)
    return render_template(
        "people/show.html",
        person=person,
        id_info=info,
        age=person.age_on(clock.today()),
        minor=person.is_minor_on(clock.today()),
        cases=cases,
        rs_cases=rs_cases,
        timeline=person_timeline(cases, rs_cases),
        show_all=bool(request.args.get("all")),
    )


ROUTINE_KINDS = ("contact",)  # routine contacts stay on the case pages; milestones come here


def person_timeline(cases, rs_cases) -> list[tuple]:
    """Every case of the person, correction and resettlement, as one timeline, newest first:
    (entry, programme, case) with routine contacts left on the case pages."""
    from corrections.resettlement.timeline import case_timeline as rs_timeline
    from corrections.supervision.timeline import case_timeline as cc_timeline

    rows = []
    for case in cases:
        rows += [(e, "correction", case) for e in cc_timeline(case) if e.kind not in ROUTINE_KINDS]
    for case in rs_cases:
        rows += [
            (e, "resettlement", case) for e in rs_timeline(case) if e.kind not in ROUTINE_KINDS
        ]
    rows.sort(
        key=lambda row: (row[0].on, row[0].stamp.timestamp() if row[0].stamp else 0), reverse=True
    )
    return rows


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@role_required("writer")
def edit(person_id: int):
    person = get_in_scope(Person, person_id, current_user)
    form = PersonForm(obj=person if request.method == "GET" else None)
    form.station.choices = _station_choices()
    if request.method == "GET":
        form.flags.data = person.flags
        form.version.data = person.version
        form.household_type.data = person.household_type or ""
        form.education.data = person.education or ""
        form.employment.data = person.employment or ""
    existing = None
    if form.validate_on_submit():
        try:
            services.update_person(current_user, person, form.version.data, form.data_for_service())
        except DomainError as e:
            existing = _refused(form, e)
        else:
            db.session.commit()
            _flash_area_notice(person)
            flash(_("已保存。"), "success")
            return redirect(url_for("people.show", person_id=person.id))
    return render_template("people/form.html", form=form, person=person, existing=existing)
