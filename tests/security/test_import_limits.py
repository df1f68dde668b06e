"""Ledger import limits: a file over IMPORT_MAX_ROWS / IMPORT_MAX_COLUMNS is refused quickly
with a clear message; an accepted file is read once and its parsed rows kept."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from corrections.paperwork import ledger_import as li
from tests.paperwork.test_ledger_import import HEADERS, clean_rows, xlsx_bytes

_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_BOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def big_xlsx(rows: int, columns: int) -> bytes:
    """A small file (compressed) of rows × columns numeric cells under a real header row."""
    header = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in (HEADERS * 10)[:columns])
    cell_row = "<row>" + "<c><v>1</v></c>" * columns + "</row>"
    sheet = io.StringIO()
    sheet.write(
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        f'.org/spreadsheetml/2006/main"><sheetData><row>{header}</row>'
    )
    for _ in range(rows):
        sheet.write(cell_row)
    sheet.write("</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet.getvalue())
    return out.getvalue()


def _upload(client, data: bytes, filename: str):
    return client.post(
        "/import/",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("rows", "columns", "words"),
    [(250_000, 2, "20000行"), (5_000, 100, "60列")],
)
def test_a_file_of_500000_cells_over_a_cap_is_refused_unread(
    app, client, county, monkeypatch, rows, columns, words
):
    """Given a generated .xlsx of 500,000 cells (a few hundred KB), when it is uploaded,
    then it is refused with a message naming the cap and what to do, from the sheet's XML
    alone: the workbook is never opened (opening it would read every cell; how long a
    refusal takes is measured in bench/, not here)."""
    import openpyxl

    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(a))
    data = big_xlsx(rows, columns)
    assert rows * columns == 500_000 and len(data) < 2_000_000
    county.login(client, "off1")
    response = _upload(client, data, "大台账.xlsx")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert words in html and ("拆成" in html or "删去" in html)
    assert opened == []
    assert (
        not [
            n for n in os.listdir(os.path.join(app.instance_path, "imports")) if n.endswith(".xlsx")
        ]
        if os.path.isdir(os.path.join(app.instance_path, "imports"))
        else True
    )


def test_the_caps_are_settings(app, ctx, monkeypatch):
    """Given IMPORT_MAX_ROWS = 2, a CSV of three data rows is refused; of two, accepted."""
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 2)
    header = ",".join(HEADERS[:4])
    line = "1,王五,男,110105198503120111"
    with pytest.raises(li.ImportFileError, match="超过上限2行"):
        li.read_table("a.csv", "\n".join([header, line, line, line]).encode())
    assert len(li.read_table("a.csv", "\n".join([header, line, line]).encode()).rows) == 2
    monkeypatch.setitem(app.config, "IMPORT_MAX_COLUMNS", 3)
    with pytest.raises(li.ImportFileError, match="超过上限3列"):
        li.read_table("a.csv", "\n".join([header, line]).encode())


def test_trailing_blank_columns_do_not_count(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_COLUMNS", 4)
    header = ",".join(HEADERS[:4]) + "," * 200
    table = li.read_table("a.csv", (header + "\n1,王五,男,x" + "," * 200).encode())
    assert table.headers == HEADERS[:4]


def test_the_sheet_is_read_once_and_the_parsed_rows_kept(app, client, county, monkeypatch):
    """Given an accepted upload, when the mapping page, the dry run and the progress are
    asked, then the sheet is not read again (the parsed rows, dates included, are kept)."""
    county.login(client, "off1")
    response = _upload(client, xlsx_bytes(clean_rows()), "台账.xlsx")
    assert response.status_code == 302
    import_id = response.headers["Location"].rstrip("/").split("/")[-2]
    reads = []
    original = li.read_table
    monkeypatch.setattr(li, "read_table", lambda *a, **k: reads.append(a) or original(*a, **k))
    assert client.get(f"/import/{import_id}/mapping").status_code == 200
    form = {f"col-{i}": k for i, k in li.guess_mapping(HEADERS).items()}
    response = client.post(f"/import/{import_id}/dry-run", data=form)
    assert response.status_code == 200 and "有问题 0 行" in response.get_data(as_text=True)
    assert reads == []


def test_parsed_rows_keep_their_types():
    from datetime import date, datetime

    table = li.Table(["a"], [(2, [date(2024, 2, 29), datetime(2026, 1, 5, 8, 30), 3, 1.5, None])])
    again = li.table_from_json(li.table_to_json(table))
    assert again == table
