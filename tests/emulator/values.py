"""The spreadsheets.values endpoints: get, batchGet, update, batchUpdate, append, clear, batchClear.

Each function takes the spreadsheet (the caller holds the emulator's lock), the request's range,
query and JSON body, and returns the JSON answer or raises ApiError, as Google would.

>>> book = Spreadsheet("1abc", "CRM", "en_US", "Etc/GMT"); _ = book.add_sheet({"title": "Leads"}, 0)
>>> update(book, "Leads!A1", {"values": [["ID", "=1+1"]]}, {"valueInputOption": ["USER_ENTERED"]})["updatedRange"]
'Leads!A1:B1'
>>> get(book, "Leads", {})
{'range': 'Leads!A1:Z1000', 'majorDimension': 'ROWS', 'values': [['ID', '2']]}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import a1
from .book import Spreadsheet
from .cells import DATE_TYPES, Formula, Typed, number
from .entry import CELL_LIMIT, EntryError, enter
from .errors import ApiError, bad_request
from .render import general, show
from .sheet import SKIP, Sheet

Query = dict[str, list[str]]
FAST = frozenset({str, int, float, bool})

_ENUMS = {
    "valueRenderOption": (
        "value_render_option",
        "ValueRenderOption",
        ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"),
    ),
    "dateTimeRenderOption": ("date_time_render_option", "DateTimeRenderOption", ("SERIAL_NUMBER", "FORMATTED_STRING")),
    "majorDimension": ("major_dimension", "Dimension", ("ROWS", "COLUMNS", "DIMENSION_UNSPECIFIED")),
    "valueInputOption": ("value_input_option", "ValueInputOption", ("RAW", "USER_ENTERED")),
    "insertDataOption": ("insert_data_option", "InsertDataOption", ("OVERWRITE", "INSERT_ROWS")),
}
_VALUE_RANGE_KEYS = {"range", "majorDimension", "values"}


def option(source: dict[str, Any], name: str, default: str | None) -> str | None:
    """An enum option from a query (lists) or a body (plain values), checked as Google checks it."""
    value = source.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return default
    snake, type_name, allowed = _ENUMS[name]
    if value not in allowed:
        message = f"Invalid value at '{snake}' (type.googleapis.com/google.apps.sheets.v4.{type_name}), \"{value}\""
        raise bad_request(message, snake)
    return "ROWS" if value == "DIMENSION_UNSPECIFIED" else value


def flag(source: dict[str, Any], name: str) -> bool:
    value = source.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value).lower() == "true"


def get(book: Spreadsheet, text: str, query: Query) -> dict[str, Any]:
    """GET values/{range}: a ValueRange, trimmed as Google trims it."""
    render = option(query, "valueRenderOption", "FORMATTED_VALUE")
    dates = option(query, "dateTimeRenderOption", "SERIAL_NUMBER")
    major = option(query, "majorDimension", "ROWS")
    sheet, span = book.resolve(text)
    r0, r1, c0, c1 = clip(sheet, span, text)
    return value_range(book, sheet, (r0, r1, c0, c1), render, dates, major)


def batch_get(book: Spreadsheet, query: Query) -> dict[str, Any]:
    """GET values:batchGet?ranges=...&ranges=...: one ValueRange per range, in order."""
    answer: dict[str, Any] = {"spreadsheetId": book.key}
    ranges = [get(book, text, query) for text in query.get("ranges", [])]
    if ranges:
        answer["valueRanges"] = ranges
    return answer


def value_range(
    book: Spreadsheet, sheet: Sheet, area: tuple[int, int, int, int], render: str, dates: str, major: str
) -> dict[str, Any]:
    """A ValueRange answer: the range as Google writes it, majorDimension, and values when there are any."""
    r0, r1, c0, c1 = area
    answer: dict[str, Any] = {"range": a1.format_range(sheet.title, r0, c0, r1, c1), "majorDimension": major}
    values = render_area(book, sheet, area, render, dates, major)
    if values:
        answer["values"] = values
    return answer


def clip(sheet: Sheet, span: a1.Span, text: str) -> tuple[int, int, int, int]:
    """The span closed at the grid's edge; a start outside the grid is Google's 400."""
    rows, cols = sheet.row_count, sheet.col_count
    if span.r0 >= rows or span.c0 >= cols:
        raise _exceeds(sheet, text)
    r1 = rows if span.r1 is None else min(span.r1, rows)
    c1 = cols if span.c1 is None else min(span.c1, cols)
    return span.r0, r1, span.c0, c1


def _exceeds(sheet: Sheet, text: str) -> ApiError:
    _, ref = a1.split(text)
    label = a1.quote_title(sheet.title) + (f"!{ref}" if ref and sheet.title != ref else "")
    return bad_request(
        f"Range ({label}) exceeds grid limits. Max rows: {sheet.row_count}, max columns: {sheet.col_count}"
    )


def render_area(
    book: Spreadsheet, sheet: Sheet, area: tuple[int, int, int, int], render: str, dates: str, major: str
) -> list[list[Any]]:
    """The values of a rectangle as the API renders them: trailing empties trimmed, "" in the middle."""
    r0, r1, c0, c1 = area
    convert = _converter(book, sheet, area, render, dates)
    rows = sheet.rows
    out: list[list[Any]] = []
    last = 0
    for r in range(r0, min(r1, len(rows))):
        segment = rows[r][c0:c1]
        values = convert(segment, r) if segment else []
        while values and values[-1] == "":
            values.pop()
        out.append(values)
        if values:
            last = len(out)
    del out[last:]
    return _columns(out) if major == "COLUMNS" else out


def _columns(rows: list[list[Any]]) -> list[list[Any]]:
    width = max((len(row) for row in rows), default=0)
    columns = [[row[j] if j < len(row) else "" for row in rows] for j in range(width)]
    for column in columns:
        while column and column[-1] == "":
            column.pop()
    return columns


def _converter(
    book: Spreadsheet, sheet: Sheet, area: tuple[int, int, int, int], render: str, dates: str
) -> Callable[[list[Any], int], list[Any]]:
    """A function turning a row segment of stored cells into rendered values (fast for plain cells)."""
    r0, r1, c0, c1 = area
    loc = book.locale
    formats = (
        sheet.number_format_columns(r0, r1, c0, c1) if render == "FORMATTED_VALUE" or dates != "SERIAL_NUMBER" else {}
    )

    def number_format(r: int, c: int) -> dict[str, Any] | None:
        for lo, hi, fmt in formats.get(c, ()):
            if lo <= r < hi:
                return fmt
        return None

    def slow(cell: Any, r: int, c: int) -> Any:
        fmt = number_format(r, c) if formats else None
        if cell.__class__ is Typed:
            fmt, value = cell.fmt, cell.value
        elif cell.__class__ is Formula:
            if render == "FORMULA":
                return cell.text
            value = book.effective(sheet, cell)
        else:
            value = cell
        if value.__class__ is str:
            return value
        if value.__class__ is bool:
            return ("TRUE" if value else "FALSE") if render == "FORMATTED_VALUE" else value
        if render == "FORMATTED_VALUE":
            return show(value, fmt, loc) if fmt else general(value, loc)
        if dates == "FORMATTED_STRING" and fmt and fmt.get("type") in DATE_TYPES:
            return show(value, fmt, loc)
        return number(value)

    if render != "FORMATTED_VALUE" and not formats:

        def convert(segment: list[Any], r: int) -> list[Any]:
            return ["" if v is None else v if v.__class__ in FAST else slow(v, r, 0) for v in segment]

    elif not formats:

        def convert(segment: list[Any], r: int) -> list[Any]:
            return ["" if v is None else v if v.__class__ is str else slow(v, r, 0) for v in segment]

    else:

        def convert(segment: list[Any], r: int) -> list[Any]:
            return ["" if v is None else slow(v, r, c) for c, v in enumerate(segment, c0)]

    return convert


def update(book: Spreadsheet, text: str, body: Any, query: Query) -> dict[str, Any]:
    """PUT values/{range}: write a ValueRange; a null leaves its cell alone, "" empties it."""
    values, major = _value_range_body(body, "data")
    user_entered = _input_option(query)
    sheet, span = book.resolve(text)
    answer = write(book, sheet, span, text, values, major, user_entered)
    return _with_data(book, sheet, answer, query, major)


def batch_update(book: Spreadsheet, body: Any) -> dict[str, Any]:
    """POST values:batchUpdate: several ValueRanges at once, all or none."""
    body = _object(
        body,
        {
            "valueInputOption",
            "data",
            "includeValuesInResponse",
            "responseValueRenderOption",
            "responseDateTimeRenderOption",
        },
    )
    user_entered = _input_option(body)
    answer: dict[str, Any] = {"spreadsheetId": book.key}
    data = body.get("data") or []
    if not data:
        return answer
    parsed = []
    for i, item in enumerate(data):
        values, major = _value_range_body(item, f"data[{i}]")
        if not isinstance(item.get("range"), str):
            raise bad_request(f"Invalid data[{i}]: range is required")
        parsed.append((book.resolve(item["range"]), item["range"], values, major))
    responses, rows, columns, sheets = [], set(), set(), set()
    for (sheet, span), text, values, major in parsed:
        response = write(book, sheet, span, text, values, major, user_entered, cells=(rows, columns))
        responses.append(_with_data(book, sheet, response, body, major))
        if response.get("updatedCells"):
            sheets.add(sheet.sheet_id)
    totals = {"totalUpdatedRows": len(rows), "totalUpdatedColumns": len(columns)}
    totals |= {"totalUpdatedCells": sum(r.get("updatedCells", 0) for r in responses), "totalUpdatedSheets": len(sheets)}
    return answer | {k: v for k, v in totals.items() if v} | {"responses": responses}


def append(book: Spreadsheet, text: str, body: Any, query: Query) -> dict[str, Any]:
    """POST values/{range}:append: find the table in the range and write after its last row."""
    values, major = _value_range_body(body, "data")
    user_entered = _input_option(query)
    insert = option(query, "insertDataOption", "OVERWRITE") == "INSERT_ROWS"
    sheet, span = book.resolve(text)
    clip(sheet, span, text)
    table, row, col = find_table(sheet, span)
    height = len(values) if major == "ROWS" else max((len(v) for v in values), default=0)
    if insert and height:
        if row < sheet.row_count:
            sheet.insert("ROWS", row, height)
        else:
            sheet.resize(row + height, sheet.col_count)
    start = a1.Span(row, col, None, None, cell=True)
    updates = write(book, sheet, start, text, values, major, user_entered, grow=True)
    answer: dict[str, Any] = {"spreadsheetId": book.key}
    if table:
        top, bottom, left, right = table
        answer["tableRange"] = a1.format_range(sheet.title, top, left, bottom, right)
    answer["updates"] = _with_data(book, sheet, updates, query, major)
    return answer


def find_table(sheet: Sheet, span: a1.Span) -> tuple[tuple[int, int, int, int] | None, int, int]:
    """The table an append range points at and where the next row goes: (table, row, column).

    A table is a block of filled cells joined side by side or above one another. In a bigger
    range it is the block around the range's last filled cell, so a row typed with a gap
    (["a", "", "c"]) makes the next append start under "c", exactly as Google does; a lone
    cell ("A1") names the table that starts there.
    """
    rows = sheet.rows
    top_limit, left_limit = span.r0, span.c0
    right_limit = sheet.col_count if span.cell or span.c1 is None else span.c1
    bottom_limit = sheet.row_count if span.cell or span.r1 is None else span.r1
    if span.cell:
        if sheet.cell(span.r0, span.c0) is None:
            return None, span.r0, span.c0
        seed_row, seed_col = span.r0, span.c0
    else:
        seed = _last_filled(rows, top_limit, min(bottom_limit, len(rows)), left_limit, right_limit)
        if seed is None:
            return None, span.r0, span.c0
        seed_row, seed_col = seed
    left, right = _run(rows[seed_row], seed_col, seed_col, left_limit, right_limit)
    top = bottom = seed_row
    while top - 1 >= top_limit and _any_filled(rows[top - 1], left, right):
        top -= 1
        left, right = _run(rows[top], left, right, left_limit, right_limit)
    while bottom + 1 < min(bottom_limit, len(rows)) and _any_filled(rows[bottom + 1], left, right):
        bottom += 1
        left, right = _run(rows[bottom], left, right, left_limit, right_limit)
    return (top, bottom + 1, left, right + 1), bottom + 1, left


def _last_filled(rows: list[list[Any]], r0: int, r1: int, c0: int, c1: int) -> tuple[int, int] | None:
    for r in range(r1 - 1, r0 - 1, -1):
        segment = rows[r][c0:c1]
        for i in range(len(segment) - 1, -1, -1):
            if segment[i] is not None:
                return r, c0 + i
    return None


def _any_filled(row: list[Any], left: int, right: int) -> bool:
    if left < len(row) and row[left] is not None:  # a table's rows mostly start filled: 500,000 of them
        return True
    return any(v is not None for v in row[left : right + 1])


def _run(row: list[Any], left: int, right: int, left_limit: int, right_limit: int) -> tuple[int, int]:
    """Widen [left, right] over the filled cells touching it in this row."""
    while left - 1 >= left_limit and left - 1 < len(row) and row[left - 1] is not None:
        left -= 1
    while right + 1 < min(right_limit, len(row)) and row[right + 1] is not None:
        right += 1
    return left, right


def clear(book: Spreadsheet, text: str) -> dict[str, Any]:
    """POST values/{range}:clear: empty the values (formats and validations stay)."""
    sheet, span = book.resolve(text)
    r0, r1, c0, c1 = clip(sheet, span, text)
    sheet.clear(r0, r1, c0, c1)
    return {"spreadsheetId": book.key, "clearedRange": a1.format_range(sheet.title, r0, c0, r1, c1)}


def batch_clear(book: Spreadsheet, body: Any) -> dict[str, Any]:
    """POST values:batchClear: clear several ranges."""
    body = _object(body, {"ranges"})
    areas = []
    for text in body.get("ranges") or []:
        sheet, span = book.resolve(text)
        areas.append((sheet, clip(sheet, span, text)))
    for sheet, (r0, r1, c0, c1) in areas:
        sheet.clear(r0, r1, c0, c1)
    cleared = [a1.format_range(sheet.title, r0, c0, r1, c1) for sheet, (r0, r1, c0, c1) in areas]
    return {"spreadsheetId": book.key, "clearedRanges": cleared} if cleared else {"spreadsheetId": book.key}


def write(
    book: Spreadsheet,
    sheet: Sheet,
    span: a1.Span,
    text: str,
    values: list[list[Any]],
    major: str,
    user_entered: bool,
    grow: bool = False,
    cells: tuple[set, set] | None = None,
) -> dict[str, Any]:
    """Write values at a span; the UpdateValuesResponse. `cells` collects (sheet, row) and (sheet, col) touched."""
    block = _transposed(values) if major == "COLUMNS" else values
    height, width = len(block), max((len(row) for row in block), default=0)
    r0, c0 = span.r0, span.c0
    _check_fits(sheet, span, text, height, width, grow)
    if grow and (r0 + height > sheet.row_count or c0 + width > sheet.col_count):
        sheet.resize(max(sheet.row_count, r0 + height), max(sheet.col_count, c0 + width))
    converted = _converted(book, sheet, block, r0, c0, user_entered)
    sheet.write(r0, c0, converted)
    written_rows = {r0 + i for i, row in enumerate(converted) if any(v is not SKIP for v in row)}
    written_cols = {c0 + j for row in converted for j, v in enumerate(row) if v is not SKIP}
    count = sum(1 for row in converted for v in row if v is not SKIP)
    if cells is not None:
        cells[0].update((sheet.sheet_id, r) for r in written_rows)
        cells[1].update((sheet.sheet_id, c) for c in written_cols)
    r1, c1 = (r0 + height, c0 + width) if height and width else _span_end(sheet, span)
    answer: dict[str, Any] = {"spreadsheetId": book.key, "updatedRange": a1.format_range(sheet.title, r0, c0, r1, c1)}
    counts = {"updatedRows": len(written_rows), "updatedColumns": len(written_cols), "updatedCells": count}
    return answer | {k: v for k, v in counts.items() if v}


def _span_end(sheet: Sheet, span: a1.Span) -> tuple[int, int]:
    return (
        min(span.r1 or sheet.row_count, sheet.row_count) if not span.cell else span.r0 + 1,
        min(span.c1 or sheet.col_count, sheet.col_count) if not span.cell else span.c0 + 1,
    )


def _check_fits(sheet: Sheet, span: a1.Span, text: str, height: int, width: int, grow: bool) -> None:
    """Google's 400s for values that overflow the range given or the grid."""
    if not span.cell:
        if span.r1 is not None and span.r0 + height > span.r1:
            raise bad_request(
                f"Requested writing within range [{_label(sheet, span)}], but tried writing to row [{span.r1 + 1}]"
            )
        if span.c1 is not None and span.c0 + width > span.c1:
            raise bad_request(
                f"Requested writing within range [{_label(sheet, span)}], but tried writing to column "
                f"[{a1.column_letters(span.c1)}]"
            )
    if not grow and (span.r0 + max(height, 1) > sheet.row_count or span.c0 + max(width, 1) > sheet.col_count):
        raise _exceeds(sheet, text)


