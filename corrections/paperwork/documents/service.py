"""Generating, storing, listing and downloading the documents (see the package's docstring)."""

from __future__ import annotations

import io
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock, numbering
from corrections.assessments.models import Assessment
from corrections.audit.services import record
from corrections.auth.models import User
from corrections.auth.scope import get_in_scope
from corrections.errors import Forbidden, NotFound, RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.paperwork import attachments as storage
from corrections.paperwork.documents import forms
from corrections.paperwork.models import GeneratedDocument
from corrections.reports.printing import build_pdf as _build_pdf
from corrections.reports.printing import china_now, serif_font
from corrections.resettlement.models import ResettlementCase
from corrections.supervision.models import CorrectionCase, Leave, Sanction

# --- the service ---------------------------------------------------------------------

_PROGRAMME_MODELS = {
    "correction": CorrectionCase,
    "resettlement": ResettlementCase,
    "assessment": Assessment,
}


def kind_for(code: str) -> forms.DocKind:
    kind = forms.KINDS.get(code)
    if kind is None:
        raise NotFound(_("没有这种文书。"))
    return kind


def _id(value: Any, name: str) -> int:
    from corrections.inputs import parse_id

    if value is None or value == "":
        raise ValidationFailed(_("请提供有效的编号。"), fields={name: _("必填")})
    number = parse_id(value)
    if number is None:
        raise ValidationFailed(_("请提供有效的编号。"), fields={name: _("无效")})
    return number


def generate(
    actor: User, kind_code: str, case_id: Any, record_id: Any = None
) -> tuple[GeneratedDocument, bytes]:
    """Number, render and forms.log one document; the caller commits."""
    kind = kind_for(kind_code)
    if not actor.can_write:
        raise Forbidden(_("只读账号不能制作文书（制作文书会占用文书编号）。"))
    case = get_in_scope(_PROGRAMME_MODELS[kind.programme], _id(case_id, "case_id"), actor)
    rec = None
    if kind.record is not None:
        rec = db.session.get(kind.record, _id(record_id, "record_id"))
        if rec is None or rec.case_id != case.id:
            raise NotFound(_("记录不存在。"))
    kind.check(case, rec)
    today = clock.today()
    unit = case.station.unit
    document = GeneratedDocument(
        unit_id=unit.id,
        kind=kind.code,
        year=today.year,
        number="",
        programme=kind.programme,
        case_id=case.id,
        record_id=rec.id if rec is not None else None,
        generated_by_id=actor.id,
        generated_at=clock.now_utc(),
    )
    if isinstance(rec, Sanction):
        document.number = _sanction_number(actor, case, rec)
        document.year = (rec.decided_on or today).year
        document.serial = None
        db.session.add(document)
    else:
        db.session.add(document)
        db.session.flush()
        issued = numbering.issue(
            unit,
            numbering.Series(kind.code, kind.abbrev),
            today.year,
            subject="generated_document",
            subject_id=document.id,
            actor=actor,
        )
        document.serial, document.number = issued.serial, issued.number
    db.session.flush()
    pdf = render(forms.Doc(kind, document.number, unit.name, case, rec, today))
    document.storage_key, document.sha256, document.size, _type = storage.put(io.BytesIO(pdf))
    db.session.flush()
    record(
        actor,
        "document.generate",
        "generated_document",
        document.id,
        None,
        {
            "kind": kind.code,
            "number": document.number,
            "programme": kind.programme,
            "case_id": case.id,
            "record_id": document.record_id,
            "sha256": document.sha256,
            "size": document.size,
        },
    )
    return document, pdf


def _sanction_number(actor: User, case: CorrectionCase, sanction: Sanction) -> str:
    """The sanction's own number; one decided before numbers were kept gets its number now
    (in the sanction's series, so the sanction and its document still share one)."""
    from corrections.supervision.services import number_sanction

    return number_sanction(actor, case, sanction)


def get_for(user: User, document_id: Any) -> GeneratedDocument:
    """The generated document if its case is in the user's scope (404 otherwise)."""
    from corrections.inputs import parse_id

    number = parse_id(document_id)  # an id that cannot exist (0, -1) is as missing as any
    document = db.session.get(GeneratedDocument, number) if number is not None else None
    if document is None or document.programme not in _PROGRAMME_MODELS:
        raise NotFound(_("记录不存在，或不在您的管辖范围内。"))
    get_in_scope(_PROGRAMME_MODELS[document.programme], document.case_id, user)
    return document


def _require_unmasked(user: User, document: GeneratedDocument) -> None:
    """A document as issued carries the full name and ID number: it is not given to a
    user who sees them masked (a minor's case for a viewer, docs/domain.md §7.2)."""
    from corrections.people import privacy

    case = db.session.get(_PROGRAMME_MODELS[document.programme], document.case_id)
    if case is not None and privacy.protected(user, getattr(case, "person_id", None)):
        raise Forbidden(
            _("未成年人案件的文书载有姓名和身份证号码，只读账号不能下载；请联系县局主管。")
        )


