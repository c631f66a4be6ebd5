"""Paginate the roster ourselves, from the font's own glyph advances.

Why: WeasyPrint lays out a 15-cell roster row in ~8 ms of CPU, so a 1,000-row roster takes
~10 s on one core.  Knowing in advance which rows go on which page lets the renderer split the
roster at a page boundary and lay out the halves on two cores (``export_files``), and print
「第 x 页 / 共 y 页」 without a second pass.

Pure: text and geometry in, page groups out.  Row heights are exact whole lines (measured: a
roster row is 1, 2 or 3 lines of 8 pt × 1.3 plus padding and one border), so predicting them is
a question of line breaking: CJK text may break between any two characters except before closing
punctuation (，。）…) or after opening punctuation (（《…); runs of Latin letters and digits break
only at spaces.  Pages are filled with a safety margin; the renderer checks the page count it got
against the plan and falls back to WeasyPrint's own pagination if they ever differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PT_PER_MM = 72 / 25.4
NO_LINE_START = set("，。、；：？！）》」』】〕〉,.;:?!)]%·…—")
NO_LINE_END = set("（《「『【〔〈([")


@dataclass(frozen=True)
class ListingGeometry:
    """The numbers of the listing templates' CSS (``templates/documents/pdf/roster.html``)."""

    widths_mm: tuple[float, ...]
    body_pt: float = 8.0
    body_line: float = 1.3
    cell_pad_mm: tuple[float, float] = (0.8, 1.0)  # vertical, horizontal padding of td
    head_pt: float = 7.5
    head_line: float = 1.2
    head_pad_mm: tuple[float, float] = (0.8, 0.6)
    border_pt: float = 0.6
    content_height_mm: float = 184.0  # A4 landscape 210 mm minus 14 mm top and 12 mm bottom margins
    title_block_mm: float = 17.0  # h1 + the scope/date line on the first page
    note_mm: float = 7.0  # the note under the last table
    safety_mm: float = 3.0  # slack left on every page


@lru_cache(maxsize=4)
def _metrics(font_path: str) -> tuple[dict[int, int], int]:
    from fontTools.ttLib import TTFont  # heavy: loaded by the worker, once per font (cached)

    font = TTFont(font_path, lazy=True)
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    units = font["head"].unitsPerEm
    return {code: hmtx[glyph][0] for code, glyph in cmap.items()}, units


class TextMeasure:
    """Advance widths (points) of the body font.  Characters missing from the subset fall back to
    the full Noto face at print time; they are counted as one em (CJK width), never less."""

    def __init__(self, font_path: Path | str | None):
        self._advances, self._units = _metrics(str(font_path)) if font_path else ({}, 1000)

    def width(self, text: str, size_pt: float) -> float:
        units = self._units
        return sum(self._advances.get(ord(ch), units) for ch in text) * size_pt / units


def break_units(text: str) -> list[str]:
    """Pieces between which a line may break."""
    pieces: list[str] = []
    run = ""
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch in ".-/%+:"):
            run += ch
            continue
        if run:
            pieces.append(run)
            run = ""
        if ch in NO_LINE_START and pieces:
            pieces[-1] += ch
        else:
            pieces.append(ch)
    if run:
        pieces.append(run)
    joined: list[str] = []
    for piece in pieces:
        if joined and joined[-1] and joined[-1][-1] in NO_LINE_END:
            joined[-1] += piece
        else:
            joined.append(piece)
    return joined


def line_count(text: str, width_pt: float, size_pt: float, measure: TextMeasure) -> int:
    """Lines a greedy breaker needs for ``text`` in a box ``width_pt`` wide."""
    lines, used = 1, 0.0
    for piece in break_units(str(text)):
        if piece == " " and used == 0:
            continue
        w = measure.width(piece, size_pt)
        if used + w > width_pt and used > 0:
            lines += 1
            used = 0.0
            if piece == " ":
                continue
        used += w
    return lines


def _cell_width_pt(width_mm: float, pad_mm: float, geometry: ListingGeometry) -> float:
    return (width_mm - 2 * pad_mm) * PT_PER_MM - geometry.border_pt


def row_height_mm(cells, geometry: ListingGeometry, measure: TextMeasure, *, header: bool = False) -> float:
    size = geometry.head_pt if header else geometry.body_pt
    line = size * (geometry.head_line if header else geometry.body_line) / PT_PER_MM
    v_pad, h_pad = geometry.head_pad_mm if header else geometry.cell_pad_mm
    lines = max((line_count(str(value), _cell_width_pt(w, h_pad, geometry), size, measure)
                 for value, w in zip(cells, geometry.widths_mm)), default=1)
    return lines * line + 2 * v_pad + geometry.border_pt / PT_PER_MM


def paginate(rows: list, columns: list[str], geometry: ListingGeometry, measure: TextMeasure,
             *, with_note: bool = False) -> list[tuple[int, int]]:
    """Half-open ``(start, end)`` row ranges, one per page.  Every page repeats the header; the
    first also carries the title block, the last the note."""
    header = row_height_mm(columns, geometry, measure, header=True)
    heights = [row_height_mm(row, geometry, measure) for row in rows]
    pages: list[tuple[int, int]] = []
    start = 0
    available = geometry.content_height_mm - geometry.title_block_mm - header - geometry.safety_mm
    used = 0.0
    for index, height in enumerate(heights):
        if used + height > available and index > start:
            pages.append((start, index))
            start, used = index, 0.0
            available = geometry.content_height_mm - header - geometry.safety_mm
        used += height
    if with_note and rows and used + geometry.note_mm > available:
        # The note would not fit under the last rows: end the page one row earlier.
        if index > start:
            pages.append((start, len(rows) - 1))
            start = len(rows) - 1
    pages.append((start, len(rows)))
    return pages
