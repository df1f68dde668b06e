"""安置帮教 pages: the case list, registration (notice or release), the case file (its
action forms are in case_routes.py), and 转入安置帮教 from a correction case.

Routes only parse forms, call resettlement.services (reads: resettlement.queries) and
render; on a refusal nothing is written (rollback), the message is shown and field errors
sit next to fields (corrections.web, corrections.case_pages).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from corrections import clock
from corrections.auth.scope import get_in_scope
from corrections.case_pages import (
    CasePages,
    flash_created,
    intake_person,
    intake_refused,
    person_by_id_number,
)
from corrections.core.due import days_overdue
from corrections.errors import DomainError
from corrections.extensions import db
from corrections.labels import label
from corrections.people.models import Person
from corrections.resettlement import queries, services
from corrections.resettlement.case_alerts import case_alerts
from corrections.resettlement.forms import (
    CASE_FORMS,
    KEY_HINT_FLAGS,
    FromCorrectionForm,
    IntakeForm,
)
from corrections.resettlement.models import ResettlementCase
from corrections.resettlement.timeline import case_timeline
from corrections.rules.tables import deadline
from corrections.supervision.models import ChecklistItem, CorrectionCase
from corrections.web import (
    page_args,
    paginate,
    run_case_action,
    station_choices,
    writer_required,
)

bp = Blueprint("resettlement", __name__, url_prefix="/resettlement")

# --------------------------------------------------------------------------- badges


def rs_badges(case: ResettlementCase) -> list[tuple[str, str]]:
    """Status badges for the list, the case page and the person file: (text, colour)."""
    colours = {"expected": "secondary", "released": "info", "active": "success", "ended": "dark"}
    badges = [(label("rs_status", case.status), colours.get(case.status, "secondary"))]
    if case.is_key and not case.is_ended:
        badges.append((_("重点"), "danger"))
    days = days_overdue(case)
    if days:
        badges.append((_("逾期未走访%(n)d天", n=days), "danger"))
    if case.released_on and case.handed_over_on is None and services.handover_overdue(case):
        days = deadline("handover_alert_days", case.released_on)
        badges.append((_("释放超%(n)d天未衔接", n=days), "danger"))
    today = clock.today()
    # The reminder window is at most a year (the rule table's bound): skip the rule lookup
    # for periods ending later, so a list page does not ask once per row.
    near_end = case.period_ends_on and case.period_ends_on <= today + timedelta(days=366)
    if near_end and not case.is_ended and services.period_ending_soon(case):
        if services.period_over_not_ended(case, today):
            badges.append((_("帮教期满未结案"), "warning"))
        else:
            badges.append((_("帮教期即将届满"), "warning"))
    if not case.is_ended and services.key_without_escort(case):
        badges.append((_("必接必送未落实"), "danger"))
    return badges


@bp.app_context_processor
def _helpers():
    return {"rs_badges": rs_badges}


def key_hints(person: Person | None) -> list[str]:
    """The person's flags that local criteria count towards 重点 (shown, never applied)."""
    if person is None:
        return []
    return [label("flag", f) for f in person.flags if f in KEY_HINT_FLAGS]


@bp.route("/")
@login_required
def index():
    today = clock.today()
    query, q = queries.cases(current_user, request.args, today)
    page, per_page = page_args()
    return render_template(
        "resettlement/index.html",
        cases=paginate(query, page, per_page),
        stations=station_choices(blank=_("全部司法所")),
        filters=request.args,
        status=request.args.get("status", "open"),
        q=q,
        handover_days=deadline("handover_alert_days", today),
        ending_days=deadline("resettlement_period_end_alert_days", today),
    )


# --------------------------------------------------------------------------- registration

# What a registration conflict points at (corrections.case_pages.existing_target)
EXISTING = {
    "active_correction": (CorrectionCase, "correction", ("elsewhere", None)),
    "active_case_exists": (ResettlementCase, "case", ("elsewhere", None)),
}


def _fixed_person():
    """The person the registration is for, when the address names one (id or ID number)."""
    person_id = request.values.get("person_id", type=int)
    if person_id:
        return get_in_scope(Person, person_id, current_user)
    if request.method == "GET" and request.args.get("id_number"):
        fixed = person_by_id_number(request.args["id_number"])
        if fixed is None:
            flash(_("没有找到该身份证号码的档案（或不在您的范围内）。"), "warning")
        return fixed
    return None