def open_for_download(user: User, document_id: Any) -> tuple[GeneratedDocument, IO[bytes]]:
    """(document, its bytes) of the PDF as generated, after the scope and checksum checks."""
    document = get_for(user, document_id)
    _require_unmasked(user, document)
    if document.kind == "leave_approval" and document.record_id is not None:
        leave = db.session.get(Leave, document.record_id)
        if leave is not None and leave.status == "refused":  # made while pending, since refused
            forms.KINDS["leave_approval"].check(None, leave)
    if not document.storage_key:
        raise NotFound(_("该文书制作时未保存文件，请重新生成。"), code="document_not_stored")
    if not storage.verify(document):
        forms.log.error("generated document %s: file missing or checksum mismatch", document.id)
        raise storage.ChecksumMismatch(_("文书文件缺失或已损坏（校验和不符），请联系管理员。"))
    return document, storage.open_stored(document)


def record_download(user: User, document: GeneratedDocument) -> None:
    """Who read which document (the 检察院 may ask): one audit event per download."""
    record(
        user,
        "document.download",
        "generated_document",
        document.id,
        None,
        {
            "kind": document.kind,
            "number": document.number,
            "programme": document.programme,
            "case_id": document.case_id,
            "sha256": document.sha256,
        },
    )


def render(doc: forms.Doc) -> bytes:
    """The paper as it is stamped and filed: the serif font, no running header or footer
    (the generation time is in the PDF's metadata)."""
    font = serif_font()
    look = forms.Look(font.name)
    story = doc.kind.render(doc, look)
    person_name = getattr(doc.case, "name", None) or doc.case.person.name
    return _build_pdf(
        story,
        font=font.name,
        title=f"{doc.kind.title} {doc.number}",
        header=f"{doc.kind.title}　{doc.number}　{person_name}",
        generated=china_now(),
        subject=doc.kind.title,
        stamped=True,
        margins=forms.MARGINS,
    )


def case_in_scope(actor: User, programme: str, case_id: Any):
    """The correction case, resettlement case or assessment, if in the user's scope."""
    model = _PROGRAMME_MODELS.get(programme)
    if model is None:
        raise NotFound(_("记录不存在。"))
    return get_in_scope(model, _id(case_id, "case_id"), actor)


def documents_of(actor: User, programme: str, case_id: Any) -> list[GeneratedDocument]:
    """The documents generated for a case in the user's scope, newest first."""
    case = case_in_scope(actor, programme, case_id)
    return list(
        db.session.execute(
            select(GeneratedDocument)
            .where(GeneratedDocument.programme == programme, GeneratedDocument.case_id == case.id)
            .order_by(GeneratedDocument.id.desc())
        ).scalars()
    )


def kinds_for(programme: str) -> list[forms.DocKind]:
    return [k for k in forms.KINDS.values() if k.programme == programme]


def generated_for(programme: str, case, limit: int = 50) -> list[tuple[GeneratedDocument, str]]:
    """(document, generator's username) of a case already in scope, newest first."""
    rows = list(
        db.session.execute(
            select(GeneratedDocument)
            .where(GeneratedDocument.programme == programme, GeneratedDocument.case_id == case.id)
            .order_by(GeneratedDocument.id.desc())
            .limit(limit)
        ).scalars()
    )
    ids = {r.generated_by_id for r in rows}
    names = (
        dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    return [(r, names.get(r.generated_by_id, "")) for r in rows]


def links_for(programme: str, case) -> list[tuple[str, str, int | None, str, bool]]:
    """(kind, title, record_id, note, made) of every document the case's records allow now;
    ``made`` tells whether one was generated already (the link then reads 重新生成)."""
    made = set(
        db.session.execute(
            select(GeneratedDocument.kind, GeneratedDocument.record_id).where(
                GeneratedDocument.programme == programme, GeneratedDocument.case_id == case.id
            )
        ).all()
    )
    out = []
    for kind in kinds_for(programme):
        records = [None]
        if kind.record is not None:
            records = list(
                db.session.execute(
                    select(kind.record)
                    .where(kind.record.case_id == case.id)
                    .order_by(kind.record.id)
                ).scalars()
            )
        for rec in records:
            try:
                kind.check(case, rec)
            except RuleViolation:
                continue
            note = ""
            if isinstance(rec, Leave):
                note = f"{forms.cn_date(rec.starts_on)}—{rec.destination}"
            elif isinstance(rec, Sanction):
                note = forms.cn_date(rec.decided_on)
            record_id = rec.id if rec is not None else None
            out.append((kind.code, kind.title, record_id, note, (kind.code, record_id) in made))
    return out
