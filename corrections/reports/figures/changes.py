"""Which stations' figures a write may change, and the version bump that tells the stored
figures so (docs/performance.md, "Stored figures of open periods").

Every flushed row is looked at once, in the session, without asking the write's code:

- rows of tables no figure reads (``IGNORED``: the audit trail, users and their sessions,
  notifications, files, numbering, the stored figures themselves) change nothing;
- a correction case touches every station it has been at (its events count at the station
  it was at on their dates), a resettlement case its station, a person the stations of
  their cases, a row with a station its station (old and new), and any other row the
  stations of the rows its foreign keys point at (a contact its case, a search its
  incident's case);
- a row that leads to no station (a rule table, a holiday, a unit or station edited)
  touches every station, as does an UPDATE, INSERT or DELETE statement run outside the ORM
  on a table figures may read, unless its caller names the cases it changed (``touch``).

The touched stations' versions are raised in the write's own transaction by inserting a
change row per station (``bump``), before the audit chain's lock is taken (``settle``) and
at commit for anything written after it. Rows are only inserted, so writers never wait on
one another for them; a station's version is its folded version plus its change rows, and
the ``fold_figure_changes`` job folds them (``fold``). A stored figure row carries the
version it was computed at and is used only while that is still the station's version.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

ALL = "all"
_KEY = "figure_touches"
_OFF = "figure_touches_off"
# a statement run with this execution option has named what it touched (``touch``)
KNOWN = "figure_stations_known"

IGNORED = frozenset(
    {
        "alembic_version",
        "api_tokens",
        "attachments",
        "audit_anchors",
        "audit_events",
        "checkin_questions",
        "checkin_sessions",
        "closed_month_stations",
        "closed_months",
        "deliveries",
        "figure_rollups",
        "figure_station_versions",
        "generated_documents",
        "job_runs",
        "location_import_mappings",
        "notifications",
        "number_sequences",
        "official_numbers",
        "stored_files",
        "user_sessions",
        "users",
    }
)
_CASES = {"correction_cases": "cc", "resettlement_cases": "rc"}
_DEPTH = 3  # foreign keys followed from a row to a case or station


def _touches(session: Session) -> set:
    return session.info.setdefault(_KEY, set())


def touch(session: Session, table: str, ids) -> None:
    """Record that rows ``ids`` of ``table`` (a case table) were changed by a statement the
    ORM does not see (the stored due state, written with plain UPDATEs)."""
    kind = _CASES.get(table)
    found = _touches(session)
    if kind is None:
        found.add(ALL)
        return
    found.update((kind, int(i)) for i in ids)


def touch_all(session: Session) -> None:
    """Every station's figures may have changed (a job rewrote many rows)."""
    _touches(session).add(ALL)


def _values(state, column_key: str) -> set:
    """A column's current and previous values on a flushed object."""
    history = state.attrs[column_key].history
    values = set(history.added or ()) | set(history.deleted or ()) | set(history.unchanged or ())
    return {v for v in values if v is not None}


def _row_touches(obj) -> set:
    """What one flushed object touches: ("station", id), ("cc", id), ("rc", id),
    ("person", id), ("row", table, id) to be followed at commit, or ALL."""
    state = inspect(obj)
    mapper = state.mapper
    table = mapper.local_table
    name = table.name
    if name in IGNORED:
        return set()
    found: set = set()
    keys = {prop.columns[0].name: prop.key for prop in mapper.column_attrs}
    if name in _CASES:
        found.update((_CASES[name], v) for v in _values(state, keys["id"]))
    elif name == "people":
        found.update(("person", v) for v in _values(state, keys["id"]))
    elif name in ("stations", "units"):
        return {ALL} if not state.pending else set()  # a new station has no figures yet
    for column in table.columns:
        for fk in column.foreign_keys:
            target = fk.column.table.name
            if target in IGNORED or column.name not in keys:
                continue
            found.update(_pointed(target, v) for v in _values(state, keys[column.name]))
    return found or {ALL}


