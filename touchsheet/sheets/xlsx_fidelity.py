"""What a workbook Excel saved holds that openpyxl does not look after by itself."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from touchsheet.engine.table import Table

logger = logging.getLogger(__name__)

MAC_1904_DAYS = 1462  # serial 0 of Mac Excel's 1904 calendar (1904-01-01) is serial 1462 of the 1900 one


def on_1900_calendar(tables: Iterable[Table]) -> None:
    """A workbook on Mac Excel's 1904 calendar: its serial numbers in date columns, moved onto the
    1900 calendar the engine reads (openpyxl reads date cells in either calendar itself)."""
    for table in tables:
        dated = [p for name, p in table.columns.items() if table.tab.column(name).type in ("date", "datetime")]
        for values in table.rows:
            for position in dated:
                if position < len(values) and values[position].__class__ in (int, float):  # a tick is no date
                    values[position] += MAC_1904_DAYS


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
