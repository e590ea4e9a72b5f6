"""One tab: its grid of cells and everything anchored to its ranges (formats, validations, merges...).

Cells are kept as a list of row lists, each no longer than its last used cell, so a 500,000-row
tab costs little more than its values. A row list is never changed in place: every change puts a
new list in its slot, so a copy of the outer list is a snapshot (batchUpdate is all or nothing).

>>> sheet = Sheet({"sheetId": 0, "title": "Leads", "gridProperties": {"rowCount": 5, "columnCount": 3}})
>>> sheet.write(0, 0, [["ID", "Name"], ["L-1", "Ivan"]])
>>> sheet.insert("ROWS", 1, 1)
>>> sheet.rows
[['ID', 'Name'], [], ['L-1', 'Ivan']]
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from . import ranges
from .cells import Typed

SKIP = object()  # a null in a ValueRange: leave that cell as it is
FORMAT_PATHS = ("*", "userEnteredFormat", "userEnteredFormat.numberFormat")


class Sheet:
    """A tab's properties (Google's SheetProperties JSON), cells and range-anchored features."""

    def __init__(self, props: dict[str, Any]) -> None:
        self.props = props
        self.rows: list[list[Any]] = []
        # (range, field paths, CellData) in the order applied; the last one covering a cell wins
        self.formats: list[tuple[dict[str, Any], frozenset[str], dict[str, Any]]] = []
        self.validations: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
        self.notes: dict[tuple[int, int], str] = {}
        self.merges: list[dict[str, Any]] = []
        self.conditional_formats: list[dict[str, Any]] = []
        self.protected_ranges: list[dict[str, Any]] = []
        self.basic_filter: dict[str, Any] | None = None
        self.charts: list[dict[str, Any]] = []
        self.dimensions: dict[str, dict[int, dict[str, Any]]] = {"ROWS": {}, "COLUMNS": {}}
        self.groups: dict[str, list[dict[str, Any]]] = {"ROWS": [], "COLUMNS": []}

    @property
    def sheet_id(self) -> int:
        return self.props["sheetId"]

    @property
    def title(self) -> str:
        return self.props["title"]

    @property
    def row_count(self) -> int:
        return self.props["gridProperties"]["rowCount"]

    @property
    def col_count(self) -> int:
        return self.props["gridProperties"]["columnCount"]

    def clone(self) -> Sheet:
        """A copy that shares the row lists (never changed in place) and copies everything else."""
        twin = copy.copy(self)
        for name, value in vars(self).items():
            setattr(twin, name, value[:] if name == "rows" else copy.deepcopy(value))
        return twin

    def cell(self, row: int, col: int) -> Any:
        """The stored cell, None when empty."""
        if row < len(self.rows):
            cells = self.rows[row]
            if col < len(cells):
                return cells[col]
        return None

    def write(self, r0: int, c0: int, block: list[list[Any]]) -> None:
        """Put rows of cells with their top-left at (r0, c0); SKIP leaves a cell alone."""
        rows = self.rows
        if len(rows) < r0 + len(block):
            rows.extend([] for _ in range(r0 + len(block) - len(rows)))
        for offset, cells in enumerate(block):
            if not cells or all(c is SKIP for c in cells):
                continue
            row = list(rows[r0 + offset])
            end = c0 + len(cells)
            if len(row) < end:
                row.extend([None] * (end - len(row)))
            for i, value in enumerate(cells, c0):
                if value is not SKIP:
                    old = row[i]
                    if old.__class__ is Typed and value.__class__ in (int, float):
                        value = Typed(value, old.fmt)  # the cell keeps its number format, as in Sheets
                    row[i] = value
            rows[r0 + offset] = _trimmed(row)

    def clear(self, r0: int, r1: int, c0: int, c1: int) -> None:
        """Empty the values of a rectangle (formats stay, as values:clear does)."""
        for r in range(r0, min(r1, len(self.rows))):
            row = self.rows[r]
            if len(row) > c0:
                self.rows[r] = _trimmed(row[:c0] + [None] * (min(c1, len(row)) - c0) + row[c1:])

    def resize(self, rows: int, cols: int) -> None:
        """Set the grid size; cells beyond it are dropped (as shrinking a sheet in Sheets does)."""
        del self.rows[rows:]
        for r, row in enumerate(self.rows):
            if len(row) > cols:
                self.rows[r] = _trimmed(row[:cols])
        self.props["gridProperties"].update(rowCount=rows, columnCount=cols)

    def insert(self, dimension: str, start: int, count: int) -> None:
        """Insert empty rows or columns before index `start`; ranges below or right of it move."""
        if dimension == "ROWS":
            if start < len(self.rows):
                self.rows[start:start] = [[] for _ in range(count)]
        else:
            for r, row in enumerate(self.rows):
                if len(row) > start:
                    self.rows[r] = row[:start] + [None] * count + row[start:]
        self._grow(dimension, count)
        self._remap(dimension, lambda gr: ranges.after_insert(gr, dimension, start, count), start, count)

    def delete(self, dimension: str, start: int, end: int) -> None:
        """Delete rows or columns [start, end); what was anchored there goes with them."""
        if dimension == "ROWS":
            del self.rows[start:end]
        else:
            for r, row in enumerate(self.rows):
                if len(row) > start:
                    self.rows[r] = _trimmed(row[:start] + row[end:])
        self._grow(dimension, start - end)
        self._remap(dimension, lambda gr: ranges.after_delete(gr, dimension, start, end), start, start - end, end)

    def _grow(self, dimension: str, count: int) -> None:
        key = "rowCount" if dimension == "ROWS" else "columnCount"
        self.props["gridProperties"][key] += count

    def _remap(
        self, dimension: str, move: Callable[[dict], dict | None], start: int, shift: int, end: int = -1
    ) -> None:
        """Move every range-anchored feature after rows or columns were inserted (shift > 0) or deleted."""
        self.formats = [(gr, p, d) for g, p, d in self.formats if (gr := move(g)) is not None]
        self.validations = [(gr, rule) for g, rule in self.validations if (gr := move(g)) is not None]
        self.merges = [gr for g in self.merges if (gr := move(g)) is not None]
        self.protected_ranges = [
            {**p, "range": gr} for p in self.protected_ranges if (gr := move(p["range"])) is not None
        ]
        for rule in self.conditional_formats:
            rule["ranges"] = [gr for g in rule["ranges"] if (gr := move(g)) is not None]
        self.conditional_formats = [rule for rule in self.conditional_formats if rule["ranges"]]
        if self.basic_filter:
            moved = move(self.basic_filter["range"])
            self.basic_filter = {**self.basic_filter, "range": moved} if moved else None
        self.notes = {
            moved: note
            for (r, c), note in self.notes.items()
            if (moved := _moved_cell(dimension, r, c, start, shift, end))
        }
        self.dimensions[dimension] = {
            i + (shift if i >= start else 0): props
            for i, props in self.dimensions[dimension].items()
            if not (shift < 0 and start <= i < end)
        }
        for group in self.groups[dimension]:
            moved = move(ranges.of_dimension(group["range"]))
            group["range"] = _dimension_range(group["range"], moved, dimension)
        self.groups[dimension] = [g for g in self.groups[dimension] if g["range"]]

    def sort(self, r0: int, r1: int, c0: int, c1: int, specs: list[tuple[int, bool]], value: Callable) -> None:
        """Sort rows [r0, r1) of columns [c0, c1) by (column, descending) specs, blanks last, like Sheets."""
        r1 = min(r1, len(self.rows))
        full_width = c0 == 0 and c1 >= self.col_count
        items = self.rows[r0:r1] if full_width else [_padded(row, c0, c1) for row in self.rows[r0:r1]]
        offset = 0 if full_width else c0
        for col, descending in reversed(specs):
            index = col - offset

            def cell(item: list[Any], index: int = index) -> Any:
                return value(item[index]) if index < len(item) else None

            filled = [item for item in items if cell(item) not in (None, "")]
            blank = [item for item in items if cell(item) in (None, "")]
            filled.sort(key=lambda item: _sort_key(cell(item)), reverse=descending)
            items = filled + blank
        if full_width:
            self.rows[r0:r1] = items
        else:
            for r, part in enumerate(items, r0):
                row = _padded(self.rows[r], 0, max(c1, len(self.rows[r])))
                row[c0:c1] = part
                self.rows[r] = _trimmed(row)

    def format_layers(self, paths: Iterable[str]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(range, CellData) of the format layers that touch any of these field paths, oldest first."""
        wanted = set(paths)
        return [(gr, data) for gr, p, data in self.formats if p & wanted]

    def number_format_columns(self, r0: int, r1: int, c0: int, c1: int) -> dict[int, list[tuple[int, int, Any]]]:
        """Per column of the rectangle, the (start row, end row, numberFormat) layers on it, newest first."""
        columns: dict[int, list[tuple[int, int, Any]]] = {}
        area = {"startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}
        for gr, data in reversed(self.format_layers(FORMAT_PATHS)):
            if not ranges.intersects(gr, area):
                continue
            fmt = data.get("userEnteredFormat", {}).get("numberFormat")
            lo, hi, left, right = ranges.bounds(gr, self.row_count, self.col_count)
            for c in range(max(left, c0), min(right, c1)):
                columns.setdefault(c, []).append((lo, hi, fmt))
        return columns

    def number_format(self, row: int, col: int) -> dict[str, Any] | None:
        """The numberFormat formats give the cell (a typed date's own format aside)."""
        for lo, hi, fmt in self.number_format_columns(row, row + 1, col, col + 1).get(col, []):
            if lo <= row < hi:
                return fmt
        return None

    def cell_format(self, row: int, col: int) -> dict[str, Any]:
        """The cell's userEnteredFormat, folded from every layer that covers it."""
        result: dict[str, Any] = {}
        for gr, paths, data in self.formats:
            if ranges.covers(gr, row, col):
                for path in paths:
                    _apply_path(result, data, "userEnteredFormat" if path == "*" else path)
        return result.get("userEnteredFormat", {})

    def validation(self, row: int, col: int) -> dict[str, Any] | None:
        """The data validation rule of a cell, if any."""
        return next((rule for gr, rule in reversed(self.validations) if ranges.covers(gr, row, col)), None)


def _apply_path(target: dict[str, Any], source: dict[str, Any], path: str) -> None:
    """Copy the value at a dotted path from source to target, or remove it when source has none."""
    *parents, leaf = path.split(".")
    for key in parents:
        source = source.get(key, {}) if isinstance(source, dict) else {}
        target = target.setdefault(key, {})
    if isinstance(source, dict) and leaf in source:
        target[leaf] = copy.deepcopy(source[leaf])
    else:
        target.pop(leaf, None)


def _trimmed(row: list[Any]) -> list[Any]:
    while row and row[-1] is None:
        row.pop()
    return row


def _padded(row: list[Any], c0: int, c1: int) -> list[Any]:
    part = row[c0:c1]
    return part + [None] * (c1 - c0 - len(part))


def _sort_key(value: Any) -> tuple[int, Any]:
    """Numbers before text before booleans; text ignores case (Sheets' ascending order)."""
    if isinstance(value, bool):
        return 2, value
    if isinstance(value, int | float):
        return 0, value
    return 1, str(value).casefold()


def _moved_cell(dimension: str, r: int, c: int, start: int, shift: int, end: int) -> tuple[int, int] | None:
    index = r if dimension == "ROWS" else c
    if shift < 0 and start <= index < end:
        return None
    if index >= start:
        index += shift
    return (index, c) if dimension == "ROWS" else (r, index)


def _dimension_range(old: dict[str, Any], moved: dict[str, Any] | None, dimension: str) -> dict[str, Any] | None:
    if moved is None:
        return None
    start_key, end_key = ranges.KEYS[dimension]
    return {**old, "startIndex": moved.get(start_key, 0), "endIndex": moved[end_key]}
