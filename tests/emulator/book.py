"""A spreadsheet: its properties, tabs, named ranges and who may open it; ranges resolved against it.

>>> book = Spreadsheet("1abc", "Team CRM", "en_US", "Etc/GMT")
>>> _ = book.add_sheet({"title": "Leads"}, sheet_id=0)
>>> sheet, span = book.resolve("Leads!A2:B")
>>> (sheet.title, span)
('Leads', Span(r0=1, c0=0, r1=None, c1=2, cell=False))
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from . import a1, ranges
from .cells import Formula, Typed
from .errors import bad_request
from .formula import Err, evaluate
from .locales import Locale, locale
from .sheet import Sheet

DEFAULT_ROWS, DEFAULT_COLUMNS = 1000, 26


class Spreadsheet:
    """The state of one spreadsheet file."""

    def __init__(self, key: str, title: str, locale_name: str, time_zone: str) -> None:
        self.key = key
        self.props: dict[str, Any] = {"title": title, "locale": locale_name, "autoRecalc": "ON_CHANGE"}
        self.props["timeZone"] = time_zone
        self.sheets: list[Sheet] = []
        self.named_ranges: list[dict[str, Any]] = []
        self.readers: set[str] = set()  # emails (lower case) the file is shared with
        self.created = self.modified = datetime.now(UTC)
        self._evaluating: set[int] = set()

    def touch(self) -> None:
        """Note a change (Drive's modifiedTime)."""
        self.modified = datetime.now(UTC)

    @property
    def locale(self) -> Locale:
        return locale(self.props["locale"])

    def snapshot(self) -> tuple[Any, ...]:
        """Everything a failed request must not leave changed."""
        sheets = [s.clone() for s in self.sheets]
        return copy.deepcopy(self.props), sheets, copy.deepcopy(self.named_ranges)

    def restore(self, state: tuple[Any, ...]) -> None:
        self.props, self.sheets, self.named_ranges = state

    def add_sheet(self, props: dict[str, Any], sheet_id: int, index: int | None = None) -> Sheet:
        """A new tab from SheetProperties; missing ones get Google's defaults (1000 x 26, "SheetN")."""
        props = copy.deepcopy(props)
        grid = props.setdefault("gridProperties", {})
        grid.setdefault("rowCount", DEFAULT_ROWS)
        grid.setdefault("columnCount", DEFAULT_COLUMNS)
        title = props.get("title") or self._free_title()
        if self.find(title):
            raise ValueError(f'A sheet with the name "{title}" already exists. Please enter another name.')
        index = len(self.sheets) if index is None else min(index, len(self.sheets))
        ordered = {"sheetId": sheet_id, "title": title, "index": index, "sheetType": "GRID"}
        props = {**ordered, **{k: v for k, v in props.items() if k not in ordered}}
        sheet = Sheet(props)
        self.sheets.insert(index, sheet)
        self.reindex()
        return sheet

    def _free_title(self) -> str:
        n = len(self.sheets) + 1
        while self.find(f"Sheet{n}"):
            n += 1
        return f"Sheet{n}"

    def reindex(self) -> None:
        for i, sheet in enumerate(self.sheets):
            sheet.props["index"] = i

    def find(self, title: str) -> Sheet | None:
        """The tab with this title; like Sheets, titles match regardless of case."""
        folded = title.casefold()
        return next((s for s in self.sheets if s.title.casefold() == folded), None)

    def by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def resolve(self, text: str) -> tuple[Sheet, a1.Span]:
        """The tab and span an A1 range names ("Leads", "'Touch log'!A1:J", "A1:B2", a named range).

        Raises the 400 Google answers: "Unable to parse range: ...".
        """
        try:
            title, ref = a1.split(text)
        except a1.A1Error:
            raise bad_request(f"Unable to parse range: {text}") from None
        if title is None:
            whole = self.find(ref or "")
            if whole:
                return whole, a1.WHOLE_SHEET
            sheet = self.sheets[0] if self.sheets else None
        else:
            sheet = self.find(title)
        if sheet is None:
            raise bad_request(f"Unable to parse range: {text}")
        if ref is None:
            return sheet, a1.WHOLE_SHEET
        try:
            return sheet, a1.parse_ref(ref)
        except a1.A1Error:
            named = self.named(ref, None if title is None else sheet)
            if named:
                return named
            raise bad_request(f"Unable to parse range: {text}") from None

    def named(self, name: str, sheet: Sheet | None) -> tuple[Sheet, a1.Span] | None:
        """A named range by name (Google also reads "Sheet1!Name")."""
        for named in self.named_ranges:
            grid_range = named["range"]
            target = self.by_id(grid_range.get("sheetId", 0))
            if named["name"].casefold() == name.casefold() and target and sheet in (None, target):
                span = a1.Span(
                    grid_range.get("startRowIndex", 0),
                    grid_range.get("startColumnIndex", 0),
                    grid_range.get("endRowIndex"),
                    grid_range.get("endColumnIndex"),
                )
                return target, span
        return None

    def value(self, sheet: Sheet, row: int, col: int) -> Any:
        """The effective value of a cell: a formula computed, a typed date as its serial number."""
        return self.effective(sheet, sheet.cell(row, col))

    def effective(self, sheet: Sheet, cell: Any) -> Any:
        cls = cell.__class__
        if cls is Typed:
            return cell.value
        if cls is Formula:
            return self._compute(sheet, cell)
        return cell

    def _compute(self, sheet: Sheet, formula: Formula) -> Any:
        marker = id(formula)
        if marker in self._evaluating:
            return Err("#REF!")  # a circular reference, as Sheets shows it
        self._evaluating.add(marker)
        try:
            return evaluate(formula.text, lambda title, r0, c0, r1, c1: self._area(sheet, title, r0, c0, r1, c1))
        finally:
            self._evaluating.discard(marker)

    def _area(self, home: Sheet, title: str | None, r0: int, c0: int, r1: int, c1: int) -> list[Any]:
        sheet = home if title is None else self.find(title)
        if sheet is None:
            return [Err("#REF!")]
        return [self.value(sheet, r, c) for r in range(r0, r1) for c in range(c0, c1)]

    def insert(self, sheet: Sheet, dimension: str, start: int, count: int) -> None:
        """Insert rows or columns; named ranges on the tab follow, like everything else anchored there."""
        sheet.insert(dimension, start, count)
        self._move_named(sheet, lambda gr: ranges.after_insert(gr, dimension, start, count))

    def delete(self, sheet: Sheet, dimension: str, start: int, end: int) -> None:
        """Delete rows or columns [start, end)."""
        sheet.delete(dimension, start, end)
        self._move_named(sheet, lambda gr: ranges.after_delete(gr, dimension, start, end))

    def _move_named(self, sheet: Sheet, move: Callable[[dict[str, Any]], dict[str, Any] | None]) -> None:
        kept = []
        for named in self.named_ranges:
            if named["range"].get("sheetId", 0) == sheet.sheet_id:
                moved = move(named["range"])
                if moved is None:
                    continue
                named = {**named, "range": moved}
            kept.append(named)
        self.named_ranges = kept

    def sort(self, sheet: Sheet, area: tuple[int, int, int, int], specs: list[tuple[int, bool]]) -> None:
        """Sort rows of a rectangle by (column, descending) specs, comparing effective values."""
        r0, r1, c0, c1 = area
        sheet.sort(r0, r1, c0, c1, specs, lambda cell: self.effective(sheet, cell))
