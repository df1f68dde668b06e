"""社区矫正 pages for the county (supervisors and admins): the approvals queue and handing
a departing officer's caseload over."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from corrections import clock
from corrections.auth.models import User
from corrections.case_pages import FormBag
from corrections.errors import DomainError
from corrections.extensions import db
from corrections.rules.deadlines import leave_days
from corrections.supervision import queries, services
from corrections.supervision.forms import CASE_FORMS, CaseloadForm
from corrections.supervision.routes import PAGES, _officer_label, _officers, bp
from corrections.validation import Fields
from corrections.web import decider_required, refuse_and_flash


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
        form = bound[2]  # its field errors are in place already (``CasePages.act``)
        for key, message in error.fields.items():
            summary.append((message, form[key].id if key in form else None))
        if not summary:
            summary.append((error.message, None))
    return render_template(
        "supervision/approvals.html",
        **queries.approvals(current_user),
        forms=FormBag(CASE_FORMS, None, None, bound),
        leave_days=leave_days,
        error_summary=summary,
    ), (error.status if error is not None else 200)


PAGES.render_approvals = _render_approvals


@bp.route("/caseload", methods=["GET", "POST"])
@decider_required
def caseload():
    """Hand a departing officer's whole open caseload to another officer in one step."""
    form = CaseloadForm()
    officers = _officers(include_inactive=True)
    counts = queries.open_cases_per_officer(current_user)
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
            moved = services.reassign_caseload(
                current_user, form.from_officer.data, form.to_officer.data, _changed_on(form)
            )
        except DomainError as e:
            status = refuse_and_flash(e, form, {"from": "from_officer", "to": "to_officer"})
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


def _changed_on(form):
    """The handover date (optional, not after today)."""
    f = Fields({"changed_on": form.changed_on.data})
    changed_on = f.date("changed_on", required=False)
    if changed_on and changed_on > clock.today():
        f.error("changed_on", _("不能晚于今天（%(d)s）。", d=clock.today().isoformat()))
    f.raise_if_errors()
    return changed_on


def _caseload_label(user: User, open_cases: int) -> str:
    text = _("%(u)s · 在册%(n)d件", u=_officer_label(user), n=open_cases)
    return text if user.active else text + _("（已停用）")
