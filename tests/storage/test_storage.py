"""The storage interface: one contract, three backends (docs/deployment.md, Files).

The S3 backend runs against moto's standalone S3-compatible server on a loopback port.
"""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from corrections import storage
from corrections.extensions import db
from corrections.paperwork import attachments as service
from corrections.paperwork.models import Attachment
from tests.helpers import open_case, user

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


class Upload:
    def __init__(self, data: bytes, filename: str):
        self.stream = io.BytesIO(data)
        self.filename = filename


@pytest.fixture(scope="module")
def s3_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    moto = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(moto), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def s3_config(app, s3_server, monkeypatch):
    import boto3

    bucket = f"files-{time.monotonic_ns()}"
    settings = {
        "S3_ENDPOINT_URL": s3_server,
        "S3_BUCKET": bucket,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
        "S3_PREFIX": "corrections",
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket=bucket)
    app.extensions.pop("file_store", None)
    yield settings
    app.extensions.pop("file_store", None)


@pytest.fixture
def local_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "files"))
    return tmp_path / "files"


def _file(tmp_path, data: bytes) -> str:
    path = tmp_path / "source.bin"
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("backend", ["local", "database", "s3"])
def test_every_backend_keeps_the_contract(app, ctx, tmp_path, local_dir, request, backend):
    """Given a backend, when a file is saved under its content address, then it is read back
    whole, saved once however often, listed, and a missing key says so."""
    if backend == "s3":
        request.getfixturevalue("s3_config")
    store = storage.make_store(backend)
    sha = storage.sha256_of(io.BytesIO(PNG))
    key = storage.key_for(sha)
    assert not store.exists(key)
    store.save(key, _file(tmp_path, PNG))
    store.save(key, _file(tmp_path, PNG))  # the same content again: kept once
    db.session.commit()
    assert store.exists(key)
    with store.open(key) as handle:
        assert handle.read() == PNG
    assert list(store.keys()) == [key]
    assert store.check() == "ok"
    with pytest.raises(storage.FileMissing):
        store.open(storage.key_for("0" * 64))


def test_database_store_writes_with_its_record(app, county, ctx, monkeypatch):
    """Given the database backend, when an upload's transaction is rolled back, then neither
    the attachment nor its file remains (no half file, no record without its file)."""
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "database")
    case = open_case(_person())
    service.store(user("off1"), case, "other", Upload(PNG, "a.png"))
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(storage.StoredFile)).scalar() == 0
    assert db.session.execute(select(func.count()).select_from(Attachment)).scalar() == 0
    kept = service.store(user("off1"), case, "other", Upload(PNG, "a.png"))
    db.session.commit()
    with service.open_for_download(user("off1"), kept.id)[1] as handle:
        assert handle.read() == PNG


def test_upload_and_download_through_the_pages_on_each_backend(
    app, client, world, county, local_dir, request, monkeypatch
):
    for backend in ("database", "s3"):
        if backend == "s3":
            request.getfixturevalue("s3_config")
        monkeypatch.setitem(app.config, "STORAGE_BACKEND", backend)
        with app.app_context():
            case_id = open_case(_person(f"11010119800101{len(backend):03d}")).id
            db.session.commit()
        world.login(client, "off1")
        response = client.post(
            "/attachments/upload",
            data={
                "programme": "correction",
                "case_id": str(case_id),
                "kind": "other",
                "file": (io.BytesIO(PNG), "photo.png"),
            },
        )
        assert response.status_code == 303
        with app.app_context():
            attachment_id = db.session.execute(
                select(Attachment.id).where(Attachment.case_id == case_id)
            ).scalar_one()
        download = client.get(f"/attachments/{attachment_id}")
        assert download.status_code == 200 and download.data == PNG, backend
    assert not local_dir.exists() or not any(local_dir.rglob("*"))  # nothing went to disk


def test_a_missing_file_is_a_clear_page_not_a_500(app, client, world, county, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "database")
    with app.app_context():
        case = open_case(_person())
        attachment = service.store(user("off1"), case, "other", Upload(PNG, "a.png"))
        db.session.commit()
        attachment_id = attachment.id
        db.session.execute(storage.StoredFile.__table__.delete())
        db.session.commit()
    world.login(client, "off1")
    response = client.get(f"/attachments/{attachment_id}")
    assert response.status_code == 410
    assert "附件文件缺失或已损坏" in response.get_data(as_text=True)


def test_migrate_moves_every_file_and_verifies_it(app, county, local_dir, s3_config):
    runner = app.test_cli_runner()
    with app.app_context():
        case = open_case(_person())
        first = service.store(user("off1"), case, "other", Upload(PNG, "a.png"))
        second = service.store(user("off1"), case, "other", Upload(PNG + b"x", "b.png"))
        db.session.commit()
        keys = {first.storage_key, second.storage_key}
    result = runner.invoke(args=["storage", "migrate", "--from", "local", "--to", "database"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.splitlines()[0])
    assert report["copied"] == 2 and report["missing"] == [] and report["corrupt"] == []
    with app.app_context():
        assert set(storage.make_store("database").keys()) == keys
    again = runner.invoke(args=["storage", "migrate", "--from", "local", "--to", "database"])
    assert json.loads(again.output.splitlines()[0])["present"] == 2
    to_s3 = runner.invoke(args=["storage", "migrate", "--from", "database", "--to", "s3"])
    assert to_s3.exit_code == 0, to_s3.output
    with app.app_context():
        assert set(storage.make_store("s3").keys()) == keys


def test_migrate_reports_a_corrupt_source_file_and_fails(app, county, local_dir):
    with app.app_context():
        case = open_case(_person())
        attachment = service.store(user("off1"), case, "other", Upload(PNG, "a.png"))
        db.session.commit()
        (local_dir / attachment.storage_key).write_bytes(b"not the photo")
    result = app.test_cli_runner().invoke(
        args=["storage", "migrate", "--from", "local", "--to", "database"]
    )
    assert result.exit_code == 1
    assert json.loads(result.output.splitlines()[0])["corrupt"] == [attachment.storage_key]


def test_default_backend_follows_the_database(app):
    app_config = dict(app.config)
    try:
        app.config["STORAGE_BACKEND"] = ""
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://x/y"
        assert storage.backend_name(app) == "database"
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///x.db"
        assert storage.backend_name(app) == "local"
        app.config["STORAGE_BACKEND"] = "floppy"
        with pytest.raises(RuntimeError, match="STORAGE_BACKEND must be one of"):
            storage.backend_name(app)
    finally:
        app.config.update(app_config)


def _person(id_number: str | None = None) -> int:
    from stdnum.cn import ric

    from corrections.people.services import create_person

    body = (id_number or "11010119800101123")[:17]
    number = body + ric.calc_check_digit(body + "0")
    return create_person(user("off1"), {"name": "存储测试", "id_number": number}, None).id
