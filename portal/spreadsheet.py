"""Writing spreadsheet cells that cannot become formulas (issue 13: a unit name
``=HYPERLINK(...)`` typed by an applicant became a live formula in an officer's roster).

Belt and braces: workbooks are opened with ``strings_to_formulas`` (and URL / number guessing)
off, every text goes through ``write_string``, and a text that a spreadsheet would read as a
formula once the cell is edited — starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return — gets a leading apostrophe, the OWASP advice for CSV and XLSX exports alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}


def neutralise(text: str) -> str:
    text = str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def workbook(out) -> xlsxwriter.Workbook:
    return xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)


def write_cell(sheet, row: int, col: int, value, cell_format=None) -> None:
    """Numbers as numbers, everything else as (neutralised) text."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, (int, float, Decimal)):
        sheet.write_number(row, col, value, cell_format)
    elif isinstance(value, (dt.date, dt.datetime)):
        sheet.write_string(row, col, value.isoformat(), cell_format)
    else:
        sheet.write_string(row, col, neutralise(value), cell_format)


def write_row(sheet, row: int, col: int, values, cell_format=None) -> None:
    for offset, value in enumerate(values):
        write_cell(sheet, row, col + offset, value, cell_format)


def merge_text(sheet, first_row: int, first_col: int, last_row: int, last_col: int, text, cell_format) -> None:
    sheet.merge_range(first_row, first_col, last_row, last_col, "", cell_format)
    sheet.write_string(first_row, first_col, neutralise(text), cell_format)
