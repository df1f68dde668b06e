"""A case file as one timeline (read only): every dated record of a case, newest first.

Each programme registers one small function per record type with ``@entries(programme)``;
each returns the timeline entries of its records for one case. ``case_timeline`` runs a
programme's functions in the order they were registered and sorts the result (newest
first; on equal dates the later stamp first, and otherwise the order of registration).
The case page shows one page of it (``corrections.web.history_page``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock
from corrections.auth.models import Station, User
from corrections.extensions import db
from corrections.labels import label


@dataclass
class Entry:
    on: date
    kind: str  # contact, level, sanction, leave, incident, notice, handover, key, lost, …
    title: str
    detail: str = ""
    by: str = ""
    badges: list[tuple[str, str]] = field(default_factory=list)  # (text, Bootstrap colour)
    void_reason: str | None = None
    voidable: str | None = None  # the void_record kind when the record can be voided
    record_id: int | None = None
    stamp: datetime | None = None
    void_needs_decider: bool = False  # a decided sanction: only the county may void it

    @property
    def is_void(self) -> bool:
        return self.void_reason is not None


class Names:
    """User and station names, one lookup each."""

    def __init__(self):
        self.users: dict[int, str] = {}
        self.stations: dict[int, str] = {}

    def user(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        if user_id not in self.users:
            user = db.session.get(User, user_id)
            self.users[user_id] = user.label if user else ""
        return self.users[user_id]

    def station(self, station_id: int | None) -> str:
        if station_id is None:
            return ""
        if station_id not in self.stations:
            station = db.session.get(Station, station_id)
            self.stations[station_id] = station.name if station else ""
        return self.stations[station_id]


Source = Callable[[object, Names], list[Entry]]
_SOURCES: dict[str, list[Source]] = {}


def entries(programme: str) -> Callable[[Source], Source]:
    """Register ``fn(case, names) -> list[Entry]`` as one record type of ``programme``."""

    def register(fn: Source) -> Source:
        _SOURCES.setdefault(programme, []).append(fn)
        return fn

    return register


def case_timeline(programme: str, case) -> list[Entry]:
    names = Names()
    out: list[Entry] = []
    for source in _SOURCES.get(programme, ()):
        out += source(case, names)
    return sort_entries(out)


def programme_timeline(
    programme: str,
) -> tuple[Callable[[Source], Source], Callable[[object], list[Entry]]]:
    """A programme's ``@entries`` decorator and its ``case_timeline(case)``."""

    def programme_case_timeline(case) -> list[Entry]:
        return case_timeline(programme, case)

    return entries(programme), programme_case_timeline


def _moment(entry: Entry) -> datetime:
    moment = entry.stamp
    if moment is None:
        return datetime.min.replace(tzinfo=UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def sort_entries(out: list[Entry]) -> list[Entry]:
    """Newest first: by date, then by stamp (a stored naive stamp is UTC)."""
    return sorted(out, key=lambda e: (e.on, _moment(e)), reverse=True)


def local_date(moment: datetime | None) -> date:
    """The day (China time) of a stored moment; today when there is none."""
    if moment is None:
        return clock.today()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(clock.CHINA).date()


def rows(model, case_id: int, column=None) -> list:
    column = column if column is not None else model.case_id
    return db.session.execute(select(model).where(column == case_id)).scalars().all()


def void_reason(row) -> str | None:
    return row.void_reason if row.is_void else None


def contact_entry(contact, names: Names, badges: list[tuple[str, str]] | None = None) -> Entry:
    """A contact of either programme: voidable, and shown with its reason once voided."""
    return Entry(
        contact.occurred_on,
        "contact",
        label("contact_kind", contact.kind),
        contact.note,
        names.user(contact.recorded_by_id),
        badges or [],
        void_reason(contact),
        "contact",
        contact.id,
        contact.created_at,
    )


def attachment_entries(programme: str, case_id: int, names: Names) -> list[Entry]:
    """The case's attachments; a visit photo is shown on its contact unless voided."""
    from corrections.paperwork.attachment_routes import kind_label
    from corrections.paperwork.models import Attachment

    found = db.session.execute(
        select(Attachment).where(Attachment.programme == programme, Attachment.case_id == case_id)
    ).scalars()
    return [
        Entry(
            local_date(a.uploaded_at),
            "attachment",
            _("附件：%(k)s %(f)s", k=kind_label(a.kind), f=a.filename),
            a.note,
            names.user(a.uploaded_by_id),
            void_reason=void_reason(a),
            stamp=a.uploaded_at,
        )
        for a in found
        if a.contact_id is None or a.is_void
    ]


def searches_and_end(record, names: Names, kind: str, method_label: str, ended: tuple) -> list:
    """The searches of an incident (or lost contact) and, when it ended, its end:
    ``ended`` is (end date, title, detail)."""
    out = [
        Entry(
            search.searched_on,
            kind,
            _("查找：%(m)s", m=label(method_label, search.method)),
            search.note,
            names.user(search.recorded_by_id),
            stamp=search.created_at,
        )
        for search in record.searches
    ]
    on, title, detail = ended
    if on:
        out.append(Entry(on, kind, title, detail, stamp=record.updated_at))
    return out
