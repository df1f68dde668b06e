"""The drill-down: for every figure, the rows behind it are exactly as many as the figure."""

from datetime import date

from sqlalchemy import func, select

from corrections.auth.models import Station
from corrections.extensions import db
from corrections.reports import records
from corrections.reports.figures import BY_KEY, KEYS, compute


def _count(query) -> int:
    return db.session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()


def test_every_figure_equals_its_rows_on_the_demo_county(app, demo_county, ctx):
    _extras()
    db.session.commit()
    stations = list(db.session.execute(select(Station).order_by(Station.code)).scalars())
    ids = [s.id for s in stations]
    periods = [
        (date(2026, 10, 1), date(2026, 10, 31)),  # a month
        (date(2026, 1, 1), date(2026, 11, 25)),  # year to date
        (date(2025, 12, 1), date(2026, 11, 30)),  # twelve months, ending after today
    ]
    nonzero = set()
    for start, end in periods:
        result = compute(start, end, ids)
        for key in KEYS:
            rows = _count(records.rows_query(key, start, end, ids))
            assert rows == result.totals[key], (key, start, end, rows, result.totals[key])
            if rows:
                nonzero.add(key)
            # and station by station (distinct people are counted once per station)
            for station in stations[:2]:
                one = _count(records.rows_query(key, start, end, [station.id]))
                assert one == result.by_station.get(station.id, {}).get(key, 0), (key, station.code)
    # the demo county exercises most figures, so the comparison is not vacuous
    assert {"cc.received", "cc.contacts", "cc.on_register", "cc.overdue", "rs.assisted"} <= nonzero
    assert len(nonzero) >= len(KEYS) - 6, sorted(set(KEYS) - nonzero)


def _extras() -> None:
    """Records the demo county lacks (sanctions, reoffending, subsistence, an end), added on
    top so those figures' lists are compared on non-empty data too."""
    from corrections.auth.models import User
    from corrections.resettlement import services as rs
    from corrections.resettlement.models import ResettlementCase
    from corrections.supervision import services as sv
    from corrections.supervision.models import CorrectionCase

    boss = db.session.execute(select(User).where(User.username == "zhuguan")).scalar_one()
    active = list(
        db.session.execute(
            select(CorrectionCase)
            .where(CorrectionCase.status == "active", CorrectionCase.received_on < date(2026, 9, 1))
            .order_by(CorrectionCase.id)
        ).scalars()
    )
    for case, kind in zip(
        active, ("commendation", "warning", "police_penalty_request", "warning"), strict=False
    ):
        sv.record_sanction(boss, case, {"kind": kind, "decided_on": "2026-10-12", "reason": "演示"})
    sv.open_incident(boss, active[-1], {"kind": "reoffended", "occurred_on": "2026-10-20"})
    handed = list(
        db.session.execute(
            select(ResettlementCase)
            .where(ResettlementCase.status == "active")
            .order_by(ResettlementCase.id)
        ).scalars()
    )
    for case in handed[:3]:
        rs.add_assistance(boss, case, {"kind": "subsistence", "given_on": "2026-10-08"})
    rs.add_assistance(boss, handed[0], {"kind": "subsistence", "given_on": "2026-10-18"})
    rs.end_case(boss, handed[-1], {"ended_on": "2026-10-30", "reason": "death"})


def test_grouped_figures_list_one_row_per_person(app, ctx, person_id):
    from corrections.resettlement import services as rs
    from tests.helpers import user

    case = rs.create_case(
        user("off1"),
        {"person_id": person_id, "station": "S1", "source": "prison", "released_on": "2026-01-10"},
    )
    rs.handover(user("off1"), case, {"handed_over_on": "2026-01-10", "method": "escorted"})
    for kind, day in (("relief", "2026-06-05"), ("subsistence", "2026-06-20")):
        rs.add_assistance(user("off1"), case, {"kind": kind, "given_on": day})
    db.session.commit()
    assert records.grouped("rs.assisted") == "person" and records.grouped("cc.on_leave") == "case"
    assert records.grouped("cc.contacts") is None
    rows = db.session.execute(
        records.rows_query("rs.assisted", date(2026, 6, 1), date(2026, 6, 30), None)
    ).all()
    assert len(rows) == 1 and rows[0].group_id == person_id and rows[0].records == 2
    assert compute(date(2026, 6, 1), date(2026, 6, 30), None).totals["rs.assisted"] == 1


def test_every_key_has_a_rows_query():
    for key in KEYS:
        assert BY_KEY[key].rows is not None
