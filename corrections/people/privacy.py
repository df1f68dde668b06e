"""How a person's name and ID number are shown to a given user.

ID numbers are masked by role where the page or export always did so (officers and
viewers in lists, pages and workbooks; supervisors and admins see them in full). On
top of that, docs/domain.md §7.2: a person who has a minor's correction case (under 18
when its judgment took effect, for the whole term and after) is shown to viewers with
the name and the ID number masked everywhere (社区矫正法 §54, §58): 张*, 1101**********4477.

Every page, API object, PDF, workbook and CSV asks ``display_name`` / ``display_id``.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import g, has_app_context
from sqlalchemy import select

from corrections.extensions import db
from corrections.people.idnumber import mask


def mask_name(name: str | None) -> str:
    """张三 → 张*: the first character only."""
    if not name:
        return ""
    return name[0] + "*"


def _minor_rows(*where) -> set[int]:
    from corrections.people.models import Person
    from corrections.supervision.models import CorrectionCase

    found: set[int] = set()
    rows = db.session.execute(
        select(CorrectionCase.person_id, CorrectionCase.judgment_effective_on, Person.birth_date)
        .join(Person, Person.id == CorrectionCase.person_id)
        .where(*where)
    )
    for person_id, judged, born in rows:
        if born is not None and judged is not None and _age(born, judged) < 18:
            found.add(person_id)
    return found


def minor_case_person_ids(person_ids: Iterable[int] | None = None) -> set[int]:
    """Of these people (None: everyone), those with a minor's correction case (any status)."""
    from corrections.supervision.models import CorrectionCase

    if person_ids is None:
        return _minor_rows()
    ids = sorted({pid for pid in person_ids if pid is not None})
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        found |= _minor_rows(CorrectionCase.person_id.in_(ids[start : start + 500]))
    return found


def _age(born, on) -> int:
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def _cache() -> dict[int, bool]:
    if not has_app_context():
        return {}
    if "_minor_people" not in g:
        g._minor_people = {}
    return g._minor_people


def prefetch(user, person_ids: Iterable[int]) -> None:
    """Look up many people at once (lists, workbooks) so each row costs no query."""
    if not _restricted(user):
        return
    cache = _cache()
    wanted = {pid for pid in person_ids if pid is not None and pid not in cache}
    if not wanted:
        return
    minors = minor_case_person_ids(wanted)
    for pid in wanted:
        cache[pid] = pid in minors


def prefetch_all(user) -> None:
    """For exports of a whole register: every protected person in one query."""
    if _restricted(user) and has_app_context() and "_minor_all" not in g:
        g._minor_all = minor_case_person_ids(None)


def _restricted(user) -> bool:
    return user is None or not getattr(user, "is_authenticated", True) or user.is_viewer


def protected(user, person_id: int | None) -> bool:
    """True when this user must not see this person's name and ID number."""
    if person_id is None or not _restricted(user):
        return False
    if has_app_context() and "_minor_all" in g:
        return person_id in g._minor_all
    cache = _cache()
    if person_id not in cache:
        cache[person_id] = person_id in minor_case_person_ids([person_id])
    return cache[person_id]


def display_name(user, person_id: int | None, name: str | None) -> str:
    return mask_name(name) if protected(user, person_id) else (name or "")


def display_id(user, person_id: int | None, number: str | None, *, by_role: bool = True) -> str:
    """``by_role``: mask for users who never see full ID numbers here (pages, workbooks,
    CSV); False where the full number is part of the contract (API), minors aside."""
    if protected(user, person_id):
        return mask(number)
    if by_role and not (user is not None and user.sees_full_id_numbers):
        return mask(number)
    return number or ""
