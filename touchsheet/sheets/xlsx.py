"""The local workbook backend (openpyxl): what LibreOffice and Excel open.

It refuses to touch a workbook someone has open (their lock file is there), and it never leaves a
half-written file: it saves to a temporary file beside it and swaps it in.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import warnings
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook as Book
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from touchsheet.engine.model import Channel, Result, Stage
from touchsheet.engine.table import (
    ErrorValue,
    Formula,
    Table,
    held_by_team,
    is_blank,
    match_columns,
    table_from_grid,
)
from touchsheet.errors import SheetError
from touchsheet.schema import DUE_TODAY, LEADS, TABS, Tab, allowed_words, norm, tab_keys
from touchsheet.sheets import FIX, one_tab_each, teams_tab
from touchsheet.sheets.changes import DUE_MANAGER_COLUMNS, Changes
from touchsheet.sheets.formats import number_format
from touchsheet.sheets.kpi_sheet import Chart, KpiSheet
from touchsheet.sheets.xlsx_fidelity import READ_AS, KeptFormula, anchored, grow_tables, on_1900_calendar
from touchsheet.sheets.xlsx_file import carry_extensions, keep_owner, synced

logger = logging.getLogger(__name__)

HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
PROBLEM_FILL = PatternFill("solid", fgColor="F8D7DA")
_VALIDATED_ROWS = 5000


class XlsxWorkbook:
    def __init__(self, path: Path, locale: str = "en") -> None:
        self.path = path
        self.locale = locale
        self._book: Book | None = None
        self._tables: dict[str, Table] = {}
        self._stamp: tuple[int, int] | None = None  # the file as this backend last read or saved it

    def read(self) -> dict[str, Table]:
        self._refuse_if_open()
        if not self.path.exists():
            raise SheetError(f"{self.path} does not exist. Fix: run `python -m touchsheet init --config <config.yaml>`")
        book = self._load()
        titles = _titles(book)
        sheets = {tab: book[found[0]] if found else None for tab, found in titles.items()}
        missing = [f"'{tab.label(self.locale)}'" for tab, sheet in sheets.items() if sheet is None]
        if missing:
            raise SheetError(f"{self.path.name} has no tab {', '.join(missing)}. Fix: {FIX}")
        tables = {tab.name: _table(tab, sheet) for tab, sheet in sheets.items() if sheet is not None}
        theirs = one_tab_each(titles) + [line for table in tables.values() for line in teams_tab(table, self.locale)]
        if theirs:
            raise SheetError(" ".join(theirs))
        if book.epoch == CALENDAR_MAC_1904:
            on_1900_calendar(tables.values())
        self._book, self._tables = book, tables
        return tables

    def write(self, changes: Changes) -> dict[str, list[int]]:
        appended: dict[str, list[int]] = {name: [] for name in changes.appends}
        if changes.empty:
            return appended
        assert self._book is not None, "read() first"
        book, tables = self._book, self._tables
        for write in changes.cells:
            table = tables[write.tab]
            _put(_sheet(book, table), write.row, table.columns[write.column] + 1, write.value, self.locale)
        for tab_name, rows in changes.appends.items():
            table = tables[tab_name]
            sheet = _sheet(book, table)
            while table.rows and table.blank(table.rows[-1]):
                table.rows.pop()  # it holds only the team's own cells: the row appended goes beside them
            width = max(table.columns.values(), default=-1) + 1
            for row in rows:
                values = [None] * width
                for column, value in row.items():
                    if column in table.columns:
                        values[table.columns[column]] = value
                table.rows.append(values)
                appended[tab_name].append(table.sheet_row(len(table.rows) - 1))
                for position, value in enumerate(values):
                    if value is not None:
                        _put(sheet, appended[tab_name][-1], position + 1, value, self.locale)
            if rows:
                grow_tables(sheet, table, appended[tab_name][0], appended[tab_name][-1])
        if changes.due_today is not None:
            _replace_rows(_sheet(book, tables["Due today"]), tables["Due today"], changes.due_today, self.locale)
        if changes.kpi is not None:
            _write_kpi(_sheet(book, tables["KPI"]), changes.kpi, self.locale)
        _draw_charts(_sheet(book, tables["KPI"]), changes.charts)
        if changes.status is not None:
            _write_grid(_sheet(book, tables["Status"]), changes.status, self.locale)
        self._save(book)
        return appended

    def has_room(self, due_keys: list[str]) -> bool:
        return True  # a workbook file grows as it is written

    def init(self) -> list[str]:
        self._refuse_if_open()
        done: list[str] = []
        if self.path.exists():
            book = self._load()
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            book = openpyxl.Workbook()
            book.remove(book.active)
            done.append(f"created {self.path}")
        titles = _titles(book)
        theirs = one_tab_each(titles)  # what the team keeps where touchsheet would write: left as it is
        for tab, found in titles.items():
            sheet = book[found[0]] if found else None
            if sheet is None:
                sheet = book.create_sheet(tab.label(self.locale))
                done.append(f"added tab '{sheet.title}'")
            table = _table(tab, sheet)
            held = teams_tab(table, self.locale) + held_by_team(table)
            theirs += held
            if not held:
                done += _add_missing_columns(sheet, table, self.locale)
        if done:
            self._save(book)
        return done + theirs

    def _load(self) -> Book:
        try:
            self._stamp = _stamp(self.path)
            with warnings.catch_warnings():  # what openpyxl says it drops, the save carries over
                warnings.filterwarnings("ignore", ".* extension is not supported and will be removed")
                return openpyxl.load_workbook(self.path, rich_text=True)  # a word made bold in a cell stays bold
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as e:
            raise SheetError(
                f"{self.path} is not a readable .xlsx workbook ({e}). Fix: point workbook.path at one."
            ) from None

    def _refuse_if_open(self) -> None:
        # workbook.path may be a link to the team's file: whoever has it open, by either name, locks it
        for path in dict.fromkeys((self.path, self.path.resolve())):
            name = path.name
            for lock in (f".~lock.{name}#", f"~${name}", f"~${name[2:]}"):
                if (path.parent / lock).exists():
                    raise SheetError(
                        f"{name} is open in LibreOffice or Excel (lock file {lock} found). Close it and run again; "
                        f"if nobody has it open, delete {path.parent / lock}."
                    )

    def _save(self, book: Book) -> None:
        self._refuse_if_open()
        if self.path.exists() and _stamp(self.path) != self._stamp:
            raise SheetError(
                f"{self.path.name} was changed while this run worked (saved from LibreOffice or Excel?): "
                "nothing was written over it; the next run starts again from what it holds now."
            )
        if self.path.exists() and not os.access(self.path, os.W_OK):
            raise SheetError(f"{self.path} is read-only. Fix: make it writable (nothing was changed).")
        target = self.path.resolve()  # a link to the team's file: the file itself is replaced, the link stays
        try:
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".tmp")
        except OSError as e:
            raise SheetError(f"cannot write next to {target} ({e.strerror}). Fix: make the folder writable.") from None
        os.close(handle)
        try:
            book.save(temporary)
            carry_extensions(target, temporary)
            keep_owner(temporary, target)
            os.chmod(temporary, _mode_for(target))  # mkstemp makes it 600: keep the workbook's own permissions
            synced(temporary)  # on disk before it takes the workbook's place: a power cut leaves one or the other
            os.replace(temporary, target)
        except OSError as e:
            raise SheetError(f"cannot save {self.path} ({e.strerror}); it was left as it was.") from None
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        # the swap on disk too; a shared folder (SMB, FUSE) may refuse to sync a folder: the file is there already
        with contextlib.suppress(OSError):
            synced(target.parent)
        self._stamp = _stamp(self.path)
        logger.info("saved %s", self.path)


def _mode_for(path: Path) -> int:
    """The permission bits a save keeps: the workbook's own, or for a new one what any new file gets
    (0666 less the umask)."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def _stamp(path: Path) -> tuple[int, int] | None:
    """When the file was last written, and its size: how a save by someone else shows."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_mtime_ns, found.st_size


def _titles(book: Book) -> dict[Tab, list[str]]:
    """The titles of the tabs each of touchsheet's goes by, in tab order: the first is the one read."""
    return {tab: [title for title in book.sheetnames if norm(title) in tab_keys(tab)] for tab in TABS}


