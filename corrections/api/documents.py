"""POST /documents/{kind} {case_id, record_id?} : generate an official document as PDF.

Generating assigns a document number, so it is a write (a POST; viewers get 403). (A sanction's
decision or request carries the sanction's own number instead of taking one.) Every
generated PDF is kept: GET /generated-documents/{id} returns that same file again.
"""

from flask import request

from corrections.api import current_api_user
from corrections.api.openapi import operation
from corrections.extensions import db
from corrections.paperwork import documents
from corrections.paperwork.routes import pdf_response, stored_response
from corrections.paperwork.schemas import DocumentBody
from corrections.schema import enum
from corrections.validation import Fields


def _param(name: str):
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict) and body.get(name) is not None:
        return body.get(name)
    return request.form.get(name) or request.args.get(name)


@operation(
    "post",
    "/documents/<kind>",
    "Generate an official document (assigns the next number) and return the PDF",
    description="Kinds: "
    + ", ".join(f"{k} ({v.title})" for k, v in documents.KINDS.items())
    + ". case_id is a correction case, a resettlement case or (assessment_opinion) an "
    "assessment; record_id names the leave or sanction for the kinds made from one. "
    "Each call is a new document with a new number, except a sanction's decision or "
    "request, which carries the sanction's own document_number. The PDF is kept: "
    "the response's Content-Disposition names document-{id}.pdf, and "
    "GET /generated-documents/{id} returns the same file again. Parameters come in a "
    "JSON body (or as form fields or query parameters).",
    body=DocumentBody,
    media="application/pdf",
    path_types={"kind": enum(documents.KINDS)},
    errors=(403, 404, 422),
    texts={
        200: "The PDF",
        403: "Read-only user (generating assigns a number)",
        404: "Unknown kind, or record out of scope",
        422: "The records are not in the state the document needs",
    },
)
def generate_document(kind: str):
    names = Fields({key: _param(key) for key in DocumentBody.model_fields}).read(DocumentBody)
    document, pdf = documents.generate(current_api_user(), kind, names.case_id, names.record_id)
    db.session.commit()
    return pdf_response(document, pdf)


@operation(
    "get",
    "/generated-documents/<int:document_id>",
    "Download a generated document again: the same stored PDF, the same number",
    description="The file as it was generated; its SHA-256 is verified before it is "
    "returned (500 checksum_mismatch if the stored file was altered or is missing). "
    "Each download is recorded in the audit log (document.download).",
    media="application/pdf",
    errors=(404, 500),
    texts={
        200: "The stored PDF",
        404: "No such document, out of scope, or generated before files were kept",
        500: "The stored file fails its checksum",
    },
)
def download_generated_document(document_id: int):
    user = current_api_user()
    document, data = documents.open_for_download(user, document_id)
    documents.record_download(user, document)
    db.session.commit()
    return stored_response(document, data)
