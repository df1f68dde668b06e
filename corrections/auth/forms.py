from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名"))])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码"))])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(_l("必填"))])
    new_password = PasswordField(
        _l("新密码"), validators=[DataRequired(_l("必填")), Length(min=10, message=_l("至少10位"))]
    )
    confirm = PasswordField(
        _l("再次输入新密码"),
        validators=[DataRequired(_l("必填")), EqualTo("new_password", _l("两次输入不一致"))],
    )


class TokenForm(FlaskForm):
    name = StringField(_l("用途说明"), validators=[Length(max=100)])
