"""The due-date engine: the one definition of "due" and "overdue" (docs/domain.md §3.5, §4).

Everything here is a pure function of case facts, a rule table and a date.
Stored state (`next_due_on` on the case row), SQL fast paths and the
`cc.overdue` / `rs.overdue` figures must agree with it.

Semantics, for a case and a date D:

* The case is active on D when it was received (resettlement: handed over) on
  or before D and has not ended on or before D.
* Requirements in force on D follow the rule table in force on D, the level in
  force on D (corrections), the correction type (``health_report`` only for
  ``temporary_release``) and the key status on D (resettlement ``visit``).
* ``last`` is the latest of: the satisfying non-voided contacts dated on or
  before D; the reception (handover) date; the date the level in force on D
  took effect, when it was a change; the date the key status in force on D
  took effect, when it was a change; and, for ``face_to_face`` only, a return
  from leave (销假) on or before D. ``due_on = last + every_days``.
* Overdue on D when ``D > due_on``, by ``(D - due_on).days`` days.
* On approved leave on D (approved, ``starts_on <= D <= ends_on``, not returned
  before D) only ``remote_report`` applies; the others are reported with
  ``paused=True`` and never count as overdue.
* While on leave every level reports remotely (docs/domain.md §7.3): a level
  with no ``remote_report`` row in force takes the ``remote_report_on_leave``
  row instead (reported as ``remote_report``), whose window also counts from
  the leave's ``starts_on`` (anchor ``leave_start``). Off leave that row
  does not apply.

The level (or key status) recorded when the case was created is not a
"change": it holds from the case's first date, so only later dated records
restart the windows. Consecutive records with the same value count as one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from corrections import labels, periods

from .dates import days_in_range
from .defaults import default_contact_rules, default_deadlines
from .facts import (
    CONTACT_KINDS,
    CORRECTION,
    DEFAULT_EFFECTIVE_FROM,
    ON_LEAVE_REMOTE,
    REQUIREMENTS,
    RESETTLEMENT,
    Anchor,
    CaseFacts,
    ContactFact,
    ContactRule,
    KeyPeriod,
    LeaveFact,
    LevelPeriod,
    Programme,
)

__all__ = [
    "CORRECTION",
    "RESETTLEMENT",
    "REQUIREMENTS",
    "CONTACT_KINDS",
    "DEFAULT_EFFECTIVE_FROM",
    "ContactRule",
    "ContactFact",
    "LevelPeriod",
    "LeaveFact",
    "KeyPeriod",
    "CaseFacts",
    "DueState",
    "rule_in_force",
    "level_on",
    "is_key_on",
    "is_active_on",
    "on_leave_on",
    "leave_on",
    "ON_LEAVE_REMOTE",
    "due_dates_on",
    "overdue_on",
    "next_due",
    "on_time_rate",
    "default_contact_rules",
    "default_deadlines",
]

# Requirements that still apply while the person is away on approved leave.
_APPLIES_ON_LEAVE = frozenset({"remote_report"})
# Requirements that a return from leave (销假, in person) satisfies.
_MET_BY_LEAVE_RETURN = frozenset({"face_to_face"})


# --------------------------------------------------------------------------- explanations


def requirement_label(requirement: str, lang: str = "zh") -> str:
    """The requirement's name for messages (notifications are written in Chinese)."""
    return _word(lang, "requirement", requirement)


def _language(lang: str) -> str:
    return "zh" if lang == "zh" else "en"


def _word(lang: str, kind: str, code) -> str:
    """A word of the explanations from the label catalogue (corrections/labels.py)."""
    word = labels.DUE_WORDS[kind].get(code)
    return code if word is None else labels.in_language(_language(lang), word)


def _piece(lang: str, name: str, **variables) -> str:
    return labels.in_language(_language(lang), labels.DUE_SENTENCE[name], **variables)


