"""安置帮教 case actions: each form of the case page posts here, the route calls its service
and says what changed (corrections.case_pages.CasePages.act: commit, or the case page again
with the refused form in place); the quick contact page for the officer's phone.
"""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from corrections.case_pages import save_contact
from corrections.labels import label
from corrections.resettlement import services
from corrections.resettlement.models import ResettlementCase
from corrections.resettlement.routes import PAGES, bp
from corrections.web import writer_required


def _act(case_id: int, name: str, call, section: str, record_id=None, aliases=None):
    """Bind form ``name``, run ``call(case, form)`` (returns the success message), commit."""
    return PAGES.act(case_id, name, call, section, record_id, aliases)


def _record_contact(case: ResettlementCase, form) -> str:
    """Record the contact with its photos; the message gives the next due date."""
    before = case.next_due_on
    _contact, head = save_contact(services.record_contact, case, form)
    if case.next_due_on and case.next_due_on != before:
        return head + _(
            "下次走访应于 %(d)s 前（原为 %(o)s）。", d=case.next_due_on, o=before or "—"
        )
    if case.next_due_on:
        return head + _("到期日未变，下次走访应于 %(d)s 前。", d=case.next_due_on)
    return head


PAGES.contact_routes(
    bp, _record_contact, lambda case: services.due_states(case) if case.handed_over_on else []
)


@PAGES.action(bp, "/<int:case_id>/release", "release", "release")
def release(case, form):
    services.release(current_user, case, form.payload())
    return _("已登记释放，帮教期至 %(d)s。", d=case.period_ends_on)


@PAGES.action(bp, "/<int:case_id>/verify", "verify", "verify")
def verify(case, form):
    services.verify(current_user, case, form.payload())
    message = _("已登记核查：%(r)s。", r=label("verification_result", case.verification_result))
    if case.is_ended:
        message += _(
            "帮教案件已于 %(d)s 结束（%(r)s）。",
            d=case.ended_on,
            r=label("rs_end_reason", case.end_reason),
        )
    return message


@PAGES.action(bp, "/<int:case_id>/handover", "handover", "handover")
def handover(case, form):
    services.handover(current_user, case, form.payload())
    message = _("已衔接（%(m)s）。", m=label("handover_method", case.handover_method))
    if case.next_due_on:
        message += _("首次走访应于 %(d)s 前。", d=case.next_due_on)
    return message


@PAGES.action(bp, "/<int:case_id>/key", "key", "key")
def key(case, form):
    row = services.set_key(current_user, case, form.payload())
    what = _("重点帮教对象") if row.is_key else _("一般帮教对象")
    return _("自 %(d)s 起为%(w)s。", d=row.effective_on, w=what)


@PAGES.action(bp, "/<int:case_id>/assistance", "assistance", "assistance")
def assistance(case, form):
    row = services.add_assistance(current_user, case, form.payload())
    return _("已登记帮扶：%(k)s。", k=label("assistance_kind", row.kind))


@PAGES.action(bp, "/<int:case_id>/placement", "placement", "placement")
def placement(case, form):
    services.set_placement(current_user, case, form.payload())
    return _("安置情况：%(p)s。", p=label("placement", case.placement))


@PAGES.action(bp, "/<int:case_id>/lost", "lost", "lost")
def lost(case, form):
    services.report_lost(current_user, case, form.payload())
    return _("已登记失联，请组织查找。")


@PAGES.action(bp, "/<int:case_id>/lost/<int:record_id>/searches", "lost_search", "lost")
def lost_search(case, form, record_id):
    row = services.log_lost_search(current_user, case, record_id, form.payload())
    if row.method == "bulletin":
        return _("已记录协查通报（%(d)s）。", d=row.searched_on)
    return _("已记录查找情况。")


@PAGES.action(bp, "/<int:case_id>/lost/<int:record_id>/close", "lost_close", "lost")
def lost_close(case, form, record_id):
    services.close_lost(current_user, case, record_id, form.payload())
    return _("失联已结束。")


@PAGES.action(bp, "/<int:case_id>/end", "end", "end")
def end(case, form):
    services.end_case(current_user, case, form.payload())
    return _("帮教案件已结束（%(r)s）。", r=label("rs_end_reason", case.end_reason))


@bp.route("/<int:case_id>/void/<kind>/<int:record_id>", methods=["POST"])
@writer_required
def void(case_id: int, kind: str, record_id: int):
    if kind not in services.void_record.models:
        abort(404)

    def call(case, form):
        services.void_record(current_user, case, kind, record_id, form.payload())
        return _("记录已作废（仍保留在档案中）。")

    return _act(case_id, "void", call, "timeline", f"{kind}{record_id}")
