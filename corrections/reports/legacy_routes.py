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

from corrections.errors import ValidationFailed
from corrections.replica import reads_from_replica
from corrections.reports import legacy
from corrections.reports import summary as summaries
from corrections.reports.downloads import attachment, file_names
from corrections.reports.monthly import previous_month
from corrections.reports.pdf import monthly_pdf
from corrections.reports.routes import bp
from corrections.reports.workbook import MIME as XLSX_MIME
from corrections.reports.workbook import monthly_workbook


def _args() -> tuple[str, str | None]:
    month = (request.args.get("month") or "").strip() or previous_month()
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
            422,
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


@bp.route("/legacy.pdf")
@login_required
@reads_from_replica
def legacy_pdf():
    month, station = _args()
    data = legacy.legacy_pdf(current_user, month, station)
    names = file_names("社区矫正人员情况统计表", "legacy-form", month, station, "pdf")
    return attachment(data, "application/pdf", *names)


@bp.route("/monthly.pdf")
@login_required
@reads_from_replica
def monthly_pdf_download():
    month, station = _args()
    data = monthly_pdf(current_user, month, station)
    names = file_names("工作月报", "monthly-report", month, station, "pdf")
    return attachment(data, "application/pdf", *names)


@bp.route("/monthly.xlsx")
@login_required
@reads_from_replica
def monthly_xlsx_download():
    month, station = _args()
    data = monthly_workbook(current_user, month, station)
    names = file_names("工作月报", "monthly-report", month, station, "xlsx")
    return attachment(data, XLSX_MIME, *names)
