"""spreadsheets.batchUpdate: requests applied in order, all or nothing, with Google's replies and errors.

>>> book = Spreadsheet("1abc", "CRM", "en_US", "Etc/GMT"); _ = book.add_sheet({"title": "Leads"}, 0)
>>> ctx = Context(book, "bot@demo.iam.gserviceaccount.com", iter(range(7, 100)).__next__)
>>> reply = apply(ctx, {"requests": [{"addSheet": {"properties": {"title": "Costs"}}}]})["replies"][0]
>>> reply["addSheet"]["properties"]["sheetId"], reply["addSheet"]["properties"]["gridProperties"]
(7, {'rowCount': 1000, 'columnCount': 26})
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import a1, fields, ranges
from .book import Spreadsheet
from .cells import Formula, Typed, number
from .entry import CELL_LIMIT, too_long
from .errors import bad_request, unimplemented
from .sheet import Sheet

# Every request type the Sheets API v4 knows: others are a typo, answered as Google answers one.
GOOGLE_REQUESTS = frozenset(
    """addBanding addChart addConditionalFormatRule addDataSource addDimensionGroup addFilterView addNamedRange
    addProtectedRange addSheet addSlicer addTable appendCells appendDimension autoFill autoResizeDimensions
    cancelDataSourceRefresh clearBasicFilter copyPaste createDeveloperMetadata cutPaste deleteBanding
    deleteConditionalFormatRule deleteDataSource deleteDeveloperMetadata deleteDimension deleteDimensionGroup
    deleteDuplicates deleteEmbeddedObject deleteFilterView deleteNamedRange deleteProtectedRange deleteRange
    deleteSheet deleteTable duplicateFilterView duplicateSheet findReplace insertDimension insertRange mergeCells
    moveDimension pasteData randomizeRange refreshDataSource repeatCell setBasicFilter setDataValidation sortRange
    textToColumns trimWhitespace unmergeCells updateBanding updateBorders updateCells updateChartSpec
    updateConditionalFormatRule updateDataSource updateDeveloperMetadata updateDimensionGroup
    updateDimensionProperties updateEmbeddedObjectBorder updateEmbeddedObjectPosition updateFilterView
    updateNamedRange updateProtectedRange updateSheetProperties updateSlicerSpec updateSpreadsheetProperties
    updateTable""".split()
)
_BODY_KEYS = {"requests", "includeSpreadsheetInResponse", "responseRanges", "responseIncludeGridData"}
_NUMBER_FORMAT_PATHS = {"*", "userEnteredFormat", "userEnteredFormat.numberFormat"}


class RequestError(Exception):
    """A request Google refuses; the message follows "Invalid requests[i].kind: "."""


@dataclass
class Context:
    """What the requests act on: the spreadsheet, who calls (for protections), a source of fresh ids."""

    book: Spreadsheet
    caller: str
    new_id: Callable[[], int]


def apply(ctx: Context, body: Any) -> dict[str, Any]:
    """Run the requests of a batchUpdate body; on any error nothing is changed. The answer lacks
    updatedSpreadsheet, which the caller adds when includeSpreadsheetInResponse asks for it."""
    if not isinstance(body, dict) or any(key not in _BODY_KEYS for key in body):
        unknown = next(iter(set(body) - _BODY_KEYS)) if isinstance(body, dict) else "body"
        raise bad_request(f'Invalid JSON payload received. Unknown name "{unknown}": Cannot find field.')
    requests = body.get("requests") or []
    if not requests:
        raise bad_request("Must specify at least one request.")
    state = ctx.book.snapshot()
    try:
        replies = [_run(ctx, i, request) for i, request in enumerate(requests)]
    except BaseException:
        ctx.book.restore(state)
        raise
    return {"spreadsheetId": ctx.book.key, "replies": replies}


def _run(ctx: Context, i: int, request: Any) -> dict[str, Any]:
    if not isinstance(request, dict) or not request:
        raise bad_request(f"Invalid requests[{i}]: No request set.")
    for name in request:
        if name not in GOOGLE_REQUESTS:
            raise bad_request(
                f"Invalid JSON payload received. Unknown name \"{name}\" at 'requests[{i}]': Cannot find field.",
                f"requests[{i}]",
            )
    if len(request) > 1:
        names = list(request)
        raise bad_request(f"Invalid requests[{i}]: oneof field 'kind' is already set. Cannot set '{names[1]}'")
    name, args = next(iter(request.items()))
    handler = HANDLERS.get(name)
    if handler is None:
        raise unimplemented(f"the batchUpdate request {name}")
    try:
        reply = handler(ctx, args or {})
    except RequestError as error:
        raise bad_request(f"Invalid requests[{i}].{name}: {error}") from None
    return {name: reply} if reply is not None else {}


# --- helpers -----------------------------------------------------------------------------------


def _sheet(ctx: Context, sheet_id: int | None) -> Sheet:
    sheet = ctx.book.by_id(sheet_id or 0)
    if sheet is None:
        raise RequestError(f"No grid with id: {sheet_id or 0}")
    return sheet


def _area(ctx: Context, grid_range: dict[str, Any]) -> tuple[Sheet, tuple[int, int, int, int]]:
    """The tab and bounds of a GridRange; a range past the grid is Google's "exceeds grid limits"."""
    sheet = _sheet(ctx, grid_range.get("sheetId"))
    rows, cols = sheet.row_count, sheet.col_count
    if (
        grid_range.get("endRowIndex", 0) > rows
        or grid_range.get("endColumnIndex", 0) > cols
        or (grid_range.get("startRowIndex", 0) >= rows or grid_range.get("startColumnIndex", 0) >= cols)
    ):
        r0, r1, c0, c1 = (
            grid_range.get("startRowIndex", 0),
            grid_range.get("endRowIndex", rows),
            grid_range.get("startColumnIndex", 0),
            grid_range.get("endColumnIndex", cols),
        )
        label = a1.format_range(sheet.title, r0, c0, max(r1, r0 + 1), max(c1, c0 + 1))
        raise RequestError(f"Range ({label}) exceeds grid limits. Max rows: {rows}, max columns: {cols}")
    return sheet, ranges.bounds(grid_range, rows, cols)


