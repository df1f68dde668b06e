"""Editing the rule tables (docs/domain.md (rules are data)): admins only, audited, never deleted.

A change of policy from a date is a *new* row with that ``effective_from``: the
old row stays and still governs the dates before it, so past due dates and
figures do not move. Editing a row in place is for fixing a typo; it changes
history, and the audit log keeps the before and after.

Both tables are read by ``tables.py``: the latest ``effective_from`` on or
before the date asked wins (for contact rules, among rows that match the case;
see ``engine.rule_in_force``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from corrections.audit.services import record, snapshot
from corrections.auth.services import check_version
from corrections.errors import Duplicate, Forbidden
from corrections.extensions import db
from corrections.rules import engine
from corrections.rules.display import (
    CORRECTION_TYPES,
    DEADLINE_KEYS,
    LEVELS,
    PROGRAMME_REQUIREMENTS,
    PROGRAMMES,
    REQUIREMENTS,
)
from corrections.rules.models import ContactRuleRow, DeadlineRuleRow
from corrections.validation import Fields

EARLIEST = engine.DEFAULT_EFFECTIVE_FROM
LATEST = date(2099, 12, 31)
MAX_EVERY_DAYS = 3650

_CONTACT_FIELDS = (
    "programme",
    "requirement",
    "level",
    "correction_type",
    "is_key",
    "satisfied_by",
    "every_days",
    "effective_from",
)
_DEADLINE_FIELDS = ("key", "value", "effective_from")


def _require_admin(actor) -> None:
    # None is the system itself (migrations, CLI), as in auth.services.
    if actor is not None and not getattr(actor, "is_admin", False):
        raise Forbidden(_("只有系统管理员可以修改规则表。"))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _names(labels: dict, codes: Iterable[str]) -> str:
    return "、".join(str(labels[c]) for c in codes)


# --------------------------------------------------------------------------- parsing


def _effective_from(f: Fields) -> date | None:
    value = f.date("effective_from")
    if value is not None and not (EARLIEST <= value <= LATEST):
        f.error(
            "effective_from",
            _(
                "生效日期应在%(a)s至%(b)s之间。",
                a=EARLIEST.isoformat(),
                b=LATEST.isoformat(),
            ),
        )
        return None
    return value


def _optional_code(f: Fields, key: str, labels: dict, message: str) -> str | None:
    value = f.data.get(key)
    if _blank(value):
        return None
    if not isinstance(value, str) or value.strip() not in labels:
        f.error(key, message)
        return None
    return value.strip()


def _tri_state(f: Fields, key: str) -> bool | None:
    value = f.data.get(key)
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "key"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "other"):
        return False
    f.error(key, _("应为“是”“否”或留空（不区分）。"))
    return None


def _satisfied_by(f: Fields) -> list[str]:
    value = f.data.get("satisfied_by")
    if isinstance(value, str):
        kinds = [k.strip() for k in value.split(",") if k.strip()]
    elif isinstance(value, list | tuple | set | frozenset):
        kinds = [k.strip() if isinstance(k, str) else k for k in value]
    elif value is None:
        kinds = []
    else:
        f.error("satisfied_by", _("应为联系方式代码的列表。"))
        return []
    if not kinds:
        f.error("satisfied_by", _("请至少选择一种可以满足此要求的联系方式。"))
        return []
    unknown = [str(k) for k in kinds if k not in engine.CONTACT_KINDS]
    if unknown:
        f.error(
            "satisfied_by",
            _(
                "未知的联系方式：%(v)s。可选：%(ok)s。",
                v="、".join(unknown)[:100],
                ok=", ".join(engine.CONTACT_KINDS),
            ),
        )
        return []
    return sorted(set(kinds))


def _parse_contact_rule(data: dict) -> dict:
    f = Fields(data)
    programme = f.data.get("programme")
    if _blank(programme):
        f.error("programme", _("请选择适用的工作：社区矫正或安置帮教。"))
        programme = None
    elif programme not in PROGRAMMES:
        f.error(
            "programme", _("未知的工作类别，应为社区矫正（correction）或安置帮教（resettlement）。")
        )
        programme = None

    requirement = f.data.get("requirement")
    if _blank(requirement):
        f.error("requirement", _("请选择联系要求。"))
        requirement = None
    elif requirement not in REQUIREMENTS:
        f.error(
            "requirement",
            _(
                "未知的联系要求“%(v)s”。可选：%(ok)s。",
                v=str(requirement)[:40],
                ok=", ".join(engine.REQUIREMENTS),
            ),
        )
        requirement = None
    elif programme and requirement not in PROGRAMME_REQUIREMENTS[programme]:
        if programme == engine.RESETTLEMENT:
            f.error("requirement", _("安置帮教只有“见面走访”一项联系要求。"))
        else:
            f.error(
                "requirement",
                _(
                    "社区矫正的联系要求为：%(ok)s。",
                    ok=_names(REQUIREMENTS, PROGRAMME_REQUIREMENTS[engine.CORRECTION]),
                ),
            )
        requirement = None

    level = _optional_code(
        f, "level", LEVELS, _("管理等级应为严管、普管、宽管，或留空（各等级）。")
    )
    correction_type = _optional_code(
        f,
        "correction_type",
        CORRECTION_TYPES,
        _("矫正类别应为管制、缓刑、假释、暂予监外执行，或留空（各类别）。"),
    )
    is_key = _tri_state(f, "is_key")
    if programme == engine.RESETTLEMENT:
        if level is not None:
            f.error("level", _("安置帮教不区分管理等级，请留空。"))
        if correction_type is not None:
            f.error("correction_type", _("安置帮教不区分矫正类别，请留空。"))
    elif programme == engine.CORRECTION and is_key is not None:
        f.error("is_key", _("重点帮教只适用于安置帮教，社区矫正请留空。"))
    if requirement == "health_report" and correction_type != "temporary_release":
        f.error("correction_type", _("病情报告只适用于暂予监外执行，请选择该类别。"))

    satisfied_by = _satisfied_by(f)
    every_days = f.integer("every_days", minimum=0, maximum=MAX_EVERY_DAYS)
    effective_from = _effective_from(f)
    f.raise_if_errors(_("规则信息不完整或不正确，请按提示修改。"))
    return {
        "programme": programme,
        "requirement": requirement,
        "level": level,
        "correction_type": correction_type,
        "is_key": is_key,
        "satisfied_by": ",".join(satisfied_by),
        "every_days": every_days,
        "effective_from": effective_from,
    }


def _parse_deadline_rule(data: dict) -> dict:
    f = Fields(data)
    key = f.data.get("key")
    spec = None
    if _blank(key):
        f.error("key", _("请选择期限项目。"))
    elif key not in DEADLINE_KEYS:
        f.error("key", _("未知的期限项目“%(v)s”。", v=str(key)[:64]))
    else:
        spec = DEADLINE_KEYS[key]
    value = f.integer("value")
    if value is not None and spec is not None and not (spec.minimum <= value <= spec.maximum):
        f.error(
            "value",
            _(
                "应在%(a)d至%(b)d%(unit)s之间。",
                a=spec.minimum,
                b=spec.maximum,
                unit=str(spec.unit),
            ),
        )
    elif value is not None and value < 0:
        f.error("value", _("不能小于0。"))
    effective_from = _effective_from(f)
    f.raise_if_errors(_("期限信息不完整或不正确，请按提示修改。"))
    return {"key": key, "value": value, "effective_from": effective_from}


# --------------------------------------------------------------------------- clashes


def _same_scope_row(values: dict, exclude_id: int | None) -> int | None:
    """Another row with the same scope and date: the engine could not tell them apart."""
    query = select(ContactRuleRow.id).where(
        ContactRuleRow.programme == values["programme"],
        ContactRuleRow.requirement == values["requirement"],
        ContactRuleRow.level.is_not_distinct_from(values["level"]),
        ContactRuleRow.correction_type.is_not_distinct_from(values["correction_type"]),
        ContactRuleRow.is_key.is_not_distinct_from(values["is_key"]),
        ContactRuleRow.effective_from == values["effective_from"],
    )
    if exclude_id is not None:
        query = query.where(ContactRuleRow.id != exclude_id)
    return db.session.execute(query.limit(1)).scalar_one_or_none()


def _same_key_row(values: dict, exclude_id: int | None) -> int | None:
    query = select(DeadlineRuleRow.id).where(
        DeadlineRuleRow.key == values["key"],
        DeadlineRuleRow.effective_from == values["effective_from"],
    )
    if exclude_id is not None:
        query = query.where(DeadlineRuleRow.id != exclude_id)
    return db.session.execute(query.limit(1)).scalar_one_or_none()


def _refuse_clash(existing_id: int | None) -> None:
    if existing_id is not None:
        raise Duplicate(
            _(
                "同一适用范围在该生效日期已有一行规则（编号%(id)d），请修改那一行或换一个生效日期。",
                id=existing_id,
            ),
            fields={"effective_from": _("该日期已有规则。")},
            existing_id=existing_id,
        )


def _merged(row, data: dict, names: tuple[str, ...]) -> dict:
    """The row's current values overlaid with the given ones (a partial update keeps the rest)."""
    values = {name: getattr(row, name) for name in names}
    values.update({k: v for k, v in (data or {}).items() if k in names})
    return values


