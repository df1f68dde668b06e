"""安置帮教 pages: the case list, registration (notice or release), the case file
with its action forms, the quick contact page, and 转入安置帮教 from a correction case.

Routes only parse forms and call resettlement.services; on a refusal nothing is
written (rollback), the message is flashed and field errors sit next to fields.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from corrections import clock
from corrections.auth.models import Station
from corrections.auth.scope import get_in_scope, scope
from corrections.errors import (
    DomainError,
    Forbidden,
    NotFound,
    RecordsAfterEnd,
    ValidationFailed,
)
from corrections.extensions import db
from corrections.labels import label, station_option
from corrections.people import idnumber
from corrections.people import services as people_services
from corrections.people.models import Person
from corrections.resettlement import services
from corrections.resettlement.forms import (
    CASE_FORMS,
    KEY_HINT_FLAGS,
    FromCorrectionForm,
    IntakeForm,
)
from corrections.resettlement.models import (
    STATUSES,
    Assistance,
    KeyStatusChange,
    LostContact,
    ResettlementCase,
)
from corrections.resettlement.timeline import case_timeline
from corrections.rules import twins
from corrections.rules.tables import deadline
from corrections.supervision.models import ChecklistItem, CorrectionCase
from corrections.web import (
    form_errors,
    history_page,
    page_args,
    paginate,
    return_target,
    run_case_action,
)

bp = Blueprint("resettlement", __name__, url_prefix="/resettlement")

VOIDABLE_KINDS = ("contact", "assistance")


def writer_required(view):
    """Read-only accounts are refused before anything else (403, in Chinese)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.can_write:
            raise Forbidden(_("只读账号不能修改数据。"))
        return view(*args, **kwargs)

    return login_required(wrapper)


# --------------------------------------------------------------------------- badges


def visit_overdue_days(case: ResettlementCase, on: date | None = None) -> int:
    """Days the visit is overdue, from the stored earliest due date."""
    on = on or clock.today()
    if case.status != "active" or case.next_due_on is None or case.next_due_on >= on:
        return 0
    return (on - case.next_due_on).days


def rs_badges(case: ResettlementCase) -> list[tuple[str, str]]:
    """Status badges for the list, the case page and the person file: (text, colour)."""
    colours = {"expected": "secondary", "released": "info", "active": "success", "ended": "dark"}
    badges = [(label("rs_status", case.status), colours.get(case.status, "secondary"))]
    if case.is_key and not case.is_ended:
        badges.append((_("重点"), "danger"))
    days = visit_overdue_days(case)
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


def person_rs_cases(person: Person) -> list[ResettlementCase]:
    """The person's resettlement cases in the user's scope (for the person file)."""
    query = select(ResettlementCase).where(ResettlementCase.person_id == person.id)
    query = scope(query, current_user, ResettlementCase).order_by(ResettlementCase.id.desc())
    return db.session.execute(query).scalars().all()


# --------------------------------------------------------------------------- choices


def _station_choices(blank: str | None = None):
    stations = db.session.execute(
        scope(select(Station).where(Station.active.is_(True)), current_user).order_by(Station.code)
    ).scalars()
    out = [("", blank)] if blank is not None else []
    return out + [(s.code, station_option(s)) for s in stations]


# --------------------------------------------------------------------------- the list


