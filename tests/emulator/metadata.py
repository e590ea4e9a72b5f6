"""GET spreadsheets/{id}: the Spreadsheet resource, as Google shows it, with grid data when asked.

>>> book = Spreadsheet("1abc", "CRM", "en_US", "Etc/GMT"); _ = book.add_sheet({"title": "Leads"}, 0)
>>> spreadsheet(book, {"fields": ["sheets.properties.title"]})
{'sheets': [{'properties': {'title': 'Leads'}}]}
"""

from __future__ import annotations

import copy
from typing import Any

from . import fields, ranges
from .book import Spreadsheet
from .cells import Formula, Typed
from .errors import bad_request
from .sheet import Sheet
from .values import Query, clip, flag, render_area

# What every new spreadsheet's properties hold besides title, locale and time zone (from a recording).
DEFAULT_PROPERTIES: dict[str, Any] = {
    "defaultFormat": {
        "backgroundColor": {"red": 1, "green": 1, "blue": 1},
        "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
        "verticalAlignment": "BOTTOM",
        "wrapStrategy": "OVERFLOW_CELL",
        "textFormat": {
            "foregroundColor": {},
            "fontFamily": "arial,sans,sans-serif",
            "fontSize": 10,
            "bold": False,
            "italic": False,
            "strikethrough": False,
            "underline": False,
            "foregroundColorStyle": {"rgbColor": {}},
        },
        "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
    },
    "spreadsheetTheme": {
        "primaryFontFamily": "Arial",
        "themeColors": [
            {"colorType": kind, "color": {"rgbColor": rgb}}
            for kind, rgb in [
                ("TEXT", {}),
                ("BACKGROUND", {"red": 1, "green": 1, "blue": 1}),
                ("ACCENT1", {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}),
                ("ACCENT2", {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}),
                ("ACCENT3", {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}),
                ("ACCENT4", {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}),
                ("ACCENT5", {"red": 1, "green": 0.42745098, "blue": 0.003921569}),
                ("ACCENT6", {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}),
                ("LINK", {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}),
            ]
        ],
    },
}


def spreadsheet(book: Spreadsheet, query: Query) -> dict[str, Any]:
    """The resource, honouring includeGridData, ranges and fields (which the caller applies last)."""
    mask = fields.parse(query["fields"][0]) if query.get("fields") else {}
    with_data = flag(query, "includeGridData") or fields.mentions(mask, "sheets", "data")
    areas: dict[int, list[tuple[int, int, int, int]]] = {}
    for text in query.get("ranges", []):
        sheet, span = book.resolve(text)
        areas.setdefault(sheet.sheet_id, []).append(clip(sheet, span, text))
    sheets = [s for s in book.sheets if not areas or s.sheet_id in areas]
    answer = {
        "spreadsheetId": book.key,
        "properties": {**copy.deepcopy(book.props), **copy.deepcopy(DEFAULT_PROPERTIES)},
        "sheets": [sheet_resource(book, s, areas.get(s.sheet_id, []) if with_data else None) for s in sheets],
    }
    answer["properties"] |= {k: v for k, v in book.props.items() if k in DEFAULT_PROPERTIES}
    if book.named_ranges:
        answer["namedRanges"] = [{**n, "range": ranges.public(n["range"])} for n in book.named_ranges]
    answer["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{book.key}/edit"
    return fields.pick(answer, mask)


def sheet_resource(book: Spreadsheet, sheet: Sheet, data: list[tuple[int, int, int, int]] | None) -> dict[str, Any]:
    """One entry of "sheets": properties and whatever features the tab has (grid data when `data` is set)."""
    resource: dict[str, Any] = {"properties": copy.deepcopy(sheet.props)}
    if data is not None:
        whole = [(0, sheet.row_count, 0, sheet.col_count)]
        resource["data"] = [grid_data(book, sheet, area) for area in data or whole]
    if sheet.merges:
        resource["merges"] = [ranges.public(m) for m in sheet.merges]
    if sheet.conditional_formats:
        resource["conditionalFormats"] = [
            {**copy.deepcopy(rule), "ranges": [ranges.public(gr) for gr in rule["ranges"]]}
            for rule in sheet.conditional_formats
        ]
    if sheet.protected_ranges:
        resource["protectedRanges"] = [
            {**copy.deepcopy(p), "range": ranges.public(p["range"])} for p in sheet.protected_ranges
        ]
    if sheet.basic_filter:
        resource["basicFilter"] = {
            **copy.deepcopy(sheet.basic_filter),
            "range": ranges.public(sheet.basic_filter["range"]),
        }
    if sheet.charts:
        resource["charts"] = copy.deepcopy(sheet.charts)
    for dimension, key in (("ROWS", "rowGroups"), ("COLUMNS", "columnGroups")):
        if sheet.groups[dimension]:
            resource[key] = copy.deepcopy(sheet.groups[dimension])
    return resource


def grid_data(book: Spreadsheet, sheet: Sheet, area: tuple[int, int, int, int]) -> dict[str, Any]:
    """GridData of a rectangle: each cell's values, format, note and validation; empty cells as {}."""
    r0, r1, c0, c1 = area
    rows: list[dict[str, Any]] = []
    for r in range(r0, r1):
        cells = [_cell_data(book, sheet, r, c) for c in range(c0, c1)]
        while cells and not cells[-1]:
            cells.pop()
        rows.append({"values": cells} if cells else {})
    while rows and not rows[-1]:
        rows.pop()
    data: dict[str, Any] = {}
    if r0:
        data["startRow"] = r0
    if c0:
        data["startColumn"] = c0
    if rows:
        data["rowData"] = rows
    data["rowMetadata"] = [_pixels(sheet, "ROWS", r, 21) for r in range(r0, r1)]
    data["columnMetadata"] = [_pixels(sheet, "COLUMNS", c, 100) for c in range(c0, c1)]
    return data


def _pixels(sheet: Sheet, dimension: str, index: int, default: int) -> dict[str, Any]:
    return {"pixelSize": default, **sheet.dimensions[dimension].get(index, {})}


def _cell_data(book: Spreadsheet, sheet: Sheet, r: int, c: int) -> dict[str, Any]:
    """CellData of one cell; {} when there is nothing in it."""
    cell = sheet.cell(r, c)
    data: dict[str, Any] = {}
    if cell is not None:
        effective = _extended(book.effective(sheet, cell))
        data["userEnteredValue"] = {"formulaValue": cell.text} if cell.__class__ is Formula else effective
        data["effectiveValue"] = effective
        shown = render_area(book, sheet, (r, r + 1, c, c + 1), "FORMATTED_VALUE", "SERIAL_NUMBER", "ROWS")
        data["formattedValue"] = shown[0][0] if shown and shown[0] else ""
    fmt = copy.deepcopy(sheet.cell_format(r, c))
    if cell.__class__ is Typed:
        fmt["numberFormat"] = dict(cell.fmt)
    if fmt:
        data["userEnteredFormat"] = fmt
    if (r, c) in sheet.notes:
        data["note"] = sheet.notes[(r, c)]
    rule = sheet.validation(r, c)
    if rule:
        data["dataValidation"] = copy.deepcopy(rule)
    return data


def _extended(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": value}
    return {"stringValue": str(value)}


def check_fields(query: Query) -> None:
    """A 400 for a fields parameter that does not parse."""
    if query.get("fields"):
        try:
            fields.parse(query["fields"][0])
        except fields.MaskError:
            raise bad_request(f"Invalid field selection {query['fields'][0]}") from None
