"""A workbook a test can seed, edit like a manager, and read back, whatever the backend."""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl

from touchsheet.config import Config
from touchsheet.engine.table import column_letter
from touchsheet.schema import TABS, Tab
from touchsheet.sheets.xlsx import XlsxWorkbook

TAB = {tab.name: tab for tab in TABS}


# Excel 2010 and later save a dropdown fed from a list on another tab (here the managers' names on
# a tab 'Lists') in the tab's extensions, which openpyxl cannot read; the prefixes r and xr are
# declared on the tab's first element, not in the extensions using them.
X14_MANAGER_DROPDOWN = (
    '<ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" xr:uid="{5D3A8B2C-0000-4000-8000-000000000001}">'
    "<x14:formula1><xm:f>Lists!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>E2:E1000</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext>"
)
EXCEL_NAMESPACES = (
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision"'
)


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

    def data(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every tab but Status (whose run times change on every run), cell by cell."""
        return {tab.name: self.grid(tab.name) for tab in TABS if tab.name != "Status"}

    def charts(self, tab: str) -> list[dict[str, Any]]:
        """The charts drawn on a tab, read from the file's XML (as saved, not as openpyxl reads them):
        each as its title, kind and the cell ranges of its series."""
        with zipfile.ZipFile(self.path) as z:
            sheet_xml = _part(z, "xl/workbook.xml", "xl/_rels/workbook.xml.rels", self.title(tab))
            drawing = _related(z, sheet_xml, "drawing")
            if drawing is None:
                return []
            found = []
            for chart in _related_all(z, drawing, "chart"):
                xml = ElementTree.fromstring(z.read(chart))
                series = list(xml.iter(f"{{{_C}}}ser"))
                found.append(
                    {
                        "title": "".join(t.text or "" for t in xml.iter(f"{{{_A}}}t")),
                        "kind": "bar" if xml.find(f".//{{{_C}}}barChart") is not None else "line",
                        "labels": series[0].findtext(f"{{{_C}}}cat//{{{_C}}}f") if series else None,
                        "series": [s.findtext(f"{{{_C}}}val//{{{_C}}}f") for s in series],
                    }
                )
            return found

    def sheet_xml(self, tab: str) -> str:
        """The tab's XML as the file holds it."""
        with zipfile.ZipFile(self.path) as z:
            return z.read(_part(z, "xl/workbook.xml", "xl/_rels/workbook.xml.rels", self.title(tab))).decode()

    def add_excel_manager_dropdown(self, *beside: str) -> None:
        """A tab 'Lists' with the managers' names, and on Leads the Manager dropdown fed from it as
        Excel saves it (with the extensions `beside` it)."""
        book = openpyxl.load_workbook(self.path)
        lists = book.create_sheet("Lists")
        for name in ["Anna Smith", "Boris Clark", "Olga Ivanova"]:
            lists.append([name])
        book.save(self.path)
        self.end_sheet_xml_with("Leads", f"<extLst>{X14_MANAGER_DROPDOWN}{''.join(beside)}</extLst>", EXCEL_NAMESPACES)

    def end_sheet_xml_with(self, tab: str, xml: str, namespaces: str = "") -> None:
        """Put `xml` last in the tab's XML, and `namespaces` on its first element, as Excel saves
        what openpyxl cannot write (an <extLst>)."""
        with zipfile.ZipFile(self.path) as z:
            part = _part(z, "xl/workbook.xml", "xl/_rels/workbook.xml.rels", self.title(tab))
            items = [(info, z.read(info)) for info in z.infolist()]
        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED) as z:
            for info, data in items:
                if info.filename == part:
                    data = data.replace(b"<worksheet ", f"<worksheet {namespaces} ".encode(), 1)
                    data = data.replace(b"</worksheet>", xml.encode() + b"</worksheet>")
                z.writestr(info, data)

    def title(self, tab: str) -> str:
        return TAB[tab].label(self.config.locale) if tab in TAB else tab

    def _sheet(self, book: Any, tab: str) -> Any:
        return book[self.title(tab)]

    def _positions(self, sheet: Any, tab: Tab) -> dict[str, int]:
        headers = [c.value for c in sheet[1]]
        position = {h: i + 1 for i, h in enumerate(headers) if h}
        for column in tab.columns:
            label = column.label(self.config.locale)
            if label in position:
                position[column.name] = position[label]
        return position