def _label(sheet: Sheet, span: a1.Span) -> str:
    return a1.format_range(sheet.title, span.r0, span.c0, span.r1 or sheet.row_count, span.c1 or sheet.col_count)


def _converted(
    book: Spreadsheet, sheet: Sheet, block: list[list[Any]], r0: int, c0: int, user_entered: bool
) -> list[list[Any]]:
    """JSON values turned into cells (SKIP for null), as RAW or USER_ENTERED says."""
    loc = book.locale
    width = max((len(row) for row in block), default=0)
    formats = sheet.number_format_columns(r0, r0 + len(block), c0, c0 + width) if user_entered else {}
    out = []
    for i, row in enumerate(block):
        try:
            if formats:
                r = r0 + i
                cells = [SKIP if v is None else enter(v, True, loc, _at(formats, r, c)) for c, v in enumerate(row, c0)]
            elif user_entered:
                cells = [SKIP if v is None else enter(v, True, loc) for v in row]
            else:  # text as it is, but for a text too long for a cell: enter() refuses it
                cells = [
                    SKIP
                    if v is None
                    else (v or None)
                    if v.__class__ is str and len(v) <= CELL_LIMIT
                    else enter(v, False, loc)
                    for v in row
                ]
        except EntryError as error:
            j = next(j for j, v in enumerate(row) if isinstance(v, list | dict))
            raise bad_request(f"Invalid values[{i}][{j}]: {str(error).replace('dict', 'struct')}_value") from None
        out.append(cells)
    return out


