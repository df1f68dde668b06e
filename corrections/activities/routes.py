"""Activity pages: the list of sessions, one form that records a session for a whole
group, a session's page with its attendees and void, and the monthly below-target list.

Routes only parse forms and call activities.services; on a refusal nothing is written
(rollback), the message is flashed and field errors sit next to fields.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from corrections import clock
from corrections.activities import services
from corrections.activities.forms import ActivityForm, VoidForm
from corrections.activities.models import ACTIVITY_KINDS, Activity, Attendance
from corrections.auth.models import Station
from corrections.auth.scope import scope
from corrections.errors import DomainError
from corrections.extensions import db
from corrections.people.models import Person
from corrections.periods import parse_month
from corrections.supervision.models import CorrectionCase
from corrections.web import (
    page_args,
    paginate,
    post_form,
    refuse_and_flash,
    role_required,
    station_choices,
)

bp = Blueprint("activities", __name__, url_prefix="/activities")


def _station_by_code(code: str | None) -> Station | None:
    """A station in the user's scope by its code, or None."""
    if not code:
        return None
    query = scope(select(Station).where(Station.code == code), current_user)
    return db.session.execute(query).scalar_one_or_none()


def _default_station() -> str:
    stations = current_user.stations if current_user.is_officer else []
    return stations[0].code if len(stations) == 1 else ""


def _parse_month(value: str | None) -> tuple[int, int] | None:
    """``YYYY-MM`` as (year, month); None when empty or malformed."""
    first = parse_month(value)
    return (first.year, first.month) if first else None


# --------------------------------------------------------------------------- the list


@bp.route("/")
@login_required
def index():
    args = request.args
    query = scope(select(Activity), current_user, Activity)
    station = _station_by_code(args.get("station"))
    if args.get("station") and station is None:
        flash(_("司法所代码无效或不在您的范围内。"), "warning")
    if station is not None:
        query = query.where(Activity.station_id == station.id)
    kind = args.get("kind") if args.get("kind") in ACTIVITY_KINDS else ""
    if kind:
        query = query.where(Activity.kind == kind)
    month = _parse_month(args.get("month"))
    if args.get("month") and month is None:
        flash(_("月份格式应为 YYYY-MM。"), "warning")
    if month is not None:
        query = query.where(Activity.held_on.between(*services.month_bounds(*month)))
    counted = query.where(Activity.voided_at.is_(None)).with_only_columns(Activity.id)
    totals = {
        "sessions": db.session.execute(
            select(func.count()).select_from(counted.subquery())
        ).scalar_one(),
        "attendances": db.session.execute(
            select(func.count(Attendance.id)).where(Attendance.activity_id.in_(counted))
        ).scalar_one(),
    }
    query = query.options(selectinload(Activity.station)).order_by(
        Activity.held_on.desc(), Activity.id.desc()
    )
    page, per_page = page_args()
    activities = paginate(query, page, per_page)
    ids = [a.id for a in activities.items]
    heads = dict(
        db.session.execute(
            select(Attendance.activity_id, func.count(Attendance.id))
            .where(Attendance.activity_id.in_(ids))
            .group_by(Attendance.activity_id)
        ).all()
    )
    return render_template(
        "activities/index.html",
        activities=activities,
        heads=heads,
        totals=totals,
        stations=station_choices(blank=_("全部司法所")),
        kinds=ACTIVITY_KINDS,
        filters={
            "station": station.code if station else "",
            "kind": kind,
            "month": f"{month[0]:04d}-{month[1]:02d}" if month else "",
        },
    )


# --------------------------------------------------------------------------- record a session


def _candidates(form: ActivityForm) -> tuple[Station | None, date | None, list[CorrectionCase]]:
    """The station's cases active on the form's date: the attendee checkboxes."""
    station = _station_by_code(form.station.data)
    try:
        held_on = date.fromisoformat((form.held_on.data or "").strip())
    except ValueError:
        held_on = None
    if station is None or held_on is None:
        return station, held_on, []
    return station, held_on, services.attendee_candidates(current_user, station.id, held_on)


