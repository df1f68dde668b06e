"""Report pages: the summary (figures, paragraph, chart), the drill-down, closing a month."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from corrections import clock, periods
from corrections.audit.labels import action_label, names_by_username
from corrections.auth.models import Station, Unit, User
from corrections.errors import DomainError, ValidationFailed
from corrections.extensions import db
from corrections.replica import reads_from_replica
from corrections.reports import records
from corrections.reports import summary as summaries
from corrections.reports.chart import monthly_chart
from corrections.reports.figures import BY_KEY, KEYS
from corrections.web import flash_error, page_args, role_required

bp = Blueprint("reports", __name__, url_prefix="/reports")

_ASSESSMENTS = ("cc.assessments_received", "cc.assessments_completed")
_ACTIVITIES = tuple(k for k in KEYS if k.endswith(("_sessions", "_attendances")))
GROUPS = [
    (
        "cc",
        _l("社区矫正"),
        [k for k in KEYS if k.startswith("cc.") and k not in _ASSESSMENTS and k not in _ACTIVITIES],
    ),
    ("assessments", _l("调查评估"), list(_ASSESSMENTS)),
    ("activities", _l("教育活动"), list(_ACTIVITIES)),
    ("rs", _l("安置帮教"), [k for k in KEYS if k.startswith("rs.")]),
]
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


@dataclass
class Period:
    mode: str  # month / quarter / ytd / custom
    start: date
    end: date
    month: str  # YYYY-MM shown in the month picker
    quarter: str  # YYYY-Qn shown in the quarter picker
    label: str

    @property
    def single_month(self) -> str | None:
        first = periods.whole_month(self.start, self.end)
        return periods.month_text(first) if first else None


def _last_quarter(today: date) -> str:
    q = (today.month - 1) // 3 + 1
    return f"{today.year - 1}-Q4" if q == 1 else f"{today.year}-Q{q - 1}"


def quarter_choices(today: date) -> list[tuple[str, str]]:
    out = []
    for year in (today.year, today.year - 1):
        for q in (4, 3, 2, 1):
            if periods.quarter_bounds(year, q)[0] <= today:
                out.append((f"{year}-Q{q}", _("%(y)d年第%(q)d季度", y=year, q=q)))
    return out


def _cn(day: date) -> str:
    return _("%(y)d年%(m)d月%(d)d日", y=day.year, m=day.month, d=day.day)


def resolve_period(args, today: date) -> Period:
    """The period the form asks for: a month (default last month), a quarter, year to date, or
    any from/to dates. Raises ValidationFailed (in Chinese) for anything unreadable."""
    mode = args.get("period") or ("custom" if args.get("from") or args.get("to") else "month")
    default_month = periods.month_text(periods.previous_month(today))
    month_text, quarter_text = default_month, _last_quarter(today)
    if mode == "month":
        month_text = (args.get("month") or default_month).strip()
        start, end = summaries.month_range(month_text)
        label = _("%(y)d年%(m)d月", y=start.year, m=start.month)
    elif mode == "quarter":
        quarter_text = (args.get("quarter") or quarter_text).strip().upper()
        match = _QUARTER.match(quarter_text)
        if not match:
            raise ValidationFailed(
                _("季度格式应为 YYYY-Qn，例如 2026-Q3。"), fields={"quarter": _("格式不对")}
            )
        year, q = int(match.group(1)), int(match.group(2))
        quarter_text = f"{year}-Q{q}"
        start, end = periods.quarter_bounds(year, q)
        label = _("%(y)d年第%(q)d季度", y=year, q=q)
    elif mode == "ytd":
        start, end = date(today.year, 1, 1), today
        label = _("%(y)d年初至今（%(a)s至%(b)s）", y=today.year, a=_cn(start), b=_cn(end))
    elif mode == "custom":
        start, end = summaries.parse_period(args.get("from"), args.get("to"))
        if (end - start).days > 366 * 10:
            raise ValidationFailed(_("统计期间不能超过十年。"), fields={"to": _("期间太长")})
        label = _("%(a)s至%(b)s", a=_cn(start), b=_cn(end))
    else:
        raise ValidationFailed(_("未知的统计期间类型。"), fields={"period": _("无效")})
    if mode != "month":
        month_text = periods.month_text(start)
    return Period(mode, start, end, month_text, quarter_text, label)


def _station_list() -> list[Station]:
    return summaries.stations_in_scope(current_user)


def _units_of(stations: list[Station]) -> list[Unit]:
    ids = sorted({s.unit_id for s in stations})
    if not ids:
        return []
    return list(
        db.session.execute(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.id)).scalars()
    )


def _close_units(period: Period, stations: list[Station], frozen) -> list[Unit]:
    """Units the user may close this month for (empty when the month cannot be closed)."""
    month = period.single_month
    if not month or frozen or not current_user.can_decide or period.end >= clock.today():
        return []
    if current_user.is_admin:
        units = _units_of(stations)
    else:
        units = [u for u in _units_of(stations) if u.id == current_user.unit_id]
    return [u for u in units if summaries.closed_month(u.id, period.start) is None]


def _use_stored(series: list[dict], stations: list[Station], station_code: str | None) -> None:
    """Closed months in the chart show their stored figures over the same stations, as the
    tables do (docs/domain.md §7.8)."""
    for row in series:
        frozen = summaries.frozen_figures(stations, periods.parse_month(row["month"]))
        if frozen is None:
            continue
        for key in summaries.SERIES_KEYS:
            row[key] = int(frozen.totals.get(key, 0))


_DOWNLOADS = (
    ("reports.monthly_pdf_download", _l("月报 PDF")),
    ("reports.monthly_xlsx_download", _l("月报工作簿")),
    ("reports.legacy_page", _l("社区矫正人员情况统计表")),
)


def _downloads(period: Period, station_code: str | None) -> list[tuple[str, str, str]]:
    """Links to the month's printable summary, workbook and legacy form, where they exist."""
    month = period.single_month
    if not month:
        return []
    return [
        (
            endpoint.rsplit(".", 1)[1],
            url_for(endpoint, month=month, station=station_code),
            str(text),
        )
        for endpoint, text in _DOWNLOADS
        if endpoint in current_app.view_functions
    ]


