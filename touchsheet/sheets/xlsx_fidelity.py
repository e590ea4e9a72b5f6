"""What a workbook Excel saved holds that openpyxl does not look after by itself."""

from __future__ import annotations

from collections.abc import Iterable

from touchsheet.engine.table import Table

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
