"""Home page and the language switch."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    return render_template("home.html", user=current_user)


@bp.route("/lang/<code>")
def switch_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.args.get("next") or request.referrer or url_for("main.home")
    parsed = urlparse(target)
    if parsed.netloc and parsed.netloc != request.host:
        target = url_for("main.home")
    return redirect(target)


@bp.route("/healthz")
def healthz():
    from sqlalchemy import text

    from corrections.extensions import db

    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
