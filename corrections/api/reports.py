"""GET /reports/summary (API.md: Reports)."""

from flask import request

from corrections.api import bp, current_api_user, ok
from corrections.api.openapi import EXTRA_PATHS
from corrections.reports import summary as summaries


@bp.get("/reports/summary")
def report_summary():
    start, end = summaries.parse_period(request.args.get("from"), request.args.get("to"))
    result = summaries.summary(current_api_user(), start, end, request.args.get("station") or None)
    return ok({key: result[key] for key in ("from", "to", "station", "frozen", "figures", "text")})


_ERR = {"$ref": "#/components/schemas/Error"}
EXTRA_PATHS["/reports/summary"] = {
    "get": {
        "summary": "Every figure of DOMAIN.md §5 for a period, with the report paragraph",
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
