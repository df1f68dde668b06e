"""Resident ID numbers (公民身份号码, GB 11643).

We check the length, the format, the check digit and the birth date with
python-stdnum's building blocks. We do *not* call ``ric.validate()``: it
rejects real IDs whose area code was renamed after the birth year and raises
``KeyError`` on some unknown codes. An unknown area code is only a notice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from stdnum.cn import ric

_FORMAT = re.compile(r"^\d{17}[\dX]$")


class InvalidIdNumber(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    sex: str  # "male" | "female"
    area_known: bool
    area_name: str | None

    @property
    def notice(self):
        if self.area_known:
            return None
        return _l(
            "行政区划代码 %(code)s 不在现行代码表中（可能已撤并更名），请核对。",
            code=self.number[:6],
        )


def normalise(raw: str) -> str:
    return re.sub(r"\s+", "", raw or "").upper()


def parse(raw: str, *, today: date | None = None) -> IdInfo:
    number = normalise(raw)
    if len(number) != 18:
        raise InvalidIdNumber(_l("身份证号码应为18位，现在是%(n)d位。", n=len(number)))
    if not _FORMAT.match(number):
        raise InvalidIdNumber(_l("身份证号码只能由17位数字和最后一位数字或X组成。"))
    # calc_check_digit() takes the full number and ignores its last character.
    if ric.calc_check_digit(number) != number[17]:
        raise InvalidIdNumber(_l("身份证号码校验位不正确，请核对后重新输入。"))
    try:
        birth = ric.get_birth_date(number)
    except Exception:
        raise InvalidIdNumber(_l("身份证号码中的出生日期不存在。")) from None
    if birth.year < 1900 or (today is not None and birth > today):
        raise InvalidIdNumber(_l("身份证号码中的出生日期不合理。"))
    sex = "male" if int(number[16]) % 2 == 1 else "female"
    area_name = area_name_of(number[:6], birth.year)
    return IdInfo(number, birth, sex, area_name is not None, area_name)


def area_name_of(code: str, year: int) -> str | None:
    """The name of an area code in any edition of the code table: the name it had in
    ``year`` if it had one then, else its latest name; None only for a code no edition
    lists. (stdnum's ``get_birth_place`` refuses codes created after the birth year, such
    as 330726 for someone born before 1985, although the code is current.)"""
    from stdnum import numdb

    try:
        results = numdb.get("cn/loc").info(code)
    except Exception:  # an unreadable table is no reason to refuse a person
        return None
    info = {k: v for _part, props in results for k, v in props.items()}
    names = [n for n in (info.get("county") or "").split(",") if n]
    if not names:
        return None if "county" not in info else info.get("city") or info.get("province")
    dated = []
    for name in names:
        if not name.startswith("["):
            return name
        span, label = name[1:].split("]", 1)
        start, _sep, end = span.partition("-")
        dated.append((int(start) if start else 0, int(end) if end else 9999, label))
    for start, end, label in dated:
        if start <= year <= end:
            return label
    return max(dated)[2]


def mask(number: str | None) -> str:
    """3301**********123X: area prefix and the last four digits only."""
    if not number:
        return ""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def make_fictional(area: str, birth: date, serial: int) -> str:
    """A well-formed ID for demo data: a real area code, a valid check digit."""
    body = f"{area}{birth:%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")
