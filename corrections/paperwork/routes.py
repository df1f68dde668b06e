"""Web: generate an official document, list a case's documents and download a stored one
again (the same file, the same number).

Generating takes an official number, so it is a POST with the CSRF token (a link or a
browser's prefetch must never consume a number); it answers with a redirect to the
stored file. A GET only downloads a document already issued, and each download is
recorded in the audit log (who read which document)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from corrections.extensions import db
from corrections.paperwork import documents
from corrections.web import private_file

bp = Blueprint("documents", __name__, url_prefix="/documents")


@bp.app_context_processor
def _document_links():
    return {
        "document_links": documents.links_for,
        "generated_documents": documents.generated_for,
        "document_kinds": documents.KINDS,
    }


def _filename(document) -> str:
    kind = documents.KINDS.get(document.kind)
    return f"{kind.title if kind else document.kind}-{document.number}.pdf"


def pdf_response(document, pdf: bytes) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="document-{document.id}.pdf"; '
        f"filename*=UTF-8''{quote(_filename(document))}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<kind>")
@login_required
def generate(kind: str):
    document, _pdf = documents.generate(
        current_user, kind, request.form.get("case_id"), request.form.get("record_id") or None
    )
    db.session.commit()
    return redirect(url_for("documents.download", document_id=document.id), code=303)


def stored_response(document, data) -> Response:
    """The stored PDF of ``document`` as a download (checked by ``open_for_download``)."""
    response = private_file(
        data,
        etag=document.sha256,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=_filename(document),
    )
    response.headers["X-Document-Number"] = quote(document.number)
    return response


@bp.get("/file/<int:document_id>")
@login_required
def download(document_id: int):
    document, data = documents.open_for_download(current_user, document_id)
    documents.record_download(current_user, document)
    db.session.commit()
    return stored_response(document, data)


@bp.get("/")
@login_required
def index():
    programme = request.args.get("programme") or "correction"
    case_id = request.args.get("case_id")
    case = documents.case_in_scope(current_user, programme, case_id)
    return render_template(
        "paperwork/documents.html",
        items=documents.generated_for(programme, case, limit=1000),
        case=case,
        links=documents.links_for(programme, case),
        kinds=documents.KINDS,
        programme=programme,
        case_id=case.id,
        available=documents.kinds_for(programme),
    )
