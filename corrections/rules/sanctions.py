"""Sanction and level-change suggestions (docs/domain.md §3.4, §3.8, §7.2, §7.5).

The system suggests; people decide. Nothing here records or changes anything.

Sanction ladder used for a new violation:

* late report, 脱管 or overdue return from leave of at most 10 days → 训诫
  (admonition); more than 10 days → 警告 (warning); a missed medical review
  or another violation without a length → 训诫;
* earlier sanctions count by number (docs/domain.md §7.5): a minor violation
  after one admonition still suggests an admonition (the second); after two
  admonitions → warning ("受到两次训诫，仍不改正的");
* a violation after two warnings on record → 提请撤销 for probation and
  parole, 提请收监 for temporary release, 提请治安管理处罚 for control;
* 脱管 longer than one calendar month, or not reporting for more than one
  calendar month after the report deadline (docs/domain.md §7.2), for probation
  or parole → 提请撤销;
* temporary release: a missed medical review after a warning → 提请收监.

A violation already answered by a sanction (an admonition, warning or request
dated on or after it: the next sanction after it) is never suggested again.
Passing a violation's date (``*_on``) and the case's ``sanctions`` turns that
check on; "more than a month" is its own violation, dated the day after the
month, so a warning for the first days of 脱管 does not answer it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .dates import add_months
from .engine import LevelPeriod, current_run

__all__ = [
    "ViolationFacts",
    "Suggestion",
    "SanctionFact",
    "LevelSuggestion",
    "suggest_sanctions",
    "suggest_level_changes",
    "is_answered",
    "ANSWERING",
]

# Most severe first.
_SEVERITY = (
    "custody_request",
    "revocation_request",
    "police_penalty_request",
    "warning",
    "admonition",
)


@dataclass(frozen=True)
class ViolationFacts:
    """A violation being considered on `on`, and the sanctions already on record.

    `late_report_days`: days the report (报到) was late (0 = not late).
    `absconded_since` / `found_on`: the 脱管 incident (found_on None = still missing).
    `overdue_return_days`: days past a leave's end without 销假.
    `missed_medical_review`: a 保外就医 re-examination not submitted.
    `other_violation`: any other breach of supervision rules.
    `prior_admonitions` / `prior_warnings`: non-voided ones already decided in this case.
    `report_deadline`: the report deadline, when `late_report_days` counts from it (the
    late report happened the day after it; not reporting for more than a month after
    it is a ground for revocation).
    """

    correction_type: str
    on: date
    late_report_days: int = 0
    absconded_since: date | None = None
    found_on: date | None = None
    overdue_return_days: int = 0
    missed_medical_review: bool = False
    other_violation: bool = False
    prior_admonitions: int = 0
    prior_warnings: int = 0
    # When each violation happened (None: not known, never treated as answered).
    report_deadline: date | None = None
    overdue_return_on: date | None = None
    missed_medical_review_on: date | None = None
    other_violation_on: date | None = None
    # The case's sanctions, to leave out violations they already answered.
    sanctions: tuple[SanctionFact, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    kind: str
    reason_zh: str
    reason_en: str


def _absconded_days(facts: ViolationFacts) -> int | None:
    if facts.absconded_since is None:
        return None
    until = facts.found_on or facts.on
    return max(0, (until - facts.absconded_since).days)


# Sanctions that answer a violation (a commendation does not).
ANSWERING = frozenset(
    {"admonition", "warning", "police_penalty_request", "revocation_request", "custody_request"}
)


def is_answered(violation_on: date | None, sanctions: Iterable[SanctionFact], on: date) -> bool:
    """True when a sanction dated on or after the violation (and by `on`) answers it
    (docs/domain.md §7.5). A violation with no known date is never answered."""
    if violation_on is None:
        return False
    return any(s.answers(violation_on, on) for s in sanctions)


def _more_than_a_month(since: date, until: date) -> date | None:
    """The day the "more than one month" ground arises (the day after `since` + 1 month),
    when `until` reaches it; else None."""
    arises = add_months(since, 1) + timedelta(days=1)
    return arises if until >= arises else None


def _open(facts: ViolationFacts, violation_on: date | None) -> bool:
    """The violation is not answered yet (docs/domain.md §7.5)."""
    return not is_answered(violation_on, facts.sanctions, facts.on)


def _violations(facts: ViolationFacts, short_days: int) -> list[tuple[str, str, str]]:
    """(kind, reason_zh, reason_en): what each open violation alone would call for."""
    late_on = None
    if facts.report_deadline is not None and facts.late_report_days > 0:
        late_on = facts.report_deadline + timedelta(days=1)
    base: list[tuple[str, str, str]] = []
    lengths = [
        ("late_report", facts.late_report_days, late_on, "未按时报到", "late report"),
        ("absconded", _absconded_days(facts), facts.absconded_since, "脱管", "absconding"),
        (
            "overdue_return",
            facts.overdue_return_days,
            facts.overdue_return_on,
            "外出逾期未销假",
            "overdue return from leave",
        ),
    ]
    for code, days, since, zh, en in lengths:
        if days is None or (code != "absconded" and days <= 0) or not _open(facts, since):
            continue
        if days > short_days:
            base.append(("warning", f"{zh}{days}天，超过{short_days}天", f"{en} of {days} days"))
        elif days > 0:
            base.append(("admonition", f"{zh}{days}天", f"{en} of {days} days"))
        else:
            base.append(("admonition", zh, en))
    if facts.missed_medical_review and _open(facts, facts.missed_medical_review_on):
        base.append(("admonition", "未按时提交病情复查情况", "missed medical review"))
    if facts.other_violation and _open(facts, facts.other_violation_on):
        base.append(("admonition", "违反监督管理规定", "breach of supervision rules"))
    return base


def _month_grounds(facts: ViolationFacts) -> list[tuple[str, str]]:
    """More than a month: 脱管, or not reporting after the deadline (probation, parole;
    docs/domain.md §7.2), each a ground for revocation: (reason_zh, reason_en)."""
    if facts.correction_type not in ("probation", "parole"):
        return []
    grounds: list[tuple[str, str]] = []
    absconded = _absconded_days(facts)
    if absconded is not None and facts.absconded_since is not None:
        arises = _more_than_a_month(facts.absconded_since, facts.found_on or facts.on)
        if arises is not None and _open(facts, arises):
            grounds.append(
                (
                    f"脱管超过一个月（{absconded}天），可提请撤销缓刑/假释",
                    f"absconded for more than a month ({absconded} days): revocation request",
                )
            )
    if facts.report_deadline is not None and facts.late_report_days > 0:
        until = facts.report_deadline + timedelta(days=facts.late_report_days)
        arises = _more_than_a_month(facts.report_deadline, until)
        if arises is not None and _open(facts, arises):
            days = facts.late_report_days
            grounds.append(
                (
                    f"超过报到期限一个月以上（{days}天）未报到，可提请撤销缓刑/假释",
                    f"not reported for more than a month after the deadline ({days} days): "
                    "revocation request",
                )
            )
    return grounds


def _after_two_warnings(facts: ViolationFacts) -> tuple[str, str, str]:
    """A violation after two warnings on record: the request the correction type calls for."""
    reason_zh = f"已受{facts.prior_warnings}次警告仍不改正"
    reason_en = f"{facts.prior_warnings} warnings on record and still not corrected"
    if facts.correction_type in ("probation", "parole"):
        return "revocation_request", f"{reason_zh}，可提请撤销缓刑/假释", reason_en
    if facts.correction_type == "temporary_release":
        return "custody_request", f"{reason_zh}，可提请收监执行", reason_en
    return "police_penalty_request", f"{reason_zh}，可提请治安管理处罚", reason_en


def _by_priors(facts: ViolationFacts, kind: str, zh: str, en: str) -> tuple[str, str, str]:
    """A violation's own sanction, given the admonitions already on record (docs/domain.md
    §7.5): the second admonition, or a warning after two."""
    if kind == "admonition" and facts.prior_admonitions >= 2:
        return (
            "warning",
            f"{zh}，已受{facts.prior_admonitions}次训诫仍不改正，可给予警告",
            f"{en}, after {facts.prior_admonitions} admonitions: warning",
        )
    if kind == "warning":
        return "warning", f"{zh}，可给予警告", f"{en}: warning"
    if facts.prior_admonitions == 1:
        return (
            "admonition",
            f"{zh}，此前已受训诫一次，可再次给予训诫",
            f"{en}, after one admonition: a second admonition",
        )
    return "admonition", f"{zh}，可给予训诫", f"{en}: admonition"


def suggest_sanctions(facts: ViolationFacts, short_days: int = 10) -> list[Suggestion]:
    """Sanctions to suggest for the violation in `facts`, most severe first (docs/domain.md §3.8,
    §7.5)."""
    base = _violations(facts, short_days)
    month_grounds = _month_grounds(facts)
    if not base and not month_grounds:
        return []
    found: dict[str, Suggestion] = {}

    def add(kind: str, zh: str, en: str) -> None:
        found.setdefault(kind, Suggestion(kind, zh, en))

    if base and facts.prior_warnings >= 2:
        add(*_after_two_warnings(facts))
    for zh, en in month_grounds:
        add("revocation_request", zh, en)
    if (
        facts.correction_type == "temporary_release"
        and facts.missed_medical_review
        and facts.prior_warnings >= 1
        and _open(facts, facts.missed_medical_review_on)
    ):
        add(
            "custody_request",
            "受警告后仍未提交病情复查情况，可提请收监执行",
            "medical review still missing after a warning: custody request",
        )
    for kind, zh, en in base:
        add(*_by_priors(facts, kind, zh, en))
    return sorted(found.values(), key=lambda s: _SEVERITY.index(s.kind))


# --------------------------------------------------------------------------- levels


@dataclass(frozen=True)
class SanctionFact:
    kind: str
    decided_on: date
    voided: bool = False

    def answers(self, violation_on: date, on: date) -> bool:
        """This sanction, decided in the case by ``on``, answers a violation of
        ``violation_on`` (docs/domain.md §7.5): it is one that answers, not voided, and dated
        on or after the violation."""
        return self.kind in ANSWERING and not self.voided and violation_on <= self.decided_on <= on


@dataclass(frozen=True)
class LevelSuggestion:
    """`kind`: `review` (consider relaxing the level) or `tighten`; `to_level` when specific."""

    kind: str
    to_level: str | None
    reason_zh: str
    reason_en: str


def _current_run(levels: Sequence[LevelPeriod], on: date) -> tuple[str | None, date | None, bool]:
    """(level on `on`, the date its run started, whether that run is the initial level)."""
    return current_run(levels, "level", on)


def suggest_level_changes(
    received_on: date,
    levels: Sequence[LevelPeriod],
    sanctions: Iterable[SanctionFact],
    on: date,
    review_after_months: int = 2,
) -> list[LevelSuggestion]:
    """Level changes to suggest on `on` (docs/domain.md §3.4); suggestions only.

    * strict for `review_after_months` since intake (or since the case was last
      made strict) → consider adjusting the level;
    * a second admonition while not strict → strict. Only an admonition dated on
      or after the current level took effect triggers it, so a level relaxed after
      that is not re-suggested until another admonition.
    """
    level, run_start, initial = _current_run(levels, on)
    suggestions: list[LevelSuggestion] = []

    since = received_on if initial or run_start is None else max(run_start, received_on)
    if level == "strict" and on >= add_months(since, review_after_months):
        if initial:
            zh = "入矫已满两个月，可考虑调整管理等级"
            en = "Two months since intake: consider adjusting the supervision level"
        else:
            zh = "严管已满两个月，可考虑调整管理等级"
            en = "Two months under strict supervision: consider adjusting the supervision level"
        if review_after_months != 2:
            zh = zh.replace("两个月", f"{review_after_months}个月")
            en = en.replace("Two months", f"{review_after_months} months")
        suggestions.append(LevelSuggestion("review", None, zh, en))

    admonitions = sorted(
        s.decided_on
        for s in sanctions
        if s.kind == "admonition" and not s.voided and s.decided_on <= on
    )
    if level != "strict" and len(admonitions) >= 2:
        level_start = run_start or received_on
        if any(d >= level_start for d in admonitions[1:]):
            suggestions.append(
                LevelSuggestion(
                    "tighten",
                    "strict",
                    "第二次受到训诫，可考虑调整为严管",
                    "Second admonition: consider strict supervision",
                )
            )
    return suggestions
