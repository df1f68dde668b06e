"""Response headers every answer carries, and start-up warnings about unsafe settings.

A small after-request hook rather than Flask-Talisman: the app needs five fixed headers,
no HTTPS redirect (TLS ends at the reverse proxy; intranets may run without it, see
SECURE_COOKIES) and no per-request nonce, since no page has inline script. See
docs/security.md ("Headers").
"""

from __future__ import annotations

import logging
import os
import shlex
import sys

from flask import Flask, request
from flask_login import current_user

log = logging.getLogger("corrections")

# Scripts, styles, fonts and images come from this site only; no inline script or style
# (the pages load static/app.js), no plugins, no framing, forms post back here only.
# data: images are Bootstrap's built-in SVG icons (select arrows, the menu button).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000"
_POLICED_TYPES = {"text/html", "application/json", "text/plain", "text/css", "text/javascript"}


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        if response.mimetype in _POLICED_TYPES:
            # not on PDFs and images opened inline: the browser's own viewer renders them
            headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # Same-site links keep their referrer (the token page's redirect back uses it);
        # addresses with case ids never leave the site.
        headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", HSTS)
        if _personal(response):
            headers["Cache-Control"] = "no-store"
            headers.setdefault("Pragma", "no-cache")
        return response


def _personal(response) -> bool:
    """Every API answer and every page shown to a logged-in user may hold personal data."""
    if request.endpoint == "static":
        return False
    if "no-store" in (response.headers.get("Cache-Control") or ""):
        return False  # downloads already say "private, no-store"
    if request.path.startswith("/api/"):
        return True
    return bool(current_user and current_user.is_authenticated)


# --- start-up warnings --------------------------------------------------------------


def _workers_in(args: list[str]) -> int | None:
    """gunicorn's -w N / --workers N / --workers=N / -wN in a command line."""
    for i, arg in enumerate(args):
        value = None
        if arg in ("-w", "--workers") and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--workers="):
            value = arg.split("=", 1)[1]
        elif arg.startswith("-w") and arg[2:].isdigit():
            value = arg[2:]
        if value is not None and value.strip().isdigit():
            return int(value)
    return None


def worker_count(environ=None, argv=None) -> int:
    """How many web workers this deployment may run, as far as the process can tell."""
    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    counts = []
    concurrency = (environ.get("WEB_CONCURRENCY") or "").strip()
    if concurrency.isdigit():
        counts.append(int(concurrency))
    try:
        from_env = _workers_in(shlex.split(environ.get("GUNICORN_CMD_ARGS") or ""))
    except ValueError:
        from_env = None
    if from_env is not None:
        counts.append(from_env)
    if argv and "gunicorn" in os.path.basename(str(argv[0])):
        from_argv = _workers_in(list(argv[1:]))
        if from_argv is not None:
            counts.append(from_argv)
    return max(counts, default=1)


def warn_about_limiter_store(app: Flask, environ=None, argv=None) -> bool:
    """Login throttling counts per process with memory://: say so when there may be several."""
    store = (app.config.get("RATELIMIT_STORAGE_URI") or "memory://").strip()
    workers = worker_count(environ, argv)
    if store.startswith("memory://") and workers > 1:
        log.warning(
            "Login throttling uses RATELIMIT_STORAGE_URI=memory:// with %d workers: each "
            "worker counts failed logins on its own, so the limits are %d times looser. "
            "Set RATELIMIT_STORAGE_URI=redis://… (see docs/security.md).",
            workers,
            workers,
        )
        return True
    return False
