"""One storage interface for attachments, photos and generated documents.

Files are content-addressed: the key is ``ab/cd/<sha256>`` of the bytes, so the same
content is kept once and a key never changes meaning. Three backends
(docs/deployment.md, Files):

- ``local``: a directory (``ATTACHMENT_DIR``, default ``<instance>/attachments``); one
  machine. A file is written to a temporary name and renamed into place.
- ``database``: the ``stored_files`` table (the default when ``DATABASE_URL`` is
  PostgreSQL). Every app server sees every file, ``pg_dump`` backs them up, and a file is
  written in the same transaction as the record that refers to it.
- ``s3``: an S3-compatible bucket (MinIO or a cloud bucket) through boto3.

Nothing else touches files of these kinds. ``flask storage migrate --to BACKEND`` copies
every referenced file to another backend and verifies each checksum.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import IO

from flask import current_app
from sqlalchemy import LargeBinary, String, select
from sqlalchemy import delete as sa_delete
from sqlalchemy.orm import Mapped, mapped_column

from corrections.db import Base
from corrections.extensions import db

CHUNK = 64 * 1024
BACKENDS = ("local", "database", "s3")


class FileMissing(LookupError):
    """No file is stored under the key."""


class StoredFile(Base):
    """A file kept in the database (backend ``database``)."""

    __tablename__ = "stored_files"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)


def key_for(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


class LocalStore:
    name = "local"

    def __init__(self, root: str):
        self.root = root

    def _path(self, key: str) -> str:
        return os.path.join(self.root, *key.split("/"))

    def save(self, key: str, source_path: str) -> None:
        final = self._path(key)
        if os.path.exists(final):  # the same content is kept once
            return
        os.makedirs(os.path.dirname(final), exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".store-", dir=os.path.dirname(final))
        try:
            with os.fdopen(fd, "wb") as out, open(source_path, "rb") as src:
                shutil.copyfileobj(src, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise

    def open(self, key: str) -> IO[bytes]:
        try:
            return open(self._path(key), "rb")  # noqa: SIM115 (the caller closes it)
        except FileNotFoundError:
            raise FileMissing(key) from None

    def exists(self, key: str) -> bool:
        return os.path.isfile(self._path(key))

    def delete(self, key: str) -> None:
        """Remove the file (retention); a missing file is not an error."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._path(key))

    def keys(self) -> Iterator[str]:
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                if not name.startswith("."):
                    rel = os.path.relpath(os.path.join(folder, name), self.root)
                    yield rel.replace(os.sep, "/")

    def check(self) -> str:
        os.makedirs(self.root, exist_ok=True)
        return "ok" if os.access(self.root, os.W_OK) else "error: not writable"


class DatabaseStore:
    name = "database"

    def save(self, key: str, source_path: str) -> None:
        if self.exists(key):
            return
        with open(source_path, "rb") as src:
            data = src.read()
        db.session.add(StoredFile(key=key, size=len(data), data=data))
        db.session.flush()

    def open(self, key: str) -> IO[bytes]:
        data = db.session.execute(
            select(StoredFile.data).where(StoredFile.key == key)
        ).scalar_one_or_none()
        if data is None:
            raise FileMissing(key)
        return io.BytesIO(data)

    def delete(self, key: str) -> None:
        db.session.execute(sa_delete(StoredFile).where(StoredFile.key == key))

    def exists(self, key: str) -> bool:
        return (
            db.session.execute(select(StoredFile.key).where(StoredFile.key == key)).first()
            is not None
        )

    def keys(self) -> Iterator[str]:
        yield from db.session.execute(select(StoredFile.key).order_by(StoredFile.key)).scalars()

    def check(self) -> str:
        db.session.execute(select(StoredFile.key).limit(1)).all()
        return "ok"


