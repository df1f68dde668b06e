"""社区矫正 pages: the case list, intake and the case file (its action forms are in
case_routes.py, the supervisor's approvals and caseload handover in approval_routes.py).

Routes only parse forms, call supervision.services (reads: supervision.queries) and render;
on a refusal nothing is written (rollback), the message is shown and field errors sit next
to fields (corrections.web, corrections.case_pages).
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from corrections.auth.models import User, user_stations
from corrections.auth.scope import allowed_station_ids, get_in_scope
from corrections.case_pages import (
    CasePages,
    flash_created,
    intake_person,
    intake_refused,
)
from corrections.core.due import days_overdue
from corrections.errors import DomainError
from corrections.extensions import db
from corrections.labels import join_names, label
from corrections.people.models import Person
from corrections.resettlement.models import ResettlementCase
from corrections.rules.deadlines import leave_days
from corrections.supervision import queries, services
from corrections.supervision.case_alerts import case_alerts
from corrections.supervision.forms import CASE_FORMS, IntakeForm
from corrections.supervision.models import CorrectionCase, Incident
from corrections.supervision.timeline import case_timeline
from corrections.web import (
    page_args,
    paginate,
    run_case_action,
    station_choices,
    writer_required,
)

bp = Blueprint("supervision", __name__, url_prefix="/corrections")

# --------------------------------------------------------------------------- badges


def case_badges(case: CorrectionCase) -> list[tuple[str, str]]:
    """Status badges for lists and the person file: (text, Bootstrap colour)."""
    colours = {
        "expected": "secondary",
        "active": "success",
        "released": "dark",
        "terminated": "dark",
        "transferred_out": "dark",
    }
    badges = [(label("case_status", case.status), colours.get(case.status, "secondary"))]
    if services.missed_intake(case):
        badges.append((_("漏管"), "danger"))
    days = days_overdue(case)
    if days:
        badges.append((_("逾期%(n)d天", n=days), "danger"))
    if services.past_term_end(case):
        badges.append((_("期满未解除"), "warning"))
    return badges


@bp.app_context_processor
def _helpers():
    return {"case_badges": case_badges}


# --------------------------------------------------------------------------- choices


def _officers(station_ids=None, include_inactive: bool = False) -> list[User]:
    """Active officers working at ``station_ids`` (default: the stations in the user's scope)."""
    if station_ids is None:
        station_ids = allowed_station_ids(current_user)
    query = (
        select(User)
        .where(User.role == "officer")
        .options(selectinload(User.stations))
        .order_by(User.username)
    )
    if not include_inactive:
        query = query.where(User.active.is_(True))
    if station_ids is not None:
        query = query.where(
            User.id.in_(
                select(user_stations.c.user_id).where(user_stations.c.station_id.in_(station_ids))
            )
        )
    return db.session.execute(query).scalars().all()


def _officer_label(user: User) -> str:
    stations = join_names(s.name for s in user.stations)
    return (
        _("%(name)s（%(stations)s）", name=user.label, stations=stations)
        if stations
        else user.label
    )


def _officer_choices(blank: str, station_ids=None):
    return [("", blank)] + [(u.username, _officer_label(u)) for u in _officers(station_ids)]


# --------------------------------------------------------------------------- the list


@bp.route("/")
@login_required
def index():
    query, q = queries.cases(current_user, request.args)
    page, per_page = page_args()
    return render_template(
        "supervision/index.html",
        cases=paginate(query, page, per_page),
        stations=station_choices(blank=_("全部司法所")),
        filters=request.args,
        status=request.args.get("status", "open"),
        q=q,
    )


# --------------------------------------------------------------------------- intake

# What an intake conflict points at (corrections.case_pages.existing_target)
EXISTING = {
    "active_resettlement": (ResettlementCase, "resettlement", ("resettlement", None)),
    "active_case_exists": (CorrectionCase, "case", None),
}


@bp.route("/new", methods=["GET", "POST"])
@writer_required
def new():
    form = IntakeForm()
    form.station.choices = station_choices(blank=_("（请选择）"))
    form.officer.choices = _officer_choices(
        _("（默认：本人；主管登记时暂不指定）") if current_user.is_officer else _("（暂不指定）")
    )
    fixed = None
    assessment = None
    assessment_id = request.args.get("assessment", type=int)
    if assessment_id:
        from corrections.assessments.models import Assessment

        assessment = get_in_scope(Assessment, assessment_id, current_user)
    person_id = request.values.get("person_id", type=int)
    if person_id is None and assessment is not None and assessment.person_id:
        person_id = assessment.person_id
    if person_id:
        fixed = get_in_scope(Person, person_id, current_user)
        form.person_id.data = str(fixed.id)
        form.person_mode.data = "existing"
    if request.method == "GET":
        form.source.data = form.source.data or "self_report"
        form.level.data = form.level.data or "strict"
        if current_user.is_officer and len(current_user.stations) == 1:
            form.station.data = current_user.stations[0].code
        if assessment is not None:
            _prefill_from_assessment(form, assessment)
    existing = None
    status = 200
    if form.validate_on_submit():
        try:
            person = intake_person(form)
            case = services.create_case(current_user, form.case_payload(person.id))
        except DomainError as e:
            existing, status = intake_refused(
                e, form, services.create_case, IntakeForm.PERSON_KEYS, EXISTING
            )
        else:
            if assessment is not None and assessment.correction_case_id is None:
                from corrections.assessments.services import link_case

                link_case(current_user, assessment, case.id)
            db.session.commit()
            flash_created(person, _("已建立 %(name)s 的社区矫正案件。", name=person.name))
            return redirect(url_for("supervision.show", case_id=case.id))
    return (
        render_template("supervision/new.html", form=form, fixed=fixed, existing=existing),
        status,
    )


def _prefill_from_assessment(form: IntakeForm, assessment) -> None:
    """A completed investigation carries its station, type, crime and decision body over."""
    from corrections.assessments.services import case_data_from

    data = case_data_from(assessment)
    form.station.data = data["station"]
    form.correction_type.data = data["correction_type"] or form.correction_type.data
    form.crime.data = data["crime"]
    form.decision_body.data = data["decision_body"]
    if not data["person_id"]:
        form.person_mode.data = "new"
        form.name.data = assessment.name
        form.id_number.data = assessment.id_number or ""


# --------------------------------------------------------------------------- the case page


def _configure(form, name: str, case, record_id=None, fresh: bool = False) -> None:
    """Choices that depend on the case and the user; current values for fresh forms."""
    if case is None:
        return
    if name == "move":
        form.station.choices = station_choices(
            blank=_("（请选择）"), exclude=case.station_id, unit=case.station.unit_id
        )
    elif name == "assign":
        form.officer.choices = _officer_choices(_("（不指定）"), [case.station_id])
        if fresh and case.officer is not None:
            form.officer.data = case.officer.username
    elif name == "checklist":
        open_items = [item for item, row in services.checklist(case).items() if row is None]
        form.item.choices = [c for c in form.item.choices if c[0] in ("", *open_items)]
    elif not fresh:
        return
    elif name == "receive":
        form.source.data = case.source
    elif name == "contact" and case.is_ended:
        form.occurred_on.data = case.ended_on.isoformat()  # late entries: on or before the end
    elif name == "details":
        for key in ("crime", "sentence", "decision_body", "decision_document", "prohibitions"):
            form[key].data = getattr(case, key)
        form.crime_category.data = case.crime_category or ""
        form.announced_on.data = case.announced_on.isoformat() if case.announced_on else ""
        form.term_start.data = case.term_start.isoformat()
        form.term_end.data = case.term_end.isoformat()
        form.version.data = case.version
    elif name == "notify":
        incident = db.session.get(Incident, record_id)
        if incident is not None:
            for key in ("police_notified_on", "procuratorate_notified_on"):
                value = getattr(incident, key)
                form[key].data = value.isoformat() if value else ""


def _case(case_id: int) -> CorrectionCase:
    return get_in_scope(CorrectionCase, case_id, current_user)


def _setup(form, name: str, case, record_id=None) -> None:
    """A fresh form's choices and the case's current values."""
    _configure(form, name, case, record_id, fresh=True)


def _render_case(
    case: CorrectionCase,
    bound=None,
    status: int = 200,
    section: str | None = None,
    error: DomainError | None = None,
    leftover: list[str] | None = None,
):
    if section is None and case.status == "expected" and current_user.can_write:
        section = "receive"  # the one thing to do on an expected case
    page = queries.case_page(case)
    context = PAGES.context(case, bound, section, error, leftover, _setup, case_timeline(case))
    context.update(page, alerts=case_alerts(case, page), leave_days=leave_days)
    return render_template("supervision/show.html", **context), status


PAGES = CasePages("supervision", CASE_FORMS, _case, _render_case, _configure)


@bp.route("/<int:case_id>", methods=["GET", "POST"])
@login_required
def show(case_id: int):
    if request.method == "POST":  # a case-page form: run its action at this address
        return run_case_action("supervision", case_id)
    return _render_case(_case(case_id))


# the action forms and the supervisors' pages add their routes to ``bp``
from corrections.supervision import approval_routes, case_routes  # noqa: E402, F401
