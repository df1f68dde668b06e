"""Importing existing ledgers (台账) from .xlsx and .csv files.

Three steps, shared by the web pages and ``flask import``:

1. ``read_table`` reads the file (xlsx via openpyxl read-only; csv in UTF-8 with
   or without BOM, else GB18030/GBK) and finds the header row;
2. ``guess_mapping`` maps each header to a field (the user may override it);
3. ``run_import`` validates every row by running the real services (people,
   supervision, resettlement) in one transaction.  A dry run always rolls the
   transaction back; a real import commits only when no row has a problem
   (all or nothing) and then writes one summary audit event besides the
   services' own per-record events.

The services raise their DomainErrors before they add anything to the session,
so a refused row leaves nothing behind that later rows could trip over; any
problem at all ends in a rollback of the whole transaction.

The file itself (fields, headers, reading, cells) is read by ``ledger_table``; its names are
re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from corrections import clock
from corrections.audit.services import record
from corrections.auth.models import Station, User
from corrections.auth.scope import scope, station_in_scope
from corrections.deferred import deferred_writes, memoised
from corrections.errors import DomainError
from corrections.extensions import db
from corrections.paperwork.ledger_table import (  # noqa: F401
    CORRECTION_TYPES,
    DEFAULT_MAX_COLUMNS,
    DEFAULT_MAX_ROWS,
    FIELD_LABELS,
    FIELDS,
    HEADER_SEARCH_ROWS,
    LEVELS,
    MAX_SHEET_XML,
    NO,
    PROGRESS_EVERY,
    YES,
    CellError,
    ImportFileError,
    Table,
    _norm_header,
    _text,
    decode_csv,
    guess_mapping,
    limits,
    parse_date,
    read_table,
    recognise,
    table_from_json,
    table_to_json,
)
from corrections.people import idnumber
from corrections.people import services as people_services
from corrections.people.models import Person
from corrections.resettlement import services as resettlement_services
from corrections.supervision import services as supervision_services


@dataclass
class RowResult:
    line: int
    name: str
    id_masked: str
    programme: str | None
    problems: list[str] = field(default_factory=list)


@dataclass
class Report:
    dry_run: bool
    total: int = 0
    rows: list[RowResult] = field(default_factory=list)
    people: int = 0
    people_existing: int = 0
    correction_cases: int = 0
    resettlement_cases: int = 0
    handovers: int = 0
    contacts: int = 0
    committed: bool = False

    @property
    def problem_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.problems]

    @property
    def ok(self) -> bool:
        return not self.problem_rows

    def summary(self) -> dict:
        return {
            "rows": self.total,
            "rows_with_problems": len(self.problem_rows),
            "people": self.people,
            "people_existing": self.people_existing,
            "correction_cases": self.correction_cases,
            "resettlement_cases": self.resettlement_cases,
            "handovers": self.handovers,
            "contacts": self.contacts,
        }


def _field_messages(error: DomainError, prefix: str = "") -> list[str]:
    fields_map = {
        "person_id": "人员",
        "id_number": "身份证号",
        "name": "姓名",
        "station": "司法所",
        "correction_type": "矫正类别",
        "judgment_effective_on": "判决生效日期",
        "term_start": "矫正期限起",
        "term_end": "矫正期限止",
        "received_on": "接收日期",
        "occurred_on": "最近联系日期",
        "handed_over_on": "衔接日期",
        "released_on": "释放日期",
        "expected_release_on": "释放日期",
        "level": "管理等级",
    }
    if error.fields:
        return [
            f"{prefix}{fields_map.get(k, FIELD_LABELS.get(k, k))}：{v}"
            for k, v in error.fields.items()
        ]
    return [f"{prefix}{error.message}"]


class _Row:
    """One row's cells by field key, with converters that collect problems."""

    def __init__(self, cells: list[Any], mapping: dict[int, str]):
        self.values: dict[str, Any] = {}
        for i, key in mapping.items():
            if key == "sex" or i >= len(cells):
                continue
            self.values[key] = cells[i]
        self.problems: list[str] = []

    def text(self, key: str) -> str:
        return _text(self.values.get(key))

    def date(self, key: str) -> date | None:
        try:
            return parse_date(self.values.get(key))
        except CellError as e:
            self.problems.append(f"{FIELD_LABELS[key]}：{e}")
            return None


def _find_station(value: str, actor: User, default: Station | None) -> tuple[Station | None, str]:
    if not value:
        if default is not None:
            return default, ""
        return None, "司法所：未填写"
    found = memoised(
        ("import_station", value),
        lambda: (
            db.session.execute(
                select(Station).where((Station.code == value) | (Station.name == value))
            )
            .scalars()
            .all()
        ),
    )
    if not found:
        return None, f"司法所：“{value}”不存在"
    mine = [st for st in found if station_in_scope(actor, st)]
    if not mine:
        return None, f"司法所：“{value}”不在您的管辖范围内"
    if len(mine) > 1:
        return None, f"司法所：“{value}”有重名，请填写司法所代码"
    return mine[0], ""


