"""A1 notation: column letters and quoted tab names, as the Sheets API wants them."""

from __future__ import annotations


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def quote(title: str) -> str:
    """Leads -> 'Leads'; Bob's -> 'Bob''s' (always quoted: any tab name is safe)."""
    return "'" + title.replace("'", "''") + "'"
