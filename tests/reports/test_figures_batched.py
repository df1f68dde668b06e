"""Figures over the same rows share one statement (figures.compute_many); the numbers must
equal the reference, each figure's own grouped statement (figures.compute_one_by_one), for
every key, several periods and scopes (docs/performance.md)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event, select

from corrections.auth.models import Station
from corrections.extensions import db
from corrections.reports import figures
from corrections.reports import summary as summaries
from corrections.reports.figures import KEYS, Figure, Source

PERIODS = [
    (date(2026, 10, 1), date(2026, 10, 31)),  # a month
    (date(2026, 9, 1), date(2026, 9, 30)),  # the month before
    (date(2026, 1, 1), date(2026, 10, 31)),  # year to date
    (date(2026, 11, 1), date(2026, 11, 30)),  # the month in progress
    (date(2025, 12, 1), date(2026, 11, 30)),  # twelve months, ending after today
    (date(2026, 10, 15), date(2026, 10, 15)),  # one day
]


def _nonzero(by_station: dict) -> dict:
    return {
        sid: {k: v for k, v in values.items() if v}
        for sid, values in by_station.items()
        if any(values.values())
    }


def assert_batched_equals_reference(scopes: list[list[int] | None]) -> set[str]:
    """Every key, every period of PERIODS, each scope: batched == one by one. Returns the keys
    that were non-zero somewhere (so the comparison is not vacuous)."""
    nonzero = set()
    for ids in scopes:
        batched = figures.compute_many(PERIODS, ids)
        for (start, end), got in zip(PERIODS, batched, strict=True):
            want = figures.compute_one_by_one(start, end, ids)
            assert list(got.totals) == figures.KEYS
            for key in figures.KEYS:
                assert got.totals[key] == want.totals[key], (key, start, end, ids)
            assert _nonzero(got.by_station) == _nonzero(want.by_station), (start, end, ids)
            # a single period through compute() is the same as within compute_many()
            single = figures.compute(start, end, ids)
            assert single.totals == got.totals
            nonzero |= {k for k, v in want.totals.items() if v}
    return nonzero


def _scopes() -> list[list[int] | None]:
    ids = list(db.session.execute(select(Station.id).order_by(Station.code)).scalars())
    return [None, ids, ids[:1], ids[1:3]]


def test_batched_figures_equal_the_reference_on_the_demo_county(app, ctx):
    from corrections.demo import load_demo
    from tests.reports.test_records import _extras

    load_demo()
    _extras()
    _moves()
    db.session.commit()
    nonzero = assert_batched_equals_reference(_scopes())
    assert {"cc.received", "cc.contacts", "cc.on_register", "cc.overdue", "rs.assisted"} <= nonzero
    assert len(nonzero) >= len(KEYS) - 8, sorted(set(KEYS) - nonzero)
    # the second time the batches' layout comes from the per-process plan: same numbers
    first = figures.compute_many(PERIODS, None)
    again = figures.compute_many(PERIODS, None)
    assert [r.totals for r in again] == [r.totals for r in first]
    assert [r.by_station for r in again] == [r.by_station for r in first]
    # loading the demo is slow: the other checks run on the same data
    _share_a_statement()
    _summaries_of_a_month_and_its_year_match_single_summaries()


def _moves() -> None:
    """Cases that moved station in October (a unit's figures pre-select cases by their own
    station unless they ever moved): counted at each station on each day."""
    from corrections.auth.models import User
    from corrections.supervision import services as sv
    from corrections.supervision.models import CorrectionCase

    boss = db.session.execute(select(User).where(User.username == "zhuguan")).scalar_one()
    stations = list(db.session.execute(select(Station).order_by(Station.code)).scalars())
    active = db.session.execute(
        select(CorrectionCase)
        .where(CorrectionCase.status == "active", CorrectionCase.received_on < date(2026, 9, 1))
        .order_by(CorrectionCase.id.desc())
        .limit(4)
    ).scalars()
    for case in list(active):
        target = next(s for s in stations if s.id != case.station_id)
        sv.move_station(boss, case, {"moved_on": "2026-10-16", "station": target.code})


def _statements(run) -> list[str]:
    seen: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    return seen


def _share_a_statement():
    start, end = PERIODS[0]
    batched = _statements(lambda: figures.compute(start, end, None))
    reference = _statements(lambda: figures.compute_one_by_one(start, end, None))
    assert len(batched) < len(reference) / 2, (len(batched), len(reference))
    # one statement over contacts of correction cases for both contact figures
    assert sum("FROM contacts" in s and "count(*) FILTER" in s for s in batched) == 1
    # the 12 months of the chart: far fewer statements than 12 per figure
    series = _statements(
        lambda: figures.compute_many(
            [(date(2026, m, 1), date(2026, m, 28)) for m in range(1, 13)],
            None,
            keys=summaries.SERIES_KEYS,
        )
    )
    assert len(series) < 12 * len(summaries.SERIES_KEYS) / 2, len(series)


def test_a_standalone_figure_merges_in_unchanged(app, ctx, monkeypatch):
    """A figure declared the usual way (its own Source) over rows no other figure reads runs
    alone, and one over the same rows as others joins their statement: both are exact."""
    from corrections.activities.models import Activity
    from corrections.demo import load_demo

    load_demo()
    db.session.commit()
    alone = Figure(
        "test.sessions_any",
        "period",
        "活动场次（任何）",
        "场次",
        lambda s, e: Source(
            Activity,
            Activity.station_id,
            (Activity.voided_at.is_(None), Activity.held_on.between(s, e), Activity.id > 0),
            on=Activity.held_on,
        ),
    )
    joins = Figure(
        "test.education_all",
        "period",
        "教育学习（含作废）",
        "场次",
        lambda s, e: Source(
            Activity,
            Activity.station_id,
            (Activity.kind == "education", Activity.held_on.between(s, e)),
            on=Activity.held_on,
        ),
    )
    registry = [*figures.FIGURES, alone, joins]
    monkeypatch.setattr(figures, "FIGURES", registry)
    monkeypatch.setattr(figures, "BY_KEY", {f.key: f for f in registry})
    monkeypatch.setattr(figures, "KEYS", [f.key for f in registry])
    nonzero = assert_batched_equals_reference([None])
    assert {"test.sessions_any", "test.education_all"} <= nonzero


def _summaries_of_a_month_and_its_year_match_single_summaries():
    from corrections.auth.models import User

    boss = db.session.execute(select(User).where(User.username == "zhuguan")).scalar_one()
    periods = [(date(2026, 10, 1), date(2026, 10, 31)), (date(2026, 1, 1), date(2026, 10, 31))]
    together = summaries.summaries(boss, periods)
    for period, got in zip(periods, together, strict=True):
        alone = summaries.summary(boss, *period)
        assert got["figures"] == alone["figures"]
        assert got["by_station"] == alone["by_station"]
        assert got["text"] == alone["text"]
