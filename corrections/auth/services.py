"""Units, stations, users and API tokens: every write goes through here."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, has_app_context
from flask import session as flask_session
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from corrections import clock
from corrections.audit.services import record, snapshot
from corrections.auth.models import ROLES, ApiToken, Station, Unit, User, UserSession
from corrections.auth.passwords import check_new_password
from corrections.errors import Conflict, Duplicate, Forbidden, NotFound, ValidationFailed
from corrections.extensions import db

TOKEN_PREFIX = "cc_"
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
DEFAULT_UNIT_NAME = "本县司法局"


def _require_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_admin:
        raise Forbidden(_("只有系统管理员可以执行此操作。"))


# --- units -----------------------------------------------------------------


def default_unit() -> Unit:
    unit = db.session.execute(select(Unit).where(Unit.is_default.is_(True))).scalar_one_or_none()
    if unit is None:
        unit = Unit(name=DEFAULT_UNIT_NAME, is_default=True)
        db.session.add(unit)
        db.session.flush()
        record(None, "unit.create", "unit", unit.id, None, snapshot(unit))
    return unit


def unit_by_name(name: str | None) -> Unit:
    if not name:
        return default_unit()
    unit = db.session.execute(select(Unit).where(Unit.name == name)).scalar_one_or_none()
    if unit is None:
        raise NotFound(_("单位“%(name)s”不存在。", name=name))
    return unit


def create_unit(actor: User | None, name: str) -> Unit:
    _require_admin(actor)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("请填写单位名称（最多100字）。"), fields={"name": _("必填")})
    if db.session.execute(select(Unit.id).where(Unit.name == name)).first():
        raise Duplicate(_("已有同名单位。"), fields={"name": _("已存在")})
    unit = Unit(name=name, is_default=False)
    db.session.add(unit)
    db.session.flush()
    record(actor, "unit.create", "unit", unit.id, None, snapshot(unit))
    return unit


def update_unit(actor: User, unit: Unit, *, version: int, name: str, active: bool) -> Unit:
    _require_admin(actor)
    check_version(unit, version)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("请填写单位名称（最多100字）。"), fields={"name": _("必填")})
    clash = db.session.execute(select(Unit.id).where(Unit.name == name, Unit.id != unit.id)).first()
    if clash:
        raise Duplicate(_("已有同名单位。"), fields={"name": _("已存在")})
    return _set_name_active(actor, "unit", unit, name, active)


# --- stations --------------------------------------------------------------


def create_station(actor: User | None, code: str, name: str, unit: Unit | None = None) -> Station:
    _require_admin(actor)
    code, name = (code or "").strip(), (name or "").strip()
    fields = {}
    if not _CODE.match(code):
        fields["code"] = _("代码只能包含字母、数字、下划线和横线（最多32位）。")
    if not name or len(name) > 100:
        fields["name"] = _("请填写名称（最多100字）。")
    if fields:
        raise ValidationFailed(_("司法所信息不完整或格式不对。"), fields=fields)
    if db.session.execute(select(Station.id).where(Station.code == code)).first():
        raise Duplicate(_("代码 %(code)s 已被使用。", code=code), fields={"code": _("已存在")})
    station = Station(code=code, name=name, unit=unit or default_unit())
    db.session.add(station)
    db.session.flush()
    record(actor, "station.create", "station", station.id, None, snapshot(station))
    return station


def update_station(actor: User, station: Station, *, version: int, name: str, active: bool):
    _require_admin(actor)
    check_version(station, version)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("请填写名称（最多100字）。"), fields={"name": _("必填")})
    return _set_name_active(actor, "station", station, name, active)


def _set_name_active(actor: User, kind: str, row, name: str, active: bool):
    """A unit's or a station's new name and state, recorded as ``<kind>.update``."""
    before = snapshot(row)
    row.name, row.active = name, active
    db.session.flush()
    record(actor, f"{kind}.update", kind, row.id, before, snapshot(row))
    return row


def station_by_code(code: str | None) -> Station | None:
    if not code:
        return None
    return db.session.execute(select(Station).where(Station.code == code)).scalar_one_or_none()


# --- users -----------------------------------------------------------------


def hash_password(password: str) -> str:
    """scrypt by default; the test configuration picks a cheap method (PASSWORD_HASH_METHOD)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD") if has_app_context() else None
    return generate_password_hash(password, method=method or "scrypt")


def password_context(
    username: str, display_name: str = "", unit: Unit | None = None, stations=()
) -> list[str]:
    """The words a new password must not be built from (docs/security.md, "Passwords")."""
    words = [username, display_name]
    if unit is not None:
        words.append(unit.name)
    for station in stations or ():
        words.extend((station.name, station.code))
    return [w for w in words if w]


def _user_password_context(user: User) -> list[str]:
    return password_context(user.username, user.display_name, user.unit, user.stations)


