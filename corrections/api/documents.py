"""GET /documents/{kind}?case_id=&record_id= : generate an official document as PDF.

Generating assigns a document number, so it is a write: viewers get 403.
"""

from flask import request

from corrections.api import bp, current_api_user
from corrections.api.openapi import EXTRA_PATHS
from corrections.extensions import db
from corrections.paperwork import documents
from corrections.paperwork.routes import pdf_response


@bp.get("/documents/<kind>")
def generate_document(kind: str):
    document, pdf = documents.generate(
        current_api_user(), kind, request.args.get("case_id"), request.args.get("record_id")
    )
    db.session.commit()
    return pdf_response(document, pdf)


_ERR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
EXTRA_PATHS["/documents/{kind}"] = {
    "get": {
        "summary": "Generate an official document (assigns the next number) and return the PDF",
        "description": "Kinds: "
        + ", ".join(f"{k} ({v.title})" for k, v in documents.KINDS.items())
        + ". case_id is a correction case, a resettlement case or (assessment_opinion) an "
        "assessment; record_id names the leave or sanction for the kinds made from one.",
        "parameters": [
            {
                "name": "kind",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "enum": list(documents.KINDS)},
            },
            {"name": "case_id", "in": "query", "required": True, "schema": {"type": "integer"}},
            {"name": "record_id", "in": "query", "schema": {"type": "integer"}},
        ],
        "responses": {
            "200": {
                "description": "The PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            },
            "401": {"description": "No token or a bad one", "content": _ERR},
            "403": {"description": "Read-only user (generating assigns a number)", "content": _ERR},
            "404": {"description": "Unknown kind, or record out of scope", "content": _ERR},
            "422": {
                "description": "The records are not in the state the document needs",
                "content": _ERR,
            },
        },
    }
}
