"""Web routes for attachments: upload from a phone or a PC, download in scope, void.

The list itself is the include ``paperwork/_attachments.html`` on the person and
case pages; it reads rows through the ``attachments_of`` template global.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from corrections.auth.models import User
from corrections.errors import DomainError, NotFound
from corrections.extensions import db
from corrections.paperwork import attachments as service
from corrections.paperwork.models import ATTACHMENT_KINDS
from corrections.web import private_file, refuse

bp = Blueprint("attachments", __name__, url_prefix="/attachments")

KIND_LABELS = {
    "judgment": _l("判决书/裁定书"),
    "notice": _l("通知书"),
    "signed_document": _l("签字文书"),
    "visit_photo": _l("走访照片"),
    "id_card": _l("身份证件"),
    "other": _l("其他"),
}


@bp.record_once
def _limit_request_size(state) -> None:
    """Refuse oversized bodies before they are read (413), with room for the form fields;
    the service's own check (422) applies MAX_ATTACHMENT_MB exactly."""
    config = state.app.config
    if config.get("MAX_CONTENT_LENGTH") is None:
        config["MAX_CONTENT_LENGTH"] = (
            (int(config.get("MAX_ATTACHMENT_MB") or 20) + 1) * 1024 * 1024
        )


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@bp.app_template_global()
def attachments_of(person=None, programme: str | None = None, case=None, limit: int = 50):
    """Rows for the include: the case's attachments, or every attachment of the person."""
    if case is not None:
        query = service.listing(programme=programme, case_id=case.id)
    else:
        query = service.listing_in_scope(current_user, person.id)
    rows = db.session.execute(query.limit(limit)).scalars().all()
    uploader_ids = {r.uploaded_by_id for r in rows}
    names = dict(
        db.session.execute(select(User.id, User.username).where(User.id.in_(uploader_ids))).all()
        if uploader_ids
        else []
    )
    return [(row, names.get(row.uploaded_by_id, "")) for row in rows]


@bp.app_template_global()
def attachment_contacts(programme: str, case, limit: int = 30):
    """Recent contacts of the case, for the visit-photo picker."""
    model = service.CONTACT_MODELS[programme]
    query = (
        select(model)
        .where(model.case_id == case.id, model.voided_at.is_(None))
        .order_by(model.occurred_on.desc(), model.id.desc())
        .limit(limit)
    )
    return db.session.execute(query).scalars().all()


@bp.app_template_global()
def contact_photos(programme: str, case) -> dict:
    """The case's visit photos by contact id, shown on each contact in the history."""
    return service.contact_photos(programme, case.id)


@bp.app_context_processor
def _helpers() -> dict:
    return {
        "attachment_kinds": [(k, kind_label(k)) for k in ATTACHMENT_KINDS],
        "attachment_kind_label": kind_label,
        "attachment_accept": service.ACCEPT,
    }


def _back(default: str | None = None) -> str:
    from corrections.inputs import safe_next

    return safe_next(request.form.get("next"), default or url_for("main.index"))


def _target_url(target: service.Target) -> str:
    if target.programme == "correction":
        return url_for("supervision.show", case_id=target.case.id, _anchor="attachments")
    if target.programme == "resettlement":
        return url_for("resettlement.show", case_id=target.case.id, _anchor="attachments")
    return url_for("people.show", person_id=target.person.id, _anchor="attachments")


@bp.post("/upload")
@login_required
def upload():
    form = request.form
    target = service.target_in_scope(
        current_user,
        person_id=form.get("person_id"),
        programme=form.get("programme") or None,
        case_id=form.get("case_id") or None,
    )
    back = _back(_target_url(target))
    try:
        attachment = service.store(
            current_user,
            target,
            form.get("kind"),
            request.files.get("file"),
            form.get("note"),
            form.get("contact_id") or None,
        )
    except DomainError as e:
        refuse(e)
        details = "；".join(e.fields.values()) if e.fields and e.code == "validation_failed" else ""
        flash(e.message + (f"（{details}）" if details else ""), "danger")
        return redirect(back, code=303)
    db.session.commit()
    flash(_("已上传附件：%(name)s", name=attachment.filename), "success")
    return redirect(back, code=303)


@bp.get("/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    attachment, data = service.open_for_download(current_user, attachment_id)
    service.record_download(current_user, attachment)
    db.session.commit()
    inline = request.args.get("inline") == "1"
    return private_file(
        data,
        etag=attachment.sha256,
        mimetype=attachment.content_type,
        as_attachment=not inline,
        download_name=attachment.filename,  # werkzeug adds filename*=UTF-8'' (RFC 5987)
    )


@bp.get("/<int:attachment_id>/display")
@login_required
def display(attachment_id: int):
    """A photo to look at in the page: its display copy (upright, at most 1600 px), or the
    original when it needed none. Other files are downloaded, not shown."""
    attachment = service.get_for(current_user, attachment_id)
    if not attachment.content_type.startswith("image/"):
        raise NotFound(_("记录不存在，或不在您的管辖范围内。"))
    data = service.open_display(attachment)
    service.record_download(current_user, attachment)
    db.session.commit()
    return private_file(
        data,
        etag=attachment.display_sha256 or attachment.sha256,
        mimetype="image/jpeg" if attachment.display_key else attachment.content_type,
        as_attachment=False,
    )


@bp.post("/<int:attachment_id>/void")
@login_required
def void(attachment_id: int):
    attachment = service.get_for(current_user, attachment_id)
    target = service.Target(
        db.session.get(service.Person, attachment.person_id),
        attachment.programme,
        db.session.get(service.CASE_MODELS[attachment.programme], attachment.case_id)
        if attachment.case_id
        else None,
    )
    back = _back(_target_url(target))
    try:
        service.void(current_user, attachment, request.form.get("reason"))
    except DomainError as e:
        refuse(e)
        flash(e.message, "danger")
        return redirect(back, code=303)
    db.session.commit()
    flash(_("附件已作废（文件保留）。"), "success")
    return redirect(back, code=303)
