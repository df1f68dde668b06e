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
from corrections.audit.services import record
from corrections.auth.models import User
from corrections.auth.scope import get_in_scope, scope
from corrections.core.records import add_recorded, recorded_change
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


@dataclass
class Spooled:
    """An upload checked and written to a temporary file, not yet stored."""

    path: str
    sha256: str
    size: int
    content_type: str
    filename: str
    display: tuple[str, str, int] | None = None  # (temporary path, sha256, size)

    def discard(self) -> None:
        _remove_quietly(self.path)
        if self.display is not None:
            _remove_quietly(self.display[0])


DISPLAY_EDGE = 1600  # px: the longer side of a photo's display copy
DISPLAY_QUALITY = 85


def _display_copy(path: str, root: str, label: str, strict: bool) -> tuple[str, str, int] | None:
    """A JPEG's display copy: turned upright by its EXIF orientation and scaled down to
    DISPLAY_EDGE pixels on the longer side (phones send 4000 px, 5 MB photos). None when
    the original is already upright and small enough. A file that does not decode as an
    image is refused when ``strict`` (a visit photo; ``label`` names it in the message),
    else kept without a display copy (a scan is downloaded, not shown)."""
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as image:
            orientation = image.getexif().get(0x0112, 1)
            if max(image.size) <= DISPLAY_EDGE and orientation in (None, 1):
                image.verify()
                return None
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((DISPLAY_EDGE, DISPLAY_EDGE))
            if upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            fd, out_path = tempfile.mkstemp(prefix=".display-", dir=root)
            try:
                with os.fdopen(fd, "wb") as out:
                    upright.save(out, "JPEG", quality=DISPLAY_QUALITY, optimize=True)
                with open(out_path, "rb") as handle:
                    sha256 = storage.sha256_of(handle)
            except BaseException:
                _remove_quietly(out_path)
                raise
            return out_path, sha256, os.path.getsize(out_path)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        log.info("photo %s does not decode: %s", label, e)
        if not strict:
            return None
        raise ValidationFailed(
            _("%(f)s无法读取：照片已损坏或不完整，请重新拍摄或选择。", f=label),
            fields={"photos": _("%(f)s无法读取", f=label)},
            code="bad_photo",
        ) from None


def spool(file: Any, label: str | None = None, photo: bool = False) -> Spooled:
    """Check one upload and write it to a temporary file (with the display copy of a JPEG).
    ``photo``: only JPEG or PNG, refused with the ``photos`` field named."""
    if file is None or not getattr(file, "filename", None) and not getattr(file, "stream", None):
        raise ValidationFailed(_("请选择要上传的文件。"), fields={"file": _("必填")})
    stream = getattr(file, "stream", file)
    root = storage.temp_dir()
    try:
        path, sha256, size, content_type = _write_temp(stream, root)
    except ValidationFailed as e:
        if not photo:
            raise
        detail = next(iter(e.fields.values()), e.message)
        raise ValidationFailed(
            _("%(f)s：%(m)s", f=label, m=e.message),
            fields={"photos": _("%(f)s：%(m)s", f=label, m=detail)},
            code=e.code,
        ) from None
    spooled = Spooled(path, sha256, size, content_type, getattr(file, "filename", None) or "")
    try:
        if photo and content_type not in ("image/jpeg", "image/png"):
            raise ValidationFailed(
                _("%(f)s不是照片：走访照片只能是JPEG或PNG。", f=label),
                fields={"photos": _("%(f)s不是照片", f=label)},
                code="unsupported_type",
            )
        if content_type == "image/jpeg":
            spooled.display = _display_copy(path, root, label or spooled.filename, photo)
    except BaseException:
        spooled.discard()
        raise
    return spooled


