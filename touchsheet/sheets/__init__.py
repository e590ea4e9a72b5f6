"""Workbook backends behind one small interface: read every tab, write one batch of changes.

`xlsx` (a local file, openpyxl) is the offline default; `google` (gspread) is the team's real sheet.
"""

from __future__ import annotations

from typing import Protocol

from touchsheet.engine.table import Table, listed
from touchsheet.schema import Tab
from touchsheet.sheets.changes import Changes

FIX = "run `python -m touchsheet init --config <config.yaml>` to add it (data is kept)."  # a tab or column missing


class Workbook(Protocol):
    def read(self) -> dict[str, Table]:
        """Every tab by its English name; SheetError naming the tab when one is missing, or when two
        go by its names (`one_tab_each`). A missing column is for the caller to refuse
        (`require_columns`): the Status tab can still say why a run failed."""
        ...

    def write(self, changes: Changes) -> dict[str, list[int]]:
        """Apply one batch of changes, all or nothing; return the sheet rows appended, per tab."""
        ...

    def has_room(self, due_keys: list[str]) -> bool:
        """Whether these tasks fit on the Due today tab as it is. When they don't, growing it costs a
        Google Sheet one API call more than a run that sends emails may make: they go in the next run."""
        ...

    def init(self) -> list[str]:
        """Create the workbook, or the tabs and columns it lacks; say what was added. Data is never touched."""
        ...


def one_tab_each(titles: dict[Tab, list[str]]) -> list[str]:
    """A line for each of touchsheet's tabs that two tabs of the workbook go by (`Лиды` and
    `Клиенты`, both the Leads tab's names), given their titles in tab order: only the first is read."""
    return [
        f"Tabs {listed([repr(t) for t in found])} are each named as touchsheet's {tab.name} tab, and only "
        f"'{found[0]}' is read: merge them into one, or rename the others."
        for tab, found in titles.items()
        if len(found) > 1
    ]