def _own_range(sheet: Sheet, grid_range: dict[str, Any]) -> dict[str, Any]:
    return {**grid_range, "sheetId": sheet.sheet_id}


def _paths(mask: Any) -> set[str]:
    if not mask:
        raise RequestError("At least one field must be updated, but 'fields' is empty.")
    try:
        return fields.paths(fields.parse(mask))
    except fields.MaskError:
        raise RequestError(f"Invalid field mask: {mask}") from None


def _apply_masked(target: dict[str, Any], source: dict[str, Any], paths: set[str]) -> None:
    """Set each masked path of target from source ("*" means every field source has)."""
    for path in paths:
        if path == "*":
            target.update(copy.deepcopy(source))
            continue
        *parents, leaf = path.split(".")
        src, dst = source, target
        for key in parents:
            src = src.get(key, {}) if isinstance(src, dict) else {}
            dst = dst.setdefault(key, {})
        if isinstance(src, dict) and leaf in src and src[leaf] is not None:
            dst[leaf] = copy.deepcopy(src[leaf])
        else:
            dst.pop(leaf, None)


def _pruned(value: Any) -> Any:
    """Drop what proto3 JSON leaves out: nulls, false and empty strings."""
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v is not None and v is not False and v != ""}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def _cell(data: dict[str, Any]) -> Any:
    """The cell an ExtendedValue ({"stringValue": ...}, {"formulaValue": ...}...) stands for."""
    value = data.get("userEnteredValue") or {}
    if "formulaValue" in value:
        return Formula(value["formulaValue"])
    if "stringValue" in value:
        if len(value["stringValue"]) > CELL_LIMIT:
            raise too_long()
        return value["stringValue"] or None
    if "numberValue" in value:
        return number(value["numberValue"])
    if "boolValue" in value:
        return bool(value["boolValue"])
    return None