def _check_role_stations(role: str, stations: list[Station], unit: Unit) -> None:
    if role not in ROLES:
        raise ValidationFailed(
            _("角色必须是 admin、supervisor、officer 或 viewer。"), fields={"role": _("无效")}
        )
    if role == "officer" and not stations:
        raise ValidationFailed(
            _("司法所工作人员至少要分配一个司法所。"), fields={"stations": _("必填")}
        )
    if any(s.unit_id != unit.id for s in stations):
        raise ValidationFailed(
            _("所选司法所不属于该单位。"), fields={"stations": _("不属于该单位")}
        )


def create_user(
    actor: User | None,
    username: str,
    password: str,
    role: str,
    *,
    stations: list[Station] | None = None,
    unit: Unit | None = None,
    display_name: str = "",
) -> User:
    _require_admin(actor)
    username = (username or "").strip()
    stations = stations or []
    if not _USERNAME.match(username):
        raise ValidationFailed(
            _("用户名为2–64位字母、数字或 _ . @ -。"), fields={"username": _("格式不对")}
        )
    if unit is None:
        unit = stations[0].unit if stations else default_unit()
    check_new_password(password, password_context(username, display_name, unit, stations))
    _check_role_stations(role, stations, unit)
    taken = db.session.execute(
        select(User.id).where(func.lower(User.username) == username.lower())
    ).first()
    if taken:
        raise Duplicate(_("用户名 %(u)s 已存在。", u=username), fields={"username": _("已存在")})
    user = User(
        username=username,
        display_name=(display_name or "").strip()[:100],
        password_hash=hash_password(password),
        role=role,
        unit=unit,
        stations=stations if role == "officer" else [],
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", "user", user.id, None, _user_snapshot(user))
    return user


def _user_snapshot(user: User) -> dict:
    data = snapshot(user, exclude=("password_hash", "session_nonce", "last_login_at"))
    data["stations"] = [s.code for s in user.stations]
    return data


def update_user(
    actor: User,
    user: User,
    *,
    version: int,
    role: str,
    display_name: str,
    stations: list[Station],
    unit: Unit,
    active: bool,
) -> User:
    _require_admin(actor)
    check_version(user, version)
    _check_role_stations(role, stations, unit)
    if user.id == actor.id and (not active or role != "admin"):
        raise ValidationFailed(_("不能停用自己的账号或取消自己的管理员角色。"))
    before = _user_snapshot(user)
    user.role = role
    user.display_name = (display_name or "").strip()[:100]
    user.unit = unit
    user.stations = stations if role == "officer" else []
    if user.active and not active:
        user.session_nonce += 1  # end their sessions
        end_other_sessions(user, None)
    user.active = active
    db.session.flush()
    record(actor, "user.update", "user", user.id, before, _user_snapshot(user))
    return user


def set_password(actor: User, user: User, new_password: str) -> None:
    """An admin resets another user's password."""
    _require_admin(actor)
    check_new_password(new_password, _user_password_context(user), field="new_password")
    user.password_hash = hash_password(new_password)
    user.session_nonce += 1
    end_other_sessions(user, None)
    db.session.flush()
    record(actor, "user.reset_password", "user", user.id, None, None)


def change_own_password(user: User, current: str, new_password: str) -> None:
    if not check_password_hash(user.password_hash, current or ""):
        raise ValidationFailed(_("当前密码不正确。"), fields={"current_password": _("不正确")})
    if current == new_password:
        raise ValidationFailed(_("新密码不能与当前密码相同。"), fields={"new_password": _("相同")})
    check_new_password(new_password, _user_password_context(user), field="new_password")
    user.password_hash = hash_password(new_password)
    user.session_nonce += 1
    db.session.flush()
    record(user, "user.change_password", "user", user.id, None, None)


def authenticate(username: str, password: str) -> User | None:
    user = db.session.execute(
        select(User).where(func.lower(User.username) == (username or "").strip().lower())
    ).scalar_one_or_none()
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")  # same cost whether or not the user exists
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    if not user.active:
        return None
    # A plain UPDATE: logging in is not an edit and must not bump the row's version.
    db.session.execute(update(User).where(User.id == user.id).values(last_login_at=clock.now_utc()))
    return user


_DUMMY_HASH = generate_password_hash("not-a-real-password")


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: the user of a live server-side session, or None.

    One lookup by primary key (the session row joined to its user); a write only when
    the session has ended (its row is removed) or its last-seen time is over a minute old.
    """
    try:
        user_id, nonce = (int(p) for p in session_id.split(":"))
    except (ValueError, AttributeError):
        return None
    secret = flask_session.get(SESSION_KEY)
    if not secret or not isinstance(secret, str):
        return None
    key = _digest(secret)
    row = db.session.execute(
        select(User, UserSession.created_at, UserSession.last_seen_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.id == key, User.id == user_id)
    ).first()
    if row is None:
        return None
    user, created_at, last_seen_at = row
    if user.session_nonce != nonce or not user.active:
        return None
    now = clock.now_utc()
    created_at, last_seen_at = _aware(created_at), _aware(last_seen_at)
    idle, lifetime = session_limits()
    if now - last_seen_at > idle or now - created_at > lifetime:
        _outside_request_transaction(delete(UserSession).where(UserSession.id == key))
        return None
    if now - last_seen_at > SESSION_TOUCH_EVERY:
        _outside_request_transaction(
            update(UserSession).where(UserSession.id == key).values(last_seen_at=now)
        )
    return user


# --- server-side browser sessions --------------------------------------------

SESSION_KEY = "sid"
# last_seen_at is written at most once a minute per session (the idle timeout is in minutes)
SESSION_TOUCH_EVERY = timedelta(minutes=1)


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def session_limits() -> tuple[timedelta, timedelta]:
    """(idle timeout, absolute lifetime) from SESSION_IDLE_MINUTES and SESSION_MAX_HOURS."""
    config = current_app.config
    return (
        timedelta(minutes=float(config.get("SESSION_IDLE_MINUTES", 30))),
        timedelta(hours=float(config.get("SESSION_MAX_HOURS", 12))),
    )


def _outside_request_transaction(statement) -> None:
    """Bookkeeping that must stick even when the request reads only (and never commits)."""
    with db.engine.begin() as connection:
        connection.execute(statement)


def start_session(user: User) -> str:
    """A new server-side session for ``user``; the secret goes into the signed cookie."""
    now = clock.now_utc()
    idle, lifetime = session_limits()
    # drop this user's sessions that have ended anyway, so the table stays small
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            (UserSession.last_seen_at < now - idle) | (UserSession.created_at < now - lifetime),
        )
    )
    secret = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(id=_digest(secret), user_id=user.id, created_at=now, last_seen_at=now)
    )
    db.session.flush()
    return secret


def end_session(secret: str | None) -> None:
    """Log out: the session's row goes, so a copy of the cookie no longer works."""
    if secret and isinstance(secret, str):
        db.session.execute(delete(UserSession).where(UserSession.id == _digest(secret)))


def end_other_sessions(user: User, keep: str | None) -> None:
    """After a password change: every other browser of the user must log in again."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep and isinstance(keep, str):
        query = query.where(UserSession.id != _digest(keep))
    db.session.execute(query)


def live_sessions(user: User) -> list[UserSession]:
    now = clock.now_utc()
    idle, lifetime = session_limits()
    rows = db.session.execute(
        select(UserSession)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.created_at.desc())
    ).scalars()
    return [
        s
        for s in rows
        if now - _aware(s.last_seen_at) <= idle and now - _aware(s.created_at) <= lifetime
    ]


def end_all_sessions(actor: User, user: User) -> int:
    """Log ``user`` out everywhere (the user themself, or an admin); API tokens stay valid."""
    if actor.id != user.id:
        _require_admin(actor)
    ended = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    record(actor, "user.logout_everywhere", "user", user.id, None, {"sessions": ended.rowcount})
    return ended.rowcount


def user_by_username(username: str) -> User:
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(_("用户 %(u)s 不存在。", u=username))
    return user


# --- API tokens --------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(actor: User, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; the secret is returned once and never stored."""
    if actor.id != user.id:
        _require_admin(actor)
    if not user.active:
        raise ValidationFailed(_("停用的账号不能签发令牌。"))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=(name or "").strip()[:100], digest=_digest(secret), prefix=secret[:10]
    )
    db.session.add(token)
    db.session.flush()
    record(
        actor,
        "token.issue",
        "api_token",
        token.id,
        None,
        {"user": user.username, "name": token.name, "prefix": token.prefix},
    )
    return token, secret


def revoke_token(actor: User, token: ApiToken) -> None:
    if actor.id != token.user_id:
        _require_admin(actor)
    if token.revoked_at is not None:
        return
    token.revoked_at = clock.now_utc()
    db.session.flush()
    record(actor, "token.revoke", "api_token", token.id, None, {"prefix": token.prefix})


def user_for_token(secret: str) -> User | None:
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    # one statement per API request: the token's user, if the token is live and the user active
    return db.session.execute(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.digest == _digest(secret),
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    ).scalar_one_or_none()


def check_version(obj, version) -> None:
    """Optimistic locking: the client's version must be the stored one."""
    try:
        given = int(version)
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("缺少版本号（version）。"), fields={"version": _("必填")}
        ) from None
    if given != obj.version:
        raise Conflict(
            _("该记录已被他人修改（当前版本 %(v)d），请刷新后重试。", v=obj.version),
            code="stale_version",
        )