def _sheet(book: Book, table: Table) -> Worksheet:
    return book[table.title]


# LibreOffice saves every TRUE or FALSE cell (a ticked Done, an Opt out) as this formula: it is the value
_BOOLEANS = {"=TRUE()": True, "=FALSE()": False, "=TRUE": True, "=FALSE": False}


_ERRORS = frozenset(ERROR_CODES)


def _table(tab: Tab, sheet: Worksheet) -> Table:
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    for index, values in enumerate(rows):  # a formula or an error reads as its text: mark it, typed text stays text
        for column, value in enumerate(values):
            kind = value.__class__
            if kind is str:
                if value.startswith("=") and sheet.cell(index + 1, column + 1).data_type == "f":
                    values[column] = _BOOLEANS.get(value.upper(), Formula(value))
                elif value in _ERRORS and sheet.cell(index + 1, column + 1).data_type == "e":
                    values[column] = ErrorValue(value)
            elif kind in READ_AS:
                values[column] = READ_AS[kind](value)
    for merged in _merged_down(sheet):  # on screen, each row under the range shows its value
        first = rows[merged.min_row - 1][merged.min_col - 1]
        for index in range(merged.min_row, merged.max_row):
            rows[index][merged.min_col - 1] = first
    return table_from_grid(tab, sheet.title, rows)


