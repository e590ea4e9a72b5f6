"""What makes the Google Sheet look like a tool: frozen headers, dropdowns and checkboxes, date
formats, red overdue and problem cells, a filter on Due today, warnings on the worker's columns,
KPI number formats. All as spreadsheets.batchUpdate requests (one call)."""

from __future__ import annotations

from typing import Any

from touchsheet.engine.model import Channel, Kind, Result, Stage, Status
from touchsheet.engine.table import Table
from touchsheet.schema import DUE_TODAY, LEADS, TOUCH_LOG, Owner, allowed_words
from touchsheet.sheets.a1 import column_letter
from touchsheet.sheets.kpi_sheet import KpiSheet

DATE = {"en": "yyyy-mm-dd", "ru": "dd.mm.yyyy"}
DATETIME = {"en": "yyyy-mm-dd hh:mm", "ru": "dd.mm.yyyy hh:mm"}
UNIT_PATTERN = {
    "percent": ("PERCENT", "0.0%"),
    "money": ("NUMBER", "#,##0.00"),
    "count": ("NUMBER", "0"),
    "days": ("NUMBER", "0.0"),
    "minutes": ("NUMBER", "0"),
}
RED = {"red": 0.97, "green": 0.84, "blue": 0.85}
HEADER = {"red": 0.87, "green": 0.91, "blue": 0.94}
WORDS = {
    "Stage": Stage,
    "Result": Result,
    "Channel": Channel,
    "Next channel": Channel,
    "Kind": Kind,
    "Next kind": Kind,
    "Status": Status,
}


def init_requests(tabs: dict[str, dict[str, Any]], tables: dict[str, Table], locale: str) -> list[dict[str, Any]]:
    """Layout for the tabs `init` just gave headers."""
    requests: list[dict[str, Any]] = []
    for name, table in tables.items():
        sheet = tabs[name]["id"]
        header = table.header_row or 1
        requests.append(
            {
                "updateSheetProperties": {
                    "properties": {"sheetId": sheet, "gridProperties": {"frozenRowCount": header}},
                    "fields": "gridProperties.frozenRowCount",
                }
            }
        )
        requests.append(
            _repeat(
                sheet,
                header - 1,
                header,
                None,
                {"userEnteredFormat": {"textFormat": {"bold": True}, "backgroundColor": HEADER}},
                "userEnteredFormat(textFormat,backgroundColor)",
            )
        )
        for column in table.tab.columns:
            if column.name not in table.columns:
                continue
            index = table.columns[column.name]
            if column.type in ("date", "datetime"):
                pattern = (DATE if column.type == "date" else DATETIME)[locale]
                kind = "DATE" if column.type == "date" else "DATE_TIME"
                requests.append(
                    _repeat(
                        sheet,
                        header,
                        None,
                        index,
                        {"userEnteredFormat": {"numberFormat": {"type": kind, "pattern": pattern}}},
                        "userEnteredFormat.numberFormat",
                    )
                )
            if column.name in WORDS and table.tab in (LEADS, DUE_TODAY, TOUCH_LOG):
                requests.append(_validation(sheet, header, index, allowed_words(WORDS[column.name], locale)))
            elif column.type == "bool" and column.name == "Done":
                requests.append(_checkbox(sheet, header, index))
            elif column.type == "bool":
                requests.append(_validation(sheet, header, index, ["да", "нет"] if locale == "ru" else ["yes", "no"]))
        if "Problem" in table.columns:
            requests.append(_highlight(sheet, header, table, "Problem", f"=LEN({_cell(table, 'Problem', header)})>0"))
        if table.tab is DUE_TODAY:
            requests.append(_highlight(sheet, header, table, None, f"={_cell(table, 'Overdue', header)}=TRUE"))
            requests.append({"setBasicFilter": {"filter": {"range": {"sheetId": sheet, "startRowIndex": header - 1}}}})
        requests += _warnings(sheet, header, table)
    return requests


def kpi_format_requests(sheet: int, kpi: KpiSheet) -> list[dict[str, Any]]:
    """Number formats and bold rows for the KPI grid (sent only when its layout changes)."""
    requests = [_repeat(sheet, 0, None, None, {"userEnteredFormat": {}}, "userEnteredFormat")]
    for (row, column), unit in sorted(kpi.units.items()):
        if unit == "datetime":
            number = {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}
        elif unit in UNIT_PATTERN:
            number = {"type": UNIT_PATTERN[unit][0], "pattern": UNIT_PATTERN[unit][1]}
        else:
            continue
        requests.append(
            _repeat(
                sheet,
                row,
                row + 1,
                column,
                {"userEnteredFormat": {"numberFormat": number}},
                "userEnteredFormat.numberFormat",
            )
        )
    for row in sorted(kpi.bold):
        requests.append(
            _repeat(
                sheet,
                row,
                row + 1,
                None,
                {"userEnteredFormat": {"textFormat": {"bold": True}}},
                "userEnteredFormat.textFormat.bold",
            )
        )
    return requests


def _repeat(sheet: int, first: int, last: int | None, column: int | None, cell: dict, fields: str) -> dict:
    grid: dict[str, Any] = {"sheetId": sheet, "startRowIndex": first}
    if last is not None:
        grid["endRowIndex"] = last
    if column is not None:
        grid |= {"startColumnIndex": column, "endColumnIndex": column + 1}
    return {"repeatCell": {"range": grid, "cell": cell, "fields": fields}}


def _column_range(sheet: int, header: int, index: int) -> dict[str, int]:
    return {"sheetId": sheet, "startRowIndex": header, "startColumnIndex": index, "endColumnIndex": index + 1}


def _validation(sheet: int, header: int, index: int, words: list[str]) -> dict:
    values = [{"userEnteredValue": word} for word in words]
    rule = {"condition": {"type": "ONE_OF_LIST", "values": values}, "showCustomUi": True, "strict": False}
    return {"setDataValidation": {"range": _column_range(sheet, header, index), "rule": rule}}


def _checkbox(sheet: int, header: int, index: int) -> dict:
    rule = {"condition": {"type": "BOOLEAN"}, "strict": False}
    return {"setDataValidation": {"range": _column_range(sheet, header, index), "rule": rule}}


def _highlight(sheet: int, header: int, table: Table, column: str | None, formula: str) -> dict:
    grid: dict[str, Any] = {"sheetId": sheet, "startRowIndex": header}
    if column is not None:
        index = table.columns[column]
        grid |= {"startColumnIndex": index, "endColumnIndex": index + 1}
    rule = {
        "ranges": [grid],
        "booleanRule": {
            "condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": formula}]},
            "format": {"backgroundColor": RED},
        },
    }
    return {"addConditionalFormatRule": {"rule": rule, "index": 0}}


def _warnings(sheet: int, header: int, table: Table) -> list[dict]:
    """The worker rewrites its columns every run: typing there shows a warning first."""
    if table.tab is TOUCH_LOG:
        return []  # managers add rows to the log by hand
    found = []
    for column in table.tab.columns:
        if column.owner is Owner.WORKER and column.name in table.columns:
            found.append(
                {
                    "addProtectedRange": {
                        "protectedRange": {
                            "range": _column_range(sheet, header, table.columns[column.name]),
                            "description": f"touchsheet writes {column.name} on every run",
                            "warningOnly": True,
                        }
                    }
                }
            )
    return found


def _cell(table: Table, column: str, header: int) -> str:
    return f"${column_letter(table.columns[column])}{header + 1}"
