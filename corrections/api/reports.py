"""GET /reports/summary, /reports/monthly.pdf and /reports/monthly.xlsx (docs/api.md: Reports)."""

from flask import request

from corrections.api import current_api_user
from corrections.api.openapi import operation
from corrections.api.records import files as records
from corrections.replica import reads_from_replica
from corrections.reports import summary as summaries
from corrections.reports.downloads import attachment, file_names
from corrections.reports.pdf import monthly_pdf
from corrections.reports.workbook import MIME as XLSX_MIME
from corrections.reports.workbook import monthly_workbook


@operation(
    "get",
    "/reports/summary",
    "Every figure of docs/domain.md §5 for a period, with the report paragraph",
    ok=records.ReportSummary,
    query=records.PeriodQuery,
    errors=(404, 422),
    texts={200: "Figures", 404: "Station out of scope", 422: "Bad dates"},
)
@reads_from_replica
def report_summary():
    start, end = summaries.parse_period(request.args.get("from"), request.args.get("to"))
    result = summaries.summary(current_api_user(), start, end, request.args.get("station") or None)
    return records.ReportSummary.dump(**result)


_DOWNLOAD_ERRORS = {404: "Station out of scope", 422: "Bad month"}


def _month_args() -> tuple[str, str | None]:
    return (request.args.get("month") or "").strip(), (
        request.args.get("station") or ""
    ).strip() or None


@operation(
    "get",
    "/reports/monthly.pdf",
    "The printable monthly summary: the month's figures and the year to date, with the "
    "year-to-date paragraph and the 12-month chart",
    query=records.MonthQuery,
    media="application/pdf",
    errors=(404, 422),
    texts={200: "PDF (A4)", **_DOWNLOAD_ERRORS},
)
@reads_from_replica
def report_monthly_pdf():
    """The printable monthly summary. A station out of scope is a 404 before a bad month's 422."""
    month, station = _month_args()
    data = monthly_pdf(current_api_user(), month, station)
    return attachment(
        data, "application/pdf", *file_names("工作月报", "monthly-report", month, station, "pdf")
    )


@operation(
    "get",
    "/reports/monthly.xlsx",
    "The monthly workbook: the figures, the legacy form and the registers (台账)",
    query=records.MonthQuery,
    media=XLSX_MIME,
    errors=(404, 422),
    texts={200: "Workbook", **_DOWNLOAD_ERRORS},
)
@reads_from_replica
def report_monthly_xlsx():
    month, station = _month_args()
    data = monthly_workbook(current_api_user(), month, station)
    return attachment(
        data, XLSX_MIME, *file_names("工作月报", "monthly-report", month, station, "xlsx")
    )