def _mirrored(cell: dict[str, Any]) -> dict[str, Any]:
    """A CellData with colours mirrored into their *Style twins, as Sheets stores them."""
    cell = copy.deepcopy(cell)
    fmt = cell.get("userEnteredFormat")
    if isinstance(fmt, dict):
        _mirror(fmt, "backgroundColor")
        if isinstance(fmt.get("textFormat"), dict):
            _mirror(fmt["textFormat"], "foregroundColor")
    return cell


def _mirror(target: dict[str, Any], key: str) -> None:
    style = key + "Style"
    if isinstance(target.get(style), dict) and target[style].get("rgbColor", {}) is None:
        del target[style]["rgbColor"]
    if isinstance(target.get(key), dict):
        target[key] = _color(target[key])
    if isinstance(target.get(style), dict) and isinstance(target[style].get("rgbColor"), dict):
        target[style]["rgbColor"] = _color(target[style]["rgbColor"])
    if key in target and style not in target:
        target[style] = {"rgbColor": target[key]}
    elif style in target and key not in target and "rgbColor" in target[style]:
        target[key] = target[style]["rgbColor"]
    if target.get(style) == {}:  # a colour set to null is no colour: Google drops both fields
        del target[style]
        target.pop(key, None)


def _color(rgb: dict[str, Any]) -> dict[str, Any]:
    """A Color as proto3 JSON shows it: components that are 0 left out ({} is black)."""
    return {k: v for k, v in rgb.items() if v != 0}


def _write_cells(ctx: Context, sheet: Sheet, r0: int, c0: int, block: list[list[dict[str, Any]]], paths: set[str]):
    """Apply CellData row by row from (r0, c0): values, notes, formats and validations the mask names."""
    everything = "*" in paths
    if everything or "userEnteredValue" in paths:
        sheet.write(r0, c0, [[_cell(data) for data in row] for row in block])
    if everything or "note" in paths:
        for r, row in enumerate(block, r0):
            for c, data in enumerate(row, c0):
                if data.get("note"):
                    sheet.notes[(r, c)] = data["note"]
                else:
                    sheet.notes.pop((r, c), None)
    format_paths = _format_paths(paths)
    if format_paths:
        for r, row in enumerate(block, r0):
            start = 0
            for j in range(1, len(row) + 1):  # one layer per run of equal formats in a row
                if j == len(row) or row[j].get("userEnteredFormat") != row[start].get("userEnteredFormat"):
                    area = {"startRowIndex": r, "endRowIndex": r + 1}
                    area |= {"startColumnIndex": c0 + start, "endColumnIndex": c0 + j}
                    _add_format(sheet, _own_range(sheet, area), format_paths, _mirrored(row[start]))
                    start = j
    if everything or "dataValidation" in paths:
        for r, row in enumerate(block, r0):
            for c, data in enumerate(row, c0):
                area = {"startRowIndex": r, "endRowIndex": r + 1, "startColumnIndex": c, "endColumnIndex": c + 1}
                _add_validation(sheet, _own_range(sheet, area), data.get("dataValidation"))


def _format_paths(paths: set[str]) -> set[str]:
    """The userEnteredFormat paths a mask sets; a colour brings its twin (Sheets sets
    backgroundColorStyle with backgroundColor, and back)."""
    found = {"userEnteredFormat" if p == "*" else p for p in paths if p == "*" or p.startswith("userEnteredFormat")}
    colours = [p for p in found if p.endswith(("Color", "ColorStyle"))]
    return found | {p.removesuffix("Style") if p.endswith("Style") else p + "Style" for p in colours}


