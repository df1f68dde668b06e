"""社区矫正 case actions: each form of the case page posts here, the route calls its service
and says what changed (corrections.case_pages.CasePages.act: commit, or the case page again
with the refused form in place); the quick contact page for the officer's phone.
"""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from corrections.case_pages import prefix as _prefix
from corrections.case_pages import save_contact
from corrections.extensions import db
from corrections.labels import label
from corrections.rules.deadlines import leave_days
from corrections.supervision import services
from corrections.supervision.forms import CASE_FORMS
from corrections.supervision.models import CaseLevel, CorrectionCase, Leave, Sanction
from corrections.supervision.routes import PAGES, _case, bp
from corrections.web import writer_required


def _act(case_id: int, name: str, call, section: str, record_id=None, aliases=None):
    """Bind form ``name``, run ``call(case, form)`` (returns the success message), commit."""
    return PAGES.act(case_id, name, call, section, record_id, aliases)


def _due_map(case: CorrectionCase) -> dict[str, date]:
    return {s.requirement: s.due_on for s in services.due_states(case) if not s.paused}


def _record_contact(case: CorrectionCase, form) -> str:
    """Record the contact with its photos; the message says which due dates it moved."""
    before = _due_map(case)
    _contact, head = save_contact(services.record_contact, case, form)
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
    if moved:
        return head + _("到期日顺延：%(m)s。", m="；".join(moved))
    if case.next_due_on:
        return head + _("到期日未变，下次应于 %(d)s 前联系。", d=case.next_due_on)
    return head


PAGES.contact_routes(
    bp, _record_contact, lambda case: services.due_states(case) if case.status != "expected" else []
)


@PAGES.action(bp, "/<int:case_id>/receive", "receive", "receive")
def receive(case, form):
    services.receive_case(current_user, case, form.payload())
    return _("已办理报到接收。")


@PAGES.action(bp, "/<int:case_id>/details", "details", "details")
def details(case, form):
    services.update_case_details(current_user, case, form.version.data, form.payload())
    return _("已保存案件信息。")


@PAGES.action(bp, "/<int:case_id>/levels", "level", "level")
def level(case, form):
    row = services.propose_level(current_user, case, form.payload())
    if row.status == "proposed":
        return _("已提出管理等级调整建议，等待县局审批。")
    return _("管理等级已调整为%(l)s。", l=label("level", row.level))


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


@PAGES.action(
    bp, "/<int:case_id>/sanctions", "sanction", "sanction", aliases={"proposed_on": "decided_on"}
)
def sanction(case, form):
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


@PAGES.action(bp, "/<int:case_id>/sanctions/<int:record_id>/outcome", "outcome", "sanction")
def sanction_outcome(case, form, record_id):
    row = services.record_outcome(current_user, case, record_id, form.payload())
    return _("已登记提请结果：%(o)s。", o=label("outcome", row.outcome))


@PAGES.action(bp, "/<int:case_id>/leaves", "leave", "leave")
def leave(case, form):
    row = services.apply_leave(current_user, case, form.payload())
    return _("已登记外出申请（%(t)s）。", t=label("leave_tier", row.tier))


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


@PAGES.action(bp, "/<int:case_id>/leaves/<int:record_id>/return", "leave_return", "leave")
def leave_return(case, form, record_id):
    services.return_from_leave(current_user, case, record_id, form.payload())
    return _("已销假。")


@PAGES.action(bp, "/<int:case_id>/incidents", "incident", "incident")
def incident(case, form):
    row = services.open_incident(current_user, case, form.payload())
    return _("已登记%(k)s事件。", k=label("incident_kind", row.kind))


@PAGES.action(bp, "/<int:case_id>/incidents/<int:record_id>/searches", "search", "incident")
def incident_search(case, form, record_id):
    services.log_search(current_user, case, record_id, form.payload())
    return _("已记录查找情况。")


@PAGES.action(bp, "/<int:case_id>/incidents/<int:record_id>/notified", "notify", "incident")
def incident_notified(case, form, record_id):
    services.record_notification(current_user, case, record_id, form.payload())
    return _("已记录通报日期。")