# --------------------------------------------------------------------------- writes


def _refresh_stored_due_states() -> None:
    """A contact rule change moves due dates of every open case: recompute them now."""
    from corrections import clock
    from corrections.reminders.jobs import recompute_due

    recompute_due(clock.today())


def _recompute_governed_cases(actor, *keys: str) -> None:
    """A deadline or period row change moves the stored dates of the open cases it governs
    (docs/domain.md §7.7): report deadlines of expected cases, support-period ends of open
    resettlement cases. Closed months keep their figures and list the change."""
    from corrections.resettlement.services import recompute_period_ends
    from corrections.supervision.services import recompute_report_deadlines

    if any(k in ("report_days", "transfer_report_days") for k in keys):
        recompute_report_deadlines(actor)
    if any(k.startswith("resettlement_years_") for k in keys):
        recompute_period_ends(actor)


@dataclass(frozen=True)
class _Table:
    """How one rule table is edited: its row model, audit name, parser, editable fields, the
    check for a row the new values would duplicate, and what a change recomputes
    (``after(actor, before, row)``, ``before`` the row's snapshot, None for a new row)."""

    model: type
    entity: str
    parse: Callable[[dict], dict]
    fields: tuple[str, ...]
    clash: Callable[[dict, int | None], int | None]
    after: Callable[..., None]


