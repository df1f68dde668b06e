"""The ledger file (台账) of an import: the fields and the headers they are recognised by, the
file read into rows (.xlsx or .csv, within the size limits) and the cells as dates and text."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

# --------------------------------------------------------------------------- fields

# field key -> (Chinese label, recognised headers after normalisation)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("姓名", ("姓名", "名字", "矫正对象姓名", "帮教对象姓名", "对象姓名")),
    "id_number": (
        "身份证号",
        ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "身份证", "证件号码"),
    ),
    "sex": ("性别（由身份证号推出，忽略）", ("性别",)),
    "ethnicity": ("民族", ("民族",)),
    "phone": ("联系电话", ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式")),
    "household_address": ("户籍地", ("户籍地", "户籍地址", "户籍所在地", "户籍")),
    "residence_address": (
        "居住地",
        ("居住地", "居住地址", "现居住地", "现住址", "居住地详址", "经常居住地"),
    ),
    "programme": ("台账类型", ("类别", "台账类型", "对象类别", "人员类别", "业务类型")),
    "correction_type": ("矫正类别", ("矫正类别", "矫正类型", "刑罚执行类别", "原矫正类别")),
    "crime": ("罪名", ("罪名", "犯罪名称", "所犯罪名")),
    "sentence": ("原判刑罚", ("原判刑罚", "原判刑期", "刑期", "判处刑罚", "原判")),
    "judgment_effective_on": (
        "判决生效日期",
        ("判决生效日期", "判决生效日", "裁定生效日期", "决定生效日期", "生效日期"),
    ),
    "term_start": (
        "矫正期限起",
        ("矫正期限起", "矫正起始日期", "矫正开始日期", "矫正起日", "矫正期起", "起始日期"),
    ),
    "term_end": (
        "矫正期限止",
        ("矫正期限止", "矫正结束日期", "矫正终止日期", "矫正止日", "矫正期止", "结束日期"),
    ),
    "received_on": ("接收日期", ("接收日期", "报到日期", "入矫日期", "接收报到日期")),
    "level": ("管理等级", ("管理等级", "管理类别", "监管等级", "管控等级")),
    "station": ("司法所", ("司法所", "所属司法所", "管辖司法所", "司法所代码", "负责司法所")),
    "last_contact": (
        "最近联系日期",
        (
            "最后一次见面",
            "最后一次见面日期",
            "最近联系日期",
            "最后联系日期",
            "最近见面日期",
            "最近走访日期",
        ),
    ),
    "released_on": ("释放日期", ("释放日期", "刑满释放日期", "出狱日期", "解除日期")),
    "facility": ("原服刑场所", ("原服刑场所", "服刑场所", "原羁押场所", "释放单位")),
    "is_key": ("是否重点", ("是否重点", "重点帮教对象", "是否重点帮教", "重点对象")),
    "handed_over_on": ("衔接日期", ("衔接日期", "衔接时间", "接回日期")),
}
FIELD_LABELS = {key: label for key, (label, _) in FIELDS.items()}

CORRECTION_TYPES = {
    "管制": "control",
    "缓刑": "probation",
    "假释": "parole",
    "暂予监外执行": "temporary_release",
    "暂外": "temporary_release",
    "监外执行": "temporary_release",
}
LEVELS = {"严管": "strict", "普管": "normal", "宽管": "lenient"}
YES = {"是", "y", "yes", "true", "1", "重点", "√"}
NO = {"否", "n", "no", "false", "0", "非重点", ""}

PROGRESS_EVERY = 25


def _norm_header(text: Any) -> str:
    text = "" if text is None else str(text)
    text = re.sub(r"[（(][^）)]*[）)]", "", text)  # 联系电话（手机）
    return re.sub(r"[\s*:：★※]", "", text)


_HEADER_INDEX = {_norm_header(h): key for key, (_, hs) in FIELDS.items() for h in hs}


def recognise(header: Any) -> str | None:
    return _HEADER_INDEX.get(_norm_header(header))


def guess_mapping(headers: list[str]) -> dict[int, str]:
    """Column index -> field key for every recognised header (first one wins)."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for i, h in enumerate(headers):
        key = recognise(h)
        if key and key not in taken:
            mapping[i] = key
            taken.add(key)
    return mapping


