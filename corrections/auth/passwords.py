"""The password policy for new passwords (set, changed, reset, created on the command line).

At least MIN_LENGTH characters; not built from the account's own context (user name,
name, unit, station names and codes, the system's own words); and zxcvbn (Dropbox's
maintained strength estimator, with its lists of common passwords, names and keyboard
patterns) must rate it at least MIN_SCORE of 4. Existing passwords are not re-checked:
they keep working until they are changed. See docs/security.md ("Passwords").
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from zxcvbn import zxcvbn

from corrections.errors import ValidationFailed

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable", 4 = "very unguessable"
# zxcvbn's cost grows with the length; what lies beyond this only adds strength
_SCORED_PREFIX = 64

# Words every password guesser for this system would try first (pinyin and English).
SYSTEM_WORDS = (
    "sifa",
    "sifaju",
    "sifasuo",
    "jiaozheng",
    "shequjiaozheng",
    "sqjz",
    "anzhi",
    "bangjiao",
    "anzhibangjiao",
    "corrections",
    "justice",
    "woaini",
    "5201314",
    "1314",
)


def _context_words(values) -> list[str]:
    """The account's own words, whole and split at punctuation (e.g. ``zhang.san``)."""
    words: list[str] = []
    for value in values:
        value = (value or "").strip().lower()
        if not value:
            continue
        words.append(value)
        words.extend(p for p in re.split(r"[\s._@\-·]+", value) if p and p != value)
    return words


def check_new_password(password: str | None, context=(), *, field: str = "password") -> None:
    """Raise ValidationFailed (field named) unless ``password`` may be set as a new password.

    ``context``: the account's user name, name, unit name, station names and codes.
    """
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise ValidationFailed(
            _("新密码至少%(n)d位。", n=MIN_LENGTH),
            fields={field: _("至少%(n)d位", n=MIN_LENGTH)},
        )
    if len(password) > MAX_LENGTH:
        raise ValidationFailed(_("密码最多%(n)d位。", n=MAX_LENGTH), fields={field: _("太长")})
    lowered = password.lower()
    words = _context_words(context)
    if any(w == lowered or (len(w) >= 3 and w in lowered) for w in words):
        raise ValidationFailed(
            _("密码不能包含用户名、姓名、单位或司法所的名称。请换一个与账号无关的密码。"),
            fields={field: _("含有账号信息")},
        )
    result = zxcvbn(password[:_SCORED_PREFIX], user_inputs=[*words, *SYSTEM_WORDS])
    if result["score"] < MIN_SCORE:
        raise ValidationFailed(
            _(
                "密码太容易被猜到（常见密码、连续数字或字母、键盘顺序、年份或常用词）。"
                "请用三四个不相关的词加数字或符号，例如“山路-茶杯-47-晴天”。"
            ),
            fields={field: _("太容易被猜到")},
        )