def _at(formats: dict[int, list[tuple[int, int, Any]]], r: int, c: int) -> dict[str, Any] | None:
    for lo, hi, fmt in formats.get(c, ()):
        if lo <= r < hi:
            return fmt
    return None


def _transposed(columns: list[list[Any]]) -> list[list[Any]]:
    height = max((len(column) for column in columns), default=0)
    return [[column[i] if i < len(column) else None for column in columns] for i in range(height)]


def _with_data(
    book: Spreadsheet, sheet: Sheet, answer: dict[str, Any], options: dict[str, Any], major: str
) -> dict[str, Any]:
    """Add updatedData when the request asked for includeValuesInResponse."""
    if not flag(options, "includeValuesInResponse"):
        return answer
    render, dates = _response_render(options), _response_dates(options)
    _, span = book.resolve(answer["updatedRange"])
    area = (span.r0, span.r1 or span.r0 + 1, span.c0, span.c1 or span.c0 + 1)
    answer["updatedData"] = value_range(book, sheet, area, render, dates, major)
    return answer


def _response_render(options: dict[str, Any]) -> str:
    value = options.get("responseValueRenderOption")
    return option({"valueRenderOption": value}, "valueRenderOption", "FORMATTED_VALUE") or "FORMATTED_VALUE"


def _response_dates(options: dict[str, Any]) -> str:
    value = options.get("responseDateTimeRenderOption")
    return option({"dateTimeRenderOption": value}, "dateTimeRenderOption", "SERIAL_NUMBER") or "SERIAL_NUMBER"


