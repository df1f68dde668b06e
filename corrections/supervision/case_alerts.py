"""The alerts on top of a 社区矫正 case page, most severe first (docs/domain.md §3, §7)."""

from __future__ import annotations

from flask_babel import gettext as _

from corrections import clock
from corrections.case_pages import due_alerts
from corrections.labels import label
from corrections.supervision import services

SEVERITY = {"danger": 0, "warning": 1, "info": 2}


def case_alerts(case, page: dict) -> list[tuple[str, str]]:
    """(Bootstrap colour, text) for what needs doing on ``case``; ``page`` is the case
    page's data (``supervision.queries.case_page``)."""
    today = clock.today()
    term_end = page["term_end_effective"]
    alerts = _intake_alert(case) + due_alerts(page["due"]) + _term_alerts(case, term_end)
    alerts += _leave_alerts(page["leaves"], today)
    alerts += _review_alerts(page["review_due"], today)
    alerts += _incident_alerts(page["open_incidents"], today)
    if page["team_warning"] and not case.is_ended:
        alerts.append(("warning", page["team_warning"]))
    alerts += _checklist_alerts(case, term_end)
    return sorted(alerts, key=lambda a: SEVERITY.get(a[0], 3))


def _intake_alert(case) -> list[tuple[str, str]]:
    if not services.missed_intake(case):
        return []
    text = _(
        "漏管：报到期限 %(d)s 已过，对象仍未报到。请立即组织查找，并通报公安机关和检察院。",
        d=case.report_deadline,
    )
    return [("danger", text)]


def _term_alerts(case, term_end) -> list[tuple[str, str]]:
    alerts = []
    if services.past_term_end(case, term_end=term_end):
        alerts.append(("warning", _("矫正期限已于 %(d)s 届满，尚未办理解除。", d=term_end)))
    for request_ in services.pending_requests(case):
        text = _(
            "%(k)s（%(d)s）尚无结果：在结果登记前不能解除。",
            k=label("sanction_kind", request_.kind),
            d=request_.decided_on,
        )
        alerts.append(("warning", text))
    return alerts


def _days_since(text: str, day, today) -> tuple[str, str]:
    """A danger alert: ``text`` with the day (``%(d)s``) and the days since (``%(n)d``)."""
    return "danger", text % {"d": day, "n": (today - day).days}


def _leave_alerts(leaves, today) -> list[tuple[str, str]]:
    text = _("外出已于 %(d)s 到期，尚未销假（逾期%(n)d天）。")
    late = [leave for leave in leaves if services.return_overdue(leave, today)]
    return [_days_since(text, leave.ends_on, today) for leave in late]


def _review_alerts(review_due, today) -> list[tuple[str, str]]:
    if review_due is None:
        return []
    if today > review_due:
        return [("danger", _("病情复查已逾期：应于 %(d)s 前提交复查结果。", d=review_due))]
    if services.medical_review_due_soon(review_due, today):
        return [("info", _("病情复查将于 %(d)s 到期。", d=review_due))]
    return []


def _incident_alerts(open_incidents, today) -> list[tuple[str, str]]:
    text = _("脱管中：自 %(d)s 起已%(n)d天。")
    absconded = [incident for incident in open_incidents if incident.kind == "absconded"]
    return [_days_since(text, incident.occurred_on, today) for incident in absconded]


def _checklist_alerts(case, term_end) -> list[tuple[str, str]]:
    if not services.checklist_open(case):
        return []
    done = sum(1 for row in services.checklist(case).values() if row)
    text = _("矫正期限将于 %(d)s 届满：解除前清单已开启（已完成 %(n)d 项）。", d=term_end, n=done)
    return [("info", text)]