def _merged_down(sheet: Worksheet) -> list[CellRange]:
    return [r for r in sheet.merged_cells.ranges if _down(r)]


def _down(merged: CellRange) -> bool:
    """Cells merged down one column: a manager's name, a date, typed once for a group of leads."""
    return merged.min_col == merged.max_col and merged.min_row < merged.max_row


def _put(sheet: Worksheet, row: int, column: int, value: Any, locale: str) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(cell, MergedCell):
        cell = _unmerge(sheet, cell)
    if isinstance(value, Formula):  # a manager's formula, or an error, kept with its task: put back as it was
        cell.value = anchored(value.read, cell.coordinate) if isinstance(value, KeptFormula) else value.text
        return
    if isinstance(value, str) and not value.isprintable():
        # openpyxl refuses control characters: one cell (a mail server's odd reply) would stop the whole save
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text that looks like a formula stays text
    elif isinstance(value, datetime):
        cell.number_format = number_format("datetime", locale)
    elif isinstance(value, date):
        cell.number_format = number_format("date", locale)


def _unmerge(sheet: Worksheet, cell: MergedCell) -> Cell:
    """A cell the run writes lies under cells the team merged (a heading row across the tab, a name
    down a group of leads): the range is unmerged so the value lands. Only a range's first cell holds
    a value; merged down, it is copied to each row, as the run read it: nothing is lost."""
    merged = next(r for r in sheet.merged_cells.ranges if cell.coordinate in r)
    first = sheet.cell(row=merged.min_row, column=merged.min_col).value
    sheet.unmerge_cells(merged.coord)
    if _down(merged):  # each row keeps the value it showed (a stage written for one lead of the group)
        for row in range(merged.min_row + 1, merged.max_row + 1):
            sheet.cell(row=row, column=merged.min_col).value = first
    logger.info("tab '%s': unmerged %s to write %s", sheet.title, merged.coord, cell.coordinate)
    return sheet.cell(row=cell.row, column=cell.column)


def _replace_rows(sheet: Worksheet, table: Table, rows: Sequence[dict[str, Any]], locale: str) -> None:
    old = len(table.rows)
    for index, row in enumerate(rows):
        for column, position in table.columns.items():
            _put(sheet, table.sheet_row(index), position + 1, row.get(column), locale)
    for index in range(len(rows), old):
        for position in table.columns.values():
            _put(sheet, table.sheet_row(index), position + 1, None, locale)
    _carry_own_cells(sheet, table, rows, locale)
    if rows:
        grow_tables(sheet, table, table.sheet_row(0), table.sheet_row(len(rows) - 1))
    # A filter saved on the tab hid rows by what they held: they hold other tasks now. Its criteria
    # go, its dropdowns stay.
    sheet.auto_filter.filterColumn = []
    for number, dimension in sheet.row_dimensions.items():
        if number > table.header_row:
            dimension.hidden = False