# --------------------------------------------------------------------------- reading


class ImportFileError(ValueError):
    """The file cannot be read at all (wrong type, encoding, no header row)."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (spreadsheet line number, cells)


def decode_csv(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("无法识别CSV文件的编码（支持 UTF-8 与 GBK/GB18030）。")


HEADER_SEARCH_ROWS = 15  # the header row is looked for in the first 15 rows
DEFAULT_MAX_ROWS = 20000
DEFAULT_MAX_COLUMNS = 60


def limits() -> tuple[int, int]:
    """(IMPORT_MAX_ROWS, IMPORT_MAX_COLUMNS) from the settings (defaults 20000 and 60)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return DEFAULT_MAX_ROWS, DEFAULT_MAX_COLUMNS
    config = current_app.config
    return (
        int(config.get("IMPORT_MAX_ROWS") or DEFAULT_MAX_ROWS),
        int(config.get("IMPORT_MAX_COLUMNS") or DEFAULT_MAX_COLUMNS),
    )


def _capped(rows: Iterable, max_rows: int, max_columns: int) -> list[list[Any]]:
    """The rows, trailing blank cells dropped; refused as soon as the file is seen to exceed
    the caps (a huge sheet is not read to its end)."""
    out = []
    for line, row in enumerate(rows, start=1):
        cells = list(row)
        while cells and _blank(cells[-1]):
            cells.pop()
        if len(cells) > max_columns:
            raise _too_many_columns(line, len(cells), max_columns)
        out.append(cells)
        if len(out) > max_rows + HEADER_SEARCH_ROWS:
            raise _too_many_rows(max_rows)
    return out


MAX_SHEET_XML = 256 * 1024 * 1024  # a sheet's XML past this is refused unread (zip bomb)


def _too_many_rows(max_rows: int) -> ImportFileError:
    return ImportFileError(
        f"文件超过{max_rows}行（IMPORT_MAX_ROWS）。请把台账拆成每个不超过{max_rows}行的"
        "几个文件，分别导入。"
    )


def _too_many_columns(line: int, count: int, max_columns: int) -> ImportFileError:
    return ImportFileError(
        f"第{line}行有{count}列，超过上限{max_columns}列（IMPORT_MAX_COLUMNS）。"
        "请删去多余的列，或把台账拆成几个文件后再导入。"
    )


