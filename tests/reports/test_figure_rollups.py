"""Stored figures of open periods (reports/figures/rollups.py): the same numbers as the figures
computed from the records, after every kind of write, and computed again only for the stations
a write touched (docs/performance.md, "Stored figures of open periods")."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from corrections import clock
from corrections.auth.models import Station, User
from corrections.extensions import db
from corrections.reports import figures
from corrections.reports.figures import changes, rollups
from corrections.reports.models import FigureRollup, FigureStationChange
from corrections.supervision import services as sv
from corrections.supervision.models import CorrectionCase
from tests.reports.test_figures_batched import PERIODS, _moves, _nonzero
from tests.reports.test_records import _extras


def _stations() -> list[int]:
    return list(db.session.execute(select(Station.id).order_by(Station.code)).scalars())


def _scopes() -> list[list[int] | None]:
    ids = _stations()
    return [None, ids, ids[:1], ids[1:3]]


def _assert_stored_equal_live() -> None:
    for ids in _scopes():
        stored = rollups.compute_many(PERIODS, ids)
        db.session.commit()
        live = figures.compute_many(PERIODS, ids)
        for (start, end), got, want in zip(PERIODS, stored, live, strict=True):
            assert got.totals == want.totals, (start, end, ids)
            assert _nonzero(got.by_station) == _nonzero(want.by_station), (start, end, ids)


def _versions() -> dict[int, int]:
    return changes.versions(db.session, _stations())


def _boss() -> User:
    return db.session.execute(select(User).where(User.username == "zhuguan")).scalar_one()


def _computed_for(monkeypatch) -> list[list[int]]:
    """Record the stations each live computation inside ``rollups`` is asked for."""
    asked: list[list[int]] = []
    real = figures.compute_many

    def spy(periods, station_ids, keys=None):
        asked.append(sorted(station_ids) if station_ids is not None else None)
        return real(periods, station_ids, keys)

    monkeypatch.setattr(rollups.figures, "compute_many", spy)
    return asked


def test_stored_figures_equal_live_ones_after_every_kind_of_write(app, ctx, demo_county):
    """The demo county's figures, stored for six periods and four scopes, then sanctions,
    an incident, assistance, an ended case and station moves written on top: the stored
    figures read afterwards equal the live ones for every key, period and scope."""
    _assert_stored_equal_live()
    before = figures.compute_many(PERIODS, None)
    _extras()
    _moves()
    db.session.commit()
    _assert_stored_equal_live()
    after = figures.compute_many(PERIODS, None)
    assert [r.totals for r in after] != [r.totals for r in before]  # the writes changed some
    # a contact, then voided
    case = (
        db.session.execute(
            select(CorrectionCase)
            .where(CorrectionCase.status == "active")
            .order_by(CorrectionCase.id)
        )
        .scalars()
        .first()
    )
    contact = sv.record_contact(_boss(), case, {"kind": "phone", "occurred_on": "2026-11-20"})
    db.session.commit()
    _assert_stored_equal_live()
    sv.void_record(_boss(), case, "contact", contact.id, {"reason": "录入错误"})
    db.session.commit()
    _assert_stored_equal_live()


def test_a_write_recomputes_only_the_stations_it_touched(app, ctx, demo_county, monkeypatch):
    month = [(date(2026, 11, 1), date(2026, 11, 30))]
    rollups.compute_many(month, None)
    db.session.commit()
    asked = _computed_for(monkeypatch)
    rollups.compute_many(month, None)
    assert asked == []  # every station read from the stored rows
    case = (
        db.session.execute(
            select(CorrectionCase)
            .where(CorrectionCase.status == "active", CorrectionCase.has_moves.is_(False))
            .order_by(CorrectionCase.id)
        )
        .scalars()
        .first()
    )
    versions = _versions()
    sv.record_contact(_boss(), case, {"kind": "phone", "occurred_on": "2026-11-24"})
    db.session.commit()
    raised = {sid for sid, v in _versions().items() if v != versions.get(sid, 0)}
    assert raised == {case.station_id}
    result = rollups.compute_many(month, None)[0]
    assert asked == [[case.station_id]]
    assert result.totals == figures.compute_many(month, None)[0].totals  # (the spy: live)


def test_a_case_that_moved_touches_every_station_it_was_at(app, ctx, demo_county):
    _moves()
    db.session.commit()
    case = db.session.execute(
        select(CorrectionCase).where(CorrectionCase.has_moves.is_(True)).limit(1)
    ).scalar_one()
    from corrections.supervision.models import StationMove

    moves = db.session.execute(
        select(StationMove.from_station_id, StationMove.to_station_id).where(
            StationMove.case_id == case.id
        )
    ).all()
    versions = _versions()
    sv.record_contact(_boss(), case, {"kind": "phone", "occurred_on": "2026-11-24"})
    db.session.commit()
    raised = {sid for sid, v in _versions().items() if v != versions.get(sid, 0)}
    assert raised == {s for move in moves for s in move}


def test_a_row_with_no_station_raises_every_station(app, ctx, demo_county):
    from corrections.rules.holidays import HolidayEntry

    versions = _versions()
    db.session.add(HolidayEntry(day=date(2026, 12, 28), is_workday=False, note="测试"))
    db.session.commit()
    now = _versions()
    assert set(now) == set(_stations())
    assert all(now[sid] == versions.get(sid, 0) + 1 for sid in now)


def test_a_bulk_statement_raises_every_station_unless_it_names_its_cases(app, ctx, demo_county):
    versions = _versions()
    db.session.execute(update(CorrectionCase).values(updated_at=CorrectionCase.updated_at))
    db.session.commit()
    assert all(v == versions.get(sid, 0) + 1 for sid, v in _versions().items())
    # the stored due state's plain UPDATEs name their cases: only their stations
    from corrections import derived

    case = db.session.execute(
        select(CorrectionCase).where(CorrectionCase.has_moves.is_(False)).limit(1)
    ).scalar_one()
    versions = _versions()
    derived.write_many(CorrectionCase, [(case.id, {"due_computed_on": date(2026, 11, 25)})])
    db.session.commit()
    raised = {sid for sid, v in _versions().items() if v != versions.get(sid, 0)}
    assert raised == {case.station_id}


def test_folding_the_changes_keeps_every_version(app, ctx, demo_county):
    """``fold`` adds the change rows to the folded versions and deletes them: no station's
    version moves, and a change after the fold still raises its station."""
    from corrections.reminders.jobs import run_job

    case = db.session.execute(
        select(CorrectionCase).where(CorrectionCase.status == "active").limit(1)
    ).scalar_one()
    sv.record_contact(_boss(), case, {"kind": "phone", "occurred_on": "2026-11-24"})
    db.session.commit()
    assert db.session.execute(select(FigureStationChange.id)).first() is not None
    before = _versions()
    result = run_job("fold_figure_changes")
    assert result["folded"] > 0
    assert db.session.execute(select(FigureStationChange.id)).first() is None
    assert _versions() == before
    assert run_job("fold_figure_changes")["folded"] == 0
    sv.record_contact(_boss(), case, {"kind": "phone", "occurred_on": "2026-11-25"})
    db.session.commit()
    now = _versions()
    assert {sid for sid in now if now[sid] != before[sid]} == {case.station_id}


def test_writes_to_tables_no_figure_reads_raise_nothing(app, ctx, demo_county):
    versions = _versions()
    boss = _boss()
    boss.display_name = boss.display_name + "（改）"
    db.session.commit()
    assert _versions() == versions


def test_stored_figures_are_not_used_on_another_day_or_by_other_code(
    app, ctx, demo_county, monkeypatch
):
    month = [(date(2026, 11, 1), date(2026, 11, 30))]
    rollups.compute_many(month, None)
    db.session.commit()
    asked = _computed_for(monkeypatch)
    clock.set_today(date(2026, 11, 26))
    rollups.compute_many(month, None)
    assert asked == [sorted(_stations())]  # a new day: every station again
    db.session.commit()
    monkeypatch.setattr(rollups, "CODE", "another version of the code")
    rollups.compute_many(month, None)
    assert len(asked) == 2


def test_a_write_committed_while_figures_are_computed_is_not_hidden(
    app, ctx, demo_county, monkeypatch
):
    """The versions are read before the figures: a station changed by a write that commits
    while they are computed is computed again on the next read."""
    month = [(date(2026, 11, 1), date(2026, 11, 30))]
    target = _stations()[0]
    real = figures.compute_many
    calls: list[list[int]] = []

    def racing(periods, station_ids, keys=None):
        calls.append(sorted(station_ids))
        result = real(periods, station_ids, keys)
        if len(calls) == 1:  # another worker's write commits meanwhile
            with Session(db.engine) as other:
                changes.bump(other, changes.Touched(stations={target}))
                other.commit()
        return result

    monkeypatch.setattr(rollups.figures, "compute_many", racing)
    rollups.compute_many(month, None)
    db.session.commit()
    rollups.compute_many(month, None)
    assert calls[1] == [target]


def test_only_the_keys_asked_for_are_computed_and_later_keys_are_added(app, ctx, demo_county):
    month = [(date(2026, 10, 1), date(2026, 10, 31))]
    keys = ["cc.on_register", "cc.contacts"]
    got = rollups.compute_many(month, None, keys)[0]
    db.session.commit()
    assert list(got.totals) == keys
    row = db.session.execute(select(FigureRollup).limit(1)).scalar_one()
    assert set(row.figures) == set(keys)
    full = rollups.compute_many(month, None)[0]
    db.session.commit()
    assert full.totals == figures.compute_many(month, None)[0].totals
    db.session.refresh(row)
    assert set(row.figures) == set(figures.KEYS)


def test_distinct_people_over_several_stations_count_once(app, ctx, demo_county):
    """A person assisted at two stations counts once over both (the union of the ids)."""
    from corrections.resettlement import services as rs
    from corrections.resettlement.models import ResettlementCase

    boss = _boss()
    case = db.session.execute(
        select(ResettlementCase).where(ResettlementCase.status == "active").limit(1)
    ).scalar_one()
    rs.add_assistance(boss, case, {"kind": "subsistence", "given_on": "2026-11-10"})
    db.session.commit()
    month = [(date(2026, 11, 1), date(2026, 11, 30))]
    for ids in _scopes():
        stored = rollups.compute_many(month, ids)[0]
        db.session.commit()
        assert (
            stored.totals["rs.assisted"]
            == figures.compute_many(month, ids)[0].totals["rs.assisted"]
        )
    assert figures.compute_many(month, None)[0].totals["rs.assisted"] >= 1


def test_the_summary_page_stores_what_it_computed(app, client, demo_county):
    from corrections.demo.data import DEMO_PASSWORD

    login = client.post("/login", data={"username": "zhuguan", "password": DEMO_PASSWORD})
    assert login.status_code == 302
    response = client.get("/reports/?period=month&month=2026-10")
    assert response.status_code == 200
    with app.app_context():
        stored = (
            db.session.execute(
                select(FigureRollup.station_id).where(
                    FigureRollup.period_start == date(2026, 10, 1)
                )
            )
            .scalars()
            .all()
        )
        assert sorted(stored) == sorted(_stations())


def test_the_nightly_job_stores_last_month_its_year_and_the_chart(app, ctx, demo_county):
    from corrections.reminders.jobs import run_job

    result = run_job("store_figures")
    assert result["periods"] == 13
    assert result["created"] == 13 * len(_stations())
    spans = set(
        db.session.execute(select(FigureRollup.period_start, FigureRollup.period_end)).all()
    )
    assert (date(2026, 10, 1), date(2026, 10, 31)) in spans
    assert (date(2026, 1, 1), date(2026, 10, 31)) in spans
    assert (date(2025, 11, 1), date(2025, 11, 30)) in spans


def test_no_figure_reads_a_table_whose_writes_are_ignored(app, ctx):
    """The tables ``changes.IGNORED`` skips must be read by no figure (their writes raise no
    version); every figure's SQL is searched for them."""
    from sqlalchemy import Table
    from sqlalchemy.sql import visitors

    start, end = date(2026, 10, 1), date(2026, 10, 31)
    read: set[str] = set()
    for figure in figures.FIGURES:
        if figure.engine:
            continue
        if type(figure) is figures.Figure:
            query = figure.source(start, end).grouped([1])
        else:
            query = figure.query(start, end, [1])
        read |= {t.name for t in visitors.iterate(query) if isinstance(t, Table)}
    assert {"correction_cases", "contacts", "case_levels", "case_station_moves", "people"} <= read
    assert read & changes.IGNORED == set()


def test_a_job_batch_of_due_states_touches_every_station_with_one_row(app, ctx, demo_county):
    """The nightly recompute writes due states in batches: each batch that changed
    something adds one change row for every station, not one per station and case."""
    from corrections import derived

    changes.fold(db.session)
    db.session.commit()
    versions = _versions()
    ids = list(db.session.execute(select(CorrectionCase.id).limit(3)).scalars())
    derived.write_many(
        CorrectionCase, [(i, {"due_computed_on": date(2026, 11, 25)}) for i in ids], bulk=True
    )
    db.session.commit()
    rows = db.session.execute(select(FigureStationChange.station_id)).scalars().all()
    assert rows == [None]
    assert all(v == versions[sid] + 1 for sid, v in _versions().items())
    derived.write_many(CorrectionCase, [(i, {}) for i in ids], bulk=True)  # nothing changed
    db.session.commit()
    assert len(db.session.execute(select(FigureStationChange.id)).all()) == 1
