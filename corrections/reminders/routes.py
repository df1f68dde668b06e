"""The inbox, the supervisor dashboard (with CSV export) and the admins' job status page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from corrections import clock
from corrections.auth.models import Station, User
from corrections.auth.scope import scope
from corrections.exports import csv_row
from corrections.extensions import db
from corrections.people import privacy
from corrections.reminders import dashboard, services
from corrections.reminders.jobs import last_runs
from corrections.reminders.models import KINDS
from corrections.web import page_args, paginate, role_required

bp = Blueprint("reminders", __name__)


def case_url(note) -> str | None:
    if note.case_id is None:
        return None
    endpoint = {
        "correction": "supervision.show",
        "resettlement": "resettlement.show",
        "assessment": "assessments.show",
    }.get(note.programme)
    try:
        key = {"assessment": "assessment_id"}.get(note.programme, "case_id")
        return url_for(endpoint, **{key: note.case_id}) if endpoint else None
    except Exception:  # a feature's pages not installed: no link rather than a 500
        return None


@bp.route("/notifications/")
@login_required
def inbox():
    status = request.args.get("status", "unread")
    kind = request.args.get("kind") or None
    page, per_page = page_args()
    notes = paginate(
        services.inbox(current_user, "all" if status == "all" else "unread", kind), page, per_page
    )
    return render_template(
        "reminders/inbox.html",
        notes=notes,
        status=status,
        kind=kind,
        kinds=KINDS,
        case_url=case_url,
    )


@bp.route("/notifications/<int:note_id>/read", methods=["POST"])
@login_required
def read(note_id: int):
    note = services.mark_read(current_user, note_id)
    db.session.commit()
    target = request.form.get("next")
    if target == "case" and case_url(note):
        return redirect(case_url(note))
    return redirect(request.referrer or url_for("reminders.inbox"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    services.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("reminders.inbox"))


def _filters():
    args = request.args
    station = args.get("station") or None
    station_id = None
    if station:
        station_id = db.session.execute(
            scope(select(Station.id).where(Station.code == station), current_user, Station)
        ).scalar_one_or_none()
    officer = args.get("officer") or None
    officer_id = None
    if officer:
        officer_id = db.session.execute(
            select(User.id).where(User.username == officer)
        ).scalar_one_or_none()
    programme = (
        args.get("programme") if args.get("programme") in dashboard.PROGRAMMES else ("correction")
    )
    return {
        "programme": programme,
        "station_id": station_id,
        "officer_id": officer_id,
        "level": args.get("level") or None,
        "correction_type": args.get("type") or None,
    }, {
        "station": station,
        "officer": officer,
        "programme": programme,
        "level": args.get("level") or "",
        "type": args.get("type") or "",
    }


@bp.route("/dashboard")
@role_required("overview")
def overview():
    from corrections.alerts import services as alert_services

    filters, shown = _filters()
    programme = filters.pop("programme")
    page, per_page = page_args()
    rows = paginate(dashboard.overdue_query(current_user, programme, **filters), page, per_page)
    lang = str(get_locale() or "zh")
    explained = dashboard.explain_overdue_many(list(rows.items), programme, lang=lang)
    by_station, by_officer = dashboard.overdue_counts(current_user, programme)
    stations = (
        db.session.execute(scope(select(Station), current_user, Station).order_by(Station.code))
        .scalars()
        .all()
    )
    officers = (
        db.session.execute(
            select(User)
            .where(
                User.role == "officer",
                User.active.is_(True),
                User.unit_id == current_user.unit_id if not current_user.is_admin else True,
            )
            .order_by(User.username)
        )
        .scalars()
        .all()
    )
    rates = dashboard.on_time_rates(current_user) if request.args.get("rates", "1") == "1" else None
    from corrections.checkin.services import on_time_rate_by_station, queue_age_by_station

    today = clock.today()
    checkin_rates = on_time_rate_by_station(current_user, today - timedelta(days=29), today)
    return render_template(
        "reminders/dashboard.html",
        checkin_rates=checkin_rates,
        checkin_queue=queue_age_by_station(current_user),
        rows=rows,
        explained=explained,
        by_station=by_station,
        by_officer=by_officer,
        counts=dashboard.headline_counts(current_user),
        overdue_returns=dashboard.overdue_returns(current_user),
        alert_table=alert_services.open_by_station(current_user),
        escalated_alerts=alert_services.escalated_alerts(current_user),
        alert_now=clock.now_utc(),
        rates=rates,
        stations=stations,
        officers=officers,
        shown=shown,
        today=clock.today(),
        programme=programme,
    )


@bp.route("/dashboard/overdue.csv")
@role_required("overview")
def overdue_csv():
    filters, _shown = _filters()
    programme = filters.pop("programme")
    today = clock.today()
    query = dashboard.overdue_query(current_user, programme, **filters)

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [
                _("姓名"),
                _("公民身份号码"),
                _("司法所"),
                _("责任人"),
                _("最早到期日"),
                _("逾期天数"),
                _("说明"),
            ]
        )
        yield "\ufeff" + buffer.getvalue()  # BOM so Excel opens UTF-8 Chinese correctly
        last_id = 0
        while True:
            batch = db.session.execute(query.limit(500).offset(last_id)).scalars().all()
            if not batch:
                break
            explained = dashboard.explain_overdue_many(batch, programme)
            privacy.prefetch(current_user, [case.person_id for case in batch])
            for case in batch:
                buffer.seek(0)
                buffer.truncate()
                reasons = "；".join(text for _s, text in explained[case.id])
                writer.writerow(
                    csv_row(  # names and notes never run as formulas (docs/security.md)
                        [
                            privacy.display_name(current_user, case.person_id, case.person.name),
                            privacy.display_id(current_user, case.person_id, case.person.id_number),
                            case.station.name,
                            case.officer.label if case.officer else "",
                            case.next_due_on.isoformat(),
                            (today - case.next_due_on).days,
                            reasons,
                        ]
                    )
                )
                yield buffer.getvalue()
            last_id += len(batch)

    name = f"overdue-{programme}-{today.isoformat()}.csv"
    return Response(
        stream_with_context(generate()),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@bp.route("/admin/jobs")
@role_required("admin")
def jobs():
    return render_template("reminders/jobs.html", runs=last_runs())


KIND_LABELS = {
    "contact_due_tomorrow": _l("明日到期"),
    "contact_overdue": _l("逾期未联系"),
    "missed_intake": _l("漏管"),
    "assessment_due_soon": _l("调查评估将到期"),
    "assessment_overdue": _l("调查评估逾期"),
    "leave_not_returned": _l("外出逾期未归"),
    "term_ending": _l("矫正期将满"),
    "medical_review_due": _l("病情复查"),
    "monitoring_ending": _l("电子定位到期"),
    "not_handed_over": _l("释放未衔接"),
    "resettlement_period_ending": _l("帮教期将满"),
    "alert_overdue": _l("预警超时"),
}


# A reminder's sentence in the page's language. The stored message is the Chinese one (the
# job writes it, and e-mails and webhooks send it); in English the sentence is built from
# the reminder's kind, the person and its date.
KIND_TEXTS = {
    "contact_due_tomorrow": _l("%(name)s：联系要求明天（%(d)s）到期。"),
    "contact_overdue": _l("%(name)s：联系要求已于%(d)s到期未完成（逾期）。"),
    "missed_intake": _l("%(name)s 应于%(d)s前报到，至今未报到（漏管），请立即组织查找。"),
    "assessment_due_soon": _l("调查评估（%(name)s）应于%(d)s前完成。"),
    "assessment_overdue": _l("调查评估（%(name)s）已超过期限%(d)s，请尽快完成。"),
    "leave_not_returned": _l("%(name)s 外出应于%(d)s返回，至今未销假。"),
    "term_ending": _l("%(name)s 矫正期将于%(d)s届满，请办理解除前各项工作。"),
    "medical_review_due": _l("%(name)s 病情复查应于%(d)s前完成。"),
    "monitoring_ending": _l("%(name)s 电子定位将于%(d)s到期，请决定解除或延长。"),
    "not_handed_over": _l("%(name)s 已释放，应于%(d)s前衔接，至今未衔接。"),
    "resettlement_period_ending": _l("%(name)s 帮教期将于%(d)s届满。"),
}


def _subject_names(notes) -> dict[tuple[str, int], str]:
    """The person (or investigation) each reminder is about, one query per programme."""
    from corrections.assessments.models import Assessment
    from corrections.people.models import Person
    from corrections.resettlement.models import ResettlementCase
    from corrections.supervision.models import CorrectionCase

    wanted: dict[str, set[int]] = {}
    for n in notes:
        if n.case_id is not None:
            wanted.setdefault(n.programme, set()).add(n.case_id)
    names = {}
    for programme, ids in wanted.items():
        if programme == "assessment":
            query = select(Assessment.id, Assessment.name).where(Assessment.id.in_(ids))
        else:
            model = CorrectionCase if programme == "correction" else ResettlementCase
            query = (
                select(model.id, Person.name)
                .join(Person, Person.id == model.person_id)
                .where(model.id.in_(ids))
            )
        names.update({(programme, i): name for i, name in db.session.execute(query).all()})
    return names


def notification_texts(notes) -> dict[int, str]:
    """Each reminder's sentence in the page's language (see ``KIND_TEXTS``)."""
    if str(get_locale() or "zh") != "en":
        return {n.id: n.message for n in notes}
    names = _subject_names(notes)
    out = {}
    for n in notes:
        text = KIND_TEXTS.get(n.kind)
        name = names.get((n.programme, n.case_id))
        if text is None or name is None:
            out[n.id] = n.message
        else:
            out[n.id] = str(text) % {"name": name, "d": n.due_on or "—"}
    return out


@bp.app_context_processor
def reminder_helpers():
    def unread():
        if not current_user.is_authenticated:
            return 0
        return services.unread_count(current_user)

    return {
        "unread_notifications": unread,
        "notification_label": lambda kind: str(KIND_LABELS.get(kind, kind)),
        "notification_texts": notification_texts,
    }
