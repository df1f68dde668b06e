"""Face check: advice for the officer, never a decision (docs/domain.md §7.12).

``CHECKIN_FACE_VERIFIER`` picks the implementation:

- ``none`` (default): nothing is compared; the officer looks at the reference and the new
  photo side by side; the result is ``not_checked``.
- ``local``: dlib on this machine, installed with ``pip install '.[face]'`` (dlib's prebuilt
  wheels ``dlib-bin`` and the trained models of ``face_recognition_models``; nothing is
  compiled, docs/deployment.md). Images never leave the server. The result is ``match``,
  ``no_match`` or ``no_face`` with the Euclidean distance of the two 128-dimension face
  descriptors (smaller is more alike; ``CHECKIN_FACE_TOLERANCE``, default 0.6, separates
  match from no_match).
"""

from __future__ import annotations

import io
import logging
import threading
from pathlib import Path
from typing import Protocol

from flask import current_app

log = logging.getLogger(__name__)


class Verifier(Protocol):
    name: str

    def verify(self, reference: bytes, photo: bytes) -> tuple[str, float | None]: ...


class NoVerifier:
    name = "none"

    def verify(self, reference: bytes, photo: bytes) -> tuple[str, float | None]:
        return "not_checked", None


def model_directory() -> Path:
    """Where ``face_recognition_models`` keeps its model files.

    Found without importing the package: its ``__init__`` needs ``pkg_resources``
    (setuptools), which recent virtual environments no longer carry.
    """
    import importlib.util

    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("face_recognition_models is not installed: pip install '.[face]'")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


class _Models:
    """dlib's HOG face detector, 68-point landmark predictor and ResNet descriptor."""

    def __init__(self):
        import dlib

        directory = model_directory()
        self.detector = dlib.get_frontal_face_detector()
        self.landmarks = dlib.shape_predictor(
            str(directory / "shape_predictor_68_face_landmarks.dat")
        )
        self.descriptor = dlib.face_recognition_model_v1(
            str(directory / "dlib_face_recognition_resnet_model_v1.dat")
        )
        # dlib's objects are not documented as thread-safe; a web server's threads take turns
        self.lock = threading.Lock()


_models: _Models | None = None
_models_lock = threading.Lock()


def models() -> _Models:
    """The models, loaded once per process (about 130 MB read from disk the first time)."""
    global _models
    if _models is None:
        with _models_lock:
            if _models is None:
                _models = _Models()
    return _models


class LocalVerifier:
    """dlib's 128-dimension face descriptors compared on this machine.

    The reference must show exactly one face; in the new photo the largest face is the
    person's. Photos are stored at most 1 280 pixels wide (``photos.MAX_SIDE``), where a
    selfie's face is far above the detector's 80-pixel minimum: detection runs at that
    size and upsamples once (faces down to about 40 pixels) only when it finds nothing,
    since upsampling also finds weak false faces in clothing and background. Detections
    scoring under ``min_score`` are ignored: on the evaluation set (bench/face_eval.py)
    real faces scored above 1, the false ones (a mission patch on a sleeve, around 0.1;
    details of the cameraman picture, whose face is hidden) under 0.5.
    """

    name = "local"
    min_score = 0.5

    def __init__(self, tolerance: float = 0.6):
        self.tolerance = tolerance
        self.models = models()  # fails early when the extra is missing

    @staticmethod
    def _pixels(data: bytes):
        import numpy
        from PIL import Image, ImageOps

        image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
        return numpy.asarray(image)

    def faces(self, data: bytes) -> list:
        """Every face found in the image as (area in pixels, descriptor), largest first."""
        import numpy

        pixels = self._pixels(data)
        m = self.models
        found = []
        with m.lock:
            boxes = (
                m.detector.run(pixels, 0, self.min_score)[0]
                or m.detector.run(pixels, 1, self.min_score)[0]
            )
            for box in boxes:
                shape = m.landmarks(pixels, box)
                vector = numpy.array(m.descriptor.compute_face_descriptor(pixels, shape))
                found.append((box.width() * box.height(), vector))
        return sorted(found, key=lambda item: item[0], reverse=True)

    def compare(self, known: list, new: list) -> tuple[str, float | None]:
        """The result for the faces of the reference and of the new photo (``faces``)."""
        import numpy

        if len(known) > 1:
            # whose face is the person's is not for the model to guess: the officer compares
            log.warning("face check: the reference photo shows %d faces", len(known))
            return "not_checked", None
        if not known or not new:
            return "no_face", None
        distance = float(numpy.linalg.norm(known[0][1] - new[0][1]))
        return ("match" if distance <= self.tolerance else "no_match"), round(distance, 4)

    def verify(self, reference: bytes, photo: bytes) -> tuple[str, float | None]:
        known = self.faces(reference)
        if len(known) > 1:
            return self.compare(known, [])
        return self.compare(known, self.faces(photo))


def check_setting(config) -> None:
    """Refuse an unknown ``CHECKIN_FACE_VERIFIER`` or ``local`` without the extra at start
    (without loading the models), so no check-in runs into it."""
    import importlib.util

    name = (config.get("CHECKIN_FACE_VERIFIER") or "none").strip().lower()
    if name not in ("none", "local"):
        raise RuntimeError(f"CHECKIN_FACE_VERIFIER must be none or local, not {name!r}")
    if name == "local":
        missing = [
            module
            for module in ("dlib", "numpy", "face_recognition_models")
            if importlib.util.find_spec(module) is None
        ]
        if missing:
            raise RuntimeError(
                "CHECKIN_FACE_VERIFIER=local needs the face extra (pip install '.[face]'); "
                "missing: " + ", ".join(missing)
            )


def verifier() -> Verifier:
    name = (current_app.config.get("CHECKIN_FACE_VERIFIER") or "none").strip().lower()
    if name == "none":
        return NoVerifier()
    if name == "local":
        return LocalVerifier(float(current_app.config.get("CHECKIN_FACE_TOLERANCE") or 0.6))
    raise RuntimeError(f"CHECKIN_FACE_VERIFIER must be none or local, not {name!r}")