@bp.route("/")
@login_required
def index():
    args = request.args
    today = clock.today()
    status = args.get("status", "open")
    query = (
        select(ResettlementCase)
        .join(Person, Person.id == ResettlementCase.person_id)
        .options(
            selectinload(ResettlementCase.person),
            selectinload(ResettlementCase.station),
            selectinload(ResettlementCase.officer),
        )
    )
    query = scope(query, current_user, ResettlementCase)
    if args.get("station"):
        query = query.join(Station, Station.id == ResettlementCase.station_id).where(
            Station.code == args["station"]
        )
    if status == "open":
        query = query.where(ResettlementCase.status != "ended")
    elif status in STATUSES:
        query = query.where(ResettlementCase.status == status)
    if args.get("key"):
        query = query.where(ResettlementCase.is_key.is_(True))
    if args.get("overdue"):
        query = query.where(
            ResettlementCase.status == "active", ResettlementCase.next_due_on < today
        )
    if args.get("handover"):
        query = query.where(
            ResettlementCase.status != "ended",
            twins.handover_overdue(
                ResettlementCase.released_on, ResettlementCase.handed_over_on, today
            ),
        )
    handover_days = deadline("handover_alert_days", today)
    ending_days = deadline("resettlement_period_end_alert_days", today)
    if args.get("ending"):
        query = query.where(
            ResettlementCase.status != "ended",
            twins.period_end_alert(ResettlementCase.period_ends_on, today),
        )
    if args.get("expired"):  # 帮教期满未结案 (docs/domain.md §7.7)
        query = query.where(
            ResettlementCase.status != "ended",
            twins.support_period_over(ResettlementCase.period_ends_on, today),
        )
    if args.get("mine"):
        query = query.where(ResettlementCase.officer_id == current_user.id)
    q = (args.get("q") or "").strip()
    if q:
        upper = q.upper()
        if upper.replace("X", "").isdigit() and len(q) >= 4:
            query = query.where(Person.id_number.contains(upper, autoescape=True))
        else:
            query = query.where(func.lower(Person.name).contains(q.lower(), autoescape=True))
    # Most urgent first: the next visit, else the release (handover due), else the notice.
    urgency = func.coalesce(
        ResettlementCase.next_due_on,
        ResettlementCase.released_on,
        ResettlementCase.expected_release_on,
    )
    query = query.order_by(urgency.is_(None), urgency, ResettlementCase.id.desc())
    page, per_page = page_args()
    cases = paginate(query, page, per_page)
    return render_template(
        "resettlement/index.html",
        cases=cases,
        stations=_station_choices(blank=_("全部司法所")),
        filters=args,
        status=status,
        q=q,
        handover_days=handover_days,
        ending_days=ending_days,
    )


# --------------------------------------------------------------------------- errors


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


# --------------------------------------------------------------------------- registration


def _by_id_number(raw: str | None) -> Person | None:
    raw = (raw or "").strip().upper()
    if not raw:
        return None
    return db.session.execute(
        scope(select(Person).where(Person.id_number == raw), current_user, Person)
    ).scalar_one_or_none()


def _intake_person(form: IntakeForm) -> Person:
    """The case's person: the fixed one, one found by ID number, or a new file."""
    if form.person_id.data:
        try:
            return get_in_scope(Person, int(form.person_id.data), current_user)
        except (ValueError, NotFound):
            raise ValidationFailed(
                _("人员不存在或不在您的范围内。"), fields={"person_id": _("请重新选择")}
            ) from None
    if form.person_mode.data == "existing":
        person = _by_id_number(form.existing_id_number.data)
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


def _existing(error: DomainError, existing_id: int):
    """What a conflict points at, if the user may open it: a case or a person file."""
    if error.code == "active_correction":
        found = db.session.execute(
            scope(select(CorrectionCase).where(CorrectionCase.id == existing_id), current_user)
        ).scalar_one_or_none()
        return ("correction", found) if found else ("elsewhere", None)
    if error.code == "active_case_exists":
        found = db.session.execute(
            scope(select(ResettlementCase).where(ResettlementCase.id == existing_id), current_user)
        ).scalar_one_or_none()
        return ("case", found) if found else ("elsewhere", None)
    found = db.session.execute(
        scope(select(Person).where(Person.id == existing_id), current_user, Person)
    ).scalar_one_or_none()
    return ("person", found) if found else ("elsewhere", None)


def _released_corrections(person: Person) -> list[CorrectionCase]:
    """The person's released correction cases not yet moved into resettlement."""
    moved = select(ResettlementCase.correction_case_id).where(
        ResettlementCase.correction_case_id.is_not(None)
    )
    query = select(CorrectionCase).where(
        CorrectionCase.person_id == person.id,
        CorrectionCase.status == "released",
        CorrectionCase.id.not_in(moved),
    )
    return db.session.execute(scope(query, current_user, CorrectionCase)).scalars().all()


def _open_case(person: Person) -> ResettlementCase | None:
    query = select(ResettlementCase).where(
        ResettlementCase.person_id == person.id, ResettlementCase.status != "ended"
    )
    return db.session.execute(scope(query, current_user, ResettlementCase)).scalars().first()


