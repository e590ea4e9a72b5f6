"""Workbook backends behind one small interface: read every tab, write one batch of changes.

`xlsx` (a local file, openpyxl) is the offline default; `google` (gspread) is the team's real sheet.
"""

from __future__ import annotations

from typing import Protocol

from touchsheet.engine.status import LABELS
from touchsheet.engine.table import Table, is_blank, listed
from touchsheet.schema import DUE_TODAY, KPI, STATUS, Tab
from touchsheet.sheets.changes import Changes

FIX = "run `python -m touchsheet init --config <config.yaml>` to add it (data is kept)."  # a tab or column missing

# The first cell of a tab touchsheet rewrites whole, once a run wrote it, in either language
_TITLES = {KPI.name: (KPI.name,), STATUS.name: ("Last run started", LABELS["ru"]["Last run started"])}


class Workbook(Protocol):
    def read(self) -> dict[str, Table]:
        """Every tab by its English name; SheetError naming the tab when one is missing, when two go
        by its names (`one_tab_each`), or when it holds the team's own cells (`teams_tab`). A missing
        column is for the caller to refuse (`require_columns`): the Status tab can still say why a
        run failed."""
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


def teams_tab(table: Table, locale: str) -> list[str]:
    """The line that names a tab found by the name of one touchsheet rewrites (KPI, Status, Due
    today) holding the team's own cells instead (its `Показатели`, its `Задачи`): a run would wipe
    them. `init` lays out no such tab, and a run reads none."""
    if table.tab is DUE_TODAY:
        theirs = "Key" not in table.columns  # touchsheet's has its Key column
    else:
        first = table.rows[0][0] if table.rows and table.rows[0] else None
        theirs = table.tab.name in _TITLES and first not in _TITLES[table.tab.name]
    if not theirs or all(is_blank(v) for row in table.rows for v in row):
        return []
    return [
        f"Tab '{table.title}' holds what your team typed, and touchsheet rewrites its {table.tab.name} tab at "
        f"every run: rename yours, then run init to make touchsheet's own '{table.tab.label(locale)}'."
    ]


def one_tab_each(titles: dict[Tab, list[str]]) -> list[str]:
    """A line for each of touchsheet's tabs that two tabs of the workbook go by (`Лиды` and
    `Клиенты`, both the Leads tab's names), given their titles in tab order: only the first is read."""
    return [
        f"Tabs {listed([repr(t) for t in found])} are each named as touchsheet's {tab.name} tab, and only "
        f"'{found[0]}' is read: merge them into one, or rename the others."
        for tab, found in titles.items()
        if len(found) > 1
    ]
