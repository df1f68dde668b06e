"""The face check: advice only. The local model (dlib, the optional extra '.[face]') runs
with `make test-face`, which also installs scikit-image and matplotlib for their photos
(the astronaut Eileen Collins, the portrait of Grace Hopper, the cat); without them
those tests are skipped. scikit-image's cameraman hides his face behind the camera (the
detector finds none), so Grace Hopper is the second person."""

from __future__ import annotations

import io
import os

import pytest

from corrections.alerts.models import Alert
from corrections.checkin import face
from corrections.extensions import db
from tests.checkin.conftest import csrf, get_checkin, jpeg, person_client, request_checkin, upload

try:
    import dlib  # noqa: F401
    import matplotlib  # noqa: F401
    import skimage  # noqa: F401

    face.model_directory()
    HAVE_MODEL = True
except ImportError:
    HAVE_MODEL = False

needs_model = pytest.mark.skipif(
    not HAVE_MODEL or not os.environ.get("RUN_FACE_TESTS"),
    reason="the face extra is not installed (make test-face)",
)


def _photo(image, quality=90) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _astronaut():
    from PIL import Image
    from skimage import data

    return Image.fromarray(data.astronaut())


def _hopper():
    from matplotlib import cbook
    from PIL import Image

    with cbook.get_sample_data("grace_hopper.jpg") as handle:
        return Image.open(handle).convert("RGB")


def _local(app, tolerance=None):
    app.config["CHECKIN_FACE_VERIFIER"] = "local"
    if tolerance is not None:
        app.config["CHECKIN_FACE_TOLERANCE"] = tolerance
    try:
        with app.app_context():
            return face.verifier()
    finally:
        app.config["CHECKIN_FACE_VERIFIER"] = "none"
        app.config.pop("CHECKIN_FACE_TOLERANCE", None)


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


def test_the_setting_is_checked_when_the_app_starts(monkeypatch):
    import importlib.util

    from corrections import create_app

    base = {"SQLALCHEMY_DATABASE_URI": "sqlite://"}
    with pytest.raises(RuntimeError, match="none or local"):
        create_app("testing", {**base, "CHECKIN_FACE_VERIFIER": "cloud"})
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "dlib" else real(name, *a),
    )
    with pytest.raises(RuntimeError, match=r"pip install '\.\[face\]'.*missing: dlib"):
        create_app("testing", {**base, "CHECKIN_FACE_VERIFIER": "local"})
    assert create_app("testing", {**base, "CHECKIN_FACE_VERIFIER": " None "})


def test_no_match_is_advice_and_raises_face_mismatch(app, county, case_id, monkeypatch):
    class Says:
        name = "stub"

        def verify(self, reference, photo):
            assert reference[:2] == b"\xff\xd8" and photo[:2] == b"\xff\xd8"  # both JPEG
            return "no_match", 0.83

    monkeypatch.setattr("corrections.checkin.services.submission.verifier", lambda: Says())
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

    monkeypatch.setattr("corrections.checkin.services.submission.verifier", lambda: Broken())
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


@needs_model
def test_local_model_matches_two_transformed_copies_of_one_photo(app):
    from PIL import ImageEnhance, ImageOps

    check = _local(app)
    astronaut = _astronaut()
    reference = _photo(astronaut.crop((40, 0, 472, 420)))  # cropped
    mirrored_dark = ImageEnhance.Brightness(ImageOps.mirror(astronaut)).enhance(0.7)
    photo = _photo(mirrored_dark.rotate(-8).resize((400, 400)), quality=40)
    result, distance = check.verify(reference, photo)
    assert result == "match"
    assert 0 < distance <= 0.6


@needs_model
def test_local_model_tells_two_people_apart(app):
    check = _local(app)
    result, distance = check.verify(_photo(_astronaut()), _photo(_hopper()))
    assert result == "no_match"
    assert distance > 0.6


@needs_model
def test_tolerance_is_the_setting(app):
    reference, photo = _photo(_astronaut()), _photo(_hopper())
    assert _local(app).tolerance == 0.6
    check = _local(app, tolerance=0.9)
    assert check.tolerance == 0.9
    result, distance = check.verify(reference, photo)
    assert result == "match" and 0.6 < distance <= 0.9  # a tolerance set too loose


@needs_model
def test_local_model_finds_no_face_in_a_cat_or_a_flat_picture(app):
    from PIL import Image
    from skimage import data

    check = _local(app)
    person = _photo(_astronaut())
    cat = _photo(Image.fromarray(data.chelsea()))
    flat = _photo(Image.new("RGB", (320, 400), (128, 128, 128)))
    assert check.verify(person, cat) == ("no_face", None)
    assert check.verify(person, flat) == ("no_face", None)
    assert check.verify(cat, person) == ("no_face", None)  # a reference without a face


@needs_model
def test_largest_face_of_the_new_photo_counts_and_a_crowded_reference_is_not_guessed(app):
    from PIL import Image

    check = _local(app)
    astronaut, hopper = _astronaut(), _hopper()
    group = Image.new("RGB", (1200, 700), (235, 235, 235))
    group.paste(astronaut, (0, 100))  # face about 90 px wide
    group.paste(hopper.resize((307, 360)), (800, 200))  # face about 130 px wide
    assert len(check.faces(_photo(group))) == 2
    result, _ = check.verify(_photo(hopper), _photo(group))
    assert result == "match"
    assert check.verify(_photo(group), _photo(hopper)) == ("not_checked", None)


@needs_model
def test_models_are_loaded_once_per_process(app):
    assert _local(app).models is _local(app).models


@needs_model
def test_the_app_starts_with_the_local_check_when_the_extra_is_there():
    from corrections import create_app

    app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "CHECKIN_FACE_VERIFIER": "local"}
    )
    assert app.config["CHECKIN_FACE_VERIFIER"] == "local"