@bp.route("/new", methods=["GET", "POST"])
@writer_required
def new():
    form = IntakeForm()
    form.station.choices = _station_choices(blank=_("（请选择）"))
    fixed = None
    person_id = request.values.get("person_id", type=int)
    if person_id:
        fixed = get_in_scope(Person, person_id, current_user)
    elif request.method == "GET" and request.args.get("id_number"):
        fixed = _by_id_number(request.args["id_number"])
        if fixed is None:
            flash(_("没有找到该身份证号码的档案（或不在您的范围内）。"), "warning")
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
        found = _by_id_number(form.existing_id_number.data)
        if found is not None:
            return redirect(url_for(".new", person_id=found.id))
        form.existing_id_number.errors = [_("未找到（或不在您的范围内）")]
        flash(_("没有找到该身份证号码的档案；如是新人员，请选择“登记新人员”。"), "warning")
    elif form.validate_on_submit():
        try:
            person = _intake_person(form)
            case = services.create_case(current_user, form.case_payload(person.id))
        except (Forbidden, NotFound):
            raise
        except DomainError as e:
            db.session.rollback()
            leftover = _show_errors(form, e)
            # A refused person hides the case's own problems: ask the service for those too.
            if set(e.fields) & set(IntakeForm.PERSON_KEYS + ("existing_id_number",)):
                try:
                    services.create_case(current_user, form.case_payload(None))
                except DomainError as more:
                    db.session.rollback()
                    more.fields.pop("person_id", None)
                    _show_errors(form, more)
            existing_id = getattr(e, "existing_id", None)
            if existing_id is not None:
                existing = _existing(e, existing_id)
            _flash_error(e, leftover)
            status = e.status
        else:
            db.session.commit()
            what = _("释放登记") if case.released_on else _("释放通知")
            flash(
                _("已建立 %(name)s 的安置帮教案件（%(w)s）。", name=person.name, w=what), "success"
            )
            if person.id_number:
                notice = idnumber.parse(person.id_number).notice
                if notice:
                    flash(str(notice), "warning")
            return redirect(url_for(".show", case_id=case.id))
    context = {
        "form": form,
        "fixed": fixed,
        "existing": existing,
        "hints": key_hints(fixed),
        "open_case": _open_case(fixed) if fixed else None,
        "corrections": _released_corrections(fixed) if fixed else [],
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
    already = db.session.execute(
        scope(
            select(ResettlementCase).where(ResettlementCase.correction_case_id == correction.id),
            current_user,
        )
    ).scalar_one_or_none()
    form = FromCorrectionForm()
    existing = None
    status = 200
    if request.method == "POST" and already is not None:
        flash(_("该矫正案件已转入安置帮教。"), "info")
        return redirect(url_for(".show", case_id=already.id))
    if form.validate_on_submit():
        try:
            case = services.from_correction(current_user, correction, form.payload())
        except (Forbidden, NotFound):
            raise
        except DomainError as e:
            db.session.rollback()
            _flash_error(e, _show_errors(form, e))
            existing_id = getattr(e, "existing_id", None)
            if existing_id is not None:
                existing = _existing(e, existing_id)
            status = e.status
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


def _prefix(name: str, record_id) -> str:
    return f"{name}{record_id}" if record_id else name


class FormBag:
    """The case page's forms, made on demand; the one just refused keeps its data and errors."""

    def __init__(self, case: ResettlementCase, bound=None):
        self.case = case
        self.cache = {}
        if bound is not None:
            name, record_id, form = bound
            self.cache[(name, record_id)] = form

    def get(self, name: str, record_id=None):
        key = (name, record_id)
        if key not in self.cache:
            form = CASE_FORMS[name](formdata=None, prefix=_prefix(name, record_id))
            _preset(form, name, self.case)
            self.cache[key] = form
        return self.cache[key]

    __call__ = get


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


def _alerts(case: ResettlementCase, due, open_lost) -> list[tuple[str, str]]:
    today = clock.today()
    alerts = []
    if case.status == "expected" and case.expected_release_on:
        days = (case.expected_release_on - today).days
        text = (
            _("预计 %(d)s 释放（还有%(n)d天）。", d=case.expected_release_on, n=days)
            if days >= 0
            else _(
                "预计释放日期 %(d)s 已过%(n)d天，请核实是否已释放并登记。",
                d=case.expected_release_on,
                n=-days,
            )
        )
        if case.verified_on is None:
            text += " " + _("请在释放前完成身份和住址核查。")
        alerts.append(("info" if days >= 0 else "warning", text))
    if services.handover_overdue(case):
        alerts.append(
            (
                "danger",
                _(
                    "已于 %(d)s 释放，%(n)d天未衔接（应在释放后%(k)d天内衔接）。",
                    d=case.released_on,
                    n=(today - case.released_on).days,
                    k=deadline("handover_alert_days", case.released_on),
                ),
            )
        )
    if not case.is_ended and services.key_without_escort(case):
        alerts.append(
            (
                "danger",
                _(
                    "必接必送未落实：重点帮教对象的衔接方式为“%(m)s”。",
                    m=label("handover_method", case.handover_method),
                ),
            )
        )
    if case.verification_result in ("false_identity", "false_address") and not case.is_ended:
        alerts.append(
            (
                "warning",
                _(
                    "核查结果：%(r)s（三假人员），请会同公安机关核实。",
                    r=label("verification_result", case.verification_result),
                ),
            )
        )
    elif case.verification_result == "not_local" and not case.is_ended:
        alerts.append(("warning", _("核查结果：非本地人员，请办理移交。")))
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
    if services.period_ending_soon(case):
        if case.period_ends_on < today:
            alerts.append(
                ("warning", _("帮教期已于 %(d)s 届满，尚未办理结束。", d=case.period_ends_on))
            )
        else:
            alerts.append(
                (
                    "warning",
                    _(
                        "帮教期将于 %(d)s 届满（还有%(n)d天）。",
                        d=case.period_ends_on,
                        n=(case.period_ends_on - today).days,
                    ),
                )
            )
    for lost in open_lost:
        text = _("失联中：自 %(d)s 起已%(n)d天。", d=lost.lost_on, n=(today - lost.lost_on).days)
        if lost.bulletin_issued_on is None:
            text += " " + _("尚未发布协查通报。")
        alerts.append(("danger", text))
    return alerts


def _render_case(
    case: ResettlementCase,
    bound=None,
    status: int = 200,
    section=None,
    error: DomainError | None = None,
    leftover: list[str] | None = None,
):
    due = services.due_states(case) if case.handed_over_on else []
    lost_rows = (
        db.session.execute(
            select(LostContact)
            .where(LostContact.case_id == case.id)
            .options(selectinload(LostContact.searches))
            .order_by(LostContact.lost_on.desc(), LostContact.id.desc())
        )
        .scalars()
        .all()
    )
    open_lost = [row for row in lost_rows if row.found_on is None]
    key_history = (
        db.session.execute(
            select(KeyStatusChange)
            .where(KeyStatusChange.case_id == case.id)
            .order_by(KeyStatusChange.effective_on.desc(), KeyStatusChange.id.desc())
        )
        .scalars()
        .all()
    )
    assistance = (
        db.session.execute(
            select(Assistance)
            .where(Assistance.case_id == case.id, Assistance.voided_at.is_(None))
            .order_by(Assistance.given_on.desc(), Assistance.id.desc())
        )
        .scalars()
        .all()
    )
    context = {
        "case": case,
        "forms": FormBag(case, bound),
        "assistance": assistance,
        "due": due,
        "alerts": _alerts(case, due, open_lost),
        "open_lost": open_lost,
        "key_history": key_history,
        "hints": key_hints(case.person),
        "history": history_page(case_timeline(case), at=_record_at(bound)),
        "section": section,
        "today": clock.today(),
        # the error summary on top (GOV.UK pattern): each field's message links to the field
        "error_message": error.message if error is not None else None,
        "error_rows": form_errors(bound[2] if bound and error else None, leftover=leftover or ()),
        "back": return_target(),
        "saved_contact": request.args.get("saved", type=int),
    }
    return render_template("resettlement/show.html", **context), status


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
        return run_case_action("resettlement", case_id)
    case = _case(case_id)
    if request.args.get("end") == "reoffended" and not case.is_ended and current_user.can_write:
        # Offered next to a refused correction intake (docs/domain.md §7.2): the end
        # form opens with the reason filled in; the user gives the date and submits.
        form = CASE_FORMS["end"](formdata=None, prefix="end")
        form.reason.data = "reoffended"
        return _render_case(case, ("end", None, form), section="end")
    return _render_case(case)


def _act(case_id: int, name: str, call, section: str, record_id=None, aliases=None):
    """Bind form ``name``, run ``call(case, form)`` (returns the success message), commit."""
    case = _case(case_id)
    form = CASE_FORMS[name](prefix=_prefix(name, record_id))
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
        return _render_case(case, (name, record_id, form), e.status, section, e, leftover)
    db.session.commit()
    flash(message, "success")
    if name == "contact":
        # back where the officer came from (my day, the list); else the case page says
        # "saved" in place of the form
        target = return_target()
        if target:
            return redirect(target)
        return redirect(url_for(".show", case_id=case.id, saved=form.saved_id, _anchor="contact"))
    return redirect(url_for(".show", case_id=case.id, _anchor=section))


def _record_contact(case: ResettlementCase, form) -> str:
    """Record the contact with its photos (all or nothing: every photo is checked before
    anything is written); the message gives the next due date."""
    from corrections.paperwork import attachments

    before = case.next_due_on
    photos = attachments.spool_photos(request.files.getlist(form.photos.name))
    try:
        contact = services.record_contact(current_user, case, form.payload())
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
    if case.next_due_on and case.next_due_on != before:
        return head + _(
            "下次走访应于 %(d)s 前（原为 %(o)s）。", d=case.next_due_on, o=before or "—"
        )
    if case.next_due_on:
        return head + _("到期日未变，下次走访应于 %(d)s 前。", d=case.next_due_on)
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
    due = services.due_states(case) if case.handed_over_on else []
    return render_template(
        "resettlement/contact.html",
        case=case,
        form=form,
        due=due,
        back=return_target(),
        error_message=error.message if error is not None else None,
        error_rows=form_errors(form, leftover=leftover),
    ), status


@bp.route("/<int:case_id>/release", methods=["POST"])
@writer_required
def release(case_id: int):
    def call(case, form):
        services.release(current_user, case, form.payload())
        return _("已登记释放，帮教期至 %(d)s。", d=case.period_ends_on)

    return _act(case_id, "release", call, "release")


@bp.route("/<int:case_id>/verify", methods=["POST"])
@writer_required
def verify(case_id: int):
    def call(case, form):
        services.verify(current_user, case, form.payload())
        message = _("已登记核查：%(r)s。", r=label("verification_result", case.verification_result))
        if case.is_ended:
            message += _(
                "帮教案件已于 %(d)s 结束（%(r)s）。",
                d=case.ended_on,
                r=label("rs_end_reason", case.end_reason),
            )
        return message

    return _act(case_id, "verify", call, "verify")


@bp.route("/<int:case_id>/handover", methods=["POST"])
@writer_required
def handover(case_id: int):
    def call(case, form):
        services.handover(current_user, case, form.payload())
        message = _("已衔接（%(m)s）。", m=label("handover_method", case.handover_method))
        if case.next_due_on:
            message += _("首次走访应于 %(d)s 前。", d=case.next_due_on)
        return message

    return _act(case_id, "handover", call, "handover")


@bp.route("/<int:case_id>/key", methods=["POST"])
@writer_required
def key(case_id: int):
    def call(case, form):
        row = services.set_key(current_user, case, form.payload())
        what = _("重点帮教对象") if row.is_key else _("一般帮教对象")
        return _("自 %(d)s 起为%(w)s。", d=row.effective_on, w=what)

    return _act(case_id, "key", call, "key")


@bp.route("/<int:case_id>/assistance", methods=["POST"])
@writer_required
def assistance(case_id: int):
    def call(case, form):
        row = services.add_assistance(current_user, case, form.payload())
        return _("已登记帮扶：%(k)s。", k=label("assistance_kind", row.kind))

    return _act(case_id, "assistance", call, "assistance")


@bp.route("/<int:case_id>/placement", methods=["POST"])
@writer_required
def placement(case_id: int):
    def call(case, form):
        services.set_placement(current_user, case, form.payload())
        return _("安置情况：%(p)s。", p=label("placement", case.placement))

    return _act(case_id, "placement", call, "placement")


@bp.route("/<int:case_id>/lost", methods=["POST"])
@writer_required
def lost(case_id: int):
    def call(case, form):
        services.report_lost(current_user, case, form.payload())
        return _("已登记失联，请组织查找。")

    return _act(case_id, "lost", call, "lost")


@bp.route("/<int:case_id>/lost/<int:record_id>/searches", methods=["POST"])
@writer_required
def lost_search(case_id: int, record_id: int):
    def call(case, form):
        row = services.log_lost_search(current_user, case, record_id, form.payload())
        if row.method == "bulletin":
            return _("已记录协查通报（%(d)s）。", d=row.searched_on)
        return _("已记录查找情况。")

    return _act(case_id, "lost_search", call, "lost", record_id)


@bp.route("/<int:case_id>/lost/<int:record_id>/close", methods=["POST"])
@writer_required
def lost_close(case_id: int, record_id: int):
    def call(case, form):
        services.close_lost(current_user, case, record_id, form.payload())
        return _("失联已结束。")

    return _act(case_id, "lost_close", call, "lost", record_id)


@bp.route("/<int:case_id>/end", methods=["POST"])
@writer_required
def end(case_id: int):
    def call(case, form):
        services.end_case(current_user, case, form.payload())
        return _("帮教案件已结束（%(r)s）。", r=label("rs_end_reason", case.end_reason))

    return _act(case_id, "end", call, "end")


@bp.route("/<int:case_id>/void/<kind>/<int:record_id>", methods=["POST"])
@writer_required
def void(case_id: int, kind: str, record_id: int):
    if kind not in VOIDABLE_KINDS:
        abort(404)

    def call(case, form):
        services.void_record(current_user, case, kind, record_id, form.payload())
        return _("记录已作废（仍保留在档案中）。")

    return _act(case_id, "void", call, "timeline", f"{kind}{record_id}")
