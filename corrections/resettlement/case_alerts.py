"""The alerts on top of a 安置帮教 case page, in the order of the work (docs/domain.md §4)."""

from __future__ import annotations

from flask_babel import gettext as _

from corrections import clock
from corrections.case_pages import due_alerts
from corrections.labels import label
from corrections.resettlement import services
from corrections.rules.tables import deadline


def case_alerts(case, due, open_lost) -> list[tuple[str, str]]:
    """(Bootstrap colour, text) for what needs doing on ``case``."""
    today = clock.today()
    return (
        _release_alerts(case, today)
        + _handover_alerts(case, today)
        + _verification_alerts(case)
        + due_alerts(due)
        + _period_alerts(case, today)
        + _lost_alerts(open_lost, today)
    )


def _release_alerts(case, today) -> list[tuple[str, str]]:
    if case.status != "expected" or not case.expected_release_on:
        return []
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
    return [("info" if days >= 0 else "warning", text)]


def _handover_alerts(case, today) -> list[tuple[str, str]]:
    alerts = []
    if services.handover_overdue(case):
        text = _(
            "已于 %(d)s 释放，%(n)d天未衔接（应在释放后%(k)d天内衔接）。",
            d=case.released_on,
            n=(today - case.released_on).days,
            k=deadline("handover_alert_days", case.released_on),
        )
        alerts.append(("danger", text))
    if not case.is_ended and services.key_without_escort(case):
        text = _(
            "必接必送未落实：重点帮教对象的衔接方式为“%(m)s”。",
            m=label("handover_method", case.handover_method),
        )
        alerts.append(("danger", text))
    return alerts


def _verification_alerts(case) -> list[tuple[str, str]]:
    if case.is_ended:
        return []
    if case.verification_result in ("false_identity", "false_address"):
        text = _(
            "核查结果：%(r)s（三假人员），请会同公安机关核实。",
            r=label("verification_result", case.verification_result),
        )
        return [("warning", text)]
    if case.verification_result == "not_local":
        return [("warning", _("核查结果：非本地人员，请办理移交。"))]
    return []


def _period_alerts(case, today) -> list[tuple[str, str]]:
    if not services.period_ending_soon(case):
        return []
    if case.period_ends_on < today:
        return [("warning", _("帮教期已于 %(d)s 届满，尚未办理结束。", d=case.period_ends_on))]
    text = _(
        "帮教期将于 %(d)s 届满（还有%(n)d天）。",
        d=case.period_ends_on,
        n=(case.period_ends_on - today).days,
    )
    return [("warning", text)]


def _lost_alerts(open_lost, today) -> list[tuple[str, str]]:
    alerts = []
    for lost in open_lost:
        text = _("失联中：自 %(d)s 起已%(n)d天。", d=lost.lost_on, n=(today - lost.lost_on).days)
        if lost.bulletin_issued_on is None:
            text += " " + _("尚未发布协查通报。")
        alerts.append(("danger", text))
    return alerts