_CONTACT_TABLE = _Table(
    ContactRuleRow,
    "contact_rule",
    _parse_contact_rule,
    _CONTACT_FIELDS,
    _same_scope_row,
    lambda _actor, _before, _row: _refresh_stored_due_states(),
)
_DEADLINE_TABLE = _Table(
    DeadlineRuleRow,
    "deadline_rule",
    _parse_deadline_rule,
    _DEADLINE_FIELDS,
    _same_key_row,
    lambda actor, before, row: _recompute_governed_cases(
        actor, *([before["key"]] if before else []), row.key
    ),
)


def _add(table: _Table, actor, data: dict) -> Any:
    _require_admin(actor)
    values = table.parse(data)
    _refuse_clash(table.clash(values, None))
    row = table.model(**values, created_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    table.after(actor, None, row)
    record(actor, f"{table.entity}.create", table.entity, row.id, None, snapshot(row))
    return row


def _update(table: _Table, actor, row, version, data: dict) -> Any:
    _require_admin(actor)
    check_version(row, version)
    values = table.parse(_merged(row, data, table.fields))
    if all(getattr(row, k) == v for k, v in values.items()):
        return row
    _refuse_clash(table.clash(values, row.id))
    before = snapshot(row)
    for name, value in values.items():
        setattr(row, name, value)
    db.session.flush()
    table.after(actor, before, row)
    record(actor, f"{table.entity}.update", table.entity, row.id, before, snapshot(row))
    return row


def add_contact_rule(actor, data: dict) -> ContactRuleRow:
    """A new contact frequency row, in force from its ``effective_from``."""
    return _add(_CONTACT_TABLE, actor, data)


def update_contact_rule(actor, row: ContactRuleRow, version, data: dict) -> ContactRuleRow:
    """Correct a row in place (a typo); a change of policy is a new row instead."""
    return _update(_CONTACT_TABLE, actor, row, version, data)


def add_deadline_rule(actor, data: dict) -> DeadlineRuleRow:
    """A new value for a deadline, limit or period, in force from its ``effective_from``."""
    return _add(_DEADLINE_TABLE, actor, data)


def update_deadline_rule(actor, row: DeadlineRuleRow, version, data: dict) -> DeadlineRuleRow:
    return _update(_DEADLINE_TABLE, actor, row, version, data)


# --------------------------------------------------------------------------- reading for pages


def contact_rule_rows() -> list[ContactRuleRow]:
    order = {code: i for i, code in enumerate(engine.REQUIREMENTS)}
    levels = {code: i for i, code in enumerate(LEVELS)}
    rows = db.session.execute(select(ContactRuleRow)).scalars().all()
    return sorted(
        rows,
        key=lambda r: (
            0 if r.programme == engine.CORRECTION else 1,
            order.get(r.requirement, len(order)),
            r.correction_type or "",
            levels.get(r.level, -1) if r.level else -1,
            {None: 0, True: 1, False: 2}[r.is_key],
            r.effective_from,
            r.id,
        ),
    )


def contact_rules_in_force(rows: Iterable[ContactRuleRow], on: date) -> set[int]:
    """Ids of the rows the engine would pick on ``on`` for some case.

    Withdrawing rows (``every_days`` ≤ 0) count as in force when they are the
    row picked: they are what governs that case on that date.
    """
    # The engine returns None for a withdrawing row; give every row a positive
    # frequency so that it reports which row it picks, then map back by id.
    probes = [replace(r.to_engine(), every_days=1) for r in rows]
    in_force: set[int] = set()
    situations: list[tuple[str, str | None, str | None, bool | None]] = [
        (engine.CORRECTION, level, ctype, None) for level in LEVELS for ctype in CORRECTION_TYPES
    ]
    situations += [(engine.RESETTLEMENT, None, None, key) for key in (True, False)]
    for programme, level, ctype, is_key in situations:
        for requirement in PROGRAMME_REQUIREMENTS[programme]:
            picked = engine.rule_in_force(probes, programme, requirement, level, ctype, is_key, on)
            if picked is not None:
                in_force.add(int(picked.id))
    return in_force


def deadline_rule_rows() -> list[DeadlineRuleRow]:
    order = {key: i for i, key in enumerate(DEADLINE_KEYS)}
    rows = db.session.execute(select(DeadlineRuleRow)).scalars().all()
    return sorted(rows, key=lambda r: (order.get(r.key, len(order)), r.key, r.effective_from, r.id))


def deadline_rules_in_force(rows: Iterable[DeadlineRuleRow], on: date) -> set[int]:
    """Ids of the rows ``tables.deadline(key, on)`` reads (latest date, then latest id)."""
    best: dict[str, DeadlineRuleRow] = {}
    for row in rows:
        if row.effective_from > on:
            continue
        current = best.get(row.key)
        if current is None or (row.effective_from, row.id) > (current.effective_from, current.id):
            best[row.key] = row
    return {row.id for row in best.values()}


# --------------------------------------------------------------------------- the engine's table, kept


_RULE_VALUES = (
    ContactRuleRow.id,
    ContactRuleRow.programme,
    ContactRuleRow.requirement,
    ContactRuleRow.level,
    ContactRuleRow.correction_type,
    ContactRuleRow.is_key,
    ContactRuleRow.satisfied_by,
    ContactRuleRow.every_days,
    ContactRuleRow.effective_from,
)
_KEPT: dict[tuple, tuple[engine.ContactRule, ...]] = {}
_KEPT_MAX = 8


def engine_contact_rules() -> list[engine.ContactRule]:
    """The contact rule table as the engine reads it (``ContactRuleRow.to_engine`` in id
    order), kept per process.

    Every call checks the table: it reads the rows' values in one plain statement (a few
    dozen short rows, no ORM objects), and those values are the version the kept table is
    filed under. A row added or corrected by another process, or not yet committed in this
    transaction, is therefore seen at once; what is saved is loading the rows as objects
    and building the engine's rules from them on every write."""
    values = tuple(
        tuple(row) for row in db.session.execute(select(*_RULE_VALUES).order_by(ContactRuleRow.id))
    )
    kept = _KEPT.get(values)
    if kept is None:
        rows = db.session.execute(select(ContactRuleRow).order_by(ContactRuleRow.id)).scalars()
        kept = tuple(row.to_engine() for row in rows)
        if len(_KEPT) >= _KEPT_MAX:
            _KEPT.clear()
        _KEPT[values] = kept
    return list(kept)