def _carry_own_cells(sheet: Worksheet, table: Table, rows: Sequence[dict[str, Any]], locale: str) -> None:
    """The rows were written in a new order: what the team typed in its own columns moves with its
    task, never left beside another lead, and goes when the task leaves the tab, as the task's own
    cells do. A row holding only the team's cells goes below the tasks. A formula of theirs stays
    where it is: it speaks of its own row."""
    ours = set(table.columns.values())
    theirs = {p for p in range(max(map(len, table.rows), default=0)) if p not in ours}
    if not theirs:
        return
    by_task: dict[Any, dict[int, Any]] = {}
    loose: list[dict[int, Any]] = []
    for values in table.rows:
        typed = {p: v for p, v in enumerate(values) if p in theirs and not is_blank(v) and not isinstance(v, Formula)}
        if not typed:
            continue
        task = _task_of({c: table.cell(values, c) for c in ("Key", *DUE_MANAGER_COLUMNS)})
        if table.blank(values) or task in by_task:
            loose.append(typed)
        else:
            by_task[task] = typed
    placed = dict(enumerate(by_task.get(_task_of(row), {}) for row in rows))
    for index, typed in list(placed.items()):
        clash = {p: v for p, v in typed.items() if _formula_at(table, index, p)}
        if clash:  # a formula of theirs holds that cell on the task's new row: what was typed goes below
            placed[index] = {p: v for p, v in typed.items() if p not in clash}
            loose.append(clash)
    index = len(rows)
    for typed in loose:
        while any(_formula_at(table, index, p) for p in typed):
            index += 1
        placed[index], index = typed, index + 1
    for index in range(max(max(placed, default=-1) + 1, len(table.rows))):
        here = table.rows[index] if index < len(table.rows) else []
        typed = placed.get(index, {})
        for p in theirs:
            was = here[p] if p < len(here) else None
            if not isinstance(was, Formula) and was != typed.get(p):
                _put(sheet, table.sheet_row(index), p + 1, typed.get(p), locale)


def _formula_at(table: Table, index: int, position: int) -> bool:
    here = table.rows[index] if index < len(table.rows) else []
    return position < len(here) and isinstance(here[position], Formula)


def _task_of(row: dict[str, Any]) -> Any:
    """Which task a Due today row holds: its Key, or for a row without one, what the manager typed."""
    key = row.get("Key")
    return str(key).strip() if not is_blank(key) else tuple(row.get(c) for c in DUE_MANAGER_COLUMNS)


def _write_kpi(sheet: Worksheet, kpi: KpiSheet, locale: str) -> None:
    if sheet.max_row:
        sheet.delete_rows(1, sheet.max_row)
    for r, values in enumerate(kpi.rows):
        for c, value in enumerate(values):
            _put(sheet, r + 1, c + 1, value, locale)
            pattern = number_format(kpi.units.get((r, c), "text"), locale)
            if pattern:
                sheet.cell(r + 1, c + 1).number_format = pattern
            if r in kpi.bold:
                sheet.cell(r + 1, c + 1).font = Font(bold=True)
            if r in kpi.headers:
                sheet.cell(r + 1, c + 1).alignment = Alignment(wrap_text=True, vertical="top")
                sheet.row_dimensions[r + 1].height = 30
    for letter, width in zip("ABCDEFGHIJ", (48, 17, 17, 17, 15, 15, 15, 15, 15, 3)):
        sheet.column_dimensions[letter].width = width
    # printed (or exported to PDF), the tab and its charts fit one page wide
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0