@bp.route("/new", methods=["GET", "POST"])
@role_required("writer")
def new():
    # "载入名单" submits the same form by GET: its values come back and the list follows them.
    reload = request.method == "GET" and ("station" in request.args or "held_on" in request.args)
    form = ActivityForm(formdata=request.args) if reload else ActivityForm()
    form.station.choices = station_choices(blank=_("（请选择）"))
    if request.method == "GET" and not form.station.data:
        form.station.data = _default_station()
    answer, status = post_form(
        form,
        lambda: services.record_activity(current_user, form.payload()),
        lambda activity: _("已登记活动，%(n)d人次。", n=len(activity.attendances)),
        lambda activity: url_for("activities.show", activity_id=activity.id),
    )
    if answer is not None:
        return answer
    station, held_on, cases = _candidates(form)
    form.attendees.choices = [(str(c.id), c.person.name) for c in cases]
    ticked = {str(v) for v in (form.attendees.data or [])}
    return (
        render_template(
            "activities/new.html",
            form=form,
            station=station,
            held_on=held_on,
            cases=cases,
            ticked=ticked,
        ),
        status,
    )


# --------------------------------------------------------------------------- one session


def _attendees(activity: Activity):
    return db.session.execute(
        select(Attendance, CorrectionCase, Person)
        .join(CorrectionCase, CorrectionCase.id == Attendance.case_id)
        .join(Person, Person.id == CorrectionCase.person_id)
        .where(Attendance.activity_id == activity.id)
        .order_by(Person.name, CorrectionCase.id)
    ).all()


def _render_show(activity: Activity, void_form=None, status: int = 200):
    return (
        render_template(
            "activities/show.html",
            activity=activity,
            attendees=_attendees(activity),
            void_form=void_form or VoidForm(formdata=None, prefix="void"),
        ),
        status,
    )


@bp.route("/<int:activity_id>")
@login_required
def show(activity_id: int):
    return _render_show(services.get_activity(current_user, activity_id))


@bp.route("/<int:activity_id>/void", methods=["POST"])
@login_required
def void(activity_id: int):
    activity = services.get_activity(current_user, activity_id)
    form = VoidForm(prefix="void")
    try:
        services.void_activity(current_user, activity, form.payload())
    except DomainError as e:
        status = refuse_and_flash(e, form)
        return _render_show(
            services.get_activity(current_user, activity_id), void_form=form, status=status
        )
    db.session.commit()
    flash(_("已作废该活动记录，其学时不再计入。"), "success")
    return redirect(url_for("activities.show", activity_id=activity.id))


# --------------------------------------------------------------------------- below target


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


@bp.route("/below-target")
@login_required
def below_target():
    today = clock.today()
    month = _parse_month(request.args.get("month"))
    if request.args.get("month") and month is None:
        flash(_("月份格式应为 YYYY-MM。"), "warning")
    year, mon = month or (today.year, today.month)
    code = request.args.get("station") or _default_station()
    station = _station_by_code(code)
    if code and station is None:
        flash(_("司法所代码无效或不在您的范围内。"), "warning")
    rows = []
    if station is not None:
        rows = services.below_target(current_user, year, mon, station.id)
        hours = services.monthly_hours([r["case"].id for r in rows], year, mon) if rows else {}
        # One query for the names: the cases' lazy person lookups then hit the identity map.
        db.session.execute(
            select(Person).where(Person.id.in_([r["case"].person_id for r in rows]))
        ).all()
        for row in rows:
            targets = services.monthly_targets(row["case"], year, mon)
            done = hours[row["case"].id]
            row["kinds"] = [
                {
                    "kind": k,
                    "hours": done.get(k, 0),
                    "target": targets[k],
                    "short": k in row["short"],
                }
                for k in services.TARGET_KINDS
            ]
    prev_y, prev_m = _shift_month(year, mon, -1)
    next_y, next_m = _shift_month(year, mon, 1)
    has_next = (next_y, next_m) <= (today.year, today.month)
    return render_template(
        "activities/below_target.html",
        rows=rows,
        station=station,
        stations=station_choices(blank=_("（请选择司法所）")),
        month=f"{year:04d}-{mon:02d}",
        year=year,
        mon=mon,
        prev_month=f"{prev_y:04d}-{prev_m:02d}",
        next_month=f"{next_y:04d}-{next_m:02d}" if has_next else None,
        current=(year, mon) == (today.year, today.month),
        kinds=services.TARGET_KINDS,
    )