def _programme(row: _Row) -> str | None:
    value = row.text("programme")
    if "安置" in value or "帮教" in value or "刑满" in value:
        return "resettlement"
    if "矫正" in value:
        return "correction"
    if value:
        row.problems.append(f"台账类型：“{value}”应为“社区矫正”或“安置帮教”")
        return None
    if row.text("correction_type") and not row.text("released_on"):
        return "correction"
    if row.text("released_on") or row.text("facility"):
        return "resettlement"
    return "correction"


@dataclass
class _Checked:
    """What a row's cells say once checked."""

    name: str
    info: Any  # idnumber.parse's answer
    station: Station
    programme: str
    ctype: str | None
    level: str | None
    dates: dict[str, date | None]
    is_key: bool


_DATES = (
    "judgment_effective_on",
    "term_start",
    "term_end",
    "received_on",
    "last_contact",
    "released_on",
    "handed_over_on",
)


def _import_row(actor: User, row: _Row, default_station: Station | None, report: Report) -> None:
    """Run the services for one row; problems go into ``row.problems``."""
    checked = _check_row(actor, row, default_station)
    if checked is None:
        return
    person = _person_for(actor, row, checked, report)
    if person is None:
        return
    if checked.programme == "correction":
        _correction_case(actor, row, person, checked, report)
    else:
        _resettlement_case(actor, row, person, checked, report)


def _check_row(actor: User, row: _Row, default_station: Station | None) -> _Checked | None:
    """The row's cells checked; None (with the problems in ``row.problems``) if any is wrong."""
    name = row.text("name")
    raw_id = row.text("id_number")
    if not name:
        row.problems.append("姓名：未填写")
    info = None
    if isinstance(row.values.get("id_number"), int | float):
        row.problems.append(
            "身份证号：被Excel存成了数字（后几位会丢失），请把该列设为文本后重新填写"
        )
    elif not raw_id:
        row.problems.append("身份证号：未填写")
    else:
        try:
            info = idnumber.parse(raw_id, today=clock.today())
        except idnumber.InvalidIdNumber as e:
            row.problems.append(f"身份证号：{e.message}")
    station, station_problem = _find_station(row.text("station"), actor, default_station)
    if station_problem:
        row.problems.append(station_problem)
    programme = _programme(row)
    ctype = _choice(row, "correction_type", CORRECTION_TYPES, "管制、缓刑、假释或暂予监外执行")
    level = _choice(row, "level", LEVELS, "严管、普管或宽管")
    dates = {k: row.date(k) for k in _DATES}
    today = clock.today()
    for key in ("received_on", "last_contact", "released_on", "handed_over_on"):
        if dates[key] and dates[key] > today:
            row.problems.append(f"{FIELD_LABELS[key]}：不能晚于今天（{dates[key].isoformat()}）")
    if dates["term_start"] and dates["term_end"] and dates["term_end"] <= dates["term_start"]:
        row.problems.append("矫正期限止：应晚于矫正期限起")
    key_text = row.text("is_key").lower()
    if key_text not in YES | NO:
        row.problems.append(f"是否重点：“{row.text('is_key')}”应为“是”或“否”")
    if row.problems or info is None or station is None or programme is None:
        return None
    return _Checked(name, info, station, programme, ctype, level, dates, key_text in YES)


def _choice(row: _Row, key: str, values: dict[str, str], allowed: str) -> str | None:
    """The code of a cell that must be one of ``values`` (blank: None)."""
    text = row.text(key)
    code = values.get(text) if text else None
    if text and code is None:
        row.problems.append(f"{FIELD_LABELS[key]}：“{text}”应为{allowed}")
    return code


def _person_for(actor: User, row: _Row, checked: _Checked, report: Report) -> Person | None:
    """The person: one already registered (in scope) is reused, else one is registered."""
    existing = db.session.execute(
        select(Person).where(Person.id_number == checked.info.number)
    ).scalar_one_or_none()
    if existing is not None:
        visible = db.session.execute(
            scope(select(Person.id).where(Person.id == existing.id), actor, Person)
        ).scalar_one_or_none()
        if visible is None:
            row.problems.append("身份证号：该人员已在其他单位登记，不在您的管辖范围内")
            return None
        report.people_existing += 1
        return existing
    data = {"name": checked.name, "id_number": checked.info.number}
    for key in ("ethnicity", "phone", "household_address", "residence_address"):
        if row.text(key):
            data[key] = row.text(key)
    person = _attempt(row, "", people_services.create_person, actor, data, checked.station)
    if person is _REFUSED:
        return None
    report.people += 1
    return person


_REFUSED = object()  # what ``_attempt`` answers for a service that refused the row


def _attempt(row: _Row, prefix: str, service: Callable, *args) -> Any:
    """``service(*args)``, or ``_REFUSED`` with its DomainError's messages in ``row.problems``."""
    try:
        return service(*args)
    except DomainError as e:
        row.problems.extend(_field_messages(e, prefix))
        return _REFUSED


