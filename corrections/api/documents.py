"""POST /documents/{kind} {case_id, record_id?} : generate an official document as PDF.

Generating assigns a document number, so it is a write (a POST; viewers get 403). (A sanction's
decision or request carries the sanction's own number instead of taking one.) Every
generated PDF is kept: GET /generated-documents/{id} returns that same file again.
"""

from flask import request

from corrections.api import bp, current_api_user
from corrections.api.openapi import EXTRA_PATHS
from corrections.extensions import db
from corrections.paperwork import documents
from corrections.paperwork.routes import pdf_response, stored_response


def _param(name: str):
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict) and body.get(name) is not None:
        return body.get(name)
    return request.form.get(name) or request.args.get(name)


@bp.post("/documents/<kind>")
def generate_document(kind: str):
    document, pdf = documents.generate(
        current_api_user(), kind, _param("case_id"), _param("record_id")
    )
    db.session.commit()
    return pdf_response(document, pdf)


@bp.get("/generated-documents/<int:document_id>")
def download_generated_document(document_id: int):
    user = current_api_user()
    document, data = documents.open_for_download(user, document_id)
    documents.record_download(user, document)
    db.session.commit()
    return stored_response(document, data)


_ERR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
EXTRA_PATHS["/documents/{kind}"] = {
    "post": {
        "summary": "Generate an official document (assigns the next number) and return the PDF",
        "description": "Kinds: "
        + ", ".join(f"{k} ({v.title})" for k, v in documents.KINDS.items())
        + ". case_id is a correction case, a resettlement case or (assessment_opinion) an "
        "assessment; record_id names the leave or sanction for the kinds made from one. "
        "Each call is a new document with a new number, except a sanction's decision or "
        "request, which carries the sanction's own document_number. The PDF is kept: "
        "the response's Content-Disposition names document-{id}.pdf, and "
        "GET /generated-documents/{id} returns the same file again. Parameters come in a "
        "JSON body (or as form fields or query parameters).",
        "parameters": [
            {
                "name": "kind",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "enum": list(documents.KINDS)},
            },
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["case_id"],
                        "properties": {
                            "case_id": {"type": "integer"},
                            "record_id": {"type": "integer"},
                        },
                    }
                }
            },
        },
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
EXTRA_PATHS["/generated-documents/{document_id}"] = {
    "get": {
        "summary": "Download a generated document again: the same stored PDF, the same number",
        "description": "The file as it was generated; its SHA-256 is verified before it is "
        "returned (500 checksum_mismatch if the stored file was altered or is missing). "
        "Each download is recorded in the audit log (document.download).",
        "parameters": [
            {
                "name": "document_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer"},
            },
        ],
        "responses": {
            "200": {
                "description": "The stored PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            },
            "401": {"description": "No token or a bad one", "content": _ERR},
            "404": {
                "description": "No such document, out of scope, or generated before files "
                "were kept",
                "content": _ERR,
            },
            "500": {"description": "The stored file fails its checksum", "content": _ERR},
        },
    }
}
