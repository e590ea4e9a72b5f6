"""A1 notation: column letters and quoted tab names, as the Sheets API wants them."""

from __future__ import annotations

from touchsheet.engine.table import column_letter

__all__ = ["column_letter", "quote"]


def quote(title: str) -> str:
    """Leads -> 'Leads'; Bob's -> 'Bob''s' (always quoted: any tab name is safe)."""
    return "'" + title.replace("'", "''") + "'"