def ordered_kinds(kinds: Iterable[str]) -> list[str]:
    """Contact kinds in display order (unknown ones last, by code)."""
    order = {k: i for i, k in enumerate(CONTACT_KINDS)}
    return sorted(kinds, key=lambda k: (order.get(k, len(order)), k))


def join_words(words: list[str], last_sep: str, sep: str) -> str:
    """``a、b或c``: the words joined by ``sep``, the last two by ``last_sep``."""
    if len(words) <= 1:
        return "".join(words)
    return sep.join(words[:-1]) + last_sep + words[-1]


@dataclass(frozen=True)
class DueState:
    """One requirement of one case on one date, with what it was computed from."""

    requirement: str
    due_on: date
    last_on: date
    anchor: Anchor
    anchor_kind: str | None
    every_days: int
    rule_id: int | str
    overdue_days: int = 0
    paused: bool = False
    # Context for explanations and API output.
    last_contact_on: date | None = None
    level: str | None = None
    is_key: bool | None = None
    satisfied_by: frozenset[str] = field(default_factory=frozenset)
    programme: Programme = CORRECTION
    rule_correction_type: str | None = None

    @property
    def is_overdue(self) -> bool:
        return self.overdue_days > 0

    def _scope(self, lang: str) -> str:
        if self.rule_correction_type:
            return _word(lang, "correction_type", self.rule_correction_type)
        if self.programme == RESETTLEMENT:
            return "" if self.is_key is None else _word(lang, "key", self.is_key)
        if self.level:
            return _word(lang, "level", self.level)
        return ""

    def explain(self, lang: str = "zh") -> str:
        """A plain sentence: which rule, which last contact (or anchor), which window."""
        kinds = [_word(lang, "contact_kind", k) for k in ordered_kinds(self.satisfied_by)]
        kinds_text = join_words(kinds, _piece(lang, "or"), _piece(lang, "comma"))
        rule = _piece(
            lang,
            "rule",
            n=self.every_days,
            requirement=_word(lang, "requirement", self.requirement),
            kinds=_piece(lang, "kinds", kinds=kinds_text) if kinds else "",
        )
        if self.anchor in ("contact", "leave_return"):
            if self.anchor == "contact":
                kind = _word(lang, "contact_kind", self.anchor_kind or "")
            else:
                kind = _word(lang, "anchor", "leave_return")
            since = _piece(lang, "last", date=self.last_on.isoformat(), kind=kind).rstrip()
        else:
            anchor = _word(lang, "anchor", self.anchor)
            since = _piece(lang, "since", date=self.last_on.isoformat(), anchor=anchor)
        parts = [rule, since, _piece(lang, "due_by", date=self.due_on.isoformat())]
        if self.paused:
            parts.append(_piece(lang, "paused"))
        elif self.overdue_days:
            parts.append(_piece(lang, "overdue", n=self.overdue_days))
        text = _piece(lang, "separator").join(parts)
        scope = self._scope(lang)
        if scope:
            return _piece(lang, "scoped", scope=scope, text=text)
        return text[0].upper() + text[1:]


# --------------------------------------------------------------------------- lookups


def _matches(value: object, wanted: object) -> bool:
    return value is None or value == wanted


def rule_in_force(
    rules: Iterable[ContactRule],
    programme: str,
    requirement: str,
    level: str | None,
    correction_type: str | None,
    is_key: bool | None,
    on: date,
) -> ContactRule | None:
    """The rule row for this requirement in force on `on`: the latest `effective_from` ≤ `on`.

    Among rows with the same `effective_from`, the more specific one wins.
    Returns None when no row applies, or when the row in force withdraws the
    requirement (`every_days <= 0`).
    """
    best: ContactRule | None = None
    best_key: tuple = ()
    for rule in rules:
        if rule.programme != programme or rule.requirement != requirement:
            continue
        if rule.effective_from > on:
            continue
        if not (
            _matches(rule.level, level)
            and _matches(rule.correction_type, correction_type)
            and _matches(rule.is_key, is_key)
        ):
            continue
        specificity = sum(x is not None for x in (rule.level, rule.correction_type, rule.is_key))
        key = (rule.effective_from, specificity)
        if best is None or key > best_key:
            best, best_key = rule, key
    if best is None or best.every_days <= 0:
        return None
    return best