def _pointed(target: str, value) -> tuple:
    """The touch of a foreign key to a row of ``target`` (a table name)."""
    if target == "stations":
        return ("station", value)
    if target in _CASES:
        return (_CASES[target], value)
    if target == "people":
        return ("person", value)
    return ("row", target, value)


def _after_flush(session: Session, _context) -> None:
    found = _touches(session)
    if ALL in found:
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        found.update(_row_touches(obj))
        if ALL in found:
            return


def _on_execute(state) -> None:
    """A bulk INSERT, UPDATE or DELETE through the session on a table figures may read."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.execution_options.get(KNOWN):
        return
    table = getattr(state.statement, "table", None)
    if table is None or getattr(table, "name", None) not in IGNORED:
        _touches(state.session).add(ALL)


@dataclass
class Touched:
    """What a transaction touched, resolved as far as needed: stations by id, and the
    correction and resettlement cases whose stations the version bump reads itself."""

    stations: set[int] = field(default_factory=set)
    cc: set[int] = field(default_factory=set)
    rc: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.stations or self.cc or self.rc)


def resolve(session: Session, touches: set) -> Touched | str:
    """``touches`` as stations and cases (or ALL): people become their cases, other rows
    are followed along their foreign keys."""
    from corrections.resettlement.models import ResettlementCase
    from corrections.supervision.models import CorrectionCase

    if ALL in touches:
        return ALL
    out = Touched()
    people: set[int] = set()
    rows: set = set()

    def take(items) -> None:
        for kind, *rest in items:
            if kind == "station":
                out.stations.add(rest[0])
            elif kind == "cc":
                out.cc.add(rest[0])
            elif kind == "rc":
                out.rc.add(rest[0])
            elif kind == "person":
                people.add(rest[0])
            else:
                rows.add(tuple(rest))

    take(touches)
    for _depth in range(_DEPTH):
        if not rows:
            break
        pending, rows = rows, set()
        followed = _follow(session, pending)
        if followed == ALL:
            return ALL
        take(followed)
    if rows:
        return ALL
    if people:
        for model, found in ((CorrectionCase, out.cc), (ResettlementCase, out.rc)):
            found.update(
                session.execute(select(model.id).where(model.person_id.in_(people))).scalars()
            )
    return out


def _follow(session: Session, rows: set) -> set | str:
    """The touches of parent rows (table, id) read from the database (never a case's or a
    person's: ``_pointed`` names those directly)."""
    from corrections.db import Base

    found: set = set()
    by_table: dict[str, set] = {}
    for table, pk in rows:
        by_table.setdefault(table, set()).add(pk)
    for name, ids in by_table.items():
        table = Base.metadata.tables.get(name)
        if table is None or len(table.primary_key.columns) != 1:
            return ALL
        pk = next(iter(table.primary_key.columns))
        links = [
            (column, fk.column.table.name)
            for column in table.columns
            for fk in column.foreign_keys
            if fk.column.table.name not in IGNORED
        ]
        if not links:
            return ALL
        query = select(*(c for c, _t in links)).where(pk.in_(ids))
        for row in session.execute(query):
            hit = False
            for (_column, target), value in zip(links, row, strict=True):
                if value is None:
                    continue
                hit = True
                found.add(_pointed(target, value))
            if not hit:
                return ALL
    return found


@contextmanager
def unwatched(session: Session):
    """Writes in this block raise no versions: only for a database whose schema predates
    the versions table (a migration test writing at an old revision)."""
    session.info[_OFF] = True
    try:
        yield
    finally:
        session.info.pop(_OFF, None)
        session.info.pop(_KEY, None)


def settle(session: Session) -> None:
    """Write the changes the transaction's flushed rows make so far (rows inserted, never
    waited on). ``audit.record`` calls this before it takes the chain's lock, so the writes
    that lock serialises do not wait for it; the commit settles what is left."""
    if session.info.get(_OFF):
        return
    touches = session.info.pop(_KEY, set())
    if not touches:
        return
    touched = resolve(session, touches)
    if touched == ALL or touched:
        bump(session, touched)


def _before_commit(session: Session) -> None:
    if session.info.get(_OFF):
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit would flush them after this: see them now
    settle(session)


def bump(session: Session, touched: Touched | str) -> None:
    """Raise the versions of the touched stations (or of every station) in this transaction:
    one INSERT of a change row per station, which also reads the stations of the touched
    cases (a correction case's own and every one it moved from or to) as they are now. A
    case's write holds its row, so a concurrent move commits before or after, never
    between. Every station at once is one row with no station."""
    from sqlalchemy import union

    from corrections.auth.models import Station
    from corrections.reports.models import FigureStationChange
    from corrections.resettlement.models import ResettlementCase as RC
    from corrections.supervision.models import CorrectionCase as CC
    from corrections.supervision.models import StationMove as Move

    table = FigureStationChange.__table__
    if touched == ALL:
        session.execute(table.insert().values(station_id=None), execution_options={KNOWN: True})
        return
    parts = []
    if touched.stations:
        parts.append(select(Station.id).where(Station.id.in_(sorted(touched.stations))))
    if touched.cc:
        cc = sorted(touched.cc)
        parts += [
            select(CC.station_id).where(CC.id.in_(cc)),
            select(Move.from_station_id).where(Move.case_id.in_(cc)),
            select(Move.to_station_id).where(Move.case_id.in_(cc)),
        ]
    if touched.rc:
        parts.append(select(RC.station_id).where(RC.id.in_(sorted(touched.rc))))
    ids = (union(*parts) if len(parts) > 1 else parts[0]).subquery()
    source = select(ids.c[0]).where(ids.c[0].is_not(None))
    session.execute(
        table.insert().from_select(["station_id"], source), execution_options={KNOWN: True}
    )


def versions(session: Session, station_ids: list[int]) -> dict[int, int]:
    """Each station's version: its folded version plus its change rows and the rows for
    every station, read in one statement (one snapshot, so a fold never shows half)."""
    from sqlalchemy import func

    from corrections.auth.models import Station
    from corrections.reports.models import FigureStationChange as Change
    from corrections.reports.models import FigureStationVersion as Version

    own = (
        select(func.count())
        .where(Change.station_id == Station.id)
        .correlate(Station)
        .scalar_subquery()
    )
    every = select(func.count()).where(Change.station_id.is_(None)).scalar_subquery()
    query = (
        select(Station.id, func.coalesce(Version.version, 0) + own + every)
        .outerjoin(Version, Version.station_id == Station.id)
        .where(Station.id.in_(station_ids))
    )
    return {sid: int(v) for sid, v in session.execute(query)}


def fold(session: Session) -> int:
    """Add the change rows to the folded versions and delete them, in one transaction: the
    rows deleted are exactly the rows counted (a change committed meanwhile stays for the
    next fold), and no station's version changes. Returns the rows folded."""
    from collections import Counter

    from sqlalchemy import delete

    from corrections.auth.models import Station
    from corrections.reports.models import FigureStationChange as Change
    from corrections.reports.models import FigureStationVersion as Version

    gone = session.execute(
        delete(Change).returning(Change.station_id), execution_options={KNOWN: True}
    ).scalars()
    counts = Counter(gone)
    every = counts.pop(None, 0)
    folded = sum(counts.values()) + every
    if not folded:
        return 0
    ids = sorted(session.execute(select(Station.id)).scalars()) if every else sorted(counts)
    rows = [{"station_id": sid, "version": counts.get(sid, 0) + every} for sid in ids]
    from corrections.db import dialect_insert

    table = Version.__table__
    insert = dialect_insert(session)(table)
    statement = insert.on_conflict_do_update(
        index_elements=["station_id"], set_={"version": table.c.version + insert.excluded.version}
    )
    session.execute(statement, rows, execution_options={KNOWN: True})
    return folded


def listen(session_class: type[Session]) -> None:
    """Watch every session of ``session_class`` (called once, with the app's session)."""
    if event.contains(session_class, "after_flush", _after_flush):
        return
    event.listen(session_class, "after_flush", _after_flush)
    event.listen(session_class, "do_orm_execute", _on_execute)
    # touches are kept after a rollback: a savepoint's rollback must not drop the outer
    # transaction's, and a bump for rows rolled back only costs a recomputation
    event.listen(session_class, "before_commit", _before_commit)
