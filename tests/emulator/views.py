"""Read-only views a test inspects: one cell (CellView) and one tab's features (SheetView).

Ranges are written the short A1 way a request would give them: "F2:F" is column F from row 2 down.

>>> grid_range_name({"startRowIndex": 1, "startColumnIndex": 5, "endColumnIndex": 6})
'F2:F'
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from . import a1, ranges
from .book import Spreadsheet
from .cells import Formula, Typed
from .sheet import Sheet
from .values import render_area


@dataclass(frozen=True)
class CellView:
    """A cell: its effective value ("" when empty), the formula it holds (None for a typed value),
    the text FORMATTED_VALUE shows, its number format and its note."""

    value: Any
    formula: str | None
    formatted: str
    number_format: dict[str, Any] | None
    note: str | None


@dataclass(frozen=True)
class SheetView:
    """A tab's properties and features, copied when the view was taken."""

    title: str
    sheet_id: int
    index: int
    row_count: int
    column_count: int
    frozen_rows: int
    frozen_columns: int
    hidden: bool
    merges: list[str]
    validations: list[tuple[str, dict[str, Any]]]  # (range, rule), oldest first; a cell takes the last covering it
    conditional_formats: list[dict[str, Any]]
    basic_filter: dict[str, Any] | None
    protected_ranges: list[dict[str, Any]]
    charts: list[dict[str, Any]]
    column_widths: dict[str, int]
    number_formats: dict[str, dict[str, Any]]  # column letter -> the numberFormat last set on (part of) it
    _sheet: Sheet

    def validation(self, cell: str) -> dict[str, Any] | None:
        """The data validation rule on a cell ("F2")."""
        span = a1.parse_ref(cell)
        return copy.deepcopy(self._sheet.validation(span.r0, span.c0))

    def format(self, cell: str) -> dict[str, Any]:
        """The userEnteredFormat set on a cell by repeatCell or updateCells."""
        span = a1.parse_ref(cell)
        return copy.deepcopy(self._sheet.cell_format(span.r0, span.c0))


def grid_range_name(grid_range: dict[str, Any]) -> str:
    """A GridRange in A1 notation without the sheet: "A2:B5", "F2:F", "F:F", "2:5" ("" for a whole sheet)."""
    r0, r1 = grid_range.get("startRowIndex"), grid_range.get("endRowIndex")
    c0, c1 = grid_range.get("startColumnIndex"), grid_range.get("endColumnIndex")
    has_rows, has_cols = r0 is not None or r1 is not None, c0 is not None or c1 is not None
    start = (a1.column_letters(c0 or 0) if has_cols else "") + (str((r0 or 0) + 1) if has_rows else "")
    end = (a1.column_letters(c1 - 1) if c1 is not None else "") + (str(r1) if r1 is not None else "")
    return f"{start}:{end}" if end and end != start else start


def cell_view(book: Spreadsheet, sheet: Sheet, row: int, col: int) -> CellView:
    cell = sheet.cell(row, col)
    value = book.effective(sheet, cell)
    shown = render_area(book, sheet, (row, row + 1, col, col + 1), "FORMATTED_VALUE", "SERIAL_NUMBER", "ROWS")
    number_format = cell.fmt if cell.__class__ is Typed else sheet.number_format(row, col)
    return CellView(
        value="" if value is None else value,
        formula=cell.text if cell.__class__ is Formula else None,
        formatted=shown[0][0] if shown and shown[0] else "",
        number_format=copy.deepcopy(number_format),
        note=sheet.notes.get((row, col)),
    )


def sheet_view(sheet: Sheet) -> SheetView:
    grid = sheet.props.get("gridProperties", {})
    formats: dict[str, dict[str, Any]] = {}
    for gr, data in sheet.format_layers(("*", "userEnteredFormat", "userEnteredFormat.numberFormat")):
        _, _, c0, c1 = ranges.bounds(gr, sheet.row_count, sheet.col_count)
        for c in range(c0, c1):
            fmt = data.get("userEnteredFormat", {}).get("numberFormat")
            if fmt:
                formats[a1.column_letters(c)] = copy.deepcopy(fmt)
            else:
                formats.pop(a1.column_letters(c), None)
    return SheetView(
        title=sheet.title,
        sheet_id=sheet.sheet_id,
        index=sheet.props.get("index", 0),
        row_count=sheet.row_count,
        column_count=sheet.col_count,
        frozen_rows=grid.get("frozenRowCount", 0),
        frozen_columns=grid.get("frozenColumnCount", 0),
        hidden=bool(sheet.props.get("hidden")),
        merges=[grid_range_name(m) for m in sheet.merges],
        validations=[(grid_range_name(gr), copy.deepcopy(rule)) for gr, rule in sheet.validations if rule],
        conditional_formats=copy.deepcopy(sheet.conditional_formats),
        basic_filter=copy.deepcopy(sheet.basic_filter),
        protected_ranges=copy.deepcopy(sheet.protected_ranges),
        charts=copy.deepcopy(sheet.charts),
        column_widths={
            a1.column_letters(i): props["pixelSize"]
            for i, props in sorted(sheet.dimensions["COLUMNS"].items())
            if "pixelSize" in props
        },
        number_formats=formats,
        _sheet=sheet.clone(),
    )
