"""Web: generate an official document (PDF download) and list a case's documents."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from corrections.extensions import db
from corrections.paperwork import documents

bp = Blueprint("documents", __name__, url_prefix="/documents")


@bp.app_context_processor
def _document_links():
    return {"document_links": documents.links_for}


def pdf_response(document, pdf: bytes) -> Response:
    kind = documents.KINDS[document.kind]
    filename = f"{kind.title}-{document.number}.pdf"
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"document-{document.id}.pdf\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<kind>")
@login_required
def generate(kind: str):
    document, pdf = documents.generate(
        current_user, kind, request.args.get("case_id"), request.args.get("record_id")
    )
    db.session.commit()
    return pdf_response(document, pdf)


@bp.get("/")
@login_required
def index():
    programme = request.args.get("programme") or "correction"
    case_id = request.args.get("case_id")
    items = documents.documents_of(current_user, programme, case_id)
    return render_template(
        "paperwork/documents.html",
        items=items,
        kinds=documents.KINDS,
        programme=programme,
        case_id=case_id,
        available=documents.kinds_for(programme),
    )