def current_run(periods: Sequence, value_attr: str, on: date) -> tuple[object, date | None, bool]:
    """(value in force on `on`, the date its run started, whether that run is the initial
    value).

    `periods` are dated records; the earliest one is the value recorded at
    creation and holds from the case's first date (before it, the start is None).
    Consecutive records with the same value form one run.
    """
    ordered = sorted(periods, key=lambda p: p.effective_on)
    current_index = None
    for i, period in enumerate(ordered):
        if period.effective_on <= on:
            current_index = i
    if current_index is None:
        # Before the first record: the initial value holds from the case's first date.
        return (getattr(ordered[0], value_attr) if ordered else None), None, True
    value = getattr(ordered[current_index], value_attr)
    start = current_index
    while start > 0 and getattr(ordered[start - 1], value_attr) == value:
        start -= 1
    return value, ordered[start].effective_on, start == 0


def _run_start(periods: Sequence, value_attr: str, on: date):
    """(value in force on `on`, start of its run if that run is a change, else None)."""
    value, start, initial = current_run(periods, value_attr, on)
    return value, None if initial else start


def level_on(levels: Sequence[LevelPeriod], on: date) -> str | None:
    """The supervision level in force on `on` (the initial level holds before any change)."""
    value, _ = _run_start(levels, "level", on)
    return value


def is_key_on(key_periods: Sequence[KeyPeriod], on: date) -> bool:
    """Key status (重点帮教) on `on`; a case with no key record is not key."""
    value, _ = _run_start(key_periods, "is_key", on)
    return bool(value)


def is_active_on(case: CaseFacts, on: date) -> bool:
    """Received (handed over) on or before `on` and not ended on or before `on`."""
    if case.received_on is None or case.received_on > on:
        return False
    return case.ended_on is None or on < case.ended_on


def on_leave_on(leaves: Iterable[LeaveFact], on: date) -> bool:
    """Away on approved leave on `on`: approved, `starts_on <= on <= ends_on`, not returned
    before `on` (returning on `on` itself still counts as away that day)."""
    return leave_on(leaves, on) is not None


def leave_on(leaves: Iterable[LeaveFact], on: date) -> LeaveFact | None:
    """The approved leave the person is away on on `on` (see `on_leave_on`), or None.

    Leaves of one case do not overlap (docs/domain.md §7.3); should old records
    overlap, the one that started last is taken."""
    found: LeaveFact | None = None
    for leave in leaves:
        if not leave.approved or not (leave.starts_on <= on <= leave.ends_on):
            continue
        away = leave.returned_on is None or leave.returned_on >= on
        if away and (found is None or leave.starts_on > found.starts_on):
            found = leave
    return found


# --------------------------------------------------------------------------- the engine


def _requirements_in_force(rules: Iterable[ContactRule], programme: str, on: date) -> list[str]:
    codes = {r.requirement for r in rules if r.programme == programme and r.effective_from <= on}
    order = {code: i for i, code in enumerate(REQUIREMENTS)}
    return sorted(codes, key=lambda c: (order.get(c, len(order)), c))


# On equal dates the most informative anchor is reported.
_ANCHOR_PRIORITY = {
    "contact": 4,
    "leave_return": 3,
    "level_change": 2,
    "key_change": 2,
    "reception": 1,
    "handover": 1,
    "leave_start": 2,
}


@dataclass(frozen=True)
class _Day:
    """What every requirement of a case looks at on one day."""

    level: str | None
    level_changed_on: date | None  # when the level in force took effect, if a change
    is_key: bool
    key_changed_on: date | None  # when the key status in force took effect, if a change
    away_leave: LeaveFact | None  # the approved leave the person is away on
    contacts: list[ContactFact]  # non-voided, dated on or before the day, oldest first
    last_return: date | None  # the latest return from approved leave (销假) by the day


