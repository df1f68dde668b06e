"""Home page and the language switch."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from corrections.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    from corrections import clock
    from corrections.alerts.services import my_open_alerts
    from corrections.reminders import dashboard, services

    day = dashboard.my_day(current_user) if current_user.is_officer else None
    board = (
        dashboard.supervisor_home(current_user)
        if current_user.can_decide or current_user.is_viewer
        else None
    )
    my_alerts = my_open_alerts(current_user) if current_user.is_officer else None
    recent = db.session.execute(services.inbox(current_user).limit(5)).scalars().all()
    return render_template(
        "home.html",
        user=current_user,
        day=day,
        board=board,
        recent=recent,
        my_alerts=my_alerts,
        alert_now=clock.now_utc(),
    )


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
