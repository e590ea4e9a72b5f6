"""What makes the Google Sheet look like a tool: frozen headers, dropdowns and checkboxes, date
formats, red overdue and problem cells, a filter on Due today, warnings on the worker's columns,
KPI number formats. All as spreadsheets.batchUpdate requests (one call)."""

from __future__ import annotations

from typing import Any

from touchsheet.engine.model import Channel, Kind, Result, Stage, Status
from touchsheet.engine.table import Table, column_letter
from touchsheet.schema import DUE_TODAY, LEADS, TOUCH_LOG, Owner, allowed_words
from touchsheet.sheets.formats import number_format
from touchsheet.sheets.kpi_sheet import Chart, KpiSheet

NUMBER_TYPES = {"percent": "PERCENT", "date": "DATE", "datetime": "DATE_TIME"}  # others: NUMBER
CHART_IDS = 7_114_000  # the KPI charts' ids: ours to replace, whatever else is on the tab
CHART_SIZE = {"widthPixels": 640, "heightPixels": 340}
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
                requests.append(date_format(sheet, index, column.type, locale))
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


def date_format(sheet: int, index: int, kind: str, locale: str) -> dict[str, Any]:
    """A date or date-time column's format, over the whole column: the rows the Touch log's append
    inserts (below the header, below the last row) fall inside it, whichever neighbour they copy."""
    number = {"type": NUMBER_TYPES[kind], "pattern": number_format(kind, locale)}
    return _repeat(
        sheet, 0, None, index, {"userEnteredFormat": {"numberFormat": number}}, "userEnteredFormat.numberFormat"
    )


def kpi_format_requests(sheet: int, kpi: KpiSheet, locale: str) -> list[dict[str, Any]]:
    """Number formats and bold rows for the KPI grid (sent only when its layout changes)."""
    requests = [_repeat(sheet, 0, None, None, {"userEnteredFormat": {}}, "userEnteredFormat")]
    for (row, column), unit in sorted(kpi.units.items()):
        pattern = number_format(unit, locale)
        if pattern is None:
            continue
        number = {"type": NUMBER_TYPES.get(unit, "NUMBER"), "pattern": pattern}
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
        wrap = {"wrapStrategy": "WRAP", "verticalAlignment": "TOP"} if row in kpi.headers else {}
        requests.append(
            _repeat(
                sheet,
                row,
                row + 1,
                None,
                {"userEnteredFormat": {"textFormat": {"bold": True}, **wrap}},
                "userEnteredFormat.textFormat.bold,userEnteredFormat.wrapStrategy,userEnteredFormat.verticalAlignment",
            )
        )
    return requests


def chart_requests(sheet: int, charts: list[Chart], drawn: list[int]) -> list[dict[str, Any]]:
    """Replace the KPI charts: delete those of ours already on the tab, add each again."""
    ours = {CHART_IDS + i for i in range(len(charts) + 10)}
    requests: list[dict[str, Any]] = [{"deleteEmbeddedObject": {"objectId": i}} for i in drawn if i in ours]
    for chart_id, chart in zip(chart_ids(charts), charts):
        position = {"anchorCell": {"sheetId": sheet, "rowIndex": chart.anchor[0], "columnIndex": chart.anchor[1]}}
        spec = {"title": chart.title, "basicChart": _basic_chart(sheet, chart)}
        embedded = {"chartId": chart_id, "spec": spec, "position": {"overlayPosition": position | CHART_SIZE}}
        requests.append({"addChart": {"chart": embedded}})
    return requests


def chart_ids(charts: list[Chart]) -> list[int]:
    return [CHART_IDS + i for i in range(len(charts))]


def _basic_chart(sheet: int, chart: Chart) -> dict[str, Any]:
    def column(index: int, first: int) -> dict[str, Any]:
        span = {"startRowIndex": first, "endRowIndex": chart.last_row + 1}
        return {
            "sourceRange": {
                "sources": [{"sheetId": sheet, "startColumnIndex": index, "endColumnIndex": index + 1} | span]
            }
        }

    bar = chart.kind == "bar"
    values_axis = "BOTTOM_AXIS" if bar else "LEFT_AXIS"
    axis: dict[str, Any] = {"position": values_axis}
    if chart.percent:
        axis["viewWindowOptions"] = {"viewWindowMin": 0, "viewWindowMax": 1, "viewWindowMode": "EXPLICIT"}
    return {
        "chartType": "BAR" if bar else "LINE",
        "legendPosition": "NO_LEGEND" if len(chart.series) == 1 else "BOTTOM_LEGEND",
        "headerCount": 1,
        "axis": [axis],
        "domains": [{"domain": column(chart.categories, chart.header_row)}],
        "series": [{"series": column(s, chart.header_row), "targetAxis": values_axis} for s in chart.series],
    }


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
