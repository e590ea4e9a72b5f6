"""A tab as the engine receives it from any backend: its header row and its data rows, raw.

Cells are what the backend read: str, int, float, bool, datetime, date, None, or `Formula`
(xlsx only: a formula cell, or an `ErrorValue` one left, which the engine never takes for a value
someone typed).
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from touchsheet.errors import SheetError
from touchsheet.schema import LEADS, Owner, Tab, column_keys, norm


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


@dataclass(frozen=True, slots=True)
class Formula:
    text: str

    def __str__(self) -> str:
        return self.text


class ErrorValue(Formula):
    """An error a formula gave (#N/A, #REF!...), pasted as a value: no more a value than the formula
    was, and it stays where it is as a formula does."""

    __slots__ = ()


@dataclass
class Table:
    """One tab: `rows[i]` is sheet row `header_row + 1 + i`; rows may be shorter than the header."""

    tab: Tab
    title: str  # the tab's name as it is in the sheet (may be the Russian one)
    header_row: int
    headers: list[Any]
    rows: list[list[Any]]
    columns: dict[str, int] = field(default_factory=dict)  # canonical column name -> 0-based index

    def __post_init__(self) -> None:
        if not self.columns:
            self.columns = match_columns(self.tab, self.headers)

    def sheet_row(self, index: int) -> int:
        return self.header_row + 1 + index

    def missing(self) -> list[str]:
        return [c.name for c in self.tab.columns if c.required and c.name not in self.columns]

    def doubled(self) -> dict[str, list[int]]:
        """The known columns two headers or more name (an alias among them, or a hidden old copy):
        only the first is read, so a tick in the other (an Opt out) would be missed in silence."""
        return {name: places for name, places in header_places(self.tab, self.headers).items() if len(places) > 1}

    def held(self) -> list[str]:
        """The worker's columns a team's Leads tab has under the names touchsheet writes in, holding
        what the team typed (its own 'Канал', where a lead came from): a run would write over it.
        Found while the tab is not laid out for touchsheet yet: a column of its own is missing and
        no run has written there."""
        worker = [c.name for c in self.tab.columns if c.owner is Owner.WORKER]
        if self.tab is not LEADS or all(name in self.columns for name in worker) or any(map(self._holds, _RUN_MARKS)):
            return []
        return [name for name in worker if self._holds(name)]

    def _holds(self, column: str) -> bool:
        return any(not is_blank(self.cell(row, column)) for row in self.rows)

    def blank(self, row: list[Any]) -> bool:
        """Whether a row holds nothing in the tab's own columns: the team's columns are never read
        (a formula of theirs filled down ahead of the data makes no row)."""
        size = len(row)
        return all(index >= size or is_blank(row[index]) for index in self.columns.values())

    def cell(self, row: list[Any], column: str) -> Any:
        index = self.columns.get(column)
        if index is None or index >= len(row):
            return None
        return row[index]


# A run writes these on each lead with a touch ahead or behind it: a value in either is a run's
_RUN_MARKS = ("Next touch at", "Last touch at")

_HEADER_SCAN = 10  # a header row may sit below a title row or two


def table_from_grid(tab: Tab, title: str, grid: list[list[Any]]) -> Table:
    """A tab's cells as a backend read them (row lists, first row first, handed over: the table
    keeps them) -> Table, header found by name."""
    rows = list(grid)
    while rows and all(v is None or v == "" for v in rows[-1]):
        rows.pop()
    header_row = 0
    if tab.columns:
        header_row = next(
            (i + 1 for i, values in enumerate(rows[:_HEADER_SCAN]) if len(match_columns(tab, values)) >= 2), 1
        )
    headers = rows[header_row - 1] if header_row and rows else []
    return Table(tab, title, header_row, list(headers), rows[header_row:])


def match_columns(tab: Tab, headers: list[Any]) -> dict[str, int]:
    """Map each known column to its position by header name; the first match wins (a second one
    stops the run: `Table.doubled`).

    Unknown headers are simply not mapped: those columns belong to the team and are never touched.
    """
    return {name: places[0] for name, places in header_places(tab, headers).items()}


def header_places(tab: Tab, headers: list[Any]) -> dict[str, list[int]]:
    """Each known column's positions, left to right, by header name."""
    names = _names_by_key(tab)
    found: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        if header is None or str(header).strip() == "":
            continue
        name = names.get(norm(header))
        if name is not None:
            found.setdefault(name, []).append(index)
    return found


@functools.cache
def _names_by_key(tab: Tab) -> dict[str, str]:
    """Each header key a tab's columns go by -> the column's name (the header row is looked for
    in ten rows of every tab at every read)."""
    names: dict[str, str] = {}
    for column in tab.columns:
        for key in column_keys(column):
            names.setdefault(key, column.name)
    return names


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def require_columns(tables: Collection[Table], fix: str) -> None:
    """Raise one clear error naming every required column the tabs lack, every column of the
    team's a run would write over, and every column two headers name."""
    missing = [
        f"Tab '{table.title}' has no column {', '.join(repr(m) for m in table.missing())}"
        for table in tables
        if table.missing() and not table.held()  # init adds none while the team's are in the way
    ]
    said = [f"{'; '.join(missing)}. Fix: {fix}"] if missing else []
    said += [line for table in tables for line in held_by_team(table)]
    said += [
        f"Tab '{table.title}': columns {_named(table, places)} are each '{name}', and only the first is read: keep one."
        for table in tables
        for name, places in table.doubled().items()
    ]
    if said:
        raise SheetError(" ".join(said))


def held_by_team(table: Table) -> list[str]:
    """The line that names the team's columns `Table.held` finds, for `init` and the run alike."""
    held = table.held()
    if not held:
        return []
    columns = "column" if len(held) == 1 else "columns"
    holds = "holds" if len(held) == 1 else "hold"
    return [
        f"Tab '{table.title}': {columns} {_named(table, [table.columns[name] for name in held])} {holds} what your "
        f"team typed, and touchsheet writes each lead's {listed([repr(name) for name in held])} there: rename "
        "yours, then run init to give touchsheet its own."
    ]


def _named(table: Table, places: list[int]) -> str:
    """[5, 6] -> "F 'Opt out' and G 'Unsubscribed'"."""
    return listed([f"{column_letter(p)} '{str(table.headers[p]).strip()}'" for p in places])


def listed(items: list[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else items[0]
