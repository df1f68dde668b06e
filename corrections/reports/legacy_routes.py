"""Report downloads and the legacy form page, on the reports blueprint:

- ``/reports/legacy``: the legacy monthly form 社区矫正人员情况统计表 as a page;
- ``/reports/legacy.pdf``: the same form as a PDF (A4 landscape);
- ``/reports/monthly.pdf``: the monthly printable summary;
- ``/reports/monthly.xlsx``: the monthly workbook (figures, the legacy form, the registers).

Each takes ``month=YYYY-MM`` (default: last month) and an optional ``station`` code. A station
out of scope is a 404, a bad month a 422 (error page), as in the API.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from corrections import clock, periods
from corrections.errors import ValidationFailed
from corrections.replica import reads_from_replica
from corrections.reports import legacy
from corrections.reports import summary as summaries
from corrections.reports.downloads import attachment, file_names
from corrections.reports.pdf import monthly_pdf
from corrections.reports.routes import bp
from corrections.reports.workbook import MIME as XLSX_MIME
from corrections.reports.workbook import monthly_workbook

PDF_MIME = "application/pdf"


def _args() -> tuple[str, str | None]:
    last_month = periods.month_text(periods.previous_month(clock.today()))
    month = (request.args.get("month") or "").strip() or last_month
    station = (request.args.get("station") or "").strip() or None
    return month, station


@bp.route("/legacy")
@login_required
@reads_from_replica
def legacy_page():
    month, station = _args()
    all_stations = summaries.stations_in_scope(current_user)
    try:
        form = legacy.legacy_form(current_user, month, station)
    except ValidationFailed as error:
        return (
            render_template(
                "reports/legacy.html",
                error=error,
                form=None,
                month=month,
                station_code=station,
                all_stations=all_stations,
            ),
            error.status,
        )
    groups = legacy.groups_by_name()
    blocks = [(title, [(g, groups[g]) for g in names]) for title, names in legacy.BLOCKS]
    return render_template(
        "reports/legacy.html",
        error=None,
        form=form,
        rows=form.rows(),
        blocks=blocks,
        month=month,
        station_code=station,
        all_stations=all_stations,
    )


def _download(build, name_zh: str, name_en: str, extension: str, mime: str):
    """``build(user, month, station)``'s file for the request's month and station."""
    month, station = _args()
    data = build(current_user, month, station)
    return attachment(data, mime, *file_names(name_zh, name_en, month, station, extension))


@bp.route("/legacy.pdf")
@login_required
@reads_from_replica
def legacy_pdf():
    return _download(legacy.legacy_pdf, "社区矫正人员情况统计表", "legacy-form", "pdf", PDF_MIME)


@bp.route("/monthly.pdf")
@login_required
@reads_from_replica
def monthly_pdf_download():
    return _download(monthly_pdf, "工作月报", "monthly-report", "pdf", PDF_MIME)


@bp.route("/monthly.xlsx")
@login_required
@reads_from_replica
def monthly_xlsx_download():
    return _download(monthly_workbook, "工作月报", "monthly-report", "xlsx", XLSX_MIME)