def _add_format(sheet: Sheet, grid_range: dict[str, Any], paths: set[str], cell: dict[str, Any]) -> None:
    """Lay a format over a range; older layers it hides completely are dropped to keep lookups short."""
    frozen = frozenset(paths)
    sheet.formats = [
        layer for layer in sheet.formats if not (ranges.contains(grid_range, layer[0]) and layer[1] <= frozen)
    ]
    sheet.formats.append((grid_range, frozen, cell))
    if paths & _NUMBER_FORMAT_PATHS:  # a number format set on cells replaces the one typing gave them
        r0, r1, c0, c1 = ranges.bounds(grid_range, sheet.row_count, sheet.col_count)
        for r in range(r0, min(r1, len(sheet.rows))):
            row = sheet.rows[r]
            if any(v.__class__ is Typed for v in row[c0:c1]):
                sheet.rows[r] = [v.value if v.__class__ is Typed and c0 <= c < c1 else v for c, v in enumerate(row)]


def _add_validation(sheet: Sheet, grid_range: dict[str, Any], rule: dict[str, Any] | None) -> None:
    sheet.validations = [layer for layer in sheet.validations if not ranges.contains(grid_range, layer[0])]
    sheet.validations.append((grid_range, _pruned(rule) if rule else None))


# --- sheets and properties -----------------------------------------------------------------------


