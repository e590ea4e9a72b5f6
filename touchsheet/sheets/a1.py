"""A1 notation: quoted tab names, as the Sheets API wants them (column letters: engine/table.py)."""

from __future__ import annotations


def quote(title: str) -> str:
    """Leads -> 'Leads'; Bob's -> 'Bob''s' (always quoted: any tab name is safe)."""
    return "'" + title.replace("'", "''") + "'"
