"""Renderers for the exports: roster (花名册) and fee list (缴费清单), as XLSX and as PDF.

Pure: data (``exports.Roster.as_data()`` / ``exports.FeeList.as_data()``) in, bytes out.  XLSX via
XlsxWriter: Chinese headers, column widths, a frozen header, A4 landscape print setup with the
header row repeated and page x / y in the footer.  PDF via WeasyPrint: A4 landscape (roster) or
portrait (fee list), the table header repeated on every page.  Both are deterministic: the same
data gives the same bytes (creation date = the export's date), so the web export, a retried task
and the command line produce identical files.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal.spreadsheet import merge_text, workbook, write_cell, write_row

from .engine import (
    SANS_STACK,
    SERIF_STACK,
    RenderedPDF,
    body_font_path,
    css_string,
    engine,
    join_pdfs,
    render_parts,
)
from .exports import FEE_COLUMNS
from .facts import chinese_date
from .paginate import ListingGeometry, TextMeasure, paginate

logger = logging.getLogger(__name__)

# From this many rows a roster PDF is laid out in two parts on two cores (a part of ~500 rows
# takes ~5 s; below 400 the fork and the join are not worth it).
PARALLEL_MIN_ROWS = 400

# Excel column widths (characters) and PDF widths (mm) of the 15 roster columns, in order.
ROSTER_XLSX_WIDTHS = [6, 30, 10, 12, 6, 9, 10, 10, 36, 10, 14, 13, 14, 9, 16]
ROSTER_PDF_WIDTHS_MM = [9, 36, 15, 20, 8, 14, 14, 12, 48, 14, 18, 18, 17, 12, 26]
FEE_XLSX_WIDTHS = [6, 14, 30, 24, 8, 10, 12, 10]
FEE_PDF_WIDTHS_MM = [10, 26, 46, 36, 12, 16, 20, 14]


def _workbook_properties(title: str, generated_on: str) -> dict:
    day = dt.date.fromisoformat(generated_on)
    return {"title": title, "author": str(_("巴州职称申报评审平台")), "company": "",
            "created": dt.datetime(day.year, day.month, day.day)}


def _print_setup(sheet, header_row: int, columns: int, *, landscape: bool) -> None:
    if landscape:
        sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.repeat_rows(header_row)
    sheet.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    sheet.center_horizontally()
    sheet.set_footer("&C" + _("第 &P 页 / 共 &N 页"))
    sheet.freeze_panes(header_row + 1, 0)


def _formats(book) -> dict:
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    return {
        "title": book.add_format({**base, "font_name": "黑体", "font_size": 16, "bold": True, "align": "center"}),
        "left": book.add_format({**base, "align": "left"}),
        "right": book.add_format({**base, "align": "right"}),
        "header": book.add_format({**base, "font_name": "黑体", "bold": True, "align": "center", "text_wrap": True,
                                   "border": 1, "bg_color": "#EFEFEF"}),
        "cell": book.add_format({**base, "border": 1, "text_wrap": True}),
        "center": book.add_format({**base, "border": 1, "align": "center"}),
        "money": book.add_format({**base, "border": 1, "align": "right", "num_format": "#,##0"}),
        "total": book.add_format({**base, "border": 1, "bold": True, "align": "center"}),
        "total_money": book.add_format({**base, "border": 1, "bold": True, "align": "right", "num_format": "#,##0"}),
        "note": book.add_format({**base, "font_size": 9, "italic": False}),
    }


def _sheet_with_heading(book, fmt: dict, name: str, data: dict, columns: list[str], widths: list[int]):
    """A worksheet with the title row, the scope / date row and the column header (row 3)."""
    sheet = book.add_worksheet(name)
    last_col = len(columns) - 1
    split = last_col // 2
    merge_text(sheet, 0, 0, 0, last_col, data["title"], fmt["title"])
    sheet.set_row(0, 30)
    merge_text(sheet, 1, 0, 1, split, f"{data['scope_line']}：{data['scope_name']}", fmt["left"])
    merge_text(sheet, 1, split + 1, 1, last_col,
               _("制表日期：%s") % chinese_date(dt.date.fromisoformat(data["generated_on"])), fmt["right"])
    write_row(sheet, HEADER_ROW, 0, columns, fmt["header"])
    sheet.set_row(HEADER_ROW, 32)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    return sheet


HEADER_ROW = 2


def render_roster_xlsx(data: dict, *, on_progress=None) -> bytes:
    out = io.BytesIO()
    book = workbook(out)
    book.set_properties(_workbook_properties(data["title"], data["generated_on"]))
    fmt = _formats(book)
    sheet = _sheet_with_heading(book, fmt, _("花名册"), data, data["columns"], ROSTER_XLSX_WIDTHS)
    last_col = len(data["columns"]) - 1
    header_row = HEADER_ROW
    cell, center = fmt["cell"], fmt["center"]
    centred = {0, 2, 4, 5, 6, 7, 9, 11, 13}
    total = len(data["rows"])
    for offset, row in enumerate(data["rows"], start=header_row + 1):
        for col, value in enumerate(row):
            write_cell(sheet, offset, col, value, center if col in centred else cell)
        if on_progress and offset % 2000 == 0:
            on_progress(offset / max(total, 1))
    note_row = header_row + 1 + total
    if data.get("note"):
        merge_text(sheet, note_row + 1, 0, note_row + 1, last_col, data["note"], fmt["note"])
    _print_setup(sheet, header_row, last_col + 1, landscape=True)
    sheet.autofilter(header_row, 0, max(header_row, note_row - 1), last_col)
    book.close()
    return out.getvalue()


def _pdf_context(data: dict, **extra) -> dict:
    # mark_safe: constant font stacks, and strings css_string has escaped for the <style> block.
    return {"d": data, "serif": mark_safe(SERIF_STACK), "sans": mark_safe(SANS_STACK),
            "css_title": mark_safe(css_string(data["title"])),
            "css_scope": mark_safe(css_string(data["scope_name"])),
            "generated_on": chinese_date(dt.date.fromisoformat(data["generated_on"])), **extra}


def _roster_html(data: dict, pages: list[list], **flags) -> str:
    return render_to_string("documents/pdf/roster.html",
                            _pdf_context(data, widths=ROSTER_PDF_WIDTHS_MM, pages=pages, **flags))


def _split(pages: list[list], parts: int) -> list[list[list]]:
    size = -(-len(pages) // parts)
    return [pages[i:i + size] for i in range(0, len(pages), size)]


def render_roster_pdf(data: dict, *, on_layout_done=None) -> RenderedPDF:
    """The roster as PDF.  Rows are paginated ahead (``paginate``), so a long roster is laid out
    in two parts on two cores and joined; the pages are numbered across parts.  Should the pages
    WeasyPrint produced ever differ from the plan, the roster is rendered again in one piece and
    paginated by WeasyPrint itself: the plan only ever buys speed, never a different document."""
    rows = data["rows"]
    geometry = ListingGeometry(tuple(ROSTER_PDF_WIDTHS_MM))
    plan = paginate(rows, data["columns"], geometry, TextMeasure(body_font_path()), with_note=bool(data.get("note")))
    pages = [rows[start:end] for start, end in plan]
    parts = _split(pages, 2 if len(rows) >= PARALLEL_MIN_ROWS and (os.cpu_count() or 1) > 1 else 1)
    first_pages = [1 + sum(len(p) for p in parts[:i]) for i in range(len(parts))]
    htmls = [_roster_html(data, part, first_page=first, total_pages=len(pages), hide_title=i > 0,
                          hide_note=i < len(parts) - 1)
             for i, (part, first) in enumerate(zip(parts, first_pages))]
    rendered = render_parts(htmls)
    if [r.pages for r in rendered] != [len(part) for part in parts]:
        logger.warning("roster pagination plan %s differs from the layout %s; rendering in one piece",
                       [len(part) for part in parts], [r.pages for r in rendered])
        return engine().render(_roster_html(data, [rows]), on_layout_done=on_layout_done)
    if on_layout_done:
        on_layout_done(len(pages))
    if len(rendered) == 1:
        return rendered[0]
    return RenderedPDF(content=join_pdfs([r.content for r in rendered]), pages=len(pages))


def render_fee_list_xlsx(data: dict) -> bytes:
    out = io.BytesIO()
    book = workbook(out)
    book.set_properties(_workbook_properties(data["title"], data["generated_on"]))
    fmt = _formats(book)
    columns = [str(c) for c in FEE_COLUMNS]
    sheet = _sheet_with_heading(book, fmt, _("缴费清单"), data, columns, FEE_XLSX_WIDTHS)
    last_col = len(columns) - 1
    header_row = HEADER_ROW
    row_index = header_row
    for row in data["rows"]:
        row_index += 1
        write_cell(sheet, row_index, 0, row["index"], fmt["center"])
        write_cell(sheet, row_index, 1, row["name"], fmt["cell"])
        write_cell(sheet, row_index, 2, row["unit"], fmt["cell"])
        write_cell(sheet, row_index, 3, row["specialty"], fmt["cell"])
        write_cell(sheet, row_index, 4, row["level"], fmt["center"])
        write_cell(sheet, row_index, 5, row["kind"], fmt["center"])
        if row["amount"] is None:
            write_cell(sheet, row_index, 6, "—", fmt["center"])
        else:
            sheet.write_number(row_index, 6, row["amount"], fmt["money"])
        write_cell(sheet, row_index, 7, _("已缴") if row["paid"] else _("未缴"), fmt["center"])
    # Totals per kind and overall, below the rows.
    row_index += 2
    totals_header = [_("申报类型"), _("人数"), _("应缴金额（元）"), _("已缴人数"), _("已缴金额（元）"), _("未缴金额（元）")]
    write_row(sheet, row_index, 1, totals_header, fmt["header"])
    for total in [*data["totals"], data["overall"]]:
        row_index += 1
        is_overall = total is data["overall"]
        label_fmt, money_fmt = (fmt["total"], fmt["total_money"]) if is_overall else (fmt["center"], fmt["money"])
        write_cell(sheet, row_index, 1, total["kind"], label_fmt)
        sheet.write_number(row_index, 2, total["count"], label_fmt)
        sheet.write_number(row_index, 3, total["due"], money_fmt)
        sheet.write_number(row_index, 4, total["paid_count"], label_fmt)
        sheet.write_number(row_index, 5, total["paid"], money_fmt)
        sheet.write_number(row_index, 6, total["unpaid"], money_fmt)
    if data.get("fee_clause"):
        row_index += 2
        merge_text(sheet, row_index, 0, row_index, last_col, _("收费标准：%s") % data["fee_clause"], fmt["note"])
    _print_setup(sheet, header_row, last_col + 1, landscape=False)
    book.close()
    return out.getvalue()



def render_fee_list_pdf(data: dict) -> RenderedPDF:
    html = render_to_string("documents/pdf/fee_list.html",
                            _pdf_context(data, widths=FEE_PDF_WIDTHS_MM, columns=FEE_COLUMNS))
    return engine().render(html)
