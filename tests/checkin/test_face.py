"""The face check: advice only. The local model (face_recognition/dlib, the optional extra
'.[face]') runs with `make test-face`; without it those tests are skipped."""

from __future__ import annotations

import os

import pytest

from corrections.alerts.models import Alert
from corrections.checkin import face
from corrections.extensions import db
from tests.checkin.conftest import csrf, get_checkin, jpeg, person_client, request_checkin, upload

try:
    import face_recognition  # noqa: F401

    HAVE_MODEL = True
except ImportError:
    HAVE_MODEL = False

needs_model = pytest.mark.skipif(
    not HAVE_MODEL or not os.environ.get("RUN_FACE_TESTS"),
    reason="the face extra is not installed (make test-face)",
)


def _submit(client, checkin_id):
    page = client.get(f"/my/checkins/{checkin_id}")
    return client.post(
        f"/my/checkins/{checkin_id}",
        data={"csrf_token": csrf(page), "photo": upload(jpeg())},
        content_type="multipart/form-data",
    )


def test_default_verifier_does_not_check(app):
    with app.app_context():
        assert face.verifier().name == "none"
        assert face.verifier().verify(b"a", b"b") == ("not_checked", None)


def test_unknown_verifier_is_a_configuration_error(app):
    app.config["CHECKIN_FACE_VERIFIER"] = "cloud"
    try:
        with app.app_context(), pytest.raises(RuntimeError):
            face.verifier()
    finally:
        app.config["CHECKIN_FACE_VERIFIER"] = "none"


def test_no_match_is_advice_and_raises_face_mismatch(app, county, case_id, monkeypatch):
    class Says:
        name = "stub"

        def verify(self, reference, photo):
            assert reference[:2] == b"\xff\xd8" and photo[:2] == b"\xff\xd8"  # both JPEG
            return "no_match", 0.83

    monkeypatch.setattr("corrections.checkin.services.verifier", lambda: Says())
    client = person_client(app, case_id)
    checkin_id = request_checkin(app, case_id)
    assert _submit(client, checkin_id).status_code == 302
    row = get_checkin(app, checkin_id)
    assert row.status == "submitted" and row.face == "no_match" and row.face_distance == 0.83
    with app.app_context():
        kinds = [a.kind for a in db.session.query(Alert).all()]
    assert "face_mismatch" in kinds


def test_a_failing_model_never_blocks_a_check_in(app, county, case_id, monkeypatch):
    class Broken:
        name = "stub"

        def verify(self, reference, photo):
            raise RuntimeError("model crashed")

    monkeypatch.setattr("corrections.checkin.services.verifier", lambda: Broken())
    client = person_client(app, case_id)
    checkin_id = request_checkin(app, case_id)
    assert _submit(client, checkin_id).status_code == 302
    assert get_checkin(app, checkin_id).face == "not_checked"


@needs_model
def test_local_model_finds_no_face_in_a_drawing(app):
    app.config["CHECKIN_FACE_VERIFIER"] = "local"
    try:
        with app.app_context():
            check = face.verifier()
            assert check.name == "local"
            assert check.verify(jpeg(), jpeg(colour=(90, 90, 90))) == ("no_face", None)
    finally:
        app.config["CHECKIN_FACE_VERIFIER"] = "none"


@needs_model
def test_local_model_in_a_submission(app, county, case_id):
    app.config["CHECKIN_FACE_VERIFIER"] = "local"
    try:
        client = person_client(app, case_id)
        checkin_id = request_checkin(app, case_id)
        assert _submit(client, checkin_id).status_code == 302
        assert get_checkin(app, checkin_id).face == "no_face"
    finally:
        app.config["CHECKIN_FACE_VERIFIER"] = "none"
