"""信息化核查 triage import (docs/domain.md §7.11): the carrier platform's location-check
export → three lists (location_missing, outside_area, location_anomaly) → alerts for the
rows the officer selects.

The file is streamed: CSV rows are decoded as they are read (UTF-8 with or without BOM,
UTF-16 with BOM, else GB18030 — a superset of GBK — detected from the start of the file and
re-read once if a later byte says otherwise); an .xlsx sheet is read row by row (openpyxl
read-only). Only per person and day aggregates stay in memory. Column headers are recognised
as the ledger import recognises its own (``ledger_import._norm_header``), a unit's mapping
is remembered after its first real import, and a dry run writes nothing at all.

Rows are matched to the active correction cases in the user's scope by ID number only: a
number that is not one of them (unknown, ended, or in another unit) is listed as unmatched
with the same words, so nothing about other units is revealed. Rules (rule rows, docs/domain.md
§7.11):

* location_missing — a matched person has no successful check on a day the file covers;
* outside_area — a successful check flagged out of area by the platform, or whose coordinates
  lie outside the area of the case's station (``areas.outside_area``);
* location_anomaly — (a) ``location_same_position_days`` consecutive days on which every
  successful check lies within ``location_same_position_m`` metres of the same place and the
  phone was flagged off-body; (b) a check at night (from ``location_night_start_hour`` to
  ``location_night_end_hour``) more than ``location_night_far_m`` metres from the person's
  usual position (the most frequent position, to about 100 m, of their daytime checks in the
  file, when there are at least three).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from corrections import clock
from corrections.alerts import areas, services
from corrections.alerts.models import LocationImportMapping
from corrections.audit.services import record
from corrections.auth.models import Station, User
from corrections.auth.scope import scope
from corrections.deferred import deferred_writes
from corrections.errors import ValidationFailed
from corrections.extensions import db
from corrections.paperwork.ledger_import import _norm_header
from corrections.people import privacy
from corrections.people.models import Person
from corrections.rules.tables import deadline
from corrections.supervision.models import CorrectionCase

LISTS = ("location_missing", "outside_area", "location_anomaly")
HEADER_SEARCH_ROWS = 15
DEFAULT_MAX_ROWS = 200_000
MAX_DAYS = 92
PROGRESS_EVERY = 2000

# field -> (label, recognised headers)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "id_number": (
        "身份证号",
        ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证", "证件号", "idnumber"),
    ),
    "name": ("姓名", ("姓名", "对象姓名", "矫正对象", "矫正对象姓名", "人员姓名", "name")),
    "time": (
        "核查时间",
        ("核查时间", "定位时间", "时间", "上报时间", "采集时间", "核查日期", "定位日期", "time"),
    ),
    "status": (
        "核查结果",
        ("核查结果", "定位结果", "定位状态", "状态", "结果", "核查状态", "status"),
    ),
    "lat": ("纬度", ("纬度", "lat", "latitude")),
    "lon": ("经度", ("经度", "lon", "lng", "longitude")),
    "in_area": ("是否在辖区", ("是否在辖区", "在辖区内", "是否在区域内", "区域内", "是否在范围内")),
    "out_of_area": ("是否越界", ("是否越界", "越界", "越界标志", "越界标识", "出界", "是否出界")),
    "off_body": ("人机分离", ("人机分离", "手机离身", "是否离身", "离身", "人机分离标志")),
}
FIELD_LABELS = {k: label for k, (label, _h) in FIELDS.items()}
_HEADERS = {_norm_header(h).lower(): k for k, (_l, hs) in FIELDS.items() for h in hs}

_YES = {"是", "y", "yes", "true", "1", "√", "越界", "离身", "出界", "分离"}
_NO = {"否", "n", "no", "false", "0", "", "正常", "未越界", "在辖区", "未分离", "×"}
_OK_WORDS = ("成功", "正常", "已定位", "在线", "ok", "success")
_FAIL_WORDS = ("失败", "关机", "无信号", "离线", "未定位", "不在服务区", "超时", "无法", "fail")
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_TIME_RE = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2}))?)?"
)


class ImportFileError(ValueError):
    """The file cannot be used at all; nothing is written."""


# --------------------------------------------------------------------------- mapping


def recognise(header: Any) -> str | None:
    return _HEADERS.get(_norm_header(header).lower())


def guess_mapping(headers: list[str], remembered: dict[str, str] | None = None) -> dict[int, str]:
    """Column index → field: the unit's remembered mapping first (by header text), then the
    recognised headers; a field is taken once."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for i, h in enumerate(headers):
        key = (remembered or {}).get(str(h).strip())
        if key in FIELDS and key not in taken:
            mapping[i], _x = key, taken.add(key)
    for i, h in enumerate(headers):
        if i in mapping:
            continue
        key = recognise(h)
        if key and key not in taken:
            mapping[i], _x = key, taken.add(key)
    return mapping


