"""/api/v1/corrections/{case_id}/attachments: files on a correction case (multipart upload).

The same service as the web form (corrections.paperwork.attachments): the type is
told by the file's bytes, the size limit is MAX_ATTACHMENT_MB (422 above it; a body
past MAX_CONTENT_LENGTH is 413), HEIC is refused with a clear message, nothing is
stored on refusal. Error order: 403 (role), 404 (case in scope), 422 (file, fields).
"""

from __future__ import annotations

from flask import request, url_for

from corrections.api import (
    bp,
    created,
    current_api_user,
    ok,
    page_from_args,
    page_json,
    require_writer,
)
from corrections.api import openapi as doc
from corrections.auth.scope import get_in_scope
from corrections.extensions import db
from corrections.paperwork import attachments as service
from corrections.paperwork.models import ATTACHMENT_KINDS, Attachment
from corrections.supervision.models import CorrectionCase
from corrections.web import paginate


def _utc(moment) -> str | None:
    return doc.timestamp(moment)


def attachment_json(a: Attachment) -> dict:
    return {
        "id": a.id,
        "person_id": a.person_id,
        "programme": a.programme,
        "case_id": a.case_id,
        "contact_id": a.contact_id,
        "kind": a.kind,
        "filename": a.filename,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "note": a.note,
        "uploaded_by_id": a.uploaded_by_id,
        "uploaded_at": _utc(a.uploaded_at),
        "voided_at": _utc(a.voided_at),
        "void_reason": a.void_reason,
        "download_url": url_for("attachments.download", attachment_id=a.id),
    }


@bp.post("/corrections/<int:case_id>/attachments")
def correction_attachment_upload(case_id: int):
    require_writer()
    case = get_in_scope(CorrectionCase, case_id, current_api_user())
    attachment = service.store(
        current_api_user(),
        case,
        request.form.get("kind"),
        request.files.get("file"),
        request.form.get("note"),
        request.form.get("contact_id") or None,
    )
    db.session.flush()
    return created(attachment_json(attachment))


@bp.get("/corrections/<int:case_id>/attachments")
def correction_attachment_list(case_id: int):
    case = get_in_scope(CorrectionCase, case_id, current_api_user())
    page, per_page = page_from_args()
    query = service.listing(programme="correction", case_id=case.id)
    return ok(page_json(paginate(query, page, per_page), attachment_json))


CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}

doc.EXTRA_SCHEMAS["Attachment"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "person_id": {"type": "integer"},
        "programme": {"type": "string", "nullable": True},
        "case_id": {"type": "integer", "nullable": True},
        "contact_id": {"type": "integer", "nullable": True},
        "kind": {"type": "string", "enum": list(ATTACHMENT_KINDS)},
        "filename": {"type": "string"},
        "content_type": {
            "type": "string",
            "enum": ["application/pdf", "image/jpeg", "image/png"],
        },
        "size": {"type": "integer"},
        "sha256": {"type": "string"},
        "note": {"type": "string"},
        "uploaded_by_id": {"type": "integer"},
        "uploaded_at": {"type": "string", "format": "date-time"},
        "voided_at": {"type": "string", "format": "date-time", "nullable": True},
        "void_reason": {"type": "string", "nullable": True},
        "download_url": {
            "type": "string",
            "description": "The web download (session login; scope-checked, checksum verified)",
        },
    },
}

_upload_responses = doc._responses("201", doc._ref("Attachment"), 403, 404, 422)
_upload_responses["413"] = {
    "description": "The request body is larger than MAX_CONTENT_LENGTH",
    "content": {"application/json": {"schema": doc.ERROR}},
}

doc.EXTRA_PATHS["/corrections/{case_id}/attachments"] = {
    "get": {
        "summary": "Attachments of a correction case, newest first (voided ones included)",
        "parameters": [CASE_ID, *doc.PAGE_PARAMS],
        "responses": doc._responses("200", doc._page_of("Attachment"), 404, 422),
    },
    "post": {
        "summary": "Attach a file (PDF, JPEG or PNG by content; HEIC refused; "
        "MAX_ATTACHMENT_MB, default 20)",
        "parameters": [CASE_ID],
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file", "kind"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "kind": {"type": "string", "enum": list(ATTACHMENT_KINDS)},
                            "note": {"type": "string", "maxLength": 1000},
                            "contact_id": {
                                "type": "integer",
                                "description": "A contact of this case; required for "
                                "kind visit_photo",
                            },
                        },
                    }
                }
            },
        },
        "responses": _upload_responses,
    },
}
