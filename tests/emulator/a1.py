"""A1 notation as the Sheets API reads and writes it.

>>> split("'Touch log'!A2:J")
('Touch log', 'A2:J')
>>> parse_ref("A2:J")
Span(r0=1, c0=0, r1=None, c1=10, cell=False)
>>> format_range("Touch log", 1, 0, 1000, 10)
"'Touch log'!A2:J1000"
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_COLUMNS = 18278  # column ZZZ: the widest a Google sheet can be

_REF = re.compile(r"(?P<c0>[A-Za-z]{1,3})?(?P<r0>\d+)?(?::(?P<c1>[A-Za-z]{1,3})?(?P<r1>\d+)?)?")
_PLAIN_TITLE = re.compile(r"[^\W\d]\w*")
# Titles Google quotes even though they are plain words, because they read as cell references.
_LOOKS_LIKE_CELL = re.compile(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*")


class A1Error(ValueError):
    """A range that is not A1 notation; the message is the offending text."""


@dataclass(frozen=True, slots=True)
class Span:
    """A rectangle of a sheet, 0-based with exclusive ends; an end of None runs to the edge of the grid.

    `cell` is True for a lone cell ("B3"): a write there may run past it, as Google allows.
    """

    r0: int
    c0: int
    r1: int | None
    c1: int | None
    cell: bool = False


WHOLE_SHEET = Span(0, 0, None, None)


def column_index(letters: str) -> int:
    """0-based index of a column: column_index("A") == 0, column_index("AA") == 26."""
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def column_letters(index: int) -> str:
    """Letters of a 0-based column: column_letters(27) == "AB"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """A1 name of a 0-based cell: cell_name(0, 1) == "B1"."""
    return f"{column_letters(col)}{row + 1}"


def quote_title(title: str) -> str:
    """A sheet title as Google writes it in a range: quote_title("Touch log") == "'Touch log'"."""
    if _PLAIN_TITLE.fullmatch(title) and not _LOOKS_LIKE_CELL.fullmatch(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def format_range(title: str, r0: int, c0: int, r1: int, c1: int) -> str:
    """A bounded range as Google answers it: format_range("Leads", 0, 0, 1, 1) == "Leads!A1"."""
    start = cell_name(r0, c0)
    if r1 - r0 == 1 and c1 - c0 == 1:
        return f"{quote_title(title)}!{start}"
    return f"{quote_title(title)}!{start}:{cell_name(r1 - 1, c1 - 1)}"


def split(text: str) -> tuple[str | None, str | None]:
    """Separate the sheet title from the cell part; either may be None.

    >>> split("'It''s'!A1")
    ("It's", 'A1')
    >>> split("Leads")
    (None, 'Leads')
    """
    if text.startswith("'"):
        title, rest = _unquote(text)
        if not rest:
            return title, None
        if not rest.startswith("!") or len(rest) == 1:
            raise A1Error(text)
        return title, rest[1:]
    if "!" in text:
        title, ref = text.rsplit("!", 1)
        if not title or not ref:
            raise A1Error(text)
        return title, ref
    return None, text


def _unquote(text: str) -> tuple[str, str]:
    """Read a quoted title at the start of text; return it and what follows the closing quote."""
    chars, i = [], 1
    while i < len(text):
        if text[i] == "'":
            if text[i + 1 : i + 2] == "'":  # '' is an escaped quote inside the title
                chars.append("'")
                i += 2
                continue
            return "".join(chars), text[i + 1 :]
        chars.append(text[i])
        i += 1
    raise A1Error(text)


def parse_ref(ref: str) -> Span:
    """The cell part of a range ("A1", "A:C", "2:5", "A2:Z", "D4:A1", "$B$3") as a Span.

    >>> parse_ref("D4:A1")
    Span(r0=0, c0=0, r1=4, c1=4, cell=False)
    """
    match = _REF.fullmatch(ref.replace("$", ""))
    if not match:
        raise A1Error(ref)
    c0, r0, c1, r1 = match.group("c0", "r0", "c1", "r1")
    has_end = ":" in ref
    if not (c0 or r0) or (has_end and not (c1 or r1)) or (not has_end and not (c0 and r0)):
        raise A1Error(ref)
    if not has_end:
        row, col = _row(r0), column_index(c0)
        return Span(row, col, row + 1, col + 1, cell=True)
    start_row, start_col = (_row(r0) if r0 else 0), (column_index(c0) if c0 else 0)
    end_row = _row(r1) + 1 if r1 else None
    end_col = column_index(c1) + 1 if c1 else None
    if end_row is not None and end_row <= start_row:  # D4:A1 means A1:D4
        start_row, end_row = end_row - 1, start_row + 1
    if end_col is not None and end_col <= start_col:
        start_col, end_col = end_col - 1, start_col + 1
    if max(start_col, (end_col or 1) - 1) >= MAX_COLUMNS:
        raise A1Error(ref)
    return Span(start_row, start_col, end_row, end_col)


def _row(digits: str) -> int:
    row = int(digits) - 1
    if row < 0:
        raise A1Error(digits)
    return row