def _day(case: CaseFacts, on: date) -> _Day:
    level, level_changed_on = _run_start(case.levels, "level", on)
    is_key_value, key_changed_on = _run_start(case.key_periods, "is_key", on)
    contacts = sorted(
        (c for c in case.contacts if not c.voided and c.occurred_on <= on),
        key=lambda c: c.occurred_on,
    )
    returns = [
        leave.returned_on
        for leave in case.leaves
        if leave.approved and leave.returned_on is not None and leave.returned_on <= on
    ]
    return _Day(
        level,
        level_changed_on,
        bool(is_key_value),
        key_changed_on,
        leave_on(case.leaves, on),
        contacts,
        max(returns) if returns else None,
    )


def due_dates_on(case: CaseFacts, rules: Sequence[ContactRule], on: date) -> list[DueState]:
    """Every requirement of `case` in force on `on`, with its due date (docs/domain.md §3.5).

    Empty when the case is not active on `on`.
    """
    if not is_active_on(case, on):
        return []
    assert case.received_on is not None
    rules = tuple(rules)
    day = _day(case, on)
    states: list[DueState] = []
    for requirement in _requirements_in_force(rules, case.programme, on):
        rule = _rule_for(rules, case, day, requirement, on)
        if rule is not None:
            states.append(_due_state(case, day, requirement, rule, on))
    return states


def _rule_for(
    rules: tuple[ContactRule, ...], case: CaseFacts, day: _Day, requirement: str, on: date
) -> ContactRule | None:
    """The rule row ``requirement`` follows on the day, or None when it does not apply."""

    def in_force(code: str) -> ContactRule | None:
        return rule_in_force(
            rules, case.programme, code, day.level, case.correction_type, day.is_key, on
        )

    rule = in_force(requirement)
    # The leave row: only while away, and only for a level with no remote-report row.
    if (
        rule is not None
        and requirement == ON_LEAVE_REMOTE
        and (day.away_leave is None or in_force("remote_report"))
    ):
        return None
    return rule


def _anchor(
    case: CaseFacts, day: _Day, requirement: str, rule: ContactRule
) -> tuple[date, Anchor, str | None, ContactFact | None]:
    """The date a requirement's window counts from, what it is, the contact kind when it is a
    contact, and the latest satisfying contact."""
    last_contact: ContactFact | None = None
    for contact in reversed(day.contacts):
        if contact.kind in rule.satisfied_by:
            last_contact = contact
            break
    start: Anchor = "handover" if case.programme == RESETTLEMENT else "reception"
    candidates: list[tuple[date, Anchor, str | None]] = [(case.received_on, start, None)]
    if last_contact is not None:
        candidates.append((last_contact.occurred_on, "contact", last_contact.kind))
    if day.level_changed_on is not None:
        candidates.append((day.level_changed_on, "level_change", None))
    if day.key_changed_on is not None:
        candidates.append((day.key_changed_on, "key_change", None))
    if requirement in _MET_BY_LEAVE_RETURN and day.last_return is not None:
        candidates.append((day.last_return, "leave_return", None))
    if requirement == ON_LEAVE_REMOTE and day.away_leave is not None:
        candidates.append((day.away_leave.starts_on, "leave_start", None))
    last_on, anchor, anchor_kind = max(candidates, key=lambda c: (c[0], _ANCHOR_PRIORITY[c[1]]))
    return last_on, anchor, anchor_kind, last_contact