def _precheck_xlsx(raw: bytes, max_rows: int, max_columns: int) -> None:
    """Count the first sheet's rows and filled cells in its XML before openpyxl opens it:
    openpyxl reads a whole sheet that lacks a ``<dimension>`` just to open it, so a file far
    over the caps would cost seconds before the caps could be checked row by row."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            sheets = sorted(
                (n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
                key=lambda n: int(re.sub(r"\D", "", n)),
            )
            if not sheets:
                return
            with archive.open(sheets[0]) as part:
                xml = part.read(MAX_SHEET_XML + 1)
    except (zipfile.BadZipFile, KeyError, OSError):
        return  # openpyxl reports a broken file with its own message
    if len(xml) > MAX_SHEET_XML:
        raise _too_many_rows(max_rows)
    if xml.count(b"<row ") + xml.count(b"<row>") > max_rows + HEADER_SEARCH_ROWS:
        raise _too_many_rows(max_rows)
    for line, piece in enumerate(xml.split(b"<row")[1:], start=1):
        filled = piece.count(b"<v>") + piece.count(b"<v ") + piece.count(b"<is>")
        if filled > max_columns:
            raise _too_many_columns(line, filled, max_columns)


def _raw_rows(filename: str, raw: bytes) -> Iterable[list[Any]]:
    max_rows, max_columns = limits()
    lower = filename.lower()
    if lower.endswith(".xlsx") or lower.endswith(".xlsm"):
        from openpyxl import load_workbook

        _precheck_xlsx(raw, max_rows, max_columns)

        try:
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as e:  # noqa: BLE001 — zip / xml errors of a broken file
            raise ImportFileError(f"无法读取Excel文件：{e}") from e
        try:
            sheet = book.worksheets[0]
            return _capped(sheet.iter_rows(values_only=True), max_rows, max_columns)
        finally:
            book.close()
    if lower.endswith(".csv") or lower.endswith(".txt"):
        text = decode_csv(raw)
        first = text.split("\n", 1)[0]
        delimiter = max(",\t;", key=first.count)  # Excel writes "," (or tabs/semicolons)
        try:
            reader = csv.reader(io.StringIO(text), delimiter=delimiter)
            return _capped(reader, max_rows, max_columns)
        except csv.Error as e:
            raise ImportFileError(f"无法读取CSV文件：{e}") from e
    raise ImportFileError("只支持 .xlsx 与 .csv 文件（.xls 请先另存为 .xlsx）。")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(filename: str, raw: bytes) -> Table:
    """Find the header row (a title row above it is skipped) and the data rows."""
    rows = list(_raw_rows(filename, raw))
    header_at = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if sum(1 for c in row if recognise(c)) >= 2:
            header_at = i
            break
    if header_at is None:
        raise ImportFileError("前15行中找不到表头（至少应有“姓名”“身份证号”等两列）。")
    headers = ["" if h is None else str(h).strip() for h in rows[header_at]]
    data = []
    for i, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if all(_blank(c) for c in row):
            continue
        cells = list(row) + [None] * (len(headers) - len(row))
        data.append((i, cells[: max(len(headers), 1)]))
    max_rows, _columns = limits()
    if len(data) > max_rows:
        raise ImportFileError(
            f"文件有{len(data)}行数据，超过上限{max_rows}行（IMPORT_MAX_ROWS）。"
            f"请把台账拆成每个不超过{max_rows}行的几个文件，分别导入。"
        )
    return Table(headers=headers, rows=data)


# --------------------------------------------------------------------------- parsed once


def _cell_json(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, timedelta):
        return {"seconds": value.total_seconds()}
    return str(value)


def _cell_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "datetime" in value:
            return datetime.fromisoformat(value["datetime"])
        if "date" in value:
            return date.fromisoformat(value["date"])
        if "seconds" in value:
            return timedelta(seconds=value["seconds"])
    return value


def table_to_json(table: Table) -> dict:
    """The parsed table as JSON (kept beside an upload, so later steps do not re-read the
    file); dates and times keep their type."""
    return {
        "headers": table.headers,
        "rows": [[line, [_cell_json(c) for c in cells]] for line, cells in table.rows],
    }


def table_from_json(data: dict) -> Table:
    return Table(
        headers=list(data["headers"]),
        rows=[(int(line), [_cell_value(c) for c in cells]) for line, cells in data["rows"]],
    )


# --------------------------------------------------------------------------- cell values

_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_EXCEL_EPOCH = date(1899, 12, 30)


class CellError(ValueError):
    pass


def parse_date(value: Any) -> date | None:
    """Excel dates, 2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日, 20260105."""
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 100000 and float(value).is_integer():
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(f"“{value}”不是日期")
    text = str(value).strip()
    text = re.sub(r"\s+0{1,2}:00(:00)?$", "", text)  # "2026-01-05 00:00:00"
    m = _DATE_RE.match(text)
    if not m and re.fullmatch(r"\d{8}", text):
        m = re.match(r"(\d{4})(\d{2})(\d{2})", text)
    if not m:
        raise CellError(f"“{text[:20]}”不是可识别的日期格式")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise CellError(f"日期“{text[:20]}”不存在") from None


def _text(value: Any) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value).strip()