def _draw_charts(sheet: Worksheet, charts: list[Chart]) -> None:
    """openpyxl reads back the charts of a workbook it loads: the KPI tab's are replaced by new ones
    at every save, drawn over the tables as they are now (never doubled)."""
    sheet._charts = []  # noqa: SLF001 - openpyxl has no public way to remove a chart
    for spec in charts:
        chart: BarChart | LineChart = BarChart() if spec.kind == "bar" else LineChart()
        if isinstance(chart, BarChart):
            chart.type = "bar"  # horizontal, the first step on top
            chart.x_axis.scaling.orientation = "maxMin"
        chart.title = spec.title
        chart.width, chart.height = 18, 8.5
        for column in spec.series:
            values = Reference(sheet, min_col=column + 1, min_row=spec.header_row + 1, max_row=spec.last_row + 1)
            chart.add_data(values, titles_from_data=True)
        for series in chart.series:
            series.smooth = False  # a week's figure is a point, not a curve
        labels = Reference(sheet, min_col=spec.categories + 1, min_row=spec.first_row + 1, max_row=spec.last_row + 1)
        chart.set_categories(labels)
        chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides both axes unless told
        if spec.percent:
            chart.y_axis.number_format = "0%"
            chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
        if len(spec.series) == 1:
            chart.legend = None
        sheet.add_chart(chart, f"{get_column_letter(spec.anchor[1] + 1)}{spec.anchor[0] + 1}")


def _write_grid(sheet: Worksheet, rows: list[list[Any]], locale: str) -> None:
    """A small tab of label/value lines (Status), rewritten whole."""
    if sheet.max_row:
        sheet.delete_rows(1, sheet.max_row)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            _put(sheet, r + 1, c + 1, value, locale)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 40


def _add_missing_columns(sheet: Worksheet, table: Table, locale: str) -> list[str]:
    tab = table.tab
    if not tab.columns:
        return []
    fresh = not table.headers or all(h is None for h in table.headers)
    header_row = table.header_row or 1
    # right of every column in use: a column of the team's own may have no header
    values = sheet.iter_rows(values_only=True)
    next_column = 1 + max((i + 1 for row in values for i, v in enumerate(row) if v not in (None, "")), default=0)
    added = []
    for column in tab.columns:
        if column.name in table.columns:
            continue
        cell = sheet.cell(row=header_row, column=next_column)
        cell.value = column.label(locale)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(next_column)].width = max(12, len(column.label(locale)) + 4)
        next_column += 1
        added.append(column.label(locale))
    if fresh:
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        _dress(sheet, tab, locale, header_row)
    return [f"tab '{sheet.title}': added column(s) {', '.join(added)}"] if added else []


def _dress(sheet: Worksheet, tab: Tab, locale: str, header_row: int) -> None:
    """Dropdowns, date formats and highlights for a tab `init` just laid out."""
    columns = match_columns(tab, [c.value for c in sheet[header_row]])
    last = header_row + _VALIDATED_ROWS

    def span(name: str) -> str:
        letter = get_column_letter(columns[name] + 1)
        return f"{letter}{header_row + 1}:{letter}{last}"

    yes_no = "да,нет" if locale == "ru" else "yes,no"
    lists = {"Stage": allowed_words(Stage, locale), "Result": allowed_words(Result, locale)}
    lists["Channel"] = allowed_words(Channel, locale)
    for name, words in lists.items():
        if name in columns and tab in (LEADS, DUE_TODAY):
            _dropdown(sheet, span(name), ",".join(words))
    for name in ("Opt out", "Done"):
        if name in columns:
            _dropdown(sheet, span(name), yes_no)
    if "Problem" in columns:
        letter = get_column_letter(columns["Problem"] + 1)
        rule = FormulaRule(formula=[f"LEN(${letter}{header_row + 1})>0"], fill=PROBLEM_FILL)
        sheet.conditional_formatting.add(span("Problem"), rule)
    if tab is DUE_TODAY:
        letter = get_column_letter(columns["Overdue"] + 1)
        end = get_column_letter(len(tab.columns))
        rule = FormulaRule(formula=[f"${letter}{header_row + 1}=TRUE"], fill=PROBLEM_FILL)
        sheet.conditional_formatting.add(f"A{header_row + 1}:{end}{last}", rule)
        sheet.auto_filter.ref = f"A{header_row}:{end}{header_row}"


def _dropdown(sheet: Worksheet, cells: str, words: str) -> None:
    validation = DataValidation(type="list", formula1=f'"{words}"', allow_blank=True)
    validation.add(cells)
    sheet.add_data_validation(validation)
