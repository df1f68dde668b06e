"""社区矫正 pages: the case list, intake, the case file with its action forms,
the quick contact page, the supervisor's approvals and caseload handover.

Routes only parse forms and call supervision.services; on a refusal nothing is
written (rollback), the message is flashed and field errors sit next to fields.
"""

from __future__ import annotations

from datetime import date
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from corrections import clock
from corrections.activities.services import case_month_summary
from corrections.auth.models import Station, User, user_stations
from corrections.auth.scope import allowed_station_ids, get_in_scope, scope
from corrections.errors import (
    DomainError,
    Forbidden,
    NotFound,
    RecordsAfterEnd,
    ValidationFailed,
)
from corrections.extensions import db
from corrections.labels import join_names, label, station_option
from corrections.people import idnumber
from corrections.people import services as people_services
from corrections.people.models import Person
from corrections.rules import deadlines as deadline_rules
from corrections.rules import twins
from corrections.rules.deadlines import leave_days
from corrections.rules.tables import deadline
from corrections.supervision import services
from corrections.supervision.forms import CASE_FORMS, CaseloadForm, IntakeForm
from corrections.supervision.models import (
    LEVELS,
    STATUSES,
    CaseLevel,
    CorrectionCase,
    Incident,
    Leave,
    MonitoringEpisode,
    Sanction,
    TeamMember,
)
from corrections.supervision.timeline import case_timeline
from corrections.validation import Fields
from corrections.web import (
    form_errors,
    history_page,
    page_args,
    paginate,
    return_target,
    run_case_action,
)

bp = Blueprint("supervision", __name__, url_prefix="/corrections")

VOIDABLE_KINDS = ("contact", "sanction", "medical_review")


