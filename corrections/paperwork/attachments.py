"""Attachments: scans, signed documents and visit photos on a person or a case.

Files are kept by the storage interface (corrections/storage.py: a local directory,
the database or an S3 bucket) under a content-addressed key (``ab/cd/<sha256>``);
an upload is spooled to a temporary file while its SHA-256 is computed, then handed
to the store whole. The type is decided by
the file's first bytes (never by its name or the browser's content type). A
refused upload leaves neither a row nor a file. Files are never deleted: a
mistaken attachment is voided with a reason. Downloads check the record's scope
and verify the checksum.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from corrections import clock, storage
from corrections.audit.services import record, snapshot
from corrections.auth.models import User
from corrections.auth.scope import get_in_scope, scope
from corrections.errors import DomainError, Forbidden, NotFound, RuleViolation, ValidationFailed
from corrections.extensions import db
from corrections.paperwork.models import ATTACHMENT_KINDS, Attachment
from corrections.people.models import Person
from corrections.resettlement.models import ResettlementCase, ResettlementContact
from corrections.supervision.models import Contact, CorrectionCase

log = logging.getLogger("corrections")

CHUNK = 64 * 1024
CASE_MODELS = {"correction": CorrectionCase, "resettlement": ResettlementCase}
CONTACT_MODELS = {"correction": Contact, "resettlement": ResettlementContact}
ACCEPT = "application/pdf,image/jpeg,image/png"
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}


class ChecksumMismatch(DomainError):
    """The stored file is missing or no longer matches its recorded SHA-256: a clear page
    (410) for the reader, an error in the log for the operator."""

    status = 410
    code = "checksum_mismatch"


def sniff(head: bytes) -> str | None:
    """The content type told by the first bytes: PDF, JPEG, PNG, HEIC (``image/heic``) or None."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        size = int.from_bytes(head[:4], "big")
        brands = [head[8:12]]
        end = min(len(head), size if size >= 16 else 12)
        brands += [head[i : i + 4] for i in range(16, end - 3, 4)]
        if any(brand in HEIC_BRANDS for brand in brands):
            return "image/heic"
    return None


def open_stored(attachment: Attachment | Any) -> IO[bytes]:
    """The stored bytes of an attachment (or of anything stored by ``put``: a generated
    document); raises ``storage.FileMissing``."""
    return storage.store().open(attachment.storage_key)


def max_bytes() -> int:
    return int(current_app.config.get("MAX_ATTACHMENT_MB") or 20) * 1024 * 1024


# the extensions a download name may keep for each detected type (else it gets the first)
NAME_EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe"),
    "image/png": (".png",),
}


