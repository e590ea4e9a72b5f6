"""GridRange dicts ({"sheetId", "startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"},
0-based, end exclusive, a missing end is unbounded) and how they follow inserted and deleted rows.

>>> after_insert({"startRowIndex": 1, "endRowIndex": 5}, "ROWS", 3, 2)
{'startRowIndex': 1, 'endRowIndex': 7}
>>> after_delete({"startRowIndex": 1, "endRowIndex": 5}, "ROWS", 0, 5) is None
True
"""

from __future__ import annotations

from typing import Any

KEYS = {"ROWS": ("startRowIndex", "endRowIndex"), "COLUMNS": ("startColumnIndex", "endColumnIndex")}


def bounds(grid_range: dict[str, Any], rows: int, cols: int) -> tuple[int, int, int, int]:
    """(r0, r1, c0, c1) of a range, unbounded ends closed at the grid's edge."""
    return (
        grid_range.get("startRowIndex", 0),
        min(grid_range.get("endRowIndex", rows), rows),
        grid_range.get("startColumnIndex", 0),
        min(grid_range.get("endColumnIndex", cols), cols),
    )


def covers(grid_range: dict[str, Any], row: int, col: int) -> bool:
    """True when the cell (row, col) lies in the range."""
    return grid_range.get("startRowIndex", 0) <= row < grid_range.get("endRowIndex", row + 1) and grid_range.get(
        "startColumnIndex", 0
    ) <= col < grid_range.get("endColumnIndex", col + 1)


def contains(outer: dict[str, Any], inner: dict[str, Any]) -> bool:
    """True when every cell of inner is in outer."""
    for start_key, end_key in KEYS.values():
        if inner.get(start_key, 0) < outer.get(start_key, 0):
            return False
        if end_key in outer and inner.get(end_key, float("inf")) > outer[end_key]:
            return False
    return True


def intersects(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when the two ranges share a cell."""
    for start_key, end_key in KEYS.values():
        if max(a.get(start_key, 0), b.get(start_key, 0)) >= min(
            a.get(end_key, float("inf")), b.get(end_key, float("inf"))
        ):
            return False
    return True


def after_insert(grid_range: dict[str, Any], dimension: str, start: int, count: int) -> dict[str, Any]:
    """The range once `count` rows (or columns) are inserted before index `start`: moved or grown."""
    start_key, end_key = KEYS[dimension]
    moved = dict(grid_range)
    if grid_range.get(start_key, 0) >= start and start_key in grid_range:
        moved[start_key] += count
    if end_key in grid_range and grid_range[end_key] > start:
        moved[end_key] += count
    return moved


def after_delete(grid_range: dict[str, Any], dimension: str, start: int, end: int) -> dict[str, Any] | None:
    """The range once rows (or columns) [start, end) are deleted: shrunk or moved, None when nothing is left."""
    start_key, end_key = KEYS[dimension]

    def moved(index: int) -> int:
        return index if index <= start else start if index <= end else index - (end - start)

    result = dict(grid_range)
    if start_key in grid_range:
        result[start_key] = moved(grid_range[start_key])
    if end_key in grid_range:
        result[end_key] = moved(grid_range[end_key])
        if result[end_key] <= result.get(start_key, 0):
            return None
    return result


def public(grid_range: dict[str, Any]) -> dict[str, Any]:
    """A range as Google writes it back: sheetId 0 is left out (a proto3 default)."""
    return {k: v for k, v in grid_range.items() if not (k == "sheetId" and v == 0)}


def of_dimension(dimension_range: dict[str, Any]) -> dict[str, Any]:
    """A DimensionRange ({"sheetId", "dimension", "startIndex", "endIndex"}) as a GridRange."""
    start_key, end_key = KEYS[dimension_range.get("dimension", "ROWS")]
    grid_range = {"sheetId": dimension_range.get("sheetId", 0)}
    if "startIndex" in dimension_range:
        grid_range[start_key] = dimension_range["startIndex"]
    if "endIndex" in dimension_range:
        grid_range[end_key] = dimension_range["endIndex"]
    return grid_range