class GoogleSheet:
    """A spreadsheet on the local Sheets API emulator, reached through the real gspread client and
    service-account token flow; edited the way a manager types into Google Sheets."""

    name = "google"

    def __init__(self, config: Config, emulator: Any) -> None:
        from google.oauth2 import service_account

        from touchsheet.sheets.gapi import SCOPES

        self.config, self.emu = config, emulator
        info = emulator.service_account(email="touchsheet@demo-project.iam.gserviceaccount.com")
        self.key = emulator.create_spreadsheet("Team CRM", tabs={}, share_with=[info["client_email"]])
        self.credentials = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)

    def backend(self) -> Any:
        from touchsheet.sheets.gapi import Patience
        from touchsheet.sheets.google import GoogleWorkbook

        quick = Patience(attempts=8, first_wait=0.001, max_wait=0.005, timeout=20)
        cache = self.config.base_dir / f".touchsheet-{self.key}.tabs.json"
        return GoogleWorkbook(self.key, lambda: self.credentials, self.config.locale, self.emu.url, quick, cache)

    def init(self) -> None:
        self.backend().init()

    def journal(self) -> Any:
        """This spreadsheet's journal, where a host keeps it (one per spreadsheet key)."""
        from touchsheet.journal import Journal

        return Journal(self.config.base_dir / f".touchsheet-{self.key}.journal")

    def title(self, tab: str) -> str:
        return TAB[tab].label(self.config.locale) if tab in TAB else tab

    def headers(self, tab: str) -> list[Any]:
        values = self.emu.values(self.key, self.title(tab))
        return list(values[0]) if values else []

    def add_column(self, tab: str, header: str) -> None:
        self.emu.set_cell(self.key, self.title(tab), f"{column_letter(len(self.headers(tab)))}1", header)

    def put_rows(self, tab: str, rows: list[dict[str, Any]]) -> None:
        start = len(self.emu.values(self.key, self.title(tab))) + 1
        position = self._positions(tab)
        for offset, row in enumerate(rows):
            for column, value in row.items():
                cell = f"{column_letter(position[column] - 1)}{start + offset}"
                self.emu.set_cell(self.key, self.title(tab), cell, _typed(value))

    def set(self, tab: str, row: int, column: str, value: Any) -> None:
        cell = f"{column_letter(self._positions(tab)[column] - 1)}{row}"
        self.emu.set_cell(self.key, self.title(tab), cell, _typed(value))

    def rows(self, tab: str) -> list[dict[str, Any]]:
        """Data rows as {header: value}; dates (serial numbers in Sheets) back as datetimes."""
        values = self.emu.values(self.key, self.title(tab))
        if not values:
            return []
        headers = list(values[0])
        dated = {c.label(self.config.locale) for c in TAB[tab].columns if c.type in ("date", "datetime")}
        found = []
        for row in values[1:]:
            cells = {h: (row[i] if i < len(row) else None) for i, h in enumerate(headers)}
            cells = {h: (None if v == "" else _untyped(v) if h in dated else v) for h, v in cells.items()}
            if any(v not in (None, "") for v in cells.values()):
                found.append(cells)
        return found

    def grid(self, tab: str) -> list[tuple[Any, ...]]:
        """The tab's values; numbers in date-formatted cells back as datetimes, as on the workbook."""
        grid = self.emu.values(self.key, self.title(tab))
        return [tuple(self._dated(tab, r, c, v) for c, v in enumerate(row)) for r, row in enumerate(grid)]

    def _dated(self, tab: str, row: int, column: int, value: Any) -> Any:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return value
        number_format = self.emu.cell(self.key, self.title(tab), f"{column_letter(column)}{row + 1}").number_format
        return _untyped(value) if number_format and "DATE" in number_format.get("type", "") else value

    def data(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every tab but Status (whose run times change on every run), cell by cell."""
        return {tab.name: self.grid(tab.name) for tab in TABS if tab.name != "Status"}

    def charts(self, tab: str) -> list[dict[str, Any]]:
        """The charts on a tab: each as its title, kind and the cell ranges of its labels and series
        (without the header row, as the workbook's chart XML has them)."""
        found = []
        for chart in self.emu.sheet(self.key, self.title(tab)).charts:
            basic = chart["spec"]["basicChart"]
            skip = basic.get("headerCount", 0)
            domain = basic["domains"][0]["domain"]["sourceRange"]["sources"][0]
            ranges = [s["series"]["sourceRange"]["sources"][0] for s in basic["series"]]
            found.append(
                {
                    "title": chart["spec"]["title"],
                    "kind": basic["chartType"].lower(),
                    "labels": _a1(self.title(tab), domain, skip),
                    "series": [_a1(self.title(tab), r, skip) for r in ranges],
                }
            )
        return found

    def _positions(self, tab: str) -> dict[str, int]:
        headers = self.headers(tab)
        position = {h: i + 1 for i, h in enumerate(headers) if h}
        for column in TAB[tab].columns:
            label = column.label(self.config.locale)
            if label in position:
                position[column.name] = position[label]
        return position


def _a1(title: str, grid: dict[str, int], skip: int) -> str:
    """A one-column GridRange, its first `skip` rows left out, as the workbook's chart XML writes
    it: 'KPI'!$B$60:$B$72."""
    column = column_letter(grid["startColumnIndex"])
    return f"'{title}'!${column}${grid['startRowIndex'] + 1 + skip}:${column}${grid['endRowIndex']}"


_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _part(z: zipfile.ZipFile, workbook: str, rels: str, title: str) -> str:
    """The XML part of the sheet named `title`."""
    book = ElementTree.fromstring(z.read(workbook))
    main = book.tag.split("}")[0][1:]
    rid = next(s.get(f"{{{_R}}}id") for s in book.iter(f"{{{main}}}sheet") if s.get("name") == title)
    target = next(r.get("Target", "") for r in ElementTree.fromstring(z.read(rels)) if r.get("Id") == rid)
    return target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _related_all(z: zipfile.ZipFile, part: str, kind: str) -> list[str]:
    """The parts `part` links to with a relationship of `kind` (drawing, chart)."""
    folder, name = posixpath.split(part)
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in z.namelist():
        return []
    links = ElementTree.fromstring(z.read(rels)).iter(f"{{{_PKG}}}Relationship")
    targets = [link.get("Target", "") for link in links if link.get("Type", "").endswith(f"/{kind}")]
    return [t[1:] if t.startswith("/") else posixpath.normpath(posixpath.join(folder, t)) for t in targets]


def _related(z: zipfile.ZipFile, part: str, kind: str) -> str | None:
    found = _related_all(z, part, kind)
    return found[0] if found else None


def _typed(value: Any) -> Any:
    """What Google Sheets stores for what a manager typed: date cells as serial numbers."""
    from datetime import date, datetime

    from touchsheet.engine.cells import to_serial

    return to_serial(value) if isinstance(value, (date, datetime)) else value


def _untyped(value: Any) -> Any:
    """A serial number back as its date; any other number (20261125 typed in a date cell) as it is."""
    from touchsheet.engine.cells import SERIAL_RANGE, from_serial

    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return from_serial(value) if is_number and SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1] else value