def spool_photos(files: list[Any]) -> list[Spooled]:
    """Check every photo of a contact before anything is written: all or none (a bad one
    is refused with its number and name, and the others' temporary files are removed)."""
    done: list[Spooled] = []
    try:
        for number, file in enumerate(f for f in files if getattr(f, "filename", None)):
            name = _clean_filename(file.filename, "image/jpeg")
            done.append(spool(file, _("第%(n)d张照片（%(name)s）", n=number + 1, name=name), True))
    except BaseException:
        for item in done:
            item.discard()
        raise
    return done


def _save(path: str, sha256: str) -> str:
    key = storage.key_for(sha256)
    storage.store().save(key, path)
    return key


def store_spooled(
    actor: User, where: Target, kind: str, spooled: Spooled, note: str = "", contact=None
) -> Attachment:
    """Store a checked upload (and its display copy) and add its row; removes the
    temporary files. Flushes; the caller commits."""
    try:
        key = _save(spooled.path, spooled.sha256)
        display_key = display_sha256 = None
        if spooled.display is not None:
            display_key = _save(spooled.display[0], spooled.display[1])
            display_sha256 = spooled.display[1]
    finally:
        spooled.discard()
    attachment = Attachment(
        person_id=where.person.id,
        programme=where.programme,
        case_id=where.case.id if where.case is not None else None,
        contact_id=contact.id if contact is not None else None,
        kind=kind,
        filename=_clean_filename(spooled.filename, spooled.content_type),
        content_type=spooled.content_type,
        size=spooled.size,
        sha256=spooled.sha256,
        storage_key=key,
        display_key=display_key,
        display_sha256=display_sha256,
        note=note,
        uploaded_by_id=actor.id,
        uploaded_at=clock.now_utc(),
    )
    return add_recorded(actor, attachment, "attachment.upload", "attachment")


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
    return store_spooled(actor, where, kind, spool(file), note, _contact)


def attach_photos(actor: User, contact: Any, photos: list[Spooled]) -> list[Attachment]:
    """Visit photos checked by ``spool_photos``, attached to ``contact`` (a correction or a
    resettlement contact) in the caller's transaction."""
    if not photos:
        return []
    case = db.session.get(
        CASE_MODELS["correction" if isinstance(contact, Contact) else "resettlement"],
        contact.case_id,
    )
    where = target_for(case)
    return [store_spooled(actor, where, "visit_photo", photo, "", contact) for photo in photos]


def open_display(attachment: Attachment) -> IO[bytes]:
    """The display copy's bytes (the original when the photo needed none), after the
    checksum check."""
    if not attachment.display_key:
        if not verify(attachment):
            raise ChecksumMismatch(_("附件文件缺失或已损坏（校验和不符），请联系管理员。"))
        return open_stored(attachment)
    try:
        with storage.store().open(attachment.display_key) as handle:
            ok = storage.sha256_of(handle) == attachment.display_sha256
    except storage.FileMissing:
        ok = False
    if not ok:
        log.error("attachment %s: display copy missing or checksum mismatch", attachment.id)
        raise ChecksumMismatch(_("附件文件缺失或已损坏（校验和不符），请联系管理员。"))
    return storage.store().open(attachment.display_key)


def contact_photos(programme: str, case_id: int) -> dict[int, list[Attachment]]:
    """A case's visit photos (not voided) by contact, oldest first."""
    rows = (
        db.session.execute(
            select(Attachment)
            .where(
                Attachment.programme == programme,
                Attachment.case_id == case_id,
                Attachment.contact_id.is_not(None),
                Attachment.voided_at.is_(None),
            )
            .order_by(Attachment.id)
        )
        .scalars()
        .all()
    )
    out: dict[int, list[Attachment]] = {}
    for row in rows:
        out.setdefault(row.contact_id, []).append(row)
    return out


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
    with recorded_change(actor, "attachment.void", "attachment", attachment):
        attachment.voided_at = clock.now_utc()
        attachment.void_reason = reason
        attachment.voided_by_id = actor.id
    return attachment