def _input_option(source: dict[str, Any]) -> bool:
    """True for USER_ENTERED; the option is required, as Google requires it."""
    value = option(source, "valueInputOption", None)
    if value is None:
        raise bad_request("'valueInputOption' is required but not specified")
    return value == "USER_ENTERED"


def _object(body: Any, allowed: set[str]) -> dict[str, Any]:
    """A JSON object body with only known fields (Google rejects unknown names)."""
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise bad_request("Invalid JSON payload received. Expected an object.")
    for key in body:
        if key not in allowed:
            raise bad_request(f'Invalid JSON payload received. Unknown name "{key}": Cannot find field.')
    return body


def _value_range_body(body: Any, field: str) -> tuple[list[list[Any]], str]:
    """The values and majorDimension of a ValueRange body, checked as Google checks them."""
    body = _object(body, _VALUE_RANGE_KEYS)
    values = body.get("values")
    if values is None:
        values = []
    if not isinstance(values, list):
        raise _list_value(f"{field}.values", values)
    for i, row in enumerate(values):
        if not isinstance(row, list):
            raise _list_value(f"{field}.values[{i}]", row)
    return values, option(body, "majorDimension", "ROWS") or "ROWS"


def _list_value(field: str, value: Any) -> ApiError:
    shown = value if isinstance(value, str) else repr(value)
    message = f"Invalid value at '{field}' (type.googleapis.com/google.protobuf.ListValue), \"{shown}\""
    return bad_request(message, field)
