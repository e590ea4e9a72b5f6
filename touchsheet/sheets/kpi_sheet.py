"""The KPI tab's layout: the figures with their definitions, then each table, with number formats."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from touchsheet.engine.kpi import Kpi
from touchsheet.schema import value_label


@dataclass
class KpiSheet:
    rows: list[list[Any]]
    units: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col), 0-based -> unit
    bold: set[int] = field(default_factory=set)  # 0-based rows: titles and table headers


def kpi_sheet(kpi: Kpi, locale: str, tz: ZoneInfo) -> KpiSheet:
    sheet = KpiSheet(rows=[])
    as_of = kpi.as_of.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
    _add(sheet, ["KPI", as_of], bold=True, units={1: "datetime"})
    _add(sheet, [])
    _add(sheet, ["Metric", "Value", "Definition"], bold=True)
    for figure in kpi.figures:
        _add(sheet, [figure.name, figure.value, figure.definition], units={1: figure.unit})
    for table in kpi.tables:
        _add(sheet, [])
        _add(sheet, [table.title], bold=True)
        _add(sheet, list(table.columns), bold=True)
        for row in table.rows:
            _add(sheet, [value_label(v, locale) if isinstance(v, enum.Enum) else v for v in row])
    return sheet


def _add(sheet: KpiSheet, row: list[Any], bold: bool = False, units: dict[int, str] | None = None) -> None:
    index = len(sheet.rows)
    sheet.rows.append(row)
    if bold:
        sheet.bold.add(index)
    for column, unit in (units or {}).items():
        sheet.units[(index, column)] = unit
