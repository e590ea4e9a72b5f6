"""The KPI tab as plain data: sections of figures, tables, and the windows they count in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Window:
    """Days from `start` up to, not including, `end`."""

    start: date
    end: date

    def holds(self, day: date) -> bool:
        return self.start <= day < self.end


@dataclass(frozen=True)
class Figure:
    key: str  # names the figure and its definition (touchsheet/sheets/kpi_sheet.py has the words)
    values: tuple[Any, ...]  # one per column of its section; None: no data to say it with yet
    unit: str  # count | percent | money | minutes | days | ratio | step (a WeakestStep)


@dataclass(frozen=True)
class Section:
    key: str  # "periods": this week, this month, the trend's weeks; "now": a snapshot
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Table:
    key: str  # funnel | managers | trend
    columns: tuple[str, ...]  # keys of the column headers
    units: tuple[str, ...]  # one per column
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Kpi:
    as_of: datetime
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    params: dict[str, Any]  # the config numbers the definitions quote (deadline minutes...)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def figure(self, key: str) -> Figure:
        return next(f for s in self.sections for f in s.figures if f.key == key)