def add_sheet(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    props = copy.deepcopy(req.get("properties") or {})
    sheet_id = props.pop("sheetId", None)
    if sheet_id is None:
        sheet_id = ctx.new_id()
    elif ctx.book.by_id(sheet_id):
        raise RequestError(f"Sheet with id {sheet_id} already exists.")
    index = props.pop("index", None)
    try:
        sheet = ctx.book.add_sheet(_pruned(props), sheet_id, index)
    except ValueError as error:
        raise RequestError(str(error)) from None
    return {"properties": copy.deepcopy(sheet.props)}


def delete_sheet(ctx: Context, req: dict[str, Any]) -> None:
    sheet = _sheet(ctx, req.get("sheetId"))
    if len(ctx.book.sheets) == 1:
        raise RequestError("You can't remove all the sheets in a document.")
    ctx.book.sheets.remove(sheet)
    ctx.book.reindex()
    ctx.book.named_ranges = [n for n in ctx.book.named_ranges if n["range"].get("sheetId", 0) != sheet.sheet_id]


def update_sheet_properties(ctx: Context, req: dict[str, Any]) -> None:
    source = req.get("properties") or {}
    sheet = _sheet(ctx, source.get("sheetId"))
    props = copy.deepcopy(sheet.props)
    _apply_masked(props, source, _paths(req.get("fields")) - {"sheetId"})
    props["sheetId"] = sheet.sheet_id
    grid = props.setdefault("gridProperties", {})
    rows, cols = grid.get("rowCount", sheet.row_count), grid.get("columnCount", sheet.col_count)
    for key in ("tabColor", "tabColorStyle"):
        if key in source and key in props:
            props.pop("tabColorStyle" if key == "tabColor" else "tabColor", None)
            _mirror(props, "tabColor")
    if props.get("title") != sheet.title:
        other = ctx.book.find(props.get("title") or "")
        if not props.get("title") or (other and other is not sheet):
            raise RequestError(
                f'A sheet with the name "{props.get("title")}" already exists. Please enter another name.'
            )
    props = _pruned({**props, "gridProperties": {k: v for k, v in grid.items() if v}})
    props.setdefault("index", 0)
    others_hidden = all(s.props.get("hidden") for s in ctx.book.sheets if s is not sheet)
    if props.get("hidden") and others_hidden:
        raise RequestError("You can't hide all the sheets in a document.")
    sheet.props = props
    sheet.resize(rows, cols)
    if props["index"] != ctx.book.sheets.index(sheet):
        ctx.book.sheets.remove(sheet)
        ctx.book.sheets.insert(min(props["index"], len(ctx.book.sheets)), sheet)
    ctx.book.reindex()


def update_spreadsheet_properties(ctx: Context, req: dict[str, Any]) -> None:
    props = copy.deepcopy(ctx.book.props)
    _apply_masked(props, req.get("properties") or {}, _paths(req.get("fields")))
    if not props.get("title"):
        raise RequestError("The spreadsheet title can't be empty.")
    ctx.book.props = props


def update_dimension_properties(ctx: Context, req: dict[str, Any]) -> None:
    span = req.get("range") or {}
    sheet = _sheet(ctx, span.get("sheetId"))
    dimension = span.get("dimension", "ROWS")
    size = sheet.row_count if dimension == "ROWS" else sheet.col_count
    paths = _paths(req.get("fields"))
    for i in range(span.get("startIndex", 0), min(span.get("endIndex", size), size)):
        props = sheet.dimensions[dimension].setdefault(i, {})
        _apply_masked(props, req.get("properties") or {}, paths)


def auto_resize_dimensions(ctx: Context, req: dict[str, Any]) -> None:
    """Accepted and ignored: there are no pixels here."""
    _sheet(ctx, (req.get("dimensions") or {}).get("sheetId"))


# --- cells -----------------------------------------------------------------------------------------


def repeat_cell(ctx: Context, req: dict[str, Any]) -> None:
    sheet, (r0, r1, c0, c1) = _area(ctx, req.get("range") or {})
    paths = _paths(req.get("fields"))
    cell = req.get("cell") or {}
    if {"*", "userEnteredValue", "note", "dataValidation"} & paths:
        block = [[cell] * (c1 - c0) for _ in range(r1 - r0)]
        _write_cells(ctx, sheet, r0, c0, block, paths - {p for p in paths if p.startswith("userEnteredFormat")})
    format_paths = _format_paths(paths)
    if format_paths:
        _add_format(sheet, _own_range(sheet, req.get("range") or {}), format_paths, _mirrored(cell))


def update_cells(ctx: Context, req: dict[str, Any]) -> None:
    rows = [row.get("values") or [] for row in req.get("rows") or []]
    paths = _paths(req.get("fields"))
    if "range" in req:
        sheet, (r0, r1, c0, c1) = _area(ctx, req["range"])
        block = [
            [rows[r][c] if r < len(rows) and c < len(rows[r]) else {} for c in range(c1 - c0)] for r in range(r1 - r0)
        ]
    else:
        start = req.get("start") or {}
        r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
        height, width = len(rows), max((len(row) for row in rows), default=0)
        area = {"sheetId": start.get("sheetId", 0), "startRowIndex": r0, "endRowIndex": r0 + max(height, 1)}
        sheet, _ = _area(ctx, area | {"startColumnIndex": c0, "endColumnIndex": c0 + max(width, 1)})
        block = rows
    _write_cells(ctx, sheet, r0, c0, block, paths)


def set_data_validation(ctx: Context, req: dict[str, Any]) -> None:
    sheet, _ = _area(ctx, req.get("range") or {})
    _add_validation(sheet, _own_range(sheet, req.get("range") or {}), req.get("rule"))


def add_conditional_format_rule(ctx: Context, req: dict[str, Any]) -> None:
    rule = _pruned(copy.deepcopy(req.get("rule") or {}))
    if not rule.get("ranges"):
        raise RequestError("At least one range must be specified.")
    sheet, _ = _area(ctx, rule["ranges"][0])
    for grid_range in rule["ranges"]:
        _area(ctx, grid_range)
    sheet.conditional_formats.insert(req.get("index", 0), rule)


def delete_conditional_format_rule(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    sheet = _sheet(ctx, req.get("sheetId"))
    index = req.get("index", 0)
    if not 0 <= index < len(sheet.conditional_formats):
        raise RequestError(f"No conditional format on sheet {sheet.sheet_id} at index {index}")
    return {"rule": _public_rule(sheet.conditional_formats.pop(index))}


def _public_rule(rule: dict[str, Any]) -> dict[str, Any]:
    return {**rule, "ranges": [ranges.public(gr) for gr in rule["ranges"]]}


def sort_range(ctx: Context, req: dict[str, Any]) -> None:
    sheet, area = _area(ctx, req.get("range") or {})
    specs = [(s.get("dimensionIndex", 0), s.get("sortOrder") == "DESCENDING") for s in req.get("sortSpecs") or []]
    ctx.book.sort(sheet, area, specs)


def merge_cells(ctx: Context, req: dict[str, Any]) -> None:
    sheet, (r0, r1, c0, c1) = _area(ctx, req.get("range") or {})
    kind = req.get("mergeType", "MERGE_ALL")
    if kind == "MERGE_COLUMNS":
        pieces = [(r0, r1, c, c + 1) for c in range(c0, c1)]
    elif kind == "MERGE_ROWS":
        pieces = [(r, r + 1, c0, c1) for r in range(r0, r1)]
    else:
        pieces = [(r0, r1, c0, c1)]
    for top, bottom, left, right in pieces:
        merge = {"sheetId": sheet.sheet_id, "startRowIndex": top, "endRowIndex": bottom}
        merge |= {"startColumnIndex": left, "endColumnIndex": right}
        sheet.merges = [m for m in sheet.merges if not ranges.intersects(m, merge)]
        sheet.merges.append(merge)
        anchor = sheet.cell(top, left)
        sheet.clear(top, bottom, left, right)  # a merge keeps only its top-left value
        sheet.write(top, left, [[anchor]])


def unmerge_cells(ctx: Context, req: dict[str, Any]) -> None:
    sheet, _ = _area(ctx, req.get("range") or {})
    target = _own_range(sheet, req.get("range") or {})
    sheet.merges = [m for m in sheet.merges if not ranges.intersects(m, target)]


def copy_paste(ctx: Context, req: dict[str, Any]) -> None:
    source, (r0, r1, c0, c1) = _area(ctx, req.get("source") or {})
    target, (t0, _, u0, _) = _area(ctx, req.get("destination") or {})
    block = [[source.cell(r, c) for c in range(c0, c1)] for r in range(r0, r1)]
    target.write(t0, u0, block)


def cut_paste(ctx: Context, req: dict[str, Any]) -> None:
    source, (r0, r1, c0, c1) = _area(ctx, req.get("source") or {})
    destination = req.get("destination") or {}
    target = _sheet(ctx, destination.get("sheetId"))
    block = [[source.cell(r, c) for c in range(c0, c1)] for r in range(r0, r1)]
    source.clear(r0, r1, c0, c1)
    target.write(destination.get("rowIndex", 0), destination.get("columnIndex", 0), block)


# --- rows and columns ------------------------------------------------------------------------------


def _dimension_span(ctx: Context, span: dict[str, Any]) -> tuple[Sheet, str, int, int]:
    sheet = _sheet(ctx, span.get("sheetId"))
    dimension = span.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise RequestError("range.dimension must be ROWS or COLUMNS")
    size = sheet.row_count if dimension == "ROWS" else sheet.col_count
    start, end = span.get("startIndex", 0), span.get("endIndex", size)
    if not 0 <= start < end:
        raise RequestError(f"Invalid dimension range: [{start}, {end})")
    return sheet, dimension, start, end


def insert_dimension(ctx: Context, req: dict[str, Any]) -> None:
    sheet, dimension, start, end = _dimension_span(ctx, req.get("range") or {})
    size = sheet.row_count if dimension == "ROWS" else sheet.col_count
    if start > size:
        raise RequestError(f"Cannot insert at index {start}: the sheet has {size} {dimension.lower()}.")
    ctx.book.insert(sheet, dimension, start, end - start)


def delete_dimension(ctx: Context, req: dict[str, Any]) -> None:
    sheet, dimension, start, end = _dimension_span(ctx, req.get("range") or {})
    size = sheet.row_count if dimension == "ROWS" else sheet.col_count
    if end > size:
        raise RequestError(f"Cannot delete {dimension.lower()} past the end of the sheet ({size}).")
    if start == 0 and end == size:
        raise RequestError(f"You can't delete all the {dimension.lower()} on the sheet.")
    ctx.book.delete(sheet, dimension, start, end)


def append_dimension(ctx: Context, req: dict[str, Any]) -> None:
    sheet = _sheet(ctx, req.get("sheetId"))
    length = req.get("length", 0)
    if length < 1:
        raise RequestError("length must be positive")
    if req.get("dimension") == "COLUMNS":
        sheet.resize(sheet.row_count, sheet.col_count + length)
    else:
        sheet.resize(sheet.row_count + length, sheet.col_count)


def add_dimension_group(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    sheet, dimension, start, end = _dimension_span(ctx, req.get("range") or {})
    groups = sheet.groups[dimension]
    depth = 1 + sum(1 for g in groups if g["range"]["startIndex"] <= start and end <= g["range"]["endIndex"])
    groups.append({"range": {"dimension": dimension, "startIndex": start, "endIndex": end}, "depth": depth})
    key = "rowGroupControlAfter" if dimension == "ROWS" else "columnGroupControlAfter"
    sheet.props["gridProperties"][key] = True
    return {"dimensionGroups": copy.deepcopy(groups)}


def delete_dimension_group(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    sheet, dimension, start, end = _dimension_span(ctx, req.get("range") or {})
    groups = sheet.groups[dimension]
    match = next(
        (g for g in reversed(groups) if (g["range"]["startIndex"], g["range"]["endIndex"]) == (start, end)), None
    )
    if match is None:
        raise RequestError(f"No dimension group found in range [{start}, {end}).")
    groups.remove(match)
    return {"dimensionGroups": copy.deepcopy(groups)} if groups else {}


# --- filters, protection, names, charts ------------------------------------------------------------


def set_basic_filter(ctx: Context, req: dict[str, Any]) -> None:
    spec = _pruned(copy.deepcopy(req.get("filter") or {}))
    sheet, (r0, r1, c0, c1) = _area(ctx, spec.get("range") or {})
    spec["range"] = {"sheetId": sheet.sheet_id, "startRowIndex": r0, "endRowIndex": r1}
    spec["range"] |= {"startColumnIndex": c0, "endColumnIndex": c1}
    sheet.basic_filter = spec


def clear_basic_filter(ctx: Context, req: dict[str, Any]) -> None:
    _sheet(ctx, req.get("sheetId")).basic_filter = None


def add_protected_range(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    asked = _pruned(copy.deepcopy(req.get("protectedRange") or {}))
    sheet, _ = _area(ctx, asked.get("range") or {})
    asked.pop("requestingUserCanEdit", None)
    ordered = {"protectedRangeId": asked.pop("protectedRangeId", None) or ctx.new_id()}
    ordered["range"] = ranges.public(_own_range(sheet, asked.pop("range", {})))
    ordered |= asked
    ordered["requestingUserCanEdit"] = True
    editors = ordered.pop("editors", {}) or {}
    users = [u for u in editors.get("users", []) if u] + [ctx.caller]
    reply = {**ordered, "editors": {k: v for k, v in editors.items() if v}}
    sheet.protected_ranges.append(
        {**ordered, "range": _own_range(sheet, ordered["range"]), "editors": {"users": users}}
    )
    return {"protectedRange": reply}


def delete_protected_range(ctx: Context, req: dict[str, Any]) -> None:
    wanted = req.get("protectedRangeId")
    for sheet in ctx.book.sheets:
        for protected in sheet.protected_ranges:
            if protected["protectedRangeId"] == wanted:
                sheet.protected_ranges.remove(protected)
                return
    raise RequestError(f"No protected range with id: {wanted}")


def add_named_range(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    asked = req.get("namedRange") or {}
    name = asked.get("name") or ""
    if not name or any(n["name"].casefold() == name.casefold() for n in ctx.book.named_ranges):
        raise RequestError(f"The named range name '{name}' is already in use or invalid.")
    sheet, _ = _area(ctx, asked.get("range") or {})
    named = {"namedRangeId": asked.get("namedRangeId") or str(ctx.new_id()), "name": name}
    named["range"] = _own_range(sheet, asked.get("range") or {})
    ctx.book.named_ranges.append(named)
    return {"namedRange": {**named, "range": ranges.public(named["range"])}}


def update_named_range(ctx: Context, req: dict[str, Any]) -> None:
    asked = req.get("namedRange") or {}
    named = _named(ctx, asked.get("namedRangeId"))
    updated = copy.deepcopy(named)
    _apply_masked(updated, asked, _paths(req.get("fields")) - {"namedRangeId"})
    sheet, _ = _area(ctx, updated.get("range") or {})
    updated["range"] = _own_range(sheet, updated["range"])
    named.update(updated)


def delete_named_range(ctx: Context, req: dict[str, Any]) -> None:
    ctx.book.named_ranges.remove(_named(ctx, req.get("namedRangeId")))


def _named(ctx: Context, named_range_id: Any) -> dict[str, Any]:
    for named in ctx.book.named_ranges:
        if named["namedRangeId"] == named_range_id:
            return named
    raise RequestError(f"No named range with id: {named_range_id}")


def add_chart(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    chart = _pruned(copy.deepcopy(req.get("chart") or {}))
    chart_id = chart.pop("chartId", None) or ctx.new_id()
    if any(c["chartId"] == chart_id for sheet in ctx.book.sheets for c in sheet.charts):
        raise RequestError(f"An object with id {chart_id} already exists.")  # ids are unique in the book
    position = chart.pop("position", None) or {"newSheet": True}
    if "overlayPosition" in position:
        sheet = _sheet(ctx, position["overlayPosition"].get("anchorCell", {}).get("sheetId"))
    elif position.get("newSheet"):
        sheet = ctx.book.add_sheet({"sheetType": "OBJECT", "title": f"Chart{len(ctx.book.sheets) + 1}"}, ctx.new_id())
        del sheet.props["gridProperties"]
        position = {"sheetId": sheet.sheet_id}
    else:
        sheet = _sheet(ctx, position.get("sheetId"))
    stored = {"chartId": chart_id, **chart, "position": position}
    sheet.charts.append(stored)
    return {"chart": copy.deepcopy(stored)}


def update_chart_spec(ctx: Context, req: dict[str, Any]) -> None:
    _chart(ctx, req.get("chartId"))[1]["spec"] = _pruned(copy.deepcopy(req.get("spec") or {}))


def delete_embedded_object(ctx: Context, req: dict[str, Any]) -> None:
    sheet, chart = _chart(ctx, req.get("objectId"))
    sheet.charts.remove(chart)


def _chart(ctx: Context, chart_id: Any) -> tuple[Sheet, dict[str, Any]]:
    for sheet in ctx.book.sheets:
        for chart in sheet.charts:
            if chart["chartId"] == chart_id:
                return sheet, chart
    raise RequestError(f"No object with id: {chart_id}")


HANDLERS: dict[str, Callable[[Context, dict[str, Any]], dict[str, Any] | None]] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "updateDimensionProperties": update_dimension_properties,
    "autoResizeDimensions": auto_resize_dimensions,
    "repeatCell": repeat_cell,
    "updateCells": update_cells,
    "setDataValidation": set_data_validation,
    "addConditionalFormatRule": add_conditional_format_rule,
    "deleteConditionalFormatRule": delete_conditional_format_rule,
    "sortRange": sort_range,
    "mergeCells": merge_cells,
    "unmergeCells": unmerge_cells,
    "copyPaste": copy_paste,
    "cutPaste": cut_paste,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "appendDimension": append_dimension,
    "addDimensionGroup": add_dimension_group,
    "deleteDimensionGroup": delete_dimension_group,
    "setBasicFilter": set_basic_filter,
    "clearBasicFilter": clear_basic_filter,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "addNamedRange": add_named_range,
    "updateNamedRange": update_named_range,
    "deleteNamedRange": delete_named_range,
    "addChart": add_chart,
    "updateChartSpec": update_chart_spec,
    "deleteEmbeddedObject": delete_embedded_object,
}
