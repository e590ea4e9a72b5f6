"""The KPI tab's layout, for any backend: the figures, the funnel, the managers' table and the
weekly trend as cells with number formats, the charts drawn from them, and each figure's definition.

What the owner looks at comes first: the figures on the left, the charts beside them (a backend
draws them from `KpiSheet.charts`: openpyxl charts in the workbook, addChart requests on Google
Sheets), the tables below, and the definitions at the bottom.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from touchsheet.engine.kpi import Kpi, Table, WeakestStep
from touchsheet.schema import value_label
from touchsheet.sheets.kpi_words import definition, name
from touchsheet.words import said

CHART_COLUMN = 10  # K: right of the widest table
CHART_ROWS = 18  # rows each chart covers


@dataclass(frozen=True)
class Chart:
    """A native chart over cells of the KPI tab (rows and columns 0-based, rows inclusive)."""

    kind: str  # bar | line
    title: str
    header_row: int  # the series' names
    first_row: int
    last_row: int
    categories: int  # the column of the labels (stages, weeks)
    series: tuple[int, ...]  # the columns of the values
    anchor: tuple[int, int]  # the cell of the chart's top-left corner
    percent: bool = False  # values are shares: the axis reads 0%-100%


@dataclass
class KpiSheet:
    rows: list[list[Any]]
    units: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col), 0-based -> unit
    bold: set[int] = field(default_factory=set)  # 0-based rows: titles and table headers
    headers: set[int] = field(default_factory=set)  # 0-based rows of column headers: two lines, wrapped
    charts: list[Chart] = field(default_factory=list)


def kpi_sheet(kpi: Kpi, locale: str, tz: ZoneInfo) -> KpiSheet:
    sheet = KpiSheet(rows=[])
    params = kpi.params

    def word(key: str) -> str:
        return name(key, locale, params)

    as_of = kpi.as_of.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
    _add(sheet, ["KPI", as_of], bold=True, units={1: "datetime"})
    for section in kpi.sections:
        _add(sheet, [])
        header = ("figure", "week", "month", "span") if section.key == "periods" else ("now", "value")
        _add(sheet, [word(k) for k in header], bold=True)
        for figure in section.figures:
            units = {1 + i: figure.unit for i in range(len(figure.values))}
            _add(sheet, [word(figure.key), *(_shown(v, locale) for v in figure.values)], units=units)
    placed = {table.key: _add_table(sheet, table, locale, word) for table in kpi.tables}
    _add(sheet, [])
    _add(sheet, [word("definitions")], bold=True)
    for figure in (f for section in kpi.sections for f in section.figures):
        _add(sheet, [word(figure.key), definition(figure.key, locale, params)])
    funnel, trend = placed["funnel"], placed["trend"]
    sheet.charts = [
        Chart("bar", word("funnel"), funnel[0], funnel[0] + 1, funnel[1], 0, (1,), (0, CHART_COLUMN)),
        Chart("line", word("leads_chart"), trend[0], trend[0] + 1, trend[1], 0, (1, 2), (CHART_ROWS, CHART_COLUMN)),
        Chart(
            "line",
            word("discipline_chart"),
            trend[0],
            trend[0] + 1,
            trend[1],
            0,
            (3, 4),
            (2 * CHART_ROWS, CHART_COLUMN),
            percent=True,
        ),
    ]
    return sheet


def _add_table(sheet: KpiSheet, table: Table, locale: str, word: Callable[[str], str]) -> tuple[int, int]:
    """A titled table; returns its header row and last row (0-based)."""
    _add(sheet, [])
    _add(sheet, [word(table.key)], bold=True)
    header = len(sheet.rows)
    column_keys = ("trend_week" if k == "week" else k for k in table.columns)
    _add(sheet, [word(k) for k in column_keys], bold=True)
    sheet.headers.add(header)
    for row in table.rows:
        units = {i: unit for i, unit in enumerate(table.units) if unit != "text"}
        _add(sheet, [_shown(v, locale) for v in row], units=units)
    return header, len(sheet.rows) - 1


def _shown(value: Any, locale: str) -> Any:
    if isinstance(value, enum.Enum):
        return value_label(value, locale)
    if isinstance(value, WeakestStep):
        start, end = value_label(value.start, locale), value_label(value.end, locale)
        return f"{start} → {end}: {value.conversion:.0%}"
    return said(value, locale) if isinstance(value, str) else value


def _add(sheet: KpiSheet, row: list[Any], bold: bool = False, units: dict[int, str] | None = None) -> None:
    index = len(sheet.rows)
    sheet.rows.append(row)
    if bold:
        sheet.bold.add(index)
    for column, unit in (units or {}).items():
        sheet.units[(index, column)] = unit
