"""What a workbook Excel or LibreOffice saved holds that openpyxl does not look after by itself:
formulas it hands over as objects, rich text, the 1904 calendar, tables (Format as Table)."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from openpyxl.cell.rich_text import CellRichText
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.worksheet import Worksheet

from touchsheet.engine.table import Formula, Table

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KeptFormula(Formula):
    """A formula openpyxl hands over as an object, not as its text: an array formula (Excel 365's
    dynamic ones, LibreOffice's Ctrl+Shift+Enter ones) or a data table's. Said as any formula is,
    and written back as that object."""

    read: ArrayFormula | DataTableFormula = field(compare=False)


def _kept(formula: ArrayFormula | DataTableFormula) -> KeptFormula:
    if isinstance(formula, ArrayFormula):
        return KeptFormula("=" + (formula.text or "").lstrip("="), formula)
    return KeptFormula(f"=TABLE({formula.r1 or ''},{formula.r2 or ''})", formula)  # as Excel shows a data table's cells


# what a cell openpyxl reads as an object of its own is to the engine
READ_AS = {ArrayFormula: _kept, DataTableFormula: _kept, CellRichText: str}


def anchored(formula: ArrayFormula | DataTableFormula, coordinate: str) -> ArrayFormula | DataTableFormula:
    """An array formula's range starts at its own cell: one that moved with its task covers the cell
    it landed in (pointing at its old row, Excel repairs the file and LibreOffice shows it empty)."""
    if formula.ref.split(":")[0] == coordinate:
        return formula
    moved = copy.copy(formula)
    moved.ref = coordinate
    return moved


_MAC_1904_DAYS = 1462  # serial 0 of Mac Excel's 1904 calendar (1904-01-01) is serial 1462 of the 1900 one


def on_1900_calendar(tables: Iterable[Table]) -> None:
    """A workbook on Mac Excel's 1904 calendar: its serial numbers in date columns, moved onto the
    1900 calendar the engine reads (openpyxl reads date cells in either calendar itself)."""
    for table in tables:
        dated = [p for name, p in table.columns.items() if table.tab.column(name).type in ("date", "datetime")]
        for values in table.rows:
            for position in dated:
                if position < len(values) and values[position].__class__ in (int, float):  # a tick is no date
                    values[position] += _MAC_1904_DAYS


def grow_tables(sheet: Worksheet, table: Table, first: int, last: int) -> None:
    """The rows the run wrote on a tab, sheet rows `first` to `last`, go into a table (Format as
    Table) over its columns that ended right above them or among them, as Excel takes a row typed
    below one in: or its filter and sort, and the team's Log[...] formulas, never see them."""
    columns = {position + 1 for position in table.columns.values()}
    for found in sheet.tables.values():
        left, top, right, bottom = range_boundaries(found.ref)
        if not first - 1 <= bottom < last or not any(left <= column <= right for column in columns):
            continue
        if found.totalsRowCount:  # the rows would go below its totals row, or the totals among the rows
            logger.warning(
                "tab '%s': the rows this run wrote are outside table '%s', below its totals row. Fix: turn its "
                "Total Row off (Table Design) and sum the column above the table instead.",
                sheet.title,
                found.displayName,
            )
            continue
        found.ref = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{last}"
        if found.autoFilter is not None:
            found.autoFilter.ref = found.ref
