"""调查评估 pages: the list of open (and completed) investigations, registration, the
investigation's page with its extensions and completion, and the holiday table.

Routes only parse forms and call assessments.services / rules.holidays; on a refusal
nothing is written (rollback), the message is flashed and field errors sit next to fields.
"""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from corrections import clock
from corrections.assessments import services
from corrections.assessments.forms import (
    AssessmentForm,
    CompleteForm,
    DeclareYearForm,
    ExtendForm,
    HolidayEntryForm,
)
from corrections.assessments.models import Assessment
from corrections.auth.models import Station
from corrections.auth.scope import get_in_scope, scope
from corrections.errors import DomainError
from corrections.extensions import db
from corrections.people.models import Person
from corrections.rules import holidays, workdays
from corrections.rules.tables import deadline
from corrections.web import (
    page_args,
    paginate,
    post_form,
    refuse_and_flash,
    role_required,
    station_choices,
)

bp = Blueprint("assessments", __name__, url_prefix="/assessments")


@bp.app_context_processor
def _helpers():
    return {"assessment_badge": assessment_badge}


def assessment_badge(a: Assessment) -> tuple[str, str]:
    """The deadline state of an investigation: (text, Bootstrap colour)."""
    if a.completed_on is not None:
        if a.due_on is not None and a.completed_on > a.due_on:
            return _("超期%(n)d天完成", n=(a.completed_on - a.due_on).days), "warning"
        return _("已完成"), "success"
    left = services.days_left(a)
    if left is None:
        return _("期限待定"), "secondary"
    if left < 0:
        return _("逾期%(n)d天", n=-left), "danger"
    if left == 0:
        return _("今天到期"), "warning"
    return _("剩%(n)d天", n=left), "warning" if left <= 2 else "light"


# --------------------------------------------------------------------------- the list


@bp.route("/")
@login_required
def index():
    tab = "completed" if request.args.get("tab") == "completed" else "open"
    station_code = request.args.get("station", "")
    if tab == "open":
        query = services.open_assessments(current_user)
    else:
        query = scope(
            select(Assessment).where(Assessment.completed_on.is_not(None)),
            current_user,
            Assessment,
        ).order_by(Assessment.completed_on.desc(), Assessment.id.desc())
    if station_code:
        query = query.join(Station, Station.id == Assessment.station_id).where(
            Station.code == station_code
        )
    query = query.options(selectinload(Assessment.station))
    page, per_page = page_args()
    items = paginate(query, page, per_page)
    overdue = db.session.execute(
        select(func.count()).select_from(
            services.open_assessments(current_user, overdue_on=clock.today()).subquery()
        )
    ).scalar_one()
    return render_template(
        "assessments/index.html",
        items=items,
        tab=tab,
        station=station_code,
        stations=station_choices(blank=_("全部司法所")),
        overdue=overdue,
    )


# --------------------------------------------------------------------------- register


@bp.route("/new", methods=["GET", "POST"])
@role_required("writer")
def new():
    form = AssessmentForm()
    form.station.choices = station_choices(blank=_("（请选择）"))
    if request.method == "GET" and current_user.is_officer and len(current_user.stations) == 1:
        form.station.data = current_user.stations[0].code
    answer, status = post_form(
        form,
        lambda: services.register_assessment(current_user, form.payload()),
        lambda assessment: _("已登记 %(name)s 的调查评估。", name=assessment.name),
        lambda assessment: url_for("assessments.show", assessment_id=assessment.id),
    )
    if answer is not None:
        return answer
    return render_template("assessments/new.html", form=form), status


# --------------------------------------------------------------------------- one investigation


def _assessment(assessment_id: int) -> Assessment:
    return get_in_scope(Assessment, assessment_id, current_user)


def _due_rule(a: Assessment) -> dict:
    """What the due date counts: N working days after the day of receipt, plus extensions."""
    key = "assessment_fast_track_days" if a.fast_track else "assessment_days"
    base = deadline(key, a.received_on)
    extra = sum(a.extension_days)
    return {"base": base, "extra": extra, "total": base + extra}


def _intake_link(a: Assessment) -> str | None:
    """The correction intake form, prefilled from a completed, suitable investigation."""
    if a.opinion != "suitable" or a.correction_case_id is not None:
        return None
    data = services.case_data_from(a)
    if data["person_id"] is not None:
        visible = db.session.execute(
            scope(select(Person.id).where(Person.id == data["person_id"]), current_user, Person)
        ).first()
        if visible is None:
            data["person_id"] = None  # the intake would refuse a file out of scope
    # `assessment` lets the intake read the investigation itself; the plain values
    # prefill it where it reads query arguments. The ID number stays out of the URL.
    args = {k: v for k, v in data.items() if v}
    return url_for("supervision.new", assessment=a.id, **args)


def _render_show(a: Assessment, extend=None, complete=None, status: int = 200):
    extend = extend or ExtendForm(formdata=None, prefix="extend")
    complete = complete or CompleteForm(formdata=None, prefix="complete")
    person = None
    if a.person_id is not None:
        person = db.session.execute(
            scope(select(Person).where(Person.id == a.person_id), current_user, Person)
        ).scalar_one_or_none()
    return (
        render_template(
            "assessments/show.html",
            a=a,
            person=person,
            rule=_due_rule(a),
            extend_form=extend,
            complete_form=complete,
            intake_link=_intake_link(a) if current_user.can_write else None,
        ),
        status,
    )