def writer_required(view):
    """Read-only accounts are refused before anything else (403, in Chinese)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.can_write:
            raise Forbidden(_("只读账号不能修改数据。"))
        return view(*args, **kwargs)

    return login_required(wrapper)


def decider_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.can_decide:
            raise Forbidden(_("此页面仅供县局主管使用。"))
        return view(*args, **kwargs)

    return login_required(wrapper)


# --------------------------------------------------------------------------- badges


def overdue_days(case: CorrectionCase, on: date | None = None) -> int:
    """Days overdue from the stored earliest due date (the engine's answer when it was stored)."""
    on = on or clock.today()
    if case.status != "active" or case.next_due_on is None or case.next_due_on >= on:
        return 0
    return (on - case.next_due_on).days


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
    days = overdue_days(case)
    if days:
        badges.append((_("逾期%(n)d天", n=days), "danger"))
    if services.past_term_end(case):
        badges.append((_("期满未解除"), "warning"))
    return badges


@bp.app_context_processor
def _helpers():
    return {"case_badges": case_badges}


# --------------------------------------------------------------------------- choices


def _stations_in_scope() -> list[Station]:
    return (
        db.session.execute(
            scope(select(Station).where(Station.active.is_(True)), current_user).order_by(
                Station.code
            )
        )
        .scalars()
        .all()
    )


def _station_choices(blank: str | None = None, exclude: int | None = None, unit: int | None = None):
    out = [("", blank)] if blank is not None else []
    for s in _stations_in_scope():
        if s.id != exclude and (unit is None or s.unit_id == unit):
            out.append((s.code, station_option(s)))
    return out


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
    args = request.args
    today = clock.today()
    status = args.get("status", "open")
    query = (
        select(CorrectionCase)
        .join(Person, Person.id == CorrectionCase.person_id)
        .options(
            selectinload(CorrectionCase.person),
            selectinload(CorrectionCase.station),
            selectinload(CorrectionCase.officer),
        )
    )
    query = scope(query, current_user, CorrectionCase)
    if args.get("station"):
        query = query.join(Station, Station.id == CorrectionCase.station_id).where(
            Station.code == args["station"]
        )
    if status == "open":
        query = query.where(CorrectionCase.status.in_(("expected", "active")))
    elif status in STATUSES:
        query = query.where(CorrectionCase.status == status)
    if args.get("level") in LEVELS:
        query = query.where(CorrectionCase.level == args["level"])
    if args.get("overdue"):
        query = query.where(CorrectionCase.status == "active", CorrectionCase.next_due_on < today)
    if args.get("missed"):
        query = query.where(
            twins.still_missing(
                CorrectionCase.status,
                CorrectionCase.source,
                CorrectionCase.report_deadline,
                CorrectionCase.received_on,
                today,
            )
        )
    if args.get("absconded"):
        query = query.where(
            CorrectionCase.status == "active",
            CorrectionCase.id.in_(
                select(Incident.case_id).where(
                    Incident.kind == "absconded", Incident.closed_on.is_(None)
                )
            ),
        )
    if args.get("mine"):
        query = query.where(CorrectionCase.officer_id == current_user.id)
    q = (args.get("q") or "").strip()
    if q:
        upper = q.upper()
        if upper.replace("X", "").isdigit() and len(q) >= 4:
            query = query.where(Person.id_number.contains(upper, autoescape=True))
        else:
            query = query.where(func.lower(Person.name).contains(q.lower(), autoescape=True))
    query = query.order_by(
        CorrectionCase.next_due_on.is_(None),
        CorrectionCase.next_due_on,
        CorrectionCase.report_deadline,
        CorrectionCase.id.desc(),
    )
    page, per_page = page_args()
    cases = paginate(query, page, per_page)
    return render_template(
        "supervision/index.html",
        cases=cases,
        stations=_station_choices(blank=_("全部司法所")),
        filters=args,
        status=status,
        q=q,
    )


# --------------------------------------------------------------------------- intake


def _show_errors(form, error: DomainError, aliases: dict[str, str] | None = None) -> list[str]:
    """Put each field message next to its field; return those with no field on the form."""
    leftover = []
    for key, message in error.fields.items():
        name = (aliases or {}).get(key, key)
        if name in form:
            form[name].errors = list(form[name].errors) + [message]
        else:
            leftover.append(message)
    return leftover


def _flash_error(error: DomainError, leftover: list[str]) -> None:
    text = error.message
    if leftover:
        text += " " + "；".join(leftover)
    flash(text, "danger")


def _intake_person(form: IntakeForm) -> Person:
    """The intake's person: the fixed one, one found by ID number, or a new file."""
    if form.person_id.data:
        try:
            return get_in_scope(Person, int(form.person_id.data), current_user)
        except (ValueError, NotFound):
            raise ValidationFailed(
                _("人员不存在或不在您的范围内。"), fields={"person_id": _("请重新选择")}
            ) from None
    if form.person_mode.data == "existing":
        raw = (form.existing_id_number.data or "").strip().upper()
        person = None
        if raw:
            person = db.session.execute(
                scope(select(Person).where(Person.id_number == raw), current_user, Person)
            ).scalar_one_or_none()
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


@bp.route("/new", methods=["GET", "POST"])
@writer_required
def new():
    form = IntakeForm()
    form.station.choices = _station_choices(blank=_("（请选择）"))
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
            person = _intake_person(form)
            case = services.create_case(current_user, form.case_payload(person.id))
        except (Forbidden, NotFound):
            raise
        except DomainError as e:
            db.session.rollback()
            leftover = _show_errors(form, e)
            # A refused person hides the case's own problems: ask the service for those too.
            if set(e.fields) & set(IntakeForm.PERSON_KEYS):
                try:
                    services.create_case(current_user, form.case_payload(None))
                except DomainError as more:
                    db.session.rollback()
                    more.fields.pop("person_id", None)
                    _show_errors(form, more)
            existing = getattr(e, "existing_id", None)
            if existing is not None:
                existing = _existing(e, existing)
            _flash_error(e, leftover)
            status = e.status
        else:
            if assessment is not None and assessment.correction_case_id is None:
                from corrections.assessments.services import link_case

                link_case(current_user, assessment, case.id)
            db.session.commit()
            flash(_("已建立 %(name)s 的社区矫正案件。", name=person.name), "success")
            if person.id_number:
                notice = idnumber.parse(person.id_number).notice
                if notice:
                    flash(str(notice), "warning")
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


def _existing(error: DomainError, existing_id: int):
    """What a conflict points at, if the user may open it: a case or a person file."""
    if error.code == "active_resettlement":
        from corrections.resettlement.models import ResettlementCase

        found = db.session.execute(
            scope(select(ResettlementCase).where(ResettlementCase.id == existing_id), current_user)
        ).scalar_one_or_none()
        return ("resettlement", found)
    if error.code == "active_case_exists":
        found = db.session.execute(
            scope(select(CorrectionCase).where(CorrectionCase.id == existing_id), current_user)
        ).scalar_one_or_none()
        return ("case", found) if found else None
    found = db.session.execute(
        scope(select(Person).where(Person.id == existing_id), current_user, Person)
    ).scalar_one_or_none()
    return ("person", found) if found else ("elsewhere", None)


# --------------------------------------------------------------------------- the case page


def _prefix(name: str, record_id: int | None) -> str:
    return f"{name}{record_id}" if record_id else name


class FormBag:
    """The case page's forms, made on demand; the one just refused keeps its data and errors."""

    def __init__(self, case: CorrectionCase | None, bound=None):
        self.case = case
        self.cache = {}
        if bound is not None:
            name, record_id, form = bound
            self.cache[(name, record_id)] = form

    def get(self, name: str, record_id=None):
        key = (name, record_id)
        if key not in self.cache:
            form = CASE_FORMS[name](formdata=None, prefix=_prefix(name, record_id))
            _configure(form, name, self.case, record_id, fresh=True)
            self.cache[key] = form
        return self.cache[key]

    __call__ = get


def _configure(form, name: str, case, record_id=None, fresh: bool = False) -> None:
    """Choices that depend on the case and the user; current values for fresh forms."""
    if case is None:
        return
    if name == "move":
        form.station.choices = _station_choices(
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


def _alerts(case, due, leaves, review_due, team_warning, open_incidents) -> list[tuple[str, str]]:
    today = clock.today()
    alerts = []
    if services.missed_intake(case):
        alerts.append(
            (
                "danger",
                _(
                    "漏管：报到期限 %(d)s 已过，对象仍未报到。请立即组织查找，并通报公安机关和检察院。",
                    d=case.report_deadline,
                ),
            )
        )
    for state in due:
        if state.is_overdue and not state.paused:
            alerts.append(
                (
                    "danger",
                    _(
                        "%(r)s已逾期%(n)d天（应于%(d)s前）。",
                        r=label("requirement", state.requirement),
                        n=state.overdue_days,
                        d=state.due_on,
                    ),
                )
            )
    term_end = services.term_end_effective(case)
    if services.past_term_end(case, term_end=term_end):
        alerts.append(
            (
                "warning",
                _("矫正期限已于 %(d)s 届满，尚未办理解除。", d=term_end),
            )
        )
    for request_ in services.pending_requests(case):
        alerts.append(
            (
                "warning",
                _(
                    "%(k)s（%(d)s）尚无结果：在结果登记前不能解除。",
                    k=label("sanction_kind", request_.kind),
                    d=request_.decided_on,
                ),
            )
        )
    for leave in leaves:
        if services.return_overdue(leave, today):
            alerts.append(
                (
                    "danger",
                    _(
                        "外出已于 %(d)s 到期，尚未销假（逾期%(n)d天）。",
                        d=leave.ends_on,
                        n=(today - leave.ends_on).days,
                    ),
                )
            )
    if review_due is not None:
        if today > review_due:
            alerts.append(
                ("danger", _("病情复查已逾期：应于 %(d)s 前提交复查结果。", d=review_due))
            )
        elif services.medical_review_due_soon(review_due, today):
            alerts.append(("info", _("病情复查将于 %(d)s 到期。", d=review_due)))
    for incident in open_incidents:
        if incident.kind == "absconded":
            alerts.append(
                (
                    "danger",
                    _(
                        "脱管中：自 %(d)s 起已%(n)d天。",
                        d=incident.occurred_on,
                        n=(today - incident.occurred_on).days,
                    ),
                )
            )
    if team_warning and not case.is_ended:
        alerts.append(("warning", team_warning))
    if services.checklist_open(case):
        done = sum(1 for row in services.checklist(case).values() if row)
        alerts.append(
            (
                "info",
                _(
                    "矫正期限将于 %(d)s 届满：解除前清单已开启（已完成 %(n)d 项）。",
                    d=term_end,
                    n=done,
                ),
            )
        )
    severity = {"danger": 0, "warning": 1, "info": 2}
    return sorted(alerts, key=lambda a: severity.get(a[0], 3))


def _render_case(
    case: CorrectionCase,
    bound=None,
    status: int = 200,
    section: str | None = None,
    error: DomainError | None = None,
    leftover: list[str] | None = None,
):
    today = clock.today()
    due = services.due_states(case) if case.status != "expected" else []
    leaves = (
        db.session.execute(
            select(Leave).where(Leave.case_id == case.id).order_by(Leave.starts_on.desc())
        )
        .scalars()
        .all()
    )
    pending_leaves = [
        (lv, services.leave_tier_for(case, lv.starts_on, lv.ends_on, exclude_id=lv.id))
        for lv in leaves
        if lv.status == "applied"
    ]
    away_leaves = [lv for lv in leaves if lv.status == "approved" and lv.returned_on is None]
    sanctions = (
        db.session.execute(
            select(Sanction)
            .where(Sanction.case_id == case.id, Sanction.voided_at.is_(None))
            .order_by(Sanction.id)
        )
        .scalars()
        .all()
    )
    open_incidents = (
        db.session.execute(
            select(Incident)
            .where(Incident.case_id == case.id, Incident.closed_on.is_(None))
            .order_by(Incident.occurred_on)
        )
        .scalars()
        .all()
    )
    monitoring = (
        db.session.execute(
            select(MonitoringEpisode)
            .where(MonitoringEpisode.case_id == case.id, MonitoringEpisode.removed_on.is_(None))
            .order_by(MonitoringEpisode.starts_on)
        )
        .scalars()
        .all()
    )
    team = (
        db.session.execute(
            select(TeamMember)
            .where(TeamMember.case_id == case.id, TeamMember.removed_on.is_(None))
            .order_by(TeamMember.id)
        )
        .scalars()
        .all()
    )
    level_proposals = (
        db.session.execute(
            select(CaseLevel).where(CaseLevel.case_id == case.id, CaseLevel.status == "proposed")
        )
        .scalars()
        .all()
    )
    review_due = services.medical_review_due(case)
    team_warning = services.team_warning(case)
    term_end = services.term_end_effective(case)
    checklist_opens = deadline_rules.term_end_checklist_opens_on(
        term_end, deadline("term_end_checklist_days", case.term_end)
    )
    if section is None and case.status == "expected" and current_user.can_write:
        section = "receive"  # the one thing to do on an expected case
    context = {
        "case": case,
        "forms": FormBag(case, bound),
        "due": due,
        "alerts": _alerts(case, due, leaves, review_due, team_warning, open_incidents),
        "suggestions": services.suggestions(case),
        "pending_leaves": pending_leaves,
        "away_leaves": away_leaves,
        "sanction_proposals": [s for s in sanctions if s.status == "proposed"],
        "awaiting_outcome": [
            s for s in sanctions if s.is_request and s.status == "decided" and not s.outcome
        ],
        "level_proposals": level_proposals,
        "open_incidents": open_incidents,
        "monitoring": monitoring,
        "team": team,
        "team_warning": team_warning,
        "review_due": review_due,
        "checklist": services.checklist(case),
        "checklist_open": services.checklist_open(case),
        "checklist_opens": checklist_opens,
        "term_end_effective": term_end,
        "pending_requests": services.pending_requests(case),
        "leave_days": leave_days,
        "section": section,
        "today": today,
        # the error summary on top (GOV.UK pattern): each field's message links to the field
        "error_message": error.message if error is not None else None,
        "error_rows": form_errors(bound[2] if bound and error else None, leftover=leftover or ()),
        "back": return_target(),
        "saved_contact": request.args.get("saved", type=int),
        "history": history_page(case_timeline(case), at=_record_at(bound)),
        "month_hours": case_month_summary(case, today.year, today.month)
        if case.status == "active"
        else None,
    }
    return render_template("supervision/show.html", **context), status


def _record_at(bound) -> str | None:
    """The history record a refused void form belongs to (its page is shown)."""
    if bound and bound[0] == "void" and bound[1]:
        kind = bound[1].rstrip("0123456789")
        return f"{kind}-{bound[1][len(kind) :]}"
    return None


@bp.route("/<int:case_id>", methods=["GET", "POST"])
@login_required
def show(case_id: int):
    if request.method == "POST":  # a case-page form: run its action at this address
        return run_case_action("supervision", case_id)
    return _render_case(_case(case_id))


def _act(case_id: int, name: str, call, section: str, record_id: int | None = None, aliases=None):
    """Bind form ``name``, run ``call(case, form)`` (returns the success message), commit."""
    case = _case(case_id)
    form = CASE_FORMS[name](prefix=_prefix(name, record_id))
    _configure(form, name, case, record_id)
    back = request.form.get("next")
    if not form.validate_on_submit():  # with no validators, only a bad CSRF token fails
        flash(_("页面已过期，请重新提交。"), "danger")
        return redirect(url_for(".show", case_id=case.id, _anchor=section))
    try:
        message = call(case, form)
    except (Forbidden, NotFound):
        raise
    except DomainError as e:
        db.session.rollback()
        leftover = _show_errors(form, e, aliases)
        if isinstance(e, RecordsAfterEnd):  # listed with links under the form instead
            leftover, form.records_after_end = [], e.records
        if back == "approvals":  # the approvals page again, the refused form in place
            return _render_approvals((name, record_id, form), e)
        return _render_case(case, (name, record_id, form), e.status, section, e, leftover)
    db.session.commit()
    flash(message, "success")
    if back == "approvals":
        return redirect(url_for(".approvals"))
    if name == "contact":
        # back where the officer came from (my day, the list); else the case page says
        # "saved" in place of the form (docs/domain.md §7.10)
        target = return_target()
        if target:
            return redirect(target)
        return redirect(url_for(".show", case_id=case.id, saved=form.saved_id, _anchor="contact"))
    return redirect(url_for(".show", case_id=case.id, _anchor=section))


def _due_map(case: CorrectionCase) -> dict[str, date]:
    return {s.requirement: s.due_on for s in services.due_states(case) if not s.paused}


def _record_contact(case: CorrectionCase, form) -> str:
    """Record the contact with its photos (all or nothing: every photo is checked before
    anything is written); the message says which due dates it moved."""
    from corrections.paperwork import attachments

    before = _due_map(case)
    photos = attachments.spool_photos(request.files.getlist(form.photos.name))
    try:
        contact = services.record_contact(current_user, case, form.payload())
        attachments.attach_photos(current_user, contact, photos)
    except BaseException:
        for photo in photos:
            photo.discard()
        raise
    form.saved_id = contact.id
    after = _due_map(case)
    moved = [
        _(
            "%(r)s %(old)s → %(new)s",
            r=label("requirement", req),
            old=before.get(req, "—"),
            new=due_on,
        )
        for req, due_on in after.items()
        if before.get(req) != due_on
    ]
    head = _(
        "已记录 %(name)s 的%(k)s（%(d)s）。",
        k=label("contact_kind", contact.kind),
        d=contact.occurred_on,
        name=case.person.name,
    )
    if photos:
        head += _("附照片%(n)d张。", n=len(photos))
    if moved:
        return head + _("到期日顺延：%(m)s。", m="；".join(moved))
    if case.next_due_on:
        return head + _("到期日未变，下次应于 %(d)s 前联系。", d=case.next_due_on)
    return head


@bp.route("/<int:case_id>/contacts", methods=["POST"])
@writer_required
def add_contact(case_id: int):
    return _act(case_id, "contact", _record_contact, "contact")


@bp.route("/<int:case_id>/contact", methods=["GET", "POST"])
@writer_required
def quick_contact(case_id: int):
    """A phone-size page with only the contact form (officers log visits in the field);
    saved, it sends the officer back where they came from (``next``: my day, the list)."""
    case = _case(case_id)
    form = CASE_FORMS["contact"](prefix="contact")
    status = 200
    error, leftover = None, []
    if form.validate_on_submit():
        try:
            message = _record_contact(case, form)
        except (Forbidden, NotFound):
            raise
        except DomainError as e:
            db.session.rollback()
            error, leftover = e, _show_errors(form, e)
            status = e.status
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(return_target(url_for(".show", case_id=case.id)))
    due = services.due_states(case) if case.status != "expected" else []
    return render_template(
        "supervision/contact.html",
        case=case,
        form=form,
        due=due,
        back=return_target(),
        error_message=error.message if error is not None else None,
        error_rows=form_errors(form, leftover=leftover),
    ), status


@bp.route("/<int:case_id>/receive", methods=["POST"])
@writer_required
def receive(case_id: int):
    def call(case, form):
        services.receive_case(current_user, case, form.payload())
        return _("已办理报到接收。")

    return _act(case_id, "receive", call, "receive")


@bp.route("/<int:case_id>/details", methods=["POST"])
@writer_required
def details(case_id: int):
    def call(case, form):
        services.update_case_details(current_user, case, form.version.data, form.payload())
        return _("已保存案件信息。")

    return _act(case_id, "details", call, "details")


@bp.route("/<int:case_id>/levels", methods=["POST"])
@writer_required
def level(case_id: int):
    def call(case, form):
        row = services.propose_level(current_user, case, form.payload())
        if row.status == "proposed":
            return _("已提出管理等级调整建议，等待县局审批。")
        return _("管理等级已调整为%(l)s。", l=label("level", row.level))

    return _act(case_id, "level", call, "level")


_DECISION_RECORDS = {"level_decide": CaseLevel, "sanction_decide": Sanction, "leave_decide": Leave}


def _confirm_refusal(case_id: int, name: str, record_id: int, section: str):
    """A refusal with its reason is shown once more to be confirmed before anything is
    written; a refusal without a reason goes on to the service, which refuses it."""
    prefix = _prefix(name, record_id)
    form = CASE_FORMS[name](prefix=prefix)
    if not (form.refuse.data and (form.note.data or "").strip()) or request.form.get("confirmed"):
        return None
    case = _case(case_id)
    record = db.session.get(_DECISION_RECORDS[name], record_id)
    if record is None or record.case_id != case.id:
        abort(404)
    back = request.form.get("next")
    if back == "approvals":
        back_url = url_for(".approvals")
    else:
        back_url = url_for(".show", case_id=case.id, _anchor=section)
    return render_template(
        "supervision/confirm_refusal.html",
        case=case,
        kind=name,
        record=record,
        form=form,
        action=request.path,
        back=back,
        back_url=back_url,
        leave_days=leave_days,
    )


@bp.route("/<int:case_id>/levels/<int:record_id>/decision", methods=["POST"])
@writer_required
def level_decision(case_id: int, record_id: int):
    confirm = _confirm_refusal(case_id, "level_decide", record_id, "pending")
    if confirm is not None:
        return confirm

    def call(case, form):
        row = services.decide_level(current_user, case, record_id, form.payload())
        return _("已批准等级调整。") if row.status == "approved" else _("已不批准等级调整。")

    return _act(case_id, "level_decide", call, "pending", record_id)


@bp.route("/<int:case_id>/sanctions", methods=["POST"])
@writer_required
def sanction(case_id: int):
    def call(case, form):
        data = form.payload()
        if current_user.can_decide:
            row = services.record_sanction(current_user, case, data)
            return _(
                "已登记%(k)s，文号 %(n)s。",
                k=label("sanction_kind", row.kind),
                n=row.document_number,
            )
        data["proposed_on"] = data.pop("decided_on")
        row = services.record_sanction(current_user, case, data, propose=True)
        return _("已提出%(k)s建议，等待县局决定。", k=label("sanction_kind", row.kind))

    return _act(case_id, "sanction", call, "sanction", aliases={"proposed_on": "decided_on"})


@bp.route("/<int:case_id>/sanctions/<int:record_id>/decision", methods=["POST"])
@writer_required
def sanction_decision(case_id: int, record_id: int):
    confirm = _confirm_refusal(case_id, "sanction_decide", record_id, "pending")
    if confirm is not None:
        return confirm

    def call(case, form):
        row = services.decide_sanction(current_user, case, record_id, form.payload())
        if row.status == "decided":
            return _(
                "已决定%(k)s，文号 %(n)s。",
                k=label("sanction_kind", row.kind),
                n=row.document_number,
            )
        return _("已不批准该建议。")

    return _act(case_id, "sanction_decide", call, "pending", record_id)


@bp.route("/<int:case_id>/sanctions/<int:record_id>/outcome", methods=["POST"])
@writer_required
def sanction_outcome(case_id: int, record_id: int):
    def call(case, form):
        row = services.record_outcome(current_user, case, record_id, form.payload())
        return _("已登记提请结果：%(o)s。", o=label("outcome", row.outcome))

    return _act(case_id, "outcome", call, "sanction", record_id)


@bp.route("/<int:case_id>/leaves", methods=["POST"])
@writer_required
def leave(case_id: int):
    def call(case, form):
        row = services.apply_leave(current_user, case, form.payload())
        return _("已登记外出申请（%(t)s）。", t=label("leave_tier", row.tier))

    return _act(case_id, "leave", call, "leave")


@bp.route("/<int:case_id>/leaves/<int:record_id>/decision", methods=["POST"])
@writer_required
def leave_decision(case_id: int, record_id: int):
    confirm = _confirm_refusal(case_id, "leave_decide", record_id, "pending")
    if confirm is not None:
        return confirm

    def call(case, form):
        row = services.decide_leave(current_user, case, record_id, form.payload())
        return _("已批准外出。") if row.status == "approved" else _("已不批准外出。")

    return _act(case_id, "leave_decide", call, "leave", record_id)


@bp.route("/<int:case_id>/leaves/<int:record_id>/return", methods=["POST"])
@writer_required
def leave_return(case_id: int, record_id: int):
    def call(case, form):
        services.return_from_leave(current_user, case, record_id, form.payload())
        return _("已销假。")

    return _act(case_id, "leave_return", call, "leave", record_id)


@bp.route("/<int:case_id>/incidents", methods=["POST"])
@writer_required
def incident(case_id: int):
    def call(case, form):
        row = services.open_incident(current_user, case, form.payload())
        return _("已登记%(k)s事件。", k=label("incident_kind", row.kind))

    return _act(case_id, "incident", call, "incident")


@bp.route("/<int:case_id>/incidents/<int:record_id>/searches", methods=["POST"])
@writer_required
def incident_search(case_id: int, record_id: int):
    def call(case, form):
        services.log_search(current_user, case, record_id, form.payload())
        return _("已记录查找情况。")

    return _act(case_id, "search", call, "incident", record_id)


@bp.route("/<int:case_id>/incidents/<int:record_id>/notified", methods=["POST"])
@writer_required
def incident_notified(case_id: int, record_id: int):
    def call(case, form):
        services.record_notification(current_user, case, record_id, form.payload())
        return _("已记录通报日期。")

    return _act(case_id, "notify", call, "incident", record_id)


@bp.route("/<int:case_id>/incidents/<int:record_id>/close", methods=["POST"])
@writer_required
def incident_close(case_id: int, record_id: int):
    def call(case, form):
        services.close_incident(current_user, case, record_id, form.payload())
        return _("事件已结束。")

    return _act(case_id, "incident_close", call, "incident", record_id)


@bp.route("/<int:case_id>/monitoring", methods=["POST"])
@writer_required
def monitoring(case_id: int):
    def call(case, form):
        services.start_monitoring(current_user, case, form.payload())
        return _("已登记电子定位。")

    return _act(case_id, "monitoring", call, "monitoring")


@bp.route("/<int:case_id>/monitoring/<int:record_id>/extend", methods=["POST"])
@writer_required
def monitoring_extend(case_id: int, record_id: int):
    def call(case, form):
        row = services.extend_monitoring(current_user, case, record_id, form.payload())
        return _("电子定位已延长至 %(d)s。", d=row.ends_on)

    return _act(case_id, "monitoring_extend", call, "monitoring", record_id)


@bp.route("/<int:case_id>/monitoring/<int:record_id>/remove", methods=["POST"])
@writer_required
def monitoring_remove(case_id: int, record_id: int):
    def call(case, form):
        services.remove_monitoring(current_user, case, record_id, form.payload())
        return _("已解除电子定位。")

    return _act(case_id, "monitoring_remove", call, "monitoring", record_id)


@bp.route("/<int:case_id>/medical-reviews", methods=["POST"])
@writer_required
def medical_review(case_id: int):
    def call(case, form):
        services.record_medical_review(current_user, case, form.payload())
        return _("已登记病情复查结果，下次复查应于 %(d)s 前。", d=services.medical_review_due(case))

    return _act(case_id, "medical", call, "medical")


@bp.route("/<int:case_id>/team", methods=["POST"])
@writer_required
def team_add(case_id: int):
    def call(case, form):
        member = services.add_team_member(current_user, case, form.payload())
        return _("已将 %(n)s 加入矫正小组。", n=member.name)

    return _act(case_id, "team", call, "team")


@bp.route("/<int:case_id>/team/<int:record_id>/remove", methods=["POST"])
@writer_required
def team_remove(case_id: int, record_id: int):
    def call(case, form):
        member = services.remove_team_member(current_user, case, record_id)
        return _("已将 %(n)s 移出矫正小组。", n=member.name)

    return _act(case_id, "team_remove", call, "team", record_id)


@bp.route("/<int:case_id>/plans", methods=["POST"])
@writer_required
def plan(case_id: int):
    def call(case, form):
        row = services.add_plan(current_user, case, form.payload())
        return _("已保存矫正方案第%(n)d版。", n=row.revision)

    return _act(case_id, "plan", call, "plan")


@bp.route("/<int:case_id>/checklist", methods=["POST"])
@writer_required
def checklist(case_id: int):
    def call(case, form):
        row = services.complete_checklist_item(current_user, case, form.payload())
        return _("已完成：%(i)s。", i=label("checklist_item", row.item))

    return _act(case_id, "checklist", call, "checklist")


@bp.route("/<int:case_id>/release", methods=["POST"])
@writer_required
def release(case_id: int):
    def call(case, form):
        services.release_case(current_user, case, form.payload())
        return _("已解除社区矫正。")

    return _act(case_id, "release", call, "end")


@bp.route("/<int:case_id>/terminate", methods=["POST"])
@writer_required
def terminate(case_id: int):
    def call(case, form):
        services.terminate_case(current_user, case, form.payload())
        return _("已终止社区矫正。")

    return _act(case_id, "terminate", call, "end")


@bp.route("/<int:case_id>/transfer-out", methods=["POST"])
@writer_required
def transfer(case_id: int):
    def call(case, form):
        services.transfer_out(current_user, case, form.payload())
        return _("已办理变更执行地（转出）。")

    return _act(case_id, "transfer", call, "end")


@bp.route("/<int:case_id>/station", methods=["POST"])
@writer_required
def move(case_id: int):
    def call(case, form):
        services.move_station(current_user, case, form.payload())
        return _("已调整到 %(s)s。", s=case.station.name)

    return _act(case_id, "move", call, "caseload")


@bp.route("/<int:case_id>/officer", methods=["POST"])
@writer_required
def assign(case_id: int):
    def call(case, form):
        services.assign_officer(current_user, case, form.payload())
        who = case.officer.label if case.officer else _("未指定")
        return _("责任人：%(u)s。", u=who)

    return _act(case_id, "assign", call, "caseload")


@bp.route("/<int:case_id>/void/<kind>/<int:record_id>", methods=["POST"])
@writer_required
def void(case_id: int, kind: str, record_id: int):
    if kind not in VOIDABLE_KINDS:
        abort(404)

    def call(case, form):
        services.void_record(current_user, case, kind, record_id, form.payload())
        return _("记录已作废（仍保留在档案中）。")

    return _act(case_id, "void", call, "timeline", f"{kind}{record_id}")


# --------------------------------------------------------------------------- supervisors


@bp.route("/approvals")
@decider_required
def approvals():
    """Everything waiting for a county decision, oldest first, each with approve / refuse."""
    return _render_approvals()


def _render_approvals(bound=None, error: DomainError | None = None):
    """The approvals page; after a refused decision, its form keeps the data and errors and
    an error summary at the top links to them (status of the error)."""
    summary = []
    if error is not None:
        form = bound[2]  # its field errors are in place already (``_act``)
        for key, message in error.fields.items():
            summary.append((message, form[key].id if key in form else None))
        if not summary:
            summary.append((error.message, None))

    def pending(model, *where):
        query = (
            select(model, CorrectionCase)
            .join(CorrectionCase, CorrectionCase.id == model.case_id)
            .options(selectinload(CorrectionCase.person), selectinload(CorrectionCase.station))
            .where(*where)
            .order_by(model.id)
        )
        return db.session.execute(scope(query, current_user, CorrectionCase)).all()

    levels = pending(CaseLevel, CaseLevel.status == "proposed")
    sanctions = pending(Sanction, Sanction.status == "proposed", Sanction.voided_at.is_(None))
    leaves = [
        (lv, case, services.leave_tier_for(case, lv.starts_on, lv.ends_on, exclude_id=lv.id))
        for lv, case in pending(Leave, Leave.status == "applied")
    ]
    leaves = [row for row in leaves if row[2] != "station" or row[0].tier != "station"]
    return render_template(
        "supervision/approvals.html",
        levels=levels,
        sanctions=sanctions,
        leaves=leaves,
        forms=FormBag(None, bound),
        leave_days=leave_days,
        error_summary=summary,
    ), (error.status if error is not None else 200)


@bp.route("/caseload", methods=["GET", "POST"])
@decider_required
def caseload():
    """Hand a departing officer's whole open caseload to another officer in one step."""
    form = CaseloadForm()
    officers = _officers(include_inactive=True)
    counts = dict(
        db.session.execute(
            scope(
                select(CorrectionCase.officer_id, func.count())
                .where(CorrectionCase.status.in_(("expected", "active")))
                .group_by(CorrectionCase.officer_id),
                current_user,
                CorrectionCase,
            )
        ).all()
    )
    # A departed officer (account already deactivated) still appears while holding cases.
    officers = [u for u in officers if u.active or counts.get(u.id)]
    form.from_officer.choices = [("", _("（请选择）"))] + [
        (u.username, _caseload_label(u, counts.get(u.id, 0))) for u in officers
    ]
    form.to_officer.choices = [("", _("（请选择）"))] + [
        (u.username, _officer_label(u)) for u in officers if u.active
    ]
    status = 200
    if form.validate_on_submit():
        try:
            f = Fields({"changed_on": form.changed_on.data})
            changed_on = f.date("changed_on", required=False)
            if changed_on and changed_on > clock.today():
                f.error("changed_on", _("不能晚于今天（%(d)s）。", d=clock.today().isoformat()))
            f.raise_if_errors()
            moved = services.reassign_caseload(
                current_user, form.from_officer.data, form.to_officer.data, changed_on
            )
        except (Forbidden, NotFound):
            raise
        except DomainError as e:
            db.session.rollback()
            aliases = {"from": "from_officer", "to": "to_officer"}
            _flash_error(e, _show_errors(form, e, aliases))
            status = e.status
        else:
            db.session.commit()
            flash(
                _(
                    "已将 %(a)s 的 %(n)d 件在册案件移交给 %(b)s。",
                    a=form.from_officer.data,
                    n=moved,
                    b=form.to_officer.data,
                ),
                "success",
            )
            return redirect(url_for(".caseload"))
    rows = [(u, counts.get(u.id, 0)) for u in officers]
    return render_template(
        "supervision/caseload.html",
        form=form,
        rows=rows,
        unassigned=counts.get(None, 0),
    ), status


def _caseload_label(user: User, open_cases: int) -> str:
    text = _("%(u)s · 在册%(n)d件", u=_officer_label(user), n=open_cases)
    return text if user.active else text + _("（已停用）")


def person_cases(person: Person) -> list[CorrectionCase]:
    """The person's correction cases in the user's scope (the person file lists them)."""
    return (
        db.session.execute(
            scope(
                select(CorrectionCase).where(CorrectionCase.person_id == person.id),
                current_user,
            ).order_by(CorrectionCase.id.desc())
        )
        .scalars()
        .all()
    )