@bp.route("/new", methods=["GET", "POST"])
@writer_required
def new():
    form = IntakeForm()
    form.station.choices = station_choices(blank=_("（请选择）"))
    fixed = _fixed_person()
    if fixed is not None:
        form.person_id.data = str(fixed.id)
        form.person_mode.data = "existing"
    if request.method == "GET":
        if current_user.is_officer and len(current_user.stations) == 1:
            form.station.data = current_user.stations[0].code
        elif fixed is not None and fixed.registered_station is not None:
            form.station.data = fixed.registered_station.code
    existing = None
    status = 200
    if request.method == "POST" and request.form.get("lookup") and fixed is None:
        # 查找: fix the person by ID number, so the page can show the person's hints.
        found = person_by_id_number(form.existing_id_number.data)
        if found is not None:
            return redirect(url_for(".new", person_id=found.id))
        form.existing_id_number.errors = [_("未找到（或不在您的范围内）")]
        flash(_("没有找到该身份证号码的档案；如是新人员，请选择“登记新人员”。"), "warning")
    elif form.validate_on_submit():
        try:
            person = intake_person(form)
            case = services.create_case(current_user, form.case_payload(person.id))
        except DomainError as e:
            keys = IntakeForm.PERSON_KEYS + ("existing_id_number",)
            existing, status = intake_refused(e, form, services.create_case, keys, EXISTING)
        else:
            db.session.commit()
            what = _("释放登记") if case.released_on else _("释放通知")
            flash_created(
                person, _("已建立 %(name)s 的安置帮教案件（%(w)s）。", name=person.name, w=what)
            )
            return redirect(url_for(".show", case_id=case.id))
    context = {
        "form": form,
        "fixed": fixed,
        "existing": existing,
        "hints": key_hints(fixed),
        "open_case": queries.open_case(current_user, fixed) if fixed else None,
        "corrections": queries.released_corrections(current_user, fixed) if fixed else [],
        "hint_flags": {code: label("flag", code) for code in KEY_HINT_FLAGS},
    }
    return render_template("resettlement/new.html", **context), status


# --------------------------------------------------------------------------- from a correction case


def _appraisal(correction: CorrectionCase) -> str:
    return (
        db.session.execute(
            select(ChecklistItem.note).where(
                ChecklistItem.case_id == correction.id, ChecklistItem.item == "appraisal"
            )
        ).scalar_one_or_none()
        or ""
    )


@bp.route("/from-correction/<int:correction_case_id>", methods=["GET", "POST"])
@writer_required
def from_correction(correction_case_id: int):
    """转入安置帮教: confirm (GET), then create the case from the released correction case."""
    correction = get_in_scope(CorrectionCase, correction_case_id, current_user)
    already = queries.from_correction(current_user, correction)
    form = FromCorrectionForm()
    existing = None
    status = 200
    if request.method == "POST" and already is not None:
        flash(_("该矫正案件已转入安置帮教。"), "info")
        return redirect(url_for(".show", case_id=already.id))
    if form.validate_on_submit():
        try:
            case = services.from_correction(current_user, correction, form.payload())
        except DomainError as e:
            existing, status = intake_refused(e, form, None, (), EXISTING)
        else:
            db.session.commit()
            flash(_("已转入安置帮教：%(n)s。", n=correction.person.name), "success")
            return redirect(url_for(".show", case_id=case.id))
    elif request.method == "POST":
        flash(_("页面已过期，请重新提交。"), "danger")
        status = 400
    return render_template(
        "resettlement/from_correction.html",
        correction=correction,
        form=form,
        already=already,
        existing=existing,
        appraisal=_appraisal(correction),
        hints=key_hints(correction.person),
    ), status


# --------------------------------------------------------------------------- the case page


def _preset(form, name: str, case: ResettlementCase) -> None:
    """Sensible starting values for fresh forms (suggestions only: the user submits them)."""
    today = clock.today()
    if name == "release" and case.expected_release_on and case.expected_release_on <= today:
        form.released_on.data = case.expected_release_on.isoformat()
    elif name == "placement" and case.placement:
        form.placement.data = case.placement
    elif name == "end" and case.period_ends_on and case.period_ends_on <= today:
        form.ended_on.data = case.period_ends_on.isoformat()
        form.reason.data = "expiry"


def _case(case_id: int) -> ResettlementCase:
    return get_in_scope(ResettlementCase, case_id, current_user)


def _setup(form, name: str, case, record_id=None) -> None:
    _preset(form, name, case)


def _render_case(
    case: ResettlementCase,
    bound=None,
    status: int = 200,
    section=None,
    error: DomainError | None = None,
    leftover: list[str] | None = None,
):
    due = services.due_states(case) if case.handed_over_on else []
    records = queries.case_records(case)
    context = PAGES.context(case, bound, section, error, leftover, _setup, case_timeline(case))
    context.update(
        records,
        due=due,
        alerts=case_alerts(case, due, records["open_lost"]),
        hints=key_hints(case.person),
    )
    return render_template("resettlement/show.html", **context), status


PAGES = CasePages("resettlement", CASE_FORMS, _case, _render_case)


@bp.route("/<int:case_id>", methods=["GET", "POST"])
@login_required
def show(case_id: int):
    if request.method == "POST":  # a case-page form: run its action at this address
        return run_case_action("resettlement", case_id)
    case = _case(case_id)
    if request.args.get("end") == "reoffended" and not case.is_ended and current_user.can_write:
        # Offered next to a refused correction intake (docs/domain.md §7.2): the end
        # form opens with the reason filled in; the user gives the date and submits.
        form = CASE_FORMS["end"](formdata=None, prefix="end")
        form.reason.data = "reoffended"
        return _render_case(case, ("end", None, form), section="end")
    return _render_case(case)


# the action forms add their routes to ``bp``
from corrections.resettlement import case_routes  # noqa: E402, F401