def _clean_filename(name: str | None, content_type: str) -> str:
    """The download name: the uploaded name without folders or control characters, its
    extension that of the detected type (a PNG named ``d.html`` is stored as ``d.png``, so
    no browser or desktop opens it as something else)."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    name = _with_type_extension(name, content_type)
    if not name:
        name = "attachment" + EXTENSIONS.get(content_type, "")
    if len(name) > 255:
        stem, ext = os.path.splitext(name)
        name = stem[: 255 - len(ext[:20])] + ext[:20]
    return name


def _with_type_extension(name: str, content_type: str) -> str:
    allowed = NAME_EXTENSIONS.get(content_type)
    if not allowed or not name:
        return name
    stem, ext = os.path.splitext(name)
    if not ext and stem.startswith("."):  # ".html": all extension, no name
        stem, ext = "", stem
    if ext.lower() in allowed:
        return name
    _inner, inner_ext = os.path.splitext(stem)  # 照片.png.html -> 照片.png
    if inner_ext.lower() in allowed:
        return stem
    return (stem.rstrip(". ") or "attachment") + allowed[0]


# --------------------------------------------------------------------------- targets


@dataclass
class Target:
    person: Person
    programme: str | None = None
    case: Any = None


def target_for(target: Any) -> Target:
    if isinstance(target, Person):
        return Target(target)
    for programme, model in CASE_MODELS.items():
        if isinstance(target, model):
            return Target(target.person, programme, target)
    raise TypeError(f"cannot attach a file to {target!r}")


def target_in_scope(
    user: User, *, person_id: int | None = None, programme: str | None = None, case_id=None
) -> Target:
    """The person or case the user names, if in their scope (404 otherwise)."""
    if programme or case_id:
        model = CASE_MODELS.get(programme or "")
        try:
            case_id = int(case_id)
        except (TypeError, ValueError):
            model = None
        if model is None:
            raise NotFound(_("记录不存在，或不在您的管辖范围内。"))
        return target_for(get_in_scope(model, case_id, user))
    try:
        person_id = int(person_id)
    except (TypeError, ValueError):
        raise NotFound(_("记录不存在，或不在您的管辖范围内。")) from None
    return Target(get_in_scope(Person, person_id, user))


# --------------------------------------------------------------------------- store


def _validate(target: Target, kind: str | None, note: str | None, contact_id: Any) -> tuple:
    fields: dict[str, str] = {}
    if kind not in ATTACHMENT_KINDS:
        fields["kind"] = _("请选择附件类别。")
    note = (note or "").strip()
    if len(note) > 1000:
        fields["note"] = _("说明不能超过1000字。")
    contact = None
    if contact_id not in (None, ""):
        try:
            contact_id = int(contact_id)
        except (TypeError, ValueError):
            fields["contact_id"] = _("应为整数。")
            contact_id = None
        if contact_id is not None:
            if target.case is None:
                fields["contact_id"] = _("走访照片须附在案件的某次走访上。")
            else:
                contact = db.session.get(CONTACT_MODELS[target.programme], contact_id)
                if contact is None or contact.case_id != target.case.id:
                    fields["contact_id"] = _("该联系记录不属于本案件。")
    else:
        contact_id = None
    if kind == "visit_photo" and contact_id is None and "contact_id" not in fields:
        fields["contact_id"] = _("走访照片须选择对应的走访记录。")
    if fields:
        raise ValidationFailed(_("附件信息不完整或有误。"), fields=fields)
    return note, contact


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _write_temp(stream: IO[bytes], root: str) -> tuple[str, str, int, str]:
    """Stream to a temporary file in ``root``: (path, sha256, size, content type). Refusals
    remove the temporary file before raising."""
    limit = max_bytes()
    digest = hashlib.sha256()
    size = 0
    fd, temp_path = tempfile.mkstemp(prefix=".upload-", dir=root)
    try:
        with os.fdopen(fd, "wb") as out:
            head = b""
            while len(head) < 64:  # enough for the magic bytes and the ftyp brands
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                head += chunk
            if not head:
                raise ValidationFailed(_("文件是空的。"), fields={"file": _("空文件")})
            content_type = sniff(head)
            # attachments keep the original file: HEIC is refused with how to avoid it, whether
            # or not pillow-heif is installed (self check-in converts its photos instead)
            if content_type == "image/heic":
                raise ValidationFailed(
                    _("iPhone照片为HEIC格式，请在手机设置中改为“兼容性最佳”或转为JPEG后上传。"),
                    fields={"file": _("不支持HEIC格式")},
                    code="heic_not_supported",
                )
            if content_type not in EXTENSIONS:
                raise ValidationFailed(
                    _("只能上传PDF、JPEG或PNG文件（按文件内容判断，不看扩展名）。"),
                    fields={"file": _("文件类型不支持")},
                    code="unsupported_type",
                )
            chunk = head
            while chunk:
                size += len(chunk)
                if size > limit:
                    raise ValidationFailed(
                        _(
                            "文件太大：最大%(mb)d MB。请压缩或分页扫描后再上传。",
                            mb=limit // (1024 * 1024),
                        ),
                        fields={"file": _("文件太大")},
                        code="too_large",
                    )
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(CHUNK)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        _remove_quietly(temp_path)
        raise
    return temp_path, digest.hexdigest(), size, content_type


def put(stream: IO[bytes]) -> tuple[str, str, int, str]:
    """Store the stream's bytes at their content address: (storage key, sha256, size,
    content type). The same refusals as uploads; the same content is kept once."""
    temp_path, sha256, size, content_type = _write_temp(stream, storage.temp_dir())
    key = storage.key_for(sha256)
    try:
        storage.store().save(key, temp_path)
    finally:
        _remove_quietly(temp_path)
    return key, sha256, size, content_type


def store(
    actor: User,
    target: Any,
    kind: str | None,
    file: Any,
    note: str | None = "",
    contact_id: Any = None,
) -> Attachment:
    """Attach ``file`` (a werkzeug FileStorage or anything with ``.stream``/``.filename``)
    to a person or a case. Flushes; the caller commits."""
    if not actor.can_write:
        raise Forbidden(_("只读账号不能修改数据。"))
    where = target if isinstance(target, Target) else target_for(target)
    note, _contact = _validate(where, kind, note, contact_id)
    if file is None or not getattr(file, "filename", None) and not getattr(file, "stream", None):
        raise ValidationFailed(_("请选择要上传的文件。"), fields={"file": _("必填")})
    stream = getattr(file, "stream", file)
    key, sha256, size, content_type = put(stream)
    attachment = Attachment(
        person_id=where.person.id,
        programme=where.programme,
        case_id=where.case.id if where.case is not None else None,
        contact_id=_contact.id if _contact is not None else None,
        kind=kind,
        filename=_clean_filename(getattr(file, "filename", None), content_type),
        content_type=content_type,
        size=size,
        sha256=sha256,
        storage_key=key,
        note=note,
        uploaded_by_id=actor.id,
        uploaded_at=clock.now_utc(),
    )
    db.session.add(attachment)
    db.session.flush()
    record(actor, "attachment.upload", "attachment", attachment.id, None, snapshot(attachment))
    return attachment


# --------------------------------------------------------------------------- read


def get_for(user: User, attachment_id: int) -> Attachment:
    """The attachment if its case (or, for a person's file, the person) is in scope."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(_("记录不存在，或不在您的管辖范围内。"))
    if attachment.case_id is not None and attachment.programme in CASE_MODELS:
        get_in_scope(CASE_MODELS[attachment.programme], attachment.case_id, user)
    else:
        get_in_scope(Person, attachment.person_id, user)
    return attachment


def verify(attachment: Attachment | Any) -> bool:
    """Whether the stored file still has its recorded SHA-256 (attachments, documents)."""
    try:
        with open_stored(attachment) as handle:
            return storage.sha256_of(handle) == attachment.sha256
    except storage.FileMissing:
        return False


def open_for_download(user: User, attachment_id: int) -> tuple[Attachment, IO[bytes]]:
    """(attachment, its bytes) after the scope check and the checksum check."""
    attachment = get_for(user, attachment_id)
    if not verify(attachment):
        log.error("attachment %s: file missing or checksum mismatch", attachment.id)
        raise ChecksumMismatch(_("附件文件缺失或已损坏（校验和不符），请联系管理员。"))
    return attachment, open_stored(attachment)


def record_download(user: User, attachment: Attachment) -> None:
    """Who read which file (the 检察院 may ask): one audit event per download."""
    record(
        user,
        "attachment.download",
        "attachment",
        attachment.id,
        None,
        {
            "filename": attachment.filename,
            "kind": attachment.kind,
            "person_id": attachment.person_id,
            "programme": attachment.programme,
            "case_id": attachment.case_id,
            "sha256": attachment.sha256,
        },
    )


def listing(
    *, person_id: int | None = None, programme: str | None = None, case_id: int | None = None
):
    """A query of attachments, newest first: a case's, or all of a person's."""
    query = select(Attachment).order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())
    if case_id is not None:
        return query.where(Attachment.programme == programme, Attachment.case_id == case_id)
    return query.where(Attachment.person_id == person_id)


