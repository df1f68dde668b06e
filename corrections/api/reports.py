"""GET /reports/summary, /reports/monthly.pdf and /reports/monthly.xlsx (docs/api.md: Reports)."""

from flask import request

from corrections.api import bp, current_api_user, ok
from corrections.api.openapi import EXTRA_PATHS
from corrections.replica import reads_from_replica
from corrections.reports import summary as summaries
from corrections.reports.downloads import attachment, file_names
from corrections.reports.pdf import monthly_pdf
from corrections.reports.workbook import MIME as XLSX_MIME
from corrections.reports.workbook import monthly_workbook


@bp.get("/reports/summary")
@reads_from_replica
def report_summary():
    start, end = summaries.parse_period(request.args.get("from"), request.args.get("to"))
    result = summaries.summary(current_api_user(), start, end, request.args.get("station") or None)
    return ok({key: result[key] for key in ("from", "to", "station", "frozen", "figures", "text")})


def _month_args() -> tuple[str, str | None]:
    return (request.args.get("month") or "").strip(), (
        request.args.get("station") or ""
    ).strip() or None


@bp.get("/reports/monthly.pdf")
@reads_from_replica
def report_monthly_pdf():
    """The printable monthly summary. A station out of scope is a 404 before a bad month's 422."""
    month, station = _month_args()
    data = monthly_pdf(current_api_user(), month, station)
    return attachment(
        data, "application/pdf", *file_names("工作月报", "monthly-report", month, station, "pdf")
    )


@bp.get("/reports/monthly.xlsx")
@reads_from_replica
def report_monthly_xlsx():
    month, station = _month_args()
    data = monthly_workbook(current_api_user(), month, station)
    return attachment(
        data, XLSX_MIME, *file_names("工作月报", "monthly-report", month, station, "xlsx")
    )


_ERR = {"$ref": "#/components/schemas/Error"}
EXTRA_PATHS["/reports/summary"] = {
    "get": {
        "summary": "Every figure of docs/domain.md §5 for a period, with the report paragraph",
        "parameters": [
            {
                "name": "from",
                "in": "query",
                "required": True,
                "schema": {"type": "string", "format": "date"},
            },
            {
                "name": "to",
                "in": "query",
                "required": True,
                "schema": {"type": "string", "format": "date"},
            },
            {"name": "station", "in": "query", "schema": {"type": "string"}},
        ],
        "responses": {
            "200": {
                "description": "Figures",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "from": {"type": "string", "format": "date"},
                                "to": {"type": "string", "format": "date"},
                                "station": {"type": "string", "nullable": True},
                                "frozen": {"type": "boolean"},
                                "figures": {
                                    "type": "object",
                                    "additionalProperties": {"type": "integer"},
                                },
                                "text": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "401": {
                "description": "No token or a bad one",
                "content": {"application/json": {"schema": _ERR}},
            },
            "404": {
                "description": "Station out of scope",
                "content": {"application/json": {"schema": _ERR}},
            },
            "422": {"description": "Bad dates", "content": {"application/json": {"schema": _ERR}}},
        },
    }
}


def _download(summary: str, mimetype: str, description: str) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": [
                {
                    "name": "month",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                    "description": "YYYY-MM",
                },
                {"name": "station", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {
                    "description": description,
                    "content": {mimetype: {"schema": {"type": "string", "format": "binary"}}},
                },
                "401": {
                    "description": "No token or a bad one",
                    "content": {"application/json": {"schema": _ERR}},
                },
                "404": {
                    "description": "Station out of scope",
                    "content": {"application/json": {"schema": _ERR}},
                },
                "422": {
                    "description": "Bad month",
                    "content": {"application/json": {"schema": _ERR}},
                },
            },
        }
    }


EXTRA_PATHS["/reports/monthly.pdf"] = _download(
    "The printable monthly summary: the month's figures and the year to date, with the "
    "year-to-date paragraph and the 12-month chart",
    "application/pdf",
    "PDF (A4)",
)
EXTRA_PATHS["/reports/monthly.xlsx"] = _download(
    "The monthly workbook: the figures, the legacy form and the registers (台账)",
    XLSX_MIME,
    "Workbook",
)