@bp.route("/<int:assessment_id>")
@login_required
def show(assessment_id: int):
    return _render_show(_assessment(assessment_id))


def _act(assessment_id: int, slot: str, form_class, service, done):
    """The page's form ``slot`` posted: ``service`` saves it and ``done(assessment)`` says
    so, or the page comes back with the form's messages."""
    a = _assessment(assessment_id)
    form = form_class(prefix=slot)
    try:
        service(current_user, a, form.payload())
    except DomainError as e:
        status = refuse_and_flash(e, form)
        return _render_show(_assessment(assessment_id), status=status, **{slot: form})
    db.session.commit()
    flash(done(a), "success")
    return redirect(url_for("assessments.show", assessment_id=a.id))


@bp.route("/<int:assessment_id>/extend", methods=["POST"])
@login_required
def extend(assessment_id: int):
    return _act(
        assessment_id,
        "extend",
        ExtendForm,
        services.extend_assessment,
        lambda a: _("已延期，新的期限：%(d)s。", d=a.due_on or _("待定")),
    )


@bp.route("/<int:assessment_id>/complete", methods=["POST"])
@login_required
def complete(assessment_id: int):
    return _act(
        assessment_id,
        "complete",
        CompleteForm,
        services.complete_assessment,
        lambda _a: _("已记录评估意见。"),
    )


# --------------------------------------------------------------------------- the holiday table


def _waiting() -> list[Assessment]:
    """Open investigations in scope whose due date waits for holiday data."""
    query = services.open_assessments(current_user).where(Assessment.due_on.is_(None))
    return db.session.execute(query.limit(50)).scalars().all()


def _count_waiting_all() -> int:
    return db.session.execute(
        select(func.count()).where(Assessment.completed_on.is_(None), Assessment.due_on.is_(None))
    ).scalar_one()


def _render_holidays(entry_form=None, year_form=None, status: int = 200):
    entries = (
        db.session.execute(select(holidays.HolidayEntry).order_by(holidays.HolidayEntry.day))
        .scalars()
        .all()
    )
    declared = set(db.session.execute(select(holidays.HolidayYear.year)).scalars())
    by_year = {y: list(rows) for y, rows in groupby(entries, key=lambda e: e.day.year)}
    library = sorted(workdays.library_years())
    years = sorted(set(by_year) | declared, reverse=True)
    next_year = (library[-1] + 1) if library else clock.today().year
    if year_form is None:
        year_form = DeclareYearForm(formdata=None, prefix="year")
        uncovered = [
            y for y in range(clock.today().year, clock.today().year + 3) if y not in library
        ]
        year_form.year.data = str(next((y for y in uncovered if y not in declared), next_year))
    return (
        render_template(
            "assessments/holidays.html",
            years=years,
            by_year=by_year,
            declared=declared,
            library=library,
            library_gaps=_gaps(library),
            next_year_open=_next_year_open(library, declared),
            waiting=_waiting(),
            entry_form=entry_form or HolidayEntryForm(formdata=None, prefix="entry"),
            year_form=year_form,
        ),
        status,
    )


def _next_year_open(library: list[int], declared: set[int]) -> int | None:
    """Next year, when neither source covers it yet: deadlines will soon run into it."""
    year = clock.today().year + 1
    return None if year in library or year in declared else year


def _gaps(years: list[int]) -> list[tuple[int, int]]:
    """Runs of consecutive years, e.g. [(2004, 2026)]."""
    runs: list[tuple[int, int]] = []
    for y in years:
        if runs and runs[-1][1] == y - 1:
            runs[-1] = (runs[-1][0], y)
        else:
            runs.append((y, y))
    return runs


def _flash_filled(before: int) -> None:
    filled = before - _count_waiting_all()
    if filled > 0:
        flash(_("已有 %(n)d 项调查评估据此算出期限。", n=filled), "info")


@bp.route("/holidays")
@login_required
def holiday_table():
    return _render_holidays()


@bp.route("/holidays/entries", methods=["POST"])
@login_required
def add_holiday():
    form = HolidayEntryForm(prefix="entry")
    before = _count_waiting_all()
    try:
        entry = holidays.add_entry(current_user, form.payload())
    except DomainError as e:
        return _render_holidays(entry_form=form, status=refuse_and_flash(e, form))
    db.session.commit()
    flash(_("已添加 %(d)s。", d=entry.day.isoformat()), "success")
    _flash_filled(before)
    return redirect(url_for("assessments.holiday_table", _anchor=f"year-{entry.day.year}"))


@bp.route("/holidays/entries/<int:entry_id>/remove", methods=["POST"])
@login_required
def remove_holiday(entry_id: int):
    before = _count_waiting_all()
    try:
        holidays.remove_entry(current_user, entry_id)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    flash(_("已删除该日期。"), "success")
    _flash_filled(before)
    return redirect(url_for("assessments.holiday_table"))


@bp.route("/holidays/years", methods=["POST"])
@login_required
def declare_year():
    form = DeclareYearForm(prefix="year")
    before = _count_waiting_all()
    try:
        row = holidays.declare_year(current_user, form.year.data)
    except DomainError as e:
        return _render_holidays(year_form=form, status=refuse_and_flash(e, form))
    db.session.commit()
    flash(_("%(y)d年已标记为录入完整。", y=row.year), "success")
    _flash_filled(before)
    return redirect(url_for("assessments.holiday_table"))
