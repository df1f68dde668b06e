"""社区矫正与安置帮教案件管理系统: the application factory."""

from __future__ import annotations

import logging
import os
import secrets

from flask import Flask, has_request_context, request, session
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import config_for, normalise_database_url

log = logging.getLogger("corrections")


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # From a checkout the instance folder is ./instance; an installed copy uses Flask's
    # default (<prefix>/var/corrections-instance) unless INSTANCE_PATH says otherwise.
    checkout = os.path.exists(os.path.join(root, "pyproject.toml"))
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH")
        or (os.path.join(root, "instance") if checkout else None),
    )
    app.config.from_object(config_for(config_name))
    if overrides:
        app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    app.json.ensure_ascii = False  # Chinese text verbatim in JSON
    app.json.sort_keys = False
    _configure_logging(app)
    _configure_database(app)
    _configure_secrets(app)
    _configure_printing(app)
    _configure_face_check(app)
    register_extensions(app)
    register_inputs(app)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    register_template_helpers(app)
    from corrections import health

    health.init_app(app)
    _register_security(app)
    if app.config.get("PROXY_FIX_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    if app.config.get("WARM_UP") and os.environ.get("FLASK_RUN_FROM_CLI") != "true":
        warm_up(app)
    return app


def warm_up_worker(app: Flask) -> bool:
    """In a web worker before its first request (gunicorn's ``post_worker_init``,
    deploy/gunicorn.conf.py): compile the templates and render the supervisors' dashboard
    once, as the first active supervisor, writing nothing. A worker's first dashboard
    otherwise pays for compiling its statements and for its database connection's first
    queries (docs/performance.md). False when there is no supervisor to render it for."""
    from flask_login import login_user
    from sqlalchemy import select

    from corrections.auth.models import User
    from corrections.extensions import db

    warm_up(app)
    with app.test_request_context("/dashboard"):
        try:
            user = db.session.execute(
                select(User)
                .where(User.role == "supervisor", User.active.is_(True))
                .order_by(User.id)
                .limit(1)
            ).scalar()
            if user is None:
                return False
            login_user(user)
            app.view_functions["reminders.overview"]()
            return True
        except Exception:  # a failed warm-up must not stop the worker
            log.exception("warm-up: the dashboard did not render")
            return False
        finally:
            db.session.rollback()
            db.session.remove()


def warm_up(app: Flask) -> int:
    """Compile every template now, in the worker that will render it: a worker's first
    dashboard otherwise pays for compiling its templates (docs/performance.md). Returns the
    number compiled."""
    compiled = 0
    for name in app.jinja_env.list_templates(filter_func=lambda n: n.endswith(".html")):
        try:
            app.jinja_env.get_template(name)
            compiled += 1
        except Exception:  # a broken template fails when it is rendered, as before
            log.exception("warm-up: template %s does not compile", name)
    return compiled


def _configure_logging(app: Flask) -> None:
    level = app.config.get("LOG_LEVEL", "INFO")
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _configure_database(app: Flask) -> None:
    uri = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not uri:
        uri = "sqlite:///" + os.path.join(app.instance_path, "corrections.db")
    uri = normalise_database_url(uri)
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
    else:
        options.setdefault("pool_pre_ping", True)
        # PostgreSQL's JIT compiles the figures' grouped queries for longer than they run
        # (measured: 3.7 s -> 1.9 s for a province's month); see docs/performance.md
        options.setdefault("connect_args", {}).setdefault("options", "-c jit=off")
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    replica = app.config.get("REPORTS_DATABASE_URL")
    if replica:  # reports may read from a streaming replica (corrections/replica.py)
        binds = dict(app.config.get("SQLALCHEMY_BINDS") or {})
        binds["reports"] = normalise_database_url(replica)
        app.config["SQLALCHEMY_BINDS"] = binds


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # noqa: ARG001
    """WAL and a busy timeout, so web workers and the scheduler share one file safely."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _configure_secrets(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        if os.environ.get("FLASK_RUN_FROM_CLI") == "true":
            # Management commands (db upgrade, users create …) use no sessions.
            app.config["SECRET_KEY"] = secrets.token_hex(32)
        else:
            raise RuntimeError(
                "SECRET_KEY is not set. Set it in the environment (APP_ENV=development "
                "uses a built-in key for local use only)."
            )
    if not app.config.get("AUDIT_KEY") and os.environ.get("FLASK_RUN_FROM_CLI") != "true":
        # Management commands start without it; any write they make still needs it.
        raise RuntimeError(
            "AUDIT_KEY is not set. Set it in the environment to a long random secret kept "
            "outside the database (docs/security.md, Audit); APP_ENV=development uses a "
            "built-in key for local use only."
        )
    if not app.config.get("SESSION_COOKIE_SECURE"):
        log.warning(
            "Secure session cookies are OFF (SECURE_COOKIES=0 or development): "
            "only acceptable on a trusted intranet without TLS."
        )


def _configure_printing(app: Flask) -> None:
    """Printed papers embed a CJK font: outside development and testing, none is an error."""
    from corrections.reports.printing import check_print_font

    check_print_font(app)


def _configure_face_check(app: Flask) -> None:
    """CHECKIN_FACE_VERIFIER is checked at start, not at a person's first check-in."""
    from corrections.checkin.face import check_setting

    check_setting(app.config)


def register_extensions(app: Flask) -> None:
    from corrections import models  # noqa: F401  (every model, for Alembic)
    from corrections.auth.services import load_session_user
    from corrections.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    _watch_figures(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)

    def select_locale():
        if not has_request_context():  # CLI and scheduled jobs speak the default language
            return app.config["BABEL_DEFAULT_LOCALE"]
        lang = request.args.get("lang") or session.get("lang")
        if lang in app.config["LANGUAGES"]:
            return lang
        return app.config["BABEL_DEFAULT_LOCALE"]

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=os.path.join(app.root_path, "translations"),
    )


