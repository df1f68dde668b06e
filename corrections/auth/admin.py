"""Admin pages: units (county bureaus), stations (司法所) and users."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField

from corrections.auth import services
from corrections.auth.models import ROLES, ApiToken, Station, Unit, User
from corrections.errors import DomainError, NotFound, ValidationFailed
from corrections.extensions import db
from corrections.forms import MultiCheckboxField
from corrections.web import (
    flash_error,
    form_page,
    page_args,
    paginate,
    refuse,
    role_required,
    saved,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _get(model, record_id: int):
    obj = db.session.get(model, record_id)
    if obj is None:
        raise NotFound(_("记录不存在。"))
    return obj


def _name_active(form) -> dict:
    """What an edit form of a unit or a station changes (with the version it was read at)."""
    return {"version": form.version.data, "name": form.name.data, "active": form.active.data}


def _units():
    return db.session.execute(select(Unit).order_by(Unit.id)).scalars().all()


def _unit(unit_id) -> Unit | None:
    return db.session.get(Unit, unit_id) if unit_id else None


def _stations() -> list[Station]:
    """Every station with its unit, by unit and code."""
    query = select(Station).options(selectinload(Station.unit))
    return db.session.execute(query.order_by(Station.unit_id, Station.code)).scalars().all()


# --- units -------------------------------------------------------------------


class UnitForm(FlaskForm):
    version = HiddenField()
    name = StringField(_l("单位名称"))
    active = BooleanField(_l("启用"), default=True)


@bp.route("/units", methods=["GET", "POST"])
@role_required("admin")
def units():
    form = UnitForm()
    return form_page(
        "auth/units.html",
        form,
        lambda: services.create_unit(current_user, form.name.data),
        _("已添加单位。"),
        url_for("admin.units"),
        units=_units(),
    )


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_unit(unit_id: int):
    unit = _get(Unit, unit_id)
    form = UnitForm(obj=unit if request.method == "GET" else None)
    return form_page(
        "auth/unit_form.html",
        form,
        lambda: services.update_unit(current_user, unit, **_name_active(form)),
        _("已保存。"),
        url_for("admin.units"),
        unit=unit,
    )


# --- stations ----------------------------------------------------------------


class StationForm(FlaskForm):
    version = HiddenField()
    code = StringField(_l("代码"))
    name = StringField(_l("名称"))
    unit = SelectField(_l("所属单位"), coerce=int, validate_choice=False)
    active = BooleanField(_l("启用"), default=True)


@bp.route("/stations", methods=["GET", "POST"])
@role_required("admin")
def stations():
    form = StationForm()
    form.unit.choices = [(u.id, u.name) for u in _units()]
    return form_page(
        "auth/stations.html",
        form,
        lambda: services.create_station(
            current_user, form.code.data, form.name.data, _unit(form.unit.data)
        ),
        _("已添加司法所。"),
        url_for("admin.stations"),
        stations=_stations(),
    )


@bp.route("/stations/<int:station_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_station(station_id: int):
    station = _get(Station, station_id)
    form = StationForm(obj=station if request.method == "GET" else None)
    form.unit.choices = [(station.unit_id, station.unit.name)]
    return form_page(
        "auth/station_form.html",
        form,
        lambda: services.update_station(current_user, station, **_name_active(form)),
        _("已保存。"),
        url_for("admin.stations"),
        station=station,
    )


# --- users -------------------------------------------------------------------


def role_choices():
    return [
        ("officer", _l("司法所工作人员")),
        ("supervisor", _l("县局主管")),
        ("viewer", _l("只读查看")),
        ("admin", _l("系统管理员")),
    ]


class UserForm(FlaskForm):
    version = HiddenField()
    username = StringField(_l("用户名"))
    display_name = StringField(_l("姓名"))
    password = PasswordField(_l("初始密码"))
    role = SelectField(_l("角色"), choices=role_choices, validate_choice=False)
    unit = SelectField(_l("单位"), coerce=int, validate_choice=False)
    stations = MultiCheckboxField(_l("司法所（工作人员必选）"), coerce=int, validate_choice=False)
    active = BooleanField(_l("启用"), default=True)


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("新密码"))


def _user_form_choices(form: UserForm) -> None:
    form.unit.choices = [(u.id, u.name) for u in _units()]
    form.stations.choices = [(s.id, f"{s.unit.name} · {s.name}") for s in _stations()]


def _stations_from(ids) -> list[Station]:
    if not ids:
        return []
    return list(db.session.execute(select(Station).where(Station.id.in_(ids))).scalars())


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    form = UserForm()
    _user_form_choices(form)
    if form.validate_on_submit():
        unit = _unit(form.unit.data)
        done = saved(
            form,
            lambda: services.create_user(
                current_user,
                form.username.data,
                form.password.data,
                form.role.data,
                stations=_stations_from(form.stations.data),
                unit=unit,
                display_name=form.display_name.data,
            ),
            _("已添加用户。"),
            url_for("admin.users"),
        )
        if done is not None:
            return done
    page, per_page = page_args()
    query = select(User).options(selectinload(User.stations), selectinload(User.unit))
    q = (request.args.get("q") or "").strip()
    if q:
        query = query.where(
            User.username.contains(q, autoescape=True)
            | User.display_name.contains(q, autoescape=True)
        )
    listing = paginate(query.order_by(User.username), page, per_page)
    return render_template("auth/users.html", users=listing, form=form, q=q, roles=ROLES)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_user(user_id: int):
    user = _get(User, user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    _user_form_choices(form)
    if request.method == "GET":
        form.unit.data = user.unit_id
        form.stations.data = [s.id for s in user.stations]
    if form.validate_on_submit():
        unit = _unit(form.unit.data)

        def update():
            if unit is None:
                raise ValidationFailed(_("请选择单位。"), fields={"unit": _("必填")})
            services.update_user(
                current_user,
                user,
                version=form.version.data,
                role=form.role.data,
                display_name=form.display_name.data,
                stations=_stations_from(form.stations.data),
                unit=unit,
                active=form.active.data,
            )

        done = saved(form, update, _("已保存。"), url_for("admin.edit_user", user_id=user.id))
        if done is not None:
            return done
    return _user_page(user, form)


def _user_page(user: User, form: UserForm, new_secret: str | None = None):
    """A user's page: the form, the password reset, the API tokens (newest first) and,
    just issued, a token's secret (shown this once)."""
    tokens = (
        db.session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
        .scalars()
        .all()
    )
    return render_template(
        "auth/user_form.html",
        user=user,
        form=form,
        reset=ResetPasswordForm(),
        tokens=tokens,
        new_secret=new_secret,
    )


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@role_required("admin")
def reset_password(user_id: int):
    user = _get(User, user_id)
    form = ResetPasswordForm()
    try:
        services.set_password(current_user, user, form.new_password.data or "")
    except DomainError as e:
        refuse(e)
        flash_error(e)
    else:
        db.session.commit()
        flash(_("密码已重置，该用户需要重新登录。"), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/tokens", methods=["POST"])
@role_required("admin")
def issue_user_token(user_id: int):
    user = _get(User, user_id)
    try:
        _token, secret = services.issue_token(current_user, user, request.form.get("name", ""))
    except DomainError as e:
        refuse(e)
        flash_error(e)
        return redirect(url_for("admin.edit_user", user_id=user.id))
    db.session.commit()
    form = UserForm(obj=user)
    _user_form_choices(form)
    form.unit.data = user.unit_id
    form.stations.data = [s.id for s in user.stations]
    return _user_page(user, form, secret)


@bp.route("/users/<int:user_id>/sessions/end", methods=["POST"])
@role_required("admin")
def end_user_sessions(user_id: int):
    """Log a user out of every browser (e.g. a lost phone); API tokens are not affected."""
    user = _get(User, user_id)
    ended = services.end_all_sessions(current_user, user)
    db.session.commit()
    flash(_("已让该用户在所有设备上退出登录（%(n)d 个会话）。", n=ended), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))
