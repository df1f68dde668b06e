"""预警处置 figures (docs/domain.md §7.11): alerts raised, closed, and closed by their
due_by, each with one figure per kind; an alert counts at the station its case was at on the
day it was raised (or closed), by the China date."""

from __future__ import annotations

from corrections.alerts.models import ALERT_KINDS, Alert
from corrections.labels import LABELS, in_language
from corrections.reports.figures.source import Figure
from corrections.reports.figures.supervision import of_case


def _alerts(date_col, *where, kind=None):
    def conditions(s, e):
        of_kind = [Alert.kind == kind] if kind is not None else []
        return (date_col.between(s, e), *where, *of_kind)

    return of_case(Alert, date_col, conditions)


def _figures() -> list[Figure]:
    closed = Alert.status == "closed"
    # (key, title, the short word that tells the groups' kind rows apart, date, conditions)
    groups = (
        ("cc.alerts_raised", "发出预警", "发出", Alert.raised_on, ()),
        ("cc.alerts_closed", "办结预警", "办结", Alert.closed_on, (closed,)),
        (
            "cc.alerts_closed_on_time",
            "按时办结预警",
            "按时办结",
            Alert.closed_on,
            (closed, Alert.closed_on_time.is_(True)),
        ),
    )
    out = []
    for key, title, short, column, where in groups:
        out.append(Figure(key, "period", title, "次", _alerts(column, *where)))
        for kind in ALERT_KINDS:
            # the kind's Chinese label from the catalogue; the full label has its own English
            name = in_language("zh", LABELS["alert_kind"][kind])
            label = f"其中{name}（{short}）"
            out.append(
                Figure(f"{key}.{kind}", "period", label, "次", _alerts(column, *where, kind=kind))
            )
    return out


FIGURES = _figures()
