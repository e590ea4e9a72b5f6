"""A workbook a test can seed, edit like a manager, and read back, whatever the backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from touchsheet.config import Config
from touchsheet.schema import TABS, Tab
from touchsheet.sheets.xlsx import XlsxWorkbook

TAB = {tab.name: tab for tab in TABS}


class XlsxSheet:
    """A local .xlsx workbook, edited with openpyxl the way LibreOffice would save it."""

    name = "xlsx"

    def __init__(self, config: Config) -> None:
        self.config = config
        self.path: Path = config.workbook_path

    def backend(self) -> XlsxWorkbook:
        return XlsxWorkbook(self.path, self.config.locale)

    def init(self) -> None:
        self.backend().init()

    def headers(self, tab: str) -> list[Any]:
        book = openpyxl.load_workbook(self.path)
        return [c.value for c in self._sheet(book, tab)[1]]

    def add_column(self, tab: str, header: str) -> None:
        book = openpyxl.load_workbook(self.path)
        sheet = self._sheet(book, tab)
        sheet.cell(1, sheet.max_column + 1).value = header
        book.save(self.path)

    def put_rows(self, tab: str, rows: list[dict[str, Any]]) -> None:
        """Append rows; keys are English column names or any other header text in the tab."""
        book = openpyxl.load_workbook(self.path)
        sheet = self._sheet(book, tab)
        position = self._positions(sheet, TAB[tab])
        start = sheet.max_row + 1 if any(c.value is not None for c in sheet[sheet.max_row]) else sheet.max_row
        for offset, row in enumerate(rows):
            for column, value in row.items():
                sheet.cell(start + offset, position[column]).value = value
        book.save(self.path)

    def set(self, tab: str, row: int, column: str, value: Any) -> None:
        book = openpyxl.load_workbook(self.path)
        sheet = self._sheet(book, tab)
        sheet.cell(row, self._positions(sheet, TAB[tab])[column]).value = value
        book.save(self.path)

    def rows(self, tab: str) -> list[dict[str, Any]]:
        """Data rows as {header: value}, with the headers as they are in the sheet."""
        book = openpyxl.load_workbook(self.path)
        values = list(self._sheet(book, tab).iter_rows(values_only=True))
        if not values:
            return []
        headers = values[0]
        found = [dict(zip(headers, row)) for row in values[1:]]
        return [r for r in found if any(v not in (None, "") for v in r.values())]

    def grid(self, tab: str) -> list[tuple[Any, ...]]:
        book = openpyxl.load_workbook(self.path)
        return list(self._sheet(book, tab).iter_rows(values_only=True))

    def _sheet(self, book: Any, tab: str) -> Any:
        return book[TAB[tab].label(self.config.locale)]

    def _positions(self, sheet: Any, tab: Tab) -> dict[str, int]:
        headers = [c.value for c in sheet[1]]
        position = {h: i + 1 for i, h in enumerate(headers) if h}
        for column in tab.columns:
            label = column.label(self.config.locale)
            if label in position:
                position[column.name] = position[label]
        return position
