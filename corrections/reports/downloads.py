"""Report files as HTTP downloads (shared by the web pages and the API)."""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Response


def attachment(data: bytes, mimetype: str, filename: str, ascii_name: str) -> Response:
    """A download with a UTF-8 file name (RFC 6266) and an ASCII fallback."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def file_names(
    kind: str, ascii_kind: str, month: str, station: str | None, ext: str
) -> tuple[str, str]:
    """(Chinese name, ASCII fallback) for a report of ``month`` and perhaps one station."""
    suffix = f"-{station}" if station else ""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "", f"{ascii_kind}-{month}{suffix}") or ascii_kind
    return f"{kind}-{month}{suffix}.{ext}", f"{ascii_name}.{ext}"