def _event_line(entry: dict, names: dict[str, str]) -> dict:
    event = entry["event"]
    return {
        "who": names.get(event.username, event.username) or "—",
        "what": action_label(event.action),
        "action": event.action,
        "entity": f"{event.entity_type} #{event.entity_id}"
        if event.entity_id
        else event.entity_type,
        "when": event.occurred_at,
        "dates": entry["dates"],
    }


@bp.route("/")
@login_required
@reads_from_replica
def index():
    today = clock.today()
    station_code = (request.args.get("station") or "").strip() or None
    all_stations = _station_list()
    context = {
        "all_stations": all_stations,
        "station_code": station_code,
        "quarters": quarter_choices(today),
        "groups": GROUPS,
        "figures": BY_KEY,
    }
    try:
        period = resolve_period(request.args, today)
    except ValidationFailed as error:
        fallback = resolve_period({}, today)
        fallback.mode = request.args.get("period") or "custom"
        return (
            render_template(
                "reports/summary.html",
                error=error,
                period=fallback,
                form_from=request.args.get("from", ""),
                form_to=request.args.get("to", ""),
                **context,
            ),
            error.status,
        )
    lang = "en" if str(get_locale() or "zh") == "en" else "zh"
    result = summaries.summary(current_user, period.start, period.end, station_code, lang)
    stations = result["stations"]
    series = summaries.monthly_series(
        current_user, periods.month_start(period.end), 12, station_code
    )
    _use_stored(series, stations, station_code)
    closed = result["closed"]
    changes, diffs, closed_by = [], {}, None
    if closed is not None:
        closed_by = db.session.get(User, closed.closed_by_id)
        if current_user.can_decide:
            rows = result["closed_months"]
            scope_ids = [s.id for s in stations]
            later = summaries.later_changes(rows, limit=200, station_ids=scope_ids)
            names = names_by_username(c["event"].username for c in later)
            changes = [_event_line(c, names) for c in later]
            diffs = summaries.differences(rows, scope_ids)
    closed_elsewhere = []
    if closed is None and period.single_month and len({s.unit_id for s in stations}) > 1:
        for unit in _units_of(stations):
            row = summaries.closed_month(unit.id, period.start)
            if row is not None:
                closed_elsewhere.append(unit.name)
    return render_template(
        "reports/summary.html",
        error=None,
        period=period,
        form_from=period.start.isoformat(),
        form_to=period.end.isoformat(),
        result=result,
        stations=stations,
        chart=monthly_chart(series),
        series=series,
        closed=closed,
        closed_by=closed_by,
        changes=changes,
        diffs=diffs,
        close_units=_close_units(period, stations, closed),
        closed_elsewhere=closed_elsewhere,
        future_end=period.end > today,
        downloads=_downloads(period, station_code),
        **context,
    )


@bp.route("/close", methods=["POST"])
@role_required("decider", _l("您没有权限执行此操作。"))
def close():
    month = (request.form.get("month") or "").strip()
    station = request.form.get("station") or None
    try:
        unit_id = int(request.form.get("unit") or current_user.unit_id or 0)
    except ValueError:
        unit_id = 0
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is None:
        abort(404)
    try:
        row = summaries.close_month(current_user, unit, month)
    except DomainError as error:  # a refusal of any kind (also 403) is said on the summary page
        db.session.rollback()
        flash_error(error)
    else:
        db.session.commit()
        flash(
            _("%(unit)s %(month)s 已关账，统计数字已冻结。", unit=unit.name, month=month),
            "success",
        )
        del row
    if periods.parse_month(month) is None:
        return redirect(url_for("reports.index"))
    return redirect(url_for("reports.index", period="month", month=month, station=station))


@bp.route("/records")
@login_required
@reads_from_replica
def records_page():
    key = request.args.get("key", "")
    if key not in BY_KEY:
        abort(404)
    figure = BY_KEY[key]
    station_code = (request.args.get("station") or "").strip() or None
    stations = summaries.stations_in_scope(current_user, station_code)
    try:
        start, end = summaries.parse_period(request.args.get("from"), request.args.get("to"))
    except ValidationFailed as error:
        return (
            render_template(
                "reports/records.html",
                error=error,
                figure=figure,
                key=key,
                station=stations[0] if station_code else None,
            ),
            error.status,
        )
    number, per_page = page_args()
    rows = records.page(key, start, end, [s.id for s in stations], number, per_page)
    back = {"from": start.isoformat(), "to": end.isoformat(), "period": "custom"}
    single = Period("custom", start, end, "", "", "").single_month
    if single:
        back = {"period": "month", "month": single}
    return render_template(
        "reports/records.html",
        error=None,
        figure=figure,
        key=key,
        start=start,
        end=end,
        period_label=_("%(a)s至%(b)s", a=_cn(start), b=_cn(end)),
        station=stations[0] if station_code else None,
        rows=rows,
        grouped=records.grouped(key),
        date_label=records.date_label(key),
        back=dict(back, station=station_code),
    )


from corrections.reports import legacy_routes  # noqa: E402,F401  (downloads and the legacy form)
