"""Login, logout, one's own password and API tokens."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from corrections.auth import services
from corrections.auth.forms import ChangePasswordForm, LoginForm, TokenForm
from corrections.auth.models import ApiToken
from corrections.errors import DomainError, NotFound
from corrections.extensions import db, limiter

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


def _failed(response) -> bool:
    return bool(g.get("login_failed"))


def _account_key() -> str:
    return "login-account:" + (request.form.get("username") or "").strip().lower()


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_LIMIT"]


def _pair_key() -> str:
    """Failures of one account from one address: a colleague's typos behind the same office
    address never lock out anyone else's correct password (docs/security.md)."""
    username = (request.form.get("username") or "").strip().lower()
    return f"login-pair:{get_remote_address() or request.remote_addr or 'unknown'}|{username}"


def _safe_next(target: str | None) -> str:
    if not target:
        return url_for("main.home")
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/"):
        return url_for("main.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_pair_key, deduct_when=_failed)
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key, deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            g.login_failed = True
            flash(_("用户名或密码不正确，或账号已停用。"), "danger")
        else:
            session[services.SESSION_KEY] = services.start_session(user)
            login_user(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), (401 if g.get("login_failed") else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    services.end_session(session.pop(services.SESSION_KEY, None))
    db.session.commit()
    logout_user()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_own_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except DomainError as e:
            db.session.rollback()
            for field, message in e.fields.items():
                if field in form:
                    form[field].errors.append(message)
            flash(e.message, "danger")
        else:
            services.end_other_sessions(current_user, session.get(services.SESSION_KEY))
            db.session.commit()
            login_user(current_user._get_current_object())  # the session id carries the new nonce
            flash(_("密码已修改。"), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    new_secret = None
    if form.validate_on_submit():
        _token, new_secret = services.issue_token(current_user, current_user, form.name.data)
        db.session.commit()
    rows = (
        db.session.execute(
            select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc())
        )
        .scalars()
        .all()
    )
    return render_template("auth/tokens.html", form=form, tokens=rows, new_secret=new_secret)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != current_user.id and not current_user.is_admin):
        raise NotFound(_("令牌不存在。"))
    services.revoke_token(current_user, token)
    db.session.commit()
    flash(_("令牌已吊销。"), "success")
    return redirect(request.referrer or url_for("auth.tokens"))


@bp.route("/account/sessions", methods=["GET"])
@login_required
def sessions():
    rows = services.live_sessions(current_user)
    return render_template("auth/sessions.html", sessions=rows)


@bp.route("/account/sessions/end-all", methods=["POST"])
@login_required
def end_all_sessions():
    """Log out everywhere, this browser included; API tokens are not affected."""
    services.end_all_sessions(current_user, current_user)
    db.session.commit()
    session.pop(services.SESSION_KEY, None)
    logout_user()
    flash(_("已在所有设备上退出登录，请重新登录。"), "info")
    return redirect(url_for("auth.login"))
