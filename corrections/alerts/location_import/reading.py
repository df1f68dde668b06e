"""Reading the carrier platform's export (docs/domain.md §7.11): the columns and their mapping,
the encoding of a CSV, the rows of a CSV or an .xlsx sheet as a stream, and the cells."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _

from corrections import clock
from corrections.errors import ValidationFailed
from corrections.paperwork.ledger_table import _norm_header

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
