"""Face check: advice for the officer, never a decision (docs/domain.md §7.12).

``CHECKIN_FACE_VERIFIER`` picks the implementation:

- ``none`` (default): nothing is compared; the officer looks at the reference and the new
  photo side by side; the result is ``not_checked``.
- ``local``: face_recognition (dlib) on this machine, installed with ``pip install
  '.[face]'``. Images never leave the server. The result is ``match``, ``no_match`` or
  ``no_face`` with the distance of the two face encodings (smaller is more alike;
  ``CHECKIN_FACE_TOLERANCE``, default 0.6, separates match from no_match).
"""

from __future__ import annotations

import io
from typing import Protocol

from flask import current_app


class Verifier(Protocol):
    name: str

    def verify(self, reference: bytes, photo: bytes) -> tuple[str, float | None]: ...


class NoVerifier:
    name = "none"

    def verify(self, reference: bytes, photo: bytes) -> tuple[str, float | None]:
        return "not_checked", None


class LocalVerifier:
    """face_recognition's 128-dimension encodings compared on this machine."""

    name = "local"

    def __init__(self, tolerance: float = 0.6):
        import face_recognition  # noqa: F401  (fails early when the extra is missing)

        self.tolerance = tolerance

    @staticmethod
    def _encoding(data: bytes):
        import face_recognition
        import numpy
        from PIL import Image

        image = numpy.array(Image.open(io.BytesIO(data)).convert("RGB"))
        found = face_recognition.face_encodings(image)
        return found[0] if found else None

    def verify(self, reference: bytes, photo: bytes) -> tuple[str, float | None]:
        import face_recognition

        known, new = self._encoding(reference), self._encoding(photo)
        if known is None or new is None:
            return "no_face", None
        distance = float(face_recognition.face_distance([known], new)[0])
        return ("match" if distance <= self.tolerance else "no_match"), round(distance, 4)


def verifier() -> Verifier:
    name = (current_app.config.get("CHECKIN_FACE_VERIFIER") or "none").strip().lower()
    if name == "none":
        return NoVerifier()
    if name == "local":
        return LocalVerifier(float(current_app.config.get("CHECKIN_FACE_TOLERANCE") or 0.6))
    raise RuntimeError(f"CHECKIN_FACE_VERIFIER must be none or local, not {name!r}")
