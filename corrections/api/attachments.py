"""/api/v1/corrections/{case_id}/attachments: files on a correction case (multipart upload).

The same service as the web form (corrections.paperwork.attachments): the type is
told by the file's bytes, the size limit is MAX_ATTACHMENT_MB (422 above it; a body
past MAX_CONTENT_LENGTH is 413), HEIC is refused with a clear message, nothing is
stored on refusal. Error order: 403 (role), 404 (case in scope), 422 (file, fields).
"""

from __future__ import annotations

from flask import request

from corrections.api import answer, current_api_user, paged, require_writer
from corrections.api.openapi import listing, operation
from corrections.api.records import files as records
from corrections.auth.scope import get_in_scope
from corrections.extensions import db
from corrections.paperwork import attachments as service
from corrections.supervision.models import CorrectionCase


@operation(
    "post",
    "/corrections/<int:case_id>/attachments",
    "Attach a file (PDF, JPEG or PNG by content; HEIC refused; MAX_ATTACHMENT_MB, default 20)",
    ok=records.Attachment,
    status=201,
    form=records.AttachmentForm,
    errors=(403, 404, 413, 422),
)
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
    return answer(201, lambda: records.Attachment.of(attachment))


@listing(
    "/corrections/<int:case_id>/attachments",
    "Attachments of a correction case, newest first (voided ones included)",
    records.Attachment,
    errors=(404,),
)
def correction_attachment_list(case_id: int):
    case = get_in_scope(CorrectionCase, case_id, current_api_user())
    query = service.listing(programme="correction", case_id=case.id)
    return paged(query, records.Attachment.of)
