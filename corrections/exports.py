"""Cells for files people open in a spreadsheet (docs/security.md, "Exports").

Every export that writes user data into an .xlsx or a .csv goes through these helpers,
so that a name or a note such as ``=HYPERLINK("http://…")``, ``-1+2`` or ``@SUM(A1)``
is shown as the text that was typed and never runs as a formula:

- .xlsx: every text value is a string cell (never a formula), and text beginning with a
  formula character also carries Excel's quote prefix (stays text when edited);
- .csv: text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading single quote, as OWASP recommends (CSV injection); the csv module quotes
  separators and quotation marks.

Numbers and dates the system computes (counts, days overdue) are written as they are and
stay numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_value(value: Any) -> Any:
    """A CSV field: text that a spreadsheet would read as a formula gets a leading '."""
    if is_formula_like(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list:
    return [csv_value(v) for v in values]


def xlsx_cell(sheet, value: Any) -> WriteOnlyCell:
    """A write-only cell holding ``value``; text is always a string cell, never a formula."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    return cell