@PAGES.action(bp, "/<int:case_id>/incidents/<int:record_id>/close", "incident_close", "incident")
def incident_close(case, form, record_id):
    services.close_incident(current_user, case, record_id, form.payload())
    return _("事件已结束。")


@PAGES.action(bp, "/<int:case_id>/monitoring", "monitoring", "monitoring")
def monitoring(case, form):
    services.start_monitoring(current_user, case, form.payload())
    return _("已登记电子定位。")


@PAGES.action(
    bp, "/<int:case_id>/monitoring/<int:record_id>/extend", "monitoring_extend", "monitoring"
)
def monitoring_extend(case, form, record_id):
    row = services.extend_monitoring(current_user, case, record_id, form.payload())
    return _("电子定位已延长至 %(d)s。", d=row.ends_on)


@PAGES.action(
    bp, "/<int:case_id>/monitoring/<int:record_id>/remove", "monitoring_remove", "monitoring"
)
def monitoring_remove(case, form, record_id):
    services.remove_monitoring(current_user, case, record_id, form.payload())
    return _("已解除电子定位。")


@PAGES.action(bp, "/<int:case_id>/medical-reviews", "medical", "medical")
def medical_review(case, form):
    services.record_medical_review(current_user, case, form.payload())
    return _("已登记病情复查结果，下次复查应于 %(d)s 前。", d=services.medical_review_due(case))


@PAGES.action(bp, "/<int:case_id>/team", "team", "team")
def team_add(case, form):
    member = services.add_team_member(current_user, case, form.payload())
    return _("已将 %(n)s 加入矫正小组。", n=member.name)


@PAGES.action(bp, "/<int:case_id>/team/<int:record_id>/remove", "team_remove", "team")
def team_remove(case, form, record_id):
    member = services.remove_team_member(current_user, case, record_id)
    return _("已将 %(n)s 移出矫正小组。", n=member.name)


@PAGES.action(bp, "/<int:case_id>/plans", "plan", "plan")
def plan(case, form):
    row = services.add_plan(current_user, case, form.payload())
    return _("已保存矫正方案第%(n)d版。", n=row.revision)


@PAGES.action(bp, "/<int:case_id>/checklist", "checklist", "checklist")
def checklist(case, form):
    row = services.complete_checklist_item(current_user, case, form.payload())
    return _("已完成：%(i)s。", i=label("checklist_item", row.item))


@PAGES.action(bp, "/<int:case_id>/release", "release", "end")
def release(case, form):
    services.release_case(current_user, case, form.payload())
    return _("已解除社区矫正。")


@PAGES.action(bp, "/<int:case_id>/terminate", "terminate", "end")
def terminate(case, form):
    services.terminate_case(current_user, case, form.payload())
    return _("已终止社区矫正。")


@PAGES.action(bp, "/<int:case_id>/transfer-out", "transfer", "end")
def transfer(case, form):
    services.transfer_out(current_user, case, form.payload())
    return _("已办理变更执行地（转出）。")


@PAGES.action(bp, "/<int:case_id>/station", "move", "caseload")
def move(case, form):
    services.move_station(current_user, case, form.payload())
    return _("已调整到 %(s)s。", s=case.station.name)


@PAGES.action(bp, "/<int:case_id>/officer", "assign", "caseload")
def assign(case, form):
    services.assign_officer(current_user, case, form.payload())
    who = case.officer.label if case.officer else _("未指定")
    return _("责任人：%(u)s。", u=who)


@bp.route("/<int:case_id>/void/<kind>/<int:record_id>", methods=["POST"])
@writer_required
def void(case_id: int, kind: str, record_id: int):
    if kind not in services.void_record.models:
        abort(404)

    def call(case, form):
        services.void_record(current_user, case, kind, record_id, form.payload())
        return _("记录已作废（仍保留在档案中）。")

    return _act(case_id, "void", call, "timeline", f"{kind}{record_id}")
