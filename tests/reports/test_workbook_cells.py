"""The workbook's cells are built from styles worked out once per workbook (workbook._style),
labels looked up once per sheet and register rows handed to the sheet as ready cells
(workbook._register_sheet): every cell must come out as it did when each cell was styled
and labelled on its own and appended the usual way (the reference below is that code)."""

import io
from datetime import date, datetime

from openpyxl import load_workbook
from sqlalchemy import select

from corrections.exports import xlsx_cell
from corrections.extensions import db
from corrections.labels import label as code_label
from corrections.people.models import Person
from corrections.reports import workbook
from tests.helpers import user
from tests.reports.small_county import build


def _reference_cell(sheet, value, *, font=None, fill=None, border=True, align=None, fmt=None):
    """How a cell was made before: every style set on the cell itself."""
    cell = xlsx_cell(sheet, value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if border:
        cell.border = workbook.BOX
    if align is not None:
        cell.alignment = align
    if fmt is not None:
        cell.number_format = fmt
    return cell


def _reference_row(sheet, values):
    return [
        _reference_cell(sheet, v, fmt=workbook.DATE_FORMAT if isinstance(v, date) else None)
        for v in values
    ]


def _cells(data: bytes) -> dict:
    book = load_workbook(io.BytesIO(data))
    out = {"sheets": book.sheetnames}
    for sheet in book.worksheets:
        out[sheet.title, "layout"] = (
            sheet.freeze_panes,
            sheet.print_title_rows,
            sheet.page_setup.orientation,
            sheet.page_setup.paperSize,
            {k: d.width for k, d in sheet.column_dimensions.items()},
            sheet.max_row,
            sheet.max_column,
        )
        for row in sheet.iter_rows():
            for c in row:
                out[sheet.title, c.coordinate] = (
                    c.value,
                    c.data_type,
                    c.number_format,
                    c.quotePrefix,
                    repr(c.font),
                    repr(c.fill),
                    repr(c.border),
                    repr(c.alignment),
                )
    return out


def test_streamed_workbook_has_the_cells_it_had(app, ctx, world, county, monkeypatch):
    build(app, world)
    # a name typed like a formula keeps its quote prefix (docs/security.md, "Exports")
    person = db.session.execute(select(Person).where(Person.name == "张三")).scalar_one()
    person.name = "=SUM(A1)"
    db.session.commit()
    monkeypatch.setattr(workbook, "china_now", lambda: datetime(2026, 11, 3, 9, 30))
    for who, station in (("boss", None), ("viewer", None), ("off1", None), ("boss", "S2")):
        now = _cells(workbook.monthly_workbook(user(who), "2026-10", station))
        with monkeypatch.context() as m:
            m.setattr(workbook, "_cell", _reference_cell)
            m.setattr(workbook, "_row", _reference_row)
            m.setattr(workbook, "_labels", lambda: code_label)
            m.setattr(workbook, "_register_sheet", lambda book, title: book.create_sheet(title))
            before = _cells(workbook.monthly_workbook(user(who), "2026-10", station))
        assert now == before
        registers = [k for k in now if k[0] in ("社区矫正台账", "安置帮教台账")]
        assert len(registers) > 100  # the registers have rows
        if (who, station) == ("boss", None):
            assert any(v[0] == "=SUM(A1)" and v[3] for v in now.values() if isinstance(v, tuple))