def _last_contact(actor: User, row: _Row, service: Callable, case, day, report: Report) -> None:
    """The ledger's last contact, if it has one, recorded as a field visit."""
    if not day:
        return
    data = {"kind": "field_visit", "occurred_on": day, "note": "台账导入"}
    if _attempt(row, "最近联系：", service, actor, case, data) is not _REFUSED:
        report.contacts += 1


def _correction_case(actor: User, row: _Row, person, checked: _Checked, report: Report) -> None:
    dates = checked.dates
    start = dates["term_start"]
    data = {
        "person_id": person.id,
        "station": checked.station.code,
        "correction_type": checked.ctype,
        "crime": row.text("crime"),
        "sentence": row.text("sentence"),
        "judgment_effective_on": dates["judgment_effective_on"],
        "term_start": start,
        "term_end": dates["term_end"],
        # an open case in a ledger has been received: the reception date, else the start
        "received_on": dates["received_on"] or start,
        "level": checked.level or "normal",
    }
    case = _attempt(row, "", supervision_services.create_case, actor, data)
    if case is _REFUSED:
        return
    report.correction_cases += 1
    _last_contact(
        actor, row, supervision_services.record_contact, case, dates["last_contact"], report
    )


def _resettlement_case(actor: User, row: _Row, person, checked: _Checked, report: Report) -> None:
    dates, ctype = checked.dates, checked.ctype
    facility = row.text("facility")
    data = {
        "person_id": person.id,
        "station": checked.station.code,
        "source": "correction"
        if ctype
        else "detention_center"
        if "看守所" in facility
        else "prison",
        "released_on": dates["released_on"],
        "facility": facility,
        "crime": row.text("crime"),
        "sentence": row.text("sentence"),
        "is_key": checked.is_key,
    }
    if ctype:
        data["correction_type"] = ctype
    rcase = _attempt(row, "", resettlement_services.create_case, actor, data)
    if rcase is _REFUSED:
        return
    report.resettlement_cases += 1
    if dates["handed_over_on"]:
        handover = {"handed_over_on": dates["handed_over_on"], "method": "self_report"}
        if (
            _attempt(row, "衔接：", resettlement_services.handover, actor, rcase, handover)
            is _REFUSED
        ):
            return
        report.handovers += 1
    _last_contact(
        actor, row, resettlement_services.record_contact, rcase, dates["last_contact"], report
    )


def check_mapping(mapping: dict[int, str]) -> list[str]:
    """Problems with the mapping itself: a field mapped twice, required ones missing."""
    problems = []
    seen: dict[str, int] = {}
    for i, key in mapping.items():
        if key not in FIELDS:
            problems.append(f"第{i + 1}列：未知字段“{key}”")
        elif key in seen:
            problems.append(f"“{FIELD_LABELS[key]}”对应了多列")
        seen[key] = i
    for key in ("name", "id_number"):
        if key not in seen:
            problems.append(f"缺少“{FIELD_LABELS[key]}”列")
    return problems


def run_import(
    actor: User,
    table: Table,
    mapping: dict[int, str],
    *,
    dry_run: bool,
    filename: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Validate (dry run) or import every row; all or nothing."""
    report = Report(dry_run=dry_run, total=len(table.rows))
    mapping_problems = check_mapping(mapping)
    if mapping_problems:
        report.rows.append(RowResult(0, "", "", None, mapping_problems))
        return report
    default_station = None
    if actor.is_officer and len(actor.stations) == 1:
        default_station = actor.stations[0]
    db.session.rollback()  # start from a clean transaction
    try:
        with deferred_writes() as pending:
            _import_rows(actor, table, mapping, default_station, report, progress)
            if dry_run or not report.ok:
                pending.discard()  # rolled back below: no need to finish the writes
        if dry_run or not report.ok:
            db.session.rollback()
            return report
        record(
            actor,
            "ledger.import",
            "ledger_import",
            None,
            None,
            {"file": filename[:200], **report.summary()},
        )
        db.session.commit()
        report.committed = True
        return report
    except Exception:
        db.session.rollback()
        raise


def _import_rows(
    actor: User,
    table: Table,
    mapping: dict[int, str],
    default_station: Station | None,
    report: Report,
    progress: Callable[[int, int], None] | None,
) -> None:
    seen: dict[tuple[str, str], int] = {}
    for n, (line, cells) in enumerate(table.rows, start=1):
        row = _Row(cells, mapping)
        number = idnumber.normalise(row.text("id_number"))
        programme = _programme(_Row(cells, mapping))
        result = RowResult(
            line, row.text("name"), idnumber.mask(number) if number else "", programme
        )
        if number and (number, programme or "") in seen:
            row.problems.append(f"身份证号：与第{seen[(number, programme or '')]}行重复")
        else:
            if number:
                seen[(number, programme or "")] = line
            if actor.can_write:
                _import_row(actor, row, default_station, report)
            else:
                row.problems.append("只读账号不能导入")
        result.problems = row.problems
        report.rows.append(result)
        if progress and (n % PROGRESS_EVERY == 0 or n == report.total):
            progress(n, report.total)
