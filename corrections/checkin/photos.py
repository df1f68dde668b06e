"""Photos from the phone: checked, converted to JPEG without EXIF, stored through storage.

What is kept (docs/security.md, "The person's realm"): the re-encoded picture (at most
1280 pixels on its long side) and its capture time; every other EXIF field (GPS, camera,
owner) is dropped.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from corrections import clock, storage
from corrections.errors import ValidationFailed

MAX_SIDE = 1280
_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 0x9003
_DATETIME = 0x0132
_HEIC_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis")


@dataclass
class Photo:
    key: str
    taken_at: datetime | None
    data: bytes


def max_bytes() -> int:
    return int(current_app.config.get("CHECKIN_MAX_PHOTO_MB", 10)) * 1024 * 1024


def _fail(message: str, field: str = "photo"):
    raise ValidationFailed(message, fields={field: message}, code="bad_photo")


def is_heic(head: bytes) -> bool:
    return len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS


def heic_supported() -> bool:
    try:
        import pillow_heif  # noqa: F401
    except ImportError:
        return False
    return True


def _open(data: bytes):
    from PIL import Image, UnidentifiedImageError

    if is_heic(data[:16]):
        if not heic_supported():
            _fail(
                _(
                    "这是苹果手机的 HEIC 格式照片，系统无法转换。请在手机“设置 → 相机 → 格式”中"
                    "选择“兼容性最佳”后重新拍照。"
                )
            )
        import pillow_heif

        pillow_heif.register_heif_opener()
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        _fail(_("上传的文件不是照片，请用手机相机拍照后提交。"))
    if image.width < 64 or image.height < 64:
        _fail(_("照片太小，请重新拍照。"))
    return image


def capture_time(image) -> datetime | None:
    """The EXIF capture time (camera local time, read as China time), or None."""
    try:
        exif = image.getexif()
    except Exception:  # a broken EXIF block is no reason to refuse the picture
        return None
    raw = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        local = datetime.strptime(raw.strip()[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return local.replace(tzinfo=clock.CHINA)


def read_upload(upload) -> bytes:
    """The uploaded file's bytes, refusing a missing or oversized one."""
    if upload is None or not getattr(upload, "filename", None):
        _fail(_("请拍摄一张照片。"))
    limit = max_bytes()
    data = upload.stream.read(limit + 1)
    if not data:
        _fail(_("照片是空的，请重新拍照。"))
    if len(data) > limit:
        _fail(_("照片太大（最大 %(n)d MB），请降低相机分辨率后重新拍照。", n=limit // 2**20))
    return data


def process(data: bytes) -> Photo:
    """Check and re-encode ``data``; store the JPEG; return its key and capture time."""
    from PIL import ImageOps

    image = _open(data)
    taken_at = capture_time(image)
    image = ImageOps.exif_transpose(image)
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, optimize=True)  # no exif= argument: no EXIF kept
    jpeg = out.getvalue()
    return Photo(key=save_bytes(jpeg), taken_at=taken_at, data=jpeg)


def save_bytes(data: bytes) -> str:
    import hashlib

    key = storage.key_for(hashlib.sha256(data).hexdigest())
    fd, temp = tempfile.mkstemp(prefix=".photo-", dir=storage.temp_dir())
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        storage.store().save(key, temp)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    return key


def load(key: str) -> bytes:
    with storage.store().open(key) as handle:
        return handle.read()
