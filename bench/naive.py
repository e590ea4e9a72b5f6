"""The naive way, for comparison: the script people usually write first with gspread.

It opens the spreadsheet, reads the Leads tab, then writes each lead's worker cells (Next touch
at ... Problem) back one request per row (`worksheet.update`) or one per cell
(`worksheet.update_cell`), on the same emulator and the same base. It writes the values the sheet
already holds (what touchsheet computed): the logic is the same either way, only the requests differ.
It stops after `rows` rows; the report extrapolates the calls for the whole base.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import gspread
from gspread.utils import rowcol_to_a1

from touchsheet.config import load
from touchsheet.sheets.changes import WORKER_LEAD_COLUMNS
from touchsheet.sheets.gapi import _Session, load_credentials


def naive(folder: Path, url: str, mode: str, rows: int) -> dict[str, Any]:
    config = load(folder / "config.yaml")
    credentials = load_credentials(config.resolve(config.workbook.credentials_file), "")
    began = time.perf_counter()
    client = gspread.Client(None, session=_Session(credentials, url))  # type: ignore[arg-type]
    sheet = client.open_by_key(config.workbook.spreadsheet_key).worksheet("Leads")
    values = sheet.get_all_values()
    read = time.perf_counter()
    header = values[0]
    columns = [header.index(name) for name in WORKER_LEAD_COLUMNS]
    first, last = min(columns), max(columns)
    written = values[1 : rows + 1]
    for number, row in enumerate(written, start=2):
        cells = row + [""] * (last + 1 - len(row))
        if mode == "row":
            span = f"{rowcol_to_a1(number, first + 1)}:{rowcol_to_a1(number, last + 1)}"
            sheet.update([cells[first : last + 1]], span)
        else:
            for column in columns:
                sheet.update_cell(number, column + 1, cells[column])
    done = time.perf_counter()
    per_row = 1 if mode == "row" else len(columns)
    return {
        "mode": mode,
        "rows": len(written),
        "writes": len(written) * per_row,
        "per_row": per_row,
        "read_seconds": read - began,
        "write_seconds": done - read,
    }