def listing_in_scope(user: User, person_id: int):
    """All of a person's attachments the user may see, newest first: those on the person's
    file, and those of the person's cases in the user's scope (never a case the user may
    not open, although the person is in scope through another case)."""
    visible = [Attachment.case_id.is_(None)]
    for programme, model in CASE_MODELS.items():
        cases = scope(select(model.id).where(model.person_id == person_id), user, model)
        visible.append(and_(Attachment.programme == programme, Attachment.case_id.in_(cases)))
    return listing(person_id=person_id).where(or_(*visible))


# --------------------------------------------------------------------------- void


def void(actor: User, attachment: Attachment, reason: str | None) -> Attachment:
    """Mark the attachment void; the row and the file stay."""
    if not actor.can_write:
        raise Forbidden(_("只读账号不能修改数据。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写作废原因。"), fields={"reason": _("必填")})
    if len(reason) > 500:
        raise ValidationFailed(_("作废原因不能超过500字。"), fields={"reason": _("太长")})
    if attachment.voided_at is not None:
        raise RuleViolation(_("该附件已作废。"), code="already_void")
    before = snapshot(attachment)
    attachment.voided_at = clock.now_utc()
    attachment.void_reason = reason
    attachment.voided_by_id = actor.id
    db.session.flush()
    record(actor, "attachment.void", "attachment", attachment.id, before, snapshot(attachment))
    return attachment