def check_mapping(mapping: dict[int, str]) -> list[str]:
    fields = set(mapping.values())
    missing = []
    if "id_number" not in fields:
        missing.append(FIELD_LABELS["id_number"])
    if "time" not in fields:
        missing.append(FIELD_LABELS["time"])
    if "status" not in fields and not {"lat", "lon"} <= fields:
        missing.append(_("核查结果（或经度、纬度）"))
    return missing


def parse_mapping_override(raw: str | None) -> dict[str, str] | None:
    """``{"header text": "field"}`` from a form or API field; a blank field drops a column."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        raise ValidationFailed(
            _("mapping 应为 JSON 对象。"), fields={"mapping": _("无效")}
        ) from None
    if not isinstance(data, dict) or any(
        not isinstance(k, str) or (v not in FIELDS and v not in ("", None)) for k, v in data.items()
    ):
        raise ValidationFailed(
            _("mapping 应为“列名 → 字段”的对象，字段为：%(f)s。", f="、".join(FIELDS)),
            fields={"mapping": _("无效")},
        )
    return {k.strip(): (v or "") for k, v in data.items()}


def parse_selection(raw: str | list | None) -> set[str] | None:
    if raw is None:
        return None
    if isinstance(raw, list):
        return {str(x).strip() for x in raw if str(x).strip()}
    return {x.strip() for x in str(raw).split(",") if x.strip()}


# --------------------------------------------------------------------------- reading


def _max_rows() -> int:
    from flask import current_app, has_app_context

    if not has_app_context():
        return DEFAULT_MAX_ROWS
    return int(current_app.config.get("LOCATION_IMPORT_MAX_ROWS") or DEFAULT_MAX_ROWS)


class _Counting(io.RawIOBase):
    """A raw reader over a stream that counts the bytes read (progress for CSV)."""

    def __init__(self, stream):
        self.stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


def detect_encoding(head: bytes) -> str:
    """UTF-8 (BOM or not) or UTF-16 with BOM, else GB18030 (covers GBK exports)."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for cut in range(4):  # the sample may end inside a character
        try:
            head[: len(head) - cut].decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError:
            continue
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("gb18030")
            return "gb18030"
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        _("无法识别文件的编码（支持 UTF-8 与 GBK/GB18030）。请在 Excel 中另存为 CSV UTF-8。")
    )


def _size(stream) -> int:
    try:
        here = stream.tell()
        stream.seek(0, 2)
        end = stream.tell()
        stream.seek(here)
        return end
    except (OSError, AttributeError):
        return 0


def _csv_rows(stream, encoding: str, progress) -> Iterator[list[Any]]:
    stream.seek(0)
    counting = _Counting(stream)
    total = _size(stream)
    text = io.TextIOWrapper(io.BufferedReader(counting, 1 << 16), encoding=encoding, newline="")
    first = text.readline()
    delimiter = max(",\t;", key=first.count) if first else ","
    reader = csv.reader(_chain([first], text), delimiter=delimiter)
    for n, row in enumerate(reader, start=1):
        if progress and n % PROGRESS_EVERY == 0:
            progress(counting.count, total)
        yield row


def _chain(first: list[str], rest) -> Iterator[str]:
    yield from first
    yield from rest