def _due_state(
    case: CaseFacts, day: _Day, requirement: str, rule: ContactRule, on: date
) -> DueState:
    last_on, anchor, anchor_kind, last_contact = _anchor(case, day, requirement, rule)
    due_on = last_on + timedelta(days=rule.every_days)
    away = day.away_leave is not None
    paused = away and requirement not in _APPLIES_ON_LEAVE and requirement != ON_LEAVE_REMOTE
    return DueState(
        requirement="remote_report" if requirement == ON_LEAVE_REMOTE else requirement,
        due_on=due_on,
        last_on=last_on,
        anchor=anchor,
        anchor_kind=anchor_kind,
        every_days=rule.every_days,
        rule_id=rule.id,
        overdue_days=0 if paused else max(0, (on - due_on).days),
        paused=paused,
        last_contact_on=last_contact.occurred_on if last_contact else None,
        level=day.level,
        is_key=day.is_key if case.programme == RESETTLEMENT else None,
        satisfied_by=rule.satisfied_by,
        programme=case.programme,
        rule_correction_type=rule.correction_type,
    )


def overdue_on(case: CaseFacts, rules: Sequence[ContactRule], on: date) -> list[DueState]:
    """The requirements of `case` overdue on `on` (`on > due_on`, not paused)."""
    return [s for s in due_dates_on(case, rules, on) if s.overdue_days > 0]


def next_due(
    case: CaseFacts, rules: Sequence[ContactRule], on: date
) -> tuple[date | None, bool, int]:
    """What the case row stores: (earliest due date among non-paused requirements,
    whether any is overdue, the largest number of days overdue)."""
    active = [s for s in due_dates_on(case, rules, on) if not s.paused]
    if not active:
        return None, False, 0
    worst = max(s.overdue_days for s in active)
    return min(s.due_on for s in active), worst > 0, worst


ON_TIME_WINDOW_DAYS = 30  # the dashboard's window; each case stores its counts over it
MONTH_ENDS_KEPT = 13  # each case stores whether it was overdue on this many past month ends


def month_ends_before(on: date, count: int = MONTH_ENDS_KEPT) -> list[date]:
    """The ``count`` latest month ends strictly before ``on``, oldest first."""
    return periods.month_ends_before(on, count)


def overdue_month_ends(
    case: CaseFacts, rules: Sequence[ContactRule], on: date
) -> tuple[date, date, list[date]]:
    """(first and last month end covered, those on which ``case`` was overdue), for the
    month ends before ``on``: what a case stores so month-end figures need no engine run."""
    ends = month_ends_before(on)
    rules = tuple(rules)
    case = _trimmed(case, ends[0])
    return ends[0], ends[-1], [d for d in ends if overdue_on(case, rules, d)]


def _trimmed(case: CaseFacts, since: date) -> CaseFacts:
    """The same facts for any day from ``since`` on, with fewer contacts: of those before
    ``since`` only the latest non-voided one of each kind matters (the latest satisfying
    contact is all a requirement looks at)."""
    latest: dict[str, ContactFact] = {}
    kept: list[ContactFact] = []
    for contact in case.contacts:
        if contact.voided:
            continue
        if contact.occurred_on >= since:
            kept.append(contact)
        elif contact.kind not in latest or latest[contact.kind].occurred_on < contact.occurred_on:
            latest[contact.kind] = contact
    if len(kept) + len(latest) == len(case.contacts):
        return case
    return replace(case, contacts=tuple(latest.values()) + tuple(kept))


def on_time_window(on: date) -> tuple[date, date]:
    return on - timedelta(days=ON_TIME_WINDOW_DAYS - 1), on


def on_time_rate(
    cases: Iterable[CaseFacts], rules: Sequence[ContactRule], start: date, end: date
) -> tuple[int, int]:
    """(on-time triples, all triples) over (active case, requirement, day) for days in [start, end].

    A paused requirement does not apply that day, so it is not a triple.
    """
    rules = tuple(rules)
    ok = total = 0
    for case in cases:
        case = _trimmed(case, start)
        for day in days_in_range(start, end):
            for state in due_dates_on(case, rules, day):
                if state.paused:
                    continue
                total += 1
                if state.overdue_days == 0:
                    ok += 1
    return ok, total