class S3Store:
    name = "s3"

    def __init__(self, config):
        import boto3
        from botocore.config import Config as BotoConfig

        self.bucket = config["S3_BUCKET"]
        self.prefix = (config.get("S3_PREFIX") or "").strip("/")
        self.client = boto3.client(
            "s3",
            endpoint_url=config.get("S3_ENDPOINT_URL") or None,
            region_name=config.get("S3_REGION") or "us-east-1",
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or None,
            config=BotoConfig(
                retries={"max_attempts": 3}, s3={"addressing_style": "path"}, connect_timeout=5
            ),
        )

    def _name(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def save(self, key: str, source_path: str) -> None:
        if self.exists(key):
            return
        with open(source_path, "rb") as src:  # one PUT: the object appears whole or not at all
            self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=src)

    def open(self, key: str) -> IO[bytes]:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileMissing(key) from None
            raise
        return io.BytesIO(answer["Body"].read())

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
            return True
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def keys(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        start = f"{self.prefix}/" if self.prefix else ""
        for page in paginator.paginate(Bucket=self.bucket, Prefix=start):
            for item in page.get("Contents", []):
                yield item["Key"][len(start) :]

    def check(self) -> str:
        self.client.head_bucket(Bucket=self.bucket)
        return "ok"


def backend_name(app=None) -> str:
    app = app or current_app
    name = (app.config.get("STORAGE_BACKEND") or "").strip().lower()
    if not name:
        uri = app.config.get("SQLALCHEMY_DATABASE_URI") or ""
        name = "database" if uri.startswith("postgresql") else "local"
    if name not in BACKENDS:
        raise RuntimeError(f"STORAGE_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")
    return name


def local_root(app=None) -> str:
    app = app or current_app
    return app.config.get("ATTACHMENT_DIR") or os.path.join(app.instance_path, "attachments")


def make_store(name: str, app=None):
    app = app or current_app
    if name == "local":
        return LocalStore(local_root(app))
    if name == "database":
        return DatabaseStore()
    if name == "s3":
        if not app.config.get("S3_BUCKET"):
            raise RuntimeError("STORAGE_BACKEND=s3 needs S3_BUCKET (and S3_ENDPOINT_URL for MinIO)")
        return S3Store(app.config)
    raise RuntimeError(f"unknown storage backend {name!r}")


def store():
    """The configured store (the local one follows ``ATTACHMENT_DIR`` as it is now)."""
    name = backend_name()
    if name == "s3":  # a client is worth keeping; settings do not change while running
        cached = current_app.extensions.get("file_store")
        if cached is None:
            cached = current_app.extensions["file_store"] = make_store("s3")
        return cached
    return make_store(name)


def sha256_of(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def temp_dir() -> str:
    """Where uploads are spooled while their checksum is computed (never the store)."""
    path = os.path.join(current_app.instance_path, "tmp")
    os.makedirs(path, exist_ok=True)
    return path


def referenced_files() -> Iterator[tuple[str, str]]:
    """(key, sha256) of every file a record refers to: attachments (and their display
    copies), generated documents and self check-in photos (whose key is their checksum)."""
    from corrections.checkin.models import Checkin, CheckinEnrolment
    from corrections.paperwork.models import Attachment, GeneratedDocument

    seen = set()
    columns = [
        (Attachment.storage_key, Attachment.sha256),
        (Attachment.display_key, Attachment.display_sha256),  # photos' display copies
        (GeneratedDocument.storage_key, GeneratedDocument.sha256),
    ]
    for key_column, sha_column in columns:
        rows = db.session.execute(select(key_column, sha_column).where(key_column.is_not(None)))
        for key, sha256 in rows:
            if key not in seen:
                seen.add(key)
                yield key, sha256
    for column in (Checkin.photo_key, CheckinEnrolment.reference_photo_key):
        for (key,) in db.session.execute(select(column).where(column.is_not(None))):
            if key not in seen:
                seen.add(key)
                yield key, key.rsplit("/", 1)[-1]


def migrate(source, target) -> dict:
    """Copy every referenced file from ``source`` to ``target``, checking each checksum on
    both sides; files already in the target are checked, not copied again. Returns counts
    and the keys that are missing or corrupt in the source (those are not copied)."""
    report = {"copied": 0, "present": 0, "missing": [], "corrupt": []}
    spool = temp_dir()
    for key, sha256 in referenced_files():
        if target.exists(key):
            with target.open(key) as handle:
                if sha256_of(handle) != sha256:
                    report["corrupt"].append(f"{key} (in the target)")
                    continue
            report["present"] += 1
            continue
        try:
            handle = source.open(key)
        except FileMissing:
            report["missing"].append(key)
            continue
        fd, temp = tempfile.mkstemp(prefix=".migrate-", dir=spool)
        try:
            with handle, os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(handle, out, CHUNK)
            with open(temp, "rb") as check:
                if sha256_of(check) != sha256:
                    report["corrupt"].append(key)
                    continue
            target.save(key, temp)
            db.session.commit()  # the database store writes in the session
            with target.open(key) as handle:
                if sha256_of(handle) != sha256:
                    report["corrupt"].append(f"{key} (after copying)")
                    continue
            report["copied"] += 1
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
    return report