def _watch_figures(app: Flask) -> None:
    """Writes raise the versions of the stations whose figures they touch; a report that
    stored figures commits them (reports/figures/changes.py, rollups.py)."""
    from corrections.replica import RoutingSession
    from corrections.reports.figures import changes, rollups

    changes.listen(RoutingSession)
    app.after_request(rollups.commit_after_read)


def register_blueprints(app: Flask) -> None:
    from corrections.activities.routes import bp as activities_bp
    from corrections.alerts.routes import bp as alerts_bp
    from corrections.api import bp as api_bp
    from corrections.assessments.routes import bp as assessments_bp
    from corrections.audit.routes import bp as audit_bp
    from corrections.auth.admin import bp as admin_bp
    from corrections.auth.routes import bp as auth_bp
    from corrections.main import bp as main_bp
    from corrections.paperwork.attachment_routes import bp as attachments_bp
    from corrections.paperwork.routes import bp as documents_bp
    from corrections.people.routes import bp as people_bp
    from corrections.reminders.routes import bp as reminders_bp
    from corrections.resettlement.routes import bp as resettlement_bp
    from corrections.rules.routes import bp as rules_bp
    from corrections.supervision.routes import bp as supervision_bp

    for bp in (main_bp, auth_bp, admin_bp, people_bp, audit_bp):
        app.register_blueprint(bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(rules_bp)
    app.register_blueprint(supervision_bp)
    app.register_blueprint(resettlement_bp)
    app.register_blueprint(assessments_bp)
    app.register_blueprint(activities_bp)
    app.register_blueprint(alerts_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(attachments_bp)
    app.register_blueprint(__import__("corrections.reports.routes", fromlist=["bp"]).bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(__import__("corrections.paperwork.import_routes", fromlist=["bp"]).bp)
    from corrections.checkin.my_routes import bp as my_bp
    from corrections.checkin.routes import bp as checkin_bp

    app.register_blueprint(checkin_bp)
    app.register_blueprint(my_bp)


def register_inputs(app: Flask) -> None:
    from corrections.inputs import register_input_limits

    register_input_limits(app)


def register_errors(app: Flask) -> None:
    from corrections.web import register_error_pages

    register_error_pages(app)


def register_cli(app: Flask) -> None:
    from corrections.cli import register

    register(app)


def _register_security(app: Flask) -> None:
    from corrections.security import register_security_headers, warn_about_limiter_store

    register_security_headers(app)
    warn_about_limiter_store(app)


def register_template_helpers(app: Flask) -> None:
    from corrections.web import register_template_helpers

    register_template_helpers(app)