def _xlsx_rows(stream, progress) -> Iterator[list[Any]]:
    """The first sheet's rows, parsed from its XML as it is decompressed (openpyxl's
    read-only mode is several times slower on a 50,000-row sheet, and reads a sheet
    without a ``<dimension>`` whole just to open it)."""
    import zipfile
    from xml.etree.ElementTree import ParseError, iterparse

    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError) as e:
        raise ImportFileError(_("无法读取Excel文件：%(e)s", e=str(e)[:200])) from e
    sheets = sorted(
        (n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
        key=lambda n: int(re.sub(r"\D", "", n)),
    )
    if not sheets:
        raise ImportFileError(_("无法读取Excel文件：没有工作表。"))
    shared: list[str] = []
    try:
        if "xl/sharedStrings.xml" in archive.namelist():
            with archive.open("xl/sharedStrings.xml") as fh:
                for _event, el in iterparse(fh):
                    if el.tag == _NS + "si":
                        shared.append(_si_text(el))
                        el.clear()
        info = archive.getinfo(sheets[0])
        with archive.open(sheets[0]) as fh:
            n = 0
            for _event, el in iterparse(fh):
                if el.tag != _NS + "row":
                    continue
                yield _xlsx_cells(el, shared)
                el.clear()
                n += 1
                if progress and n % PROGRESS_EVERY == 0:
                    progress(fh.tell(), info.file_size)
    except (ParseError, zipfile.BadZipFile, KeyError, IndexError, ValueError) as e:
        raise ImportFileError(_("无法读取Excel文件：%(e)s", e=str(e)[:200])) from e


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_COLUMN = re.compile(r"^([A-Z]+)")


def _si_text(si) -> str:
    parts = [t.text or "" for t in si.findall(_NS + "t")]
    parts += [t.text or "" for r in si.findall(_NS + "r") for t in r.findall(_NS + "t")]
    return "".join(parts)


def _xlsx_cells(row, shared: list[str]) -> list[Any]:
    cells: list[Any] = []
    for c in row.findall(_NS + "c"):
        ref = c.get("r")
        if ref:
            letters = _COLUMN.match(ref).group(1)
            index = 0
            for ch in letters:
                index = index * 26 + ord(ch) - 64
            index -= 1
        else:
            index = len(cells)
        kind = c.get("t")
        v = c.find(_NS + "v")
        text = v.text if v is not None else None
        if kind == "s":
            value = shared[int(text)] if text is not None else None
        elif kind == "inlineStr":
            node = c.find(_NS + "is")
            value = _si_text(node) if node is not None else None
        elif kind == "b":
            value = text == "1"
        elif kind in ("str", "e"):
            value = text
        elif text is None:
            value = None
        elif re.fullmatch(r"-?\d+", text):
            value = int(text)
        else:
            value = float(text)
        if index >= len(cells):
            cells.extend([None] * (index - len(cells) + 1))
        cells[index] = value
    return cells


# --------------------------------------------------------------------------- cells


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_time(value: Any) -> datetime | None:
    """A check's local (China) time: Excel datetimes, 2026-11-20 08:30[:00], 2026/11/20 8:30,
    2026年11月20日 8时30分; a date alone is midnight."""
    if isinstance(value, datetime):
        return (
            value.replace(tzinfo=None)
            if value.tzinfo is None
            else value.astimezone(clock.CHINA).replace(tzinfo=None)
        )
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 100000:  # an Excel serial date-time
            return datetime(1899, 12, 30) + timedelta(days=float(value))
        return None
    text = str(value).strip()
    m = _TIME_RE.match(text)
    if not m:
        return None
    try:
        return datetime(
            int(m.group(1)), int(m.group(2)), int(m.group(3)),
            int(m.group(4) or 0), int(m.group(5) or 0), int(m.group(6) or 0),
        )  # fmt: skip
    except ValueError:
        return None


def parse_flag(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


def parse_status(value: Any) -> bool | None:
    """True for a successful check, False for a failed one, None when not recognised."""
    flag = parse_flag(value)
    text = "" if value is None else str(value).strip().lower()
    if any(w in text for w in _FAIL_WORDS):
        return False
    if any(w in text for w in _OK_WORDS):
        return True
    return flag


def _number(value: Any) -> float | None:
    if _blank(value):
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        return None


# --------------------------------------------------------------------------- result


@dataclass
class Result:
    dry_run: bool
    filename: str
    encoding: str | None = None
    headers: list[str] = field(default_factory=list)
    mapping: dict[int, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0
    matched: int = 0
    duplicates: int = 0
    unmatched: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    first_day: date | None = None
    last_day: date | None = None
    alerts_created: int = 0
    refused: str | None = None

    @property
    def lists(self) -> dict[str, int]:
        counts = {k: 0 for k in LISTS}
        for item in self.items:
            counts[item["kind"]] += 1
        return counts

    def by_kind(self, kind: str) -> list[dict]:
        return [i for i in self.items if i["kind"] == kind]


def result_json(result: Result) -> dict:
    return {
        "dry_run": result.dry_run,
        "rows": result.rows,
        "matched": result.matched,
        "unmatched": result.unmatched,
        "duplicates": result.duplicates,
        "problems": result.problems,
        "encoding": result.encoding,
        "mapping": {result.headers[i]: f for i, f in sorted(result.mapping.items())},
        "ignored_columns": result.ignored_columns,
        "first_day": result.first_day.isoformat() if result.first_day else None,
        "last_day": result.last_day.isoformat() if result.last_day else None,
        "lists": result.lists,
        "items": [{k: v for k, v in i.items() if k != "lines_all"} for i in result.items],
        "alerts_created": result.alerts_created,
    }


@dataclass
class _Day:
    checks: int = 0
    ok: int = 0
    outside: list = field(default_factory=list)  # (line, reason)
    off_body: bool = False
    positions: list = field(default_factory=list)  # (lat, lon, hour, minute, line)
    first_line: int = 0


# --------------------------------------------------------------------------- the run


def remembered_mapping(unit_id: int) -> dict[str, str] | None:
    row = db.session.execute(
        select(LocationImportMapping).where(LocationImportMapping.unit_id == unit_id)
    ).scalar_one_or_none()
    return dict(row.mapping) if row else None


def _cases_in_scope(user: User) -> dict[str, tuple]:
    query = scope(
        select(
            Person.id_number,
            CorrectionCase.id,
            CorrectionCase.station_id,
            Person.id,
            Person.name,
        )
        .join(Person, Person.id == CorrectionCase.person_id)
        .where(CorrectionCase.status == "active"),
        user,
        CorrectionCase,
    )
    return {row[0]: tuple(row[1:]) for row in db.session.execute(query)}


def run_location_import(
    user: User,
    filename: str,
    stream,
    *,
    dry_run: bool,
    selected: set[str] | None = None,
    mapping_override: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    """Read, match and triage the export; unless ``dry_run``, raise an alert for each
    selected item (all items when ``selected`` is None) and remember the mapping.
    A file that cannot be used raises ValidationFailed (422) and writes nothing."""
    try:
        return _run(user, filename, stream, dry_run, selected, mapping_override, progress)
    except ImportFileError as e:
        db.session.rollback()
        raise ValidationFailed(str(e), fields={"file": str(e)}, code="import_refused") from None


def _open_rows(filename: str, stream, progress):
    lower = (filename or "").lower()
    if lower.endswith((".xlsx", ".xlsm")):
        return None, lambda: _xlsx_rows(stream, progress)
    if lower.endswith((".csv", ".txt")):
        stream.seek(0)
        head = stream.read(1 << 16)
        encoding = detect_encoding(head)
        return encoding, lambda enc=encoding: _csv_rows(stream, enc, progress)
    raise ImportFileError(_("只支持 .csv 与 .xlsx 文件（.xls 请先另存为 .xlsx）。"))


def _run(user, filename, stream, dry_run, selected, mapping_override, progress) -> Result:
    result = Result(dry_run=dry_run, filename=filename)
    encoding, rows_of = _open_rows(filename, stream, progress)
    result.encoding = encoding
    try:
        _read(user, result, rows_of(), mapping_override)
    except UnicodeDecodeError:
        if encoding not in ("utf-8", "utf-8-sig"):
            raise ImportFileError(_("文件中有无法按 %(e)s 解码的内容。", e=encoding)) from None
        # the start looked like UTF-8, a later part is not: the file is GBK after all
        result = Result(dry_run=dry_run, filename=filename, encoding="gb18030")
        try:
            _read(user, result, _csv_rows(stream, "gb18030", progress), mapping_override)
        except UnicodeDecodeError:
            raise ImportFileError(
                _(
                    "无法识别文件的编码（支持 UTF-8 与 GBK/GB18030）。请在 Excel 中另存为 CSV UTF-8。"
                )
            ) from None
    if progress:
        progress(1, 1)
    if not dry_run:
        _raise(user, result, selected)
    return result


def _read(user: User, result: Result, rows: Iterator[list[Any]], override) -> None:
    remembered = remembered_mapping(user.unit_id) if user.unit_id else None
    buffered: list[list[Any]] = []
    header_at = None
    for row in rows:
        buffered.append(row)
        if _is_header(row, override or remembered):
            header_at = len(buffered) - 1
            break
        if len(buffered) >= HEADER_SEARCH_ROWS:
            break
    if header_at is None:
        raise ImportFileError(
            _("前%(n)d行中找不到表头：至少应有“身份证号”“核查时间”两列。", n=HEADER_SEARCH_ROWS)
        )
    headers = ["" if h is None else str(h).strip() for h in buffered[header_at]]
    result.headers = headers
    if override is not None:
        mapping = {}
        for i, h in enumerate(headers):
            if h in override:
                if override[h]:
                    mapping[i] = override[h]
            elif (key := recognise(h)) and key not in override.values():
                mapping[i] = key
        if len(set(mapping.values())) != len(mapping):
            raise ImportFileError(_("同一字段对应了多列，请检查列的对应关系。"))
    else:
        mapping = guess_mapping(headers, remembered)
    result.mapping = mapping
    result.ignored_columns = [h for i, h in enumerate(headers) if i not in mapping and h]
    missing = check_mapping(mapping)
    if missing:
        raise ImportFileError(
            _(
                "缺少必需的列：%(m)s。文件的列为：%(h)s。请在页面上指定各列的含义后重试。",
                m="、".join(missing),
                h="、".join(h or "（空）" for h in headers),
            )
        )
    col = {f: i for i, f in mapping.items()}
    cases = _cases_in_scope(user)
    stations = {s.id: s for s in db.session.execute(select(Station)).scalars()}
    area_cache: dict[int, Any] = {}
    max_rows = _max_rows()
    seen: set[int] = set()
    days: dict[int, dict[date, _Day]] = defaultdict(dict)  # case_id -> day -> aggregate
    unmatched: dict[str, dict] = {}
    first_day = last_day = None

    def cell(row, key):
        i = col.get(key)
        return row[i] if i is not None and i < len(row) else None

    line = header_at + 1
    for row in rows:
        line += 1
        if not row or all(_blank(c) for c in row):
            continue
        result.rows += 1
        if result.rows > max_rows:
            raise ImportFileError(
                _(
                    "文件超过%(n)d行（LOCATION_IMPORT_MAX_ROWS），请按日期拆分后分别导入。",
                    n=max_rows,
                )
            )
        raw_id = cell(row, "id_number")
        number = re.sub(r"\s+", "", str(raw_id or "")).upper()
        if isinstance(raw_id, float) and raw_id.is_integer():
            number = str(int(raw_id))
        fingerprint = hash(tuple("" if c is None else str(c).strip() for c in row))
        if fingerprint in seen:
            result.duplicates += 1
            continue
        seen.add(fingerprint)
        found = cases.get(number)
        if found is None:
            reason = (
                _("身份证号格式不对")
                if not _ID_RE.match(number)
                else _("不是本单位（您管辖范围内）的在矫对象")
            )
            entry = unmatched.setdefault(
                number or "—", {"line": line, "id_number": number, "rows": 0, "reason": reason}
            )
            entry["rows"] += 1
            continue
        when = parse_time(cell(row, "time"))
        if when is None:
            if len(result.problems) < 200:
                result.problems.append(
                    {
                        "line": line,
                        "message": _("核查时间“%(v)s”无法识别", v=str(cell(row, "time"))[:30]),
                    }
                )
            continue
        case_id, station_id, _person_id, _name = found
        lat, lon = _number(cell(row, "lat")), _number(cell(row, "lon"))
        if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            lat = lon = None
        if "status" in col:
            ok = parse_status(cell(row, "status"))
            if ok is None:
                if len(result.problems) < 200:
                    result.problems.append(
                        {
                            "line": line,
                            "message": _(
                                "核查结果“%(v)s”无法识别，按未成功计",
                                v=str(cell(row, "status"))[:30],
                            ),
                        }
                    )
                ok = False
        else:
            ok = lat is not None and lon is not None
        result.matched += 1
        day = when.date()
        first_day = day if first_day is None or day < first_day else first_day
        last_day = day if last_day is None or day > last_day else last_day
        agg = days[case_id].get(day)
        if agg is None:
            agg = days[case_id][day] = _Day(first_line=line)
        agg.checks += 1
        if parse_flag(cell(row, "off_body")):
            agg.off_body = True
        if not ok:
            continue
        agg.ok += 1
        if lat is not None and lon is not None:
            agg.positions.append((lat, lon, when.hour, when.minute, line))
        out_flag = parse_flag(cell(row, "out_of_area"))
        in_flag = parse_flag(cell(row, "in_area"))
        if out_flag or in_flag is False:
            agg.outside.append((line, _("%(t)s 平台标记越界", t=when.strftime("%H:%M"))))
        elif lat is not None and lon is not None:
            if station_id not in area_cache:
                station = stations.get(station_id)
                area_cache[station_id] = areas.area_for(station) if station else None
            area = area_cache[station_id]
            if area is not None and not area.contains(lat, lon):
                agg.outside.append(
                    (
                        line,
                        _(
                            "%(t)s 坐标（%(a).5f, %(b).5f）在辖区外",
                            t=when.strftime("%H:%M"),
                            a=lat,
                            b=lon,
                        ),
                    )
                )
    result.unmatched = sorted(unmatched.values(), key=lambda u: u["line"])
    result.first_day, result.last_day = first_day, last_day
    if first_day is not None and (last_day - first_day).days + 1 > MAX_DAYS:
        raise ImportFileError(
            _(
                "文件覆盖%(n)d天，超过%(m)d天，请按日期拆分后分别导入。",
                n=(last_day - first_day).days + 1,
                m=MAX_DAYS,
            )
        )
    _triage(user, result, cases, days)


def _is_header(row: list[Any], remembered: dict[str, str] | None) -> bool:
    known = 0
    for cell in row:
        if cell is None:
            continue
        text = str(cell).strip()
        if (remembered and remembered.get(text)) or recognise(text):
            known += 1
    return known >= 2


def _triage(user, result: Result, cases: dict, days: dict) -> None:
    if result.first_day is None:
        return
    by_case = {v[0]: v for v in cases.values()}
    on = result.last_day
    same_days = deadline("location_same_position_days", on)
    same_m = deadline("location_same_position_m", on)
    night_start = deadline("location_night_start_hour", on)
    night_end = deadline("location_night_end_hour", on)
    far_m = deadline("location_night_far_m", on)
    person_ids = [by_case[c][2] for c in days]
    privacy.prefetch(user, person_ids)
    span = [
        result.first_day + timedelta(days=i)
        for i in range((result.last_day - result.first_day).days + 1)
    ]
    items = []

    def add(kind, case_id, day, reason, line):
        _cid, station_id, person_id, name = by_case[case_id]
        items.append(
            {
                "key": f"{kind}:{case_id}:{day.isoformat()}",
                "kind": kind,
                "case_id": case_id,
                "person_id": person_id,
                "name": privacy.display_name(user, person_id, name),
                "day": day.isoformat(),
                "reason": reason,
                "line": line,
            }
        )

    for case_id in sorted(days):
        per_day = days[case_id]
        # location_missing: no successful check on a day the file covers
        for day in span:
            agg = per_day.get(day)
            if agg is None:
                add("location_missing", case_id, day, _("当天没有核查记录"), None)
            elif agg.ok == 0:
                add(
                    "location_missing",
                    case_id,
                    day,
                    _("当天%(n)d次核查均未成功", n=agg.checks),
                    agg.first_line,
                )
        # outside_area
        for day in sorted(per_day):
            agg = per_day[day]
            if agg.outside:
                line, reason = agg.outside[0]
                extra = _("（共%(n)d次）", n=len(agg.outside)) if len(agg.outside) > 1 else ""
                add("outside_area", case_id, day, reason + extra, line)
        # location_anomaly (a): the same place for N days with the phone off-body
        run: list[tuple[date, tuple[float, float], int]] = []
        for day in span:
            agg = per_day.get(day)
            spot = _stationary(agg, same_m) if agg and agg.off_body else None
            if spot is None or (
                run
                and (
                    run[-1][0] != day - timedelta(days=1)
                    or areas.distance_m(*run[0][1], *spot) > same_m
                )
            ):
                run = []
            if spot is None:
                continue
            run.append((day, spot, agg.first_line))
            if len(run) == same_days:
                add(
                    "location_anomaly",
                    case_id,
                    day,
                    _(
                        "连续%(n)d天（%(a)s至%(b)s）位置不变且手机离身",
                        n=same_days,
                        a=run[0][0].isoformat(),
                        b=day.isoformat(),
                    ),
                    run[0][2],
                )
        # location_anomaly (b): at night far from the usual position
        home = _usual_position(per_day, night_start, night_end)
        if home is not None:
            for day in sorted(per_day):
                for lat, lon, hour, minute, line in per_day[day].positions:
                    if not _is_night(hour, night_start, night_end):
                        continue
                    far = areas.distance_m(home[0], home[1], lat, lon)
                    if far > far_m:
                        add(
                            "location_anomaly",
                            case_id,
                            day,
                            _(
                                "夜间%(t)s距常住位置%(k).1f公里",
                                t=f"{hour:02d}:{minute:02d}",
                                k=far / 1000,
                            ),
                            line,
                        )
                        break
    # one item per case, kind and day (an anomaly of both rules on one day is one row)
    unique: dict[str, dict] = {}
    for item in items:
        if item["key"] in unique:
            unique[item["key"]]["reason"] += "；" + item["reason"]
        else:
            unique[item["key"]] = item
    result.items = sorted(
        unique.values(), key=lambda i: (LISTS.index(i["kind"]), i["day"], i["case_id"])
    )


def _stationary(agg: _Day, within_m: float) -> tuple[float, float] | None:
    if not agg.positions:
        return None
    lat0, lon0 = agg.positions[0][0], agg.positions[0][1]
    for lat, lon, *_rest in agg.positions[1:]:
        if areas.distance_m(lat0, lon0, lat, lon) > within_m:
            return None
    return lat0, lon0


def _is_night(hour: int, start: int, end: int) -> bool:
    if start == end:
        return False
    if start > end:
        return hour >= start or hour < end
    return start <= hour < end


def _usual_position(per_day: dict, night_start: int, night_end: int):
    spots: Counter = Counter()
    exact: dict = {}
    for agg in per_day.values():
        for lat, lon, hour, _m, _line in agg.positions:
            if _is_night(hour, night_start, night_end):
                continue
            key = (round(lat, 3), round(lon, 3))
            spots[key] += 1
            exact.setdefault(key, (lat, lon))
    if sum(spots.values()) < 3:
        return None
    return exact[spots.most_common(1)[0][0]]


# --------------------------------------------------------------------------- raising


def _raise(user: User, result: Result, selected: set[str] | None) -> None:
    if not user.can_write:
        from corrections.errors import Forbidden

        raise Forbidden(_("只读账号不能修改数据。"))
    chosen = [i for i in result.items if selected is None or i["key"] in selected]
    cases = {
        c.id: c
        for c in db.session.execute(
            select(CorrectionCase).where(CorrectionCase.id.in_({i["case_id"] for i in chosen}))
        ).scalars()
    }
    now = clock.now_utc()
    with deferred_writes():  # one audit-chain lock for the whole batch
        for item in chosen:
            case = cases[item["case_id"]]
            note = f"信息化核查（{item['day']}）：{item['reason']}"
            cause = f"import:{item['day']}"
            if services.raise_alert(case, item["kind"], cause=cause, note=note, at=now):
                result.alerts_created += 1
    if user.unit_id and result.mapping:
        row = db.session.execute(
            select(LocationImportMapping).where(LocationImportMapping.unit_id == user.unit_id)
        ).scalar_one_or_none()
        if row is None:
            row = LocationImportMapping(unit_id=user.unit_id, mapping={})
            db.session.add(row)
        row.mapping = {result.headers[i]: f for i, f in result.mapping.items()}
        row.updated_by_id = user.id
        row.rows_seen = (row.rows_seen or 0) + result.rows
    record(
        user,
        "alerts.location_import",
        "location_import",
        None,
        None,
        {
            "filename": result.filename,
            "rows": result.rows,
            "matched": result.matched,
            "unmatched": len(result.unmatched),
            "lists": result.lists,
            "selected": len(chosen),
            "alerts_created": result.alerts_created,
        },
    )
    db.session.flush()
